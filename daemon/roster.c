/* The sunshine roster: per community and scheme, the benefits active on a
 * day, masked. The persons who may hold one are those whose row says
 * periodic (a benefit row, active or ended: world_may_be_paid); they are read
 * in pages of IDs and loaded into memory as a payment run loads them, and
 * each one's benefits are taken as of the day as the record takes them. */
#include "roster.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idnum.h"
#include "log.h"
#include "policy/policy.h"
#include "scheme.h"
#include "query.h"
#include "schema.h"
#include "server.h"
#include "sunshine.h"
#include "vec.h"

#define SCAN_PAGE 500

/* ---- the scan ------------------------------------------------------------------ */

struct scan {
	struct server *srv;
	char district[STATE_DISTRICT_MAX + 1];
	char after[IDNUM_BUFLEN];
	char (*ids)[IDNUM_BUFLEN];
	size_t n_ids;
	roster_visit_fn visit;
	roster_done_fn done;
	void *arg;
};

static void scan_end(struct scan *s, int status)
{
	s->done(s->arg, status);
	free(s->ids);
	free(s);
}

static int scan_page(struct scan *s);

static void on_scan_loaded(void *arg, int status)
{
	struct scan *s = arg;

	if (status < 0) {
		scan_end(s, status);
		return;
	}
	for (size_t i = 0; i < s->n_ids; i++) {
		const struct person *p = engine_person(&s->srv->engine, s->ids[i]);
		if (p != NULL)
			s->visit(s->arg, p);
	}
	if (s->n_ids < SCAN_PAGE) {
		scan_end(s, 0);
		return;
	}
	snprintf(s->after, sizeof(s->after), "%s", s->ids[s->n_ids - 1]);
	if ((status = scan_page(s)) < 0)
		scan_end(s, status);
}

static void on_scan_ids(struct store_job *job, int status)
{
	struct scan *s = job->data;
	const PGresult *res = status == 0 ? job->results[0] : NULL;
	int n = res ? PQntuples(res) : 0;
	const char **ids = calloc(n ? (size_t)n : 1, sizeof(*ids));

	free(s->ids);
	s->ids = calloc(n ? (size_t)n : 1, sizeof(*s->ids));
	if (status < 0)
		log_error("roster: %s", job->error);
	if (status < 0 || ids == NULL || s->ids == NULL) {
		store_job_free(job);
		free(ids);
		scan_end(s, status < 0 ? -EIO : -ENOMEM);
		return;
	}
	for (int i = 0; i < n; i++) {
		snprintf(s->ids[i], sizeof(s->ids[i]), "%s", PQgetvalue(res, i, 0));
		ids[i] = s->ids[i];
	}
	s->n_ids = (size_t)n;
	store_job_free(job);
	engine_find_persons(&s->srv->engine, ids, s->n_ids, on_scan_loaded, s);
	free(ids);
}

static int scan_page(struct scan *s)
{
	char limit[16];
	struct store_job *job = store_job_new(STORE_READ, on_scan_ids, s);

	snprintf(limit, sizeof(limit), "%d", SCAN_PAGE);
	struct store_val v[3] = {{s->after, strlen(s->after), false},
				 {s->district, strlen(s->district), false},
				 {limit, strlen(limit), false}};
	if (job == NULL || store_job_add(job, SQL_ROSTER_IDS, v, 3) < 0) {
		store_job_free(job);
		return -ENOMEM;
	}
	store_submit(s->srv->store, job);
	return 0;
}

int roster_scan(struct server *srv, const char *district, roster_visit_fn visit,
		roster_done_fn done, void *arg)
{
	struct scan *s = calloc(1, sizeof(*s));
	int rc;

	if (s == NULL)
		return -ENOMEM;
	s->srv = srv;
	snprintf(s->district, sizeof(s->district), "%s", district);
	s->visit = visit;
	s->done = done;
	s->arg = arg;
	if ((rc = scan_page(s)) < 0)
		free(s);
	return rc;
}

/* ---- the roster ---------------------------------------------------------------- */

/* One row, with the full ID kept only to order the rows; never sent. */
struct roster_line {
	struct place place;
	Assist__Scheme scheme;
	char id[IDNUM_BUFLEN];
	char masked_id[IDNUM_BUFLEN];
	char name[SUNSHINE_NAME_BUFLEN];
	int32_t household_size;
	fen_t monthly;
	char since[YMD_BUFLEN];
};

struct roster_query {
	struct query_asker who;
	struct sunshine_place sel;
	Assist__Scheme scheme; /* 0: every scheme */
	ymd_t as_of;
	struct roster_line *lines;
	size_t n_lines, cap_lines;
	bool failed; /* out of memory while visiting */
};

/* p's row for benefit b. A person without a known household is one alone. */
static void roster_line_fill(struct roster_line *l, const struct person *p,
			     const struct benefit *b)
{
	memset(l, 0, sizeof(*l));
	l->place = p->place;
	l->scheme = b->scheme;
	snprintf(l->id, sizeof(l->id), "%s", p->id);
	idnum_mask(p->id, l->masked_id);
	sunshine_mask_name(p->name, l->name);
	l->household_size = p->hh != NULL ? household_size(p->hh) : 1;
	l->monthly = b->monthly;
	if (b->since != YMD_NONE)
		ymd_format(b->since, l->since);
}

static void roster_visit(void *arg, const struct person *p)
{
	struct roster_query *q = arg;
	struct benefit *b;
	size_t n;

	if (q->failed || p->n_benefits == 0 ||
	    !sunshine_place_match(&q->sel, p->place.district, p->place.town, p->place.community))
		return;
	if ((b = malloc(p->n_benefits * sizeof(*b))) == NULL) {
		q->failed = true;
		return;
	}
	n = policy_benefits_as_of(q->who.srv->params, p, q->as_of, b);
	for (size_t i = 0; i < n && !q->failed; i++) {
		struct roster_line *l;
		if (!b[i].active || (q->scheme != 0 && b[i].scheme != q->scheme))
			continue;
		l = vec_grow((void **)&q->lines, &q->n_lines, &q->cap_lines, sizeof(*l));
		if (l == NULL)
			q->failed = true;
		else
			roster_line_fill(l, p, &b[i]);
	}
	free(b);
}

static int by_place_scheme_id(const void *a, const void *b)
{
	const struct roster_line *x = a, *y = b;
	int c = strcmp(x->place.district, y->place.district);

	if (c == 0 && (c = strcmp(x->place.town, y->place.town)) == 0)
		c = strcmp(x->place.community, y->place.community);
	if (c == 0 && x->scheme != y->scheme)
		c = x->scheme < y->scheme ? -1 : 1;
	return c != 0 ? c : strcmp(x->id, y->id);
}

/* The reply of the rows collected, sorted. */
static void roster_send(struct roster_query *q)
{
	size_t n = q->n_lines;
	Assist__RosterRow *rows = calloc(n ? n : 1, sizeof(*rows));
	Assist__RosterRow **ptrs = calloc(n ? n : 1, sizeof(*ptrs));
	Assist__Place *places = calloc(n ? n : 1, sizeof(*places));
	Assist__RosterReply rr = ASSIST__ROSTER_REPLY__INIT;
	Assist__Reply r = ASSIST__REPLY__INIT;
	char day[YMD_BUFLEN];

	if (rows == NULL || ptrs == NULL || places == NULL) {
		query_fail(&q->who, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY,
			   "out of memory");
		goto cleanup;
	}
	if (n > 0)
		qsort(q->lines, n, sizeof(*q->lines), by_place_scheme_id);
	for (size_t i = 0; i < n; i++) {
		struct roster_line *l = &q->lines[i];
		assist__place__init(&places[i]);
		places[i].district = (char *)l->place.district;
		places[i].town = (char *)l->place.town;
		places[i].community = (char *)l->place.community;
		assist__roster_row__init(&rows[i]);
		rows[i].place = &places[i];
		rows[i].scheme = l->scheme;
		rows[i].name = l->name;
		rows[i].id_number = l->masked_id;
		rows[i].household_size = l->household_size;
		rows[i].monthly_fen = l->monthly;
		rows[i].since = l->since;
		ptrs[i] = &rows[i];
	}
	rr.as_of = ymd_format(q->as_of, day);
	rr.rows = ptrs;
	rr.n_rows = n;
	r.body_case = ASSIST__REPLY__BODY_ROSTER;
	r.roster = &rr;
	query_answer(&q->who, &r);
cleanup:
	free(rows);
	free(ptrs);
	free(places);
}

static void roster_done(void *arg, int status)
{
	struct roster_query *q = arg;

	if (status == -EIO)
		query_fail(&q->who, ASSIST__ERROR_CODE__ERROR_CODE_STORE_FAILED,
			   "the store failed to answer");
	else if (status < 0 || q->failed)
		query_fail(&q->who, ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY,
			   "out of memory");
	else
		roster_send(q);
	free(q->lines);
	free(q);
}

/* The request's fields into q; NULL, or the reason it is refused into err. */
static const char *roster_parse(const Assist__RosterRequest *rq, struct roster_query *q,
				char *err, size_t errlen)
{
	char why[128];

	if (rq->scheme != 0 && scheme_get(rq->scheme) == NULL)
		return "roster.scheme: not a scheme";
	q->scheme = rq->scheme;
	if (sunshine_place_parse(rq->place, &q->sel, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "roster.%s", why);
		return err;
	}
	q->as_of = ymd_today();
	if (rq->as_of[0] != '\0' && ymd_parse(rq->as_of, &q->as_of) < 0)
		return "roster.as_of: not a date (YYYY-MM-DD)";
	return NULL;
}

void roster_handle(struct server *srv, const uint8_t *peer, size_t peer_len,
		   const Assist__Request *req)
{
	struct roster_query *q = calloc(1, sizeof(*q));
	const char *bad;
	char err[192];

	if (q == NULL) {
		server_reply_error(&srv->query, peer, peer_len, req->request_id,
				   ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY, "out of memory");
		return;
	}
	query_asker_set(&q->who, srv, peer, peer_len, req->request_id);
	bad = roster_parse(req->roster, q, err, sizeof(err));
	if (bad == NULL && roster_scan(srv, q->sel.n_levels ? q->sel.level[0] : "", roster_visit,
				       roster_done, q) == 0)
		return;
	query_fail(&q->who, bad ? ASSIST__ERROR_CODE__ERROR_CODE_BAD_REQUEST
				       : ASSIST__ERROR_CODE__ERROR_CODE_OUT_OF_MEMORY,
			  bad ? bad : "out of memory");
	free(q);
}
