#include "load.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "log.h"
#include "pbjson.h"
#include "schema.h"
#include "stored.h"
#include "world.h"

/* ---- the ids a load names -------------------------------------------------------- */

int load_ids_add(struct load_ids *a, const char *s)
{
	size_t need = a->len + 2 * strlen(s) + 5; /* separator, quotes, "}" and NUL */

	if (need > a->cap) {
		size_t ncap = need * 2 > 256 ? need * 2 : 256;
		char *p = realloc(a->buf, ncap);
		if (p == NULL)
			return -ENOMEM;
		a->buf = p;
		a->cap = ncap;
	}
	a->buf[a->len++] = a->n == 0 ? '{' : ',';
	a->buf[a->len++] = '"';
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			a->buf[a->len++] = '\\';
		a->buf[a->len++] = *s;
	}
	a->buf[a->len++] = '"';
	a->n++;
	return 0;
}

void load_ids_free(struct load_ids *a)
{
	free(a->buf);
	memset(a, 0, sizeof(*a));
}

static const char *ids_text(struct load_ids *a)
{
	if (a->n == 0)
		return "{}";
	a->buf[a->len] = '}';
	a->buf[a->len + 1] = '\0';
	return a->buf;
}

/* ---- the job --------------------------------------------------------------------- */

/* Its results come in fours (load_adopt): persons, their ledger rows, their
 * alerts, households; for the ids, then for the payees. */
struct store_job *load_job_new(struct load_ids *ids, struct load_ids *hhs,
			       const struct load_payees *py, store_done_cb done, void *data)
{
	struct store_job *job = store_job_new(STORE_READ, done, data);
	const char *idt = ids_text(ids), *hht = ids_text(hhs);
	struct store_val pv[2] = {{idt, strlen(idt), false}, {hht, strlen(hht), false}};
	struct store_val hv[2] = {{hht, strlen(hht), false}, {idt, strlen(idt), false}};
	char from[12], to[12];
	struct store_val bv[2] = {{from, 0, false}, {to, 0, false}};
	uint32_t lo = 0, hi = 0;

	if (job == NULL)
		return NULL;
	if (py->parts > 0)
		world_bucket_range(py->part, py->parts, &lo, &hi);
	bv[0].len = (size_t)snprintf(from, sizeof(from), "%" PRIu32, lo);
	bv[1].len = (size_t)snprintf(to, sizeof(to), "%" PRIu32, hi);
	if (store_job_add(job, SQL_LOAD_PERSONS, pv, 2) < 0 ||
	    store_job_add(job, SQL_LOAD_PERSON_LEDGERS, pv, 2) < 0 ||
	    store_job_add(job, SQL_LOAD_PERSON_ALERTS, pv, 2) < 0 ||
	    store_job_add(job, SQL_LOAD_HOUSEHOLDS, hv, 2) < 0 ||
	    (py->parts > 0 && (store_job_add(job, SQL_LOAD_PAYEES, bv, 2) < 0 ||
			       store_job_add(job, SQL_LOAD_PAYEE_LEDGERS, bv, 2) < 0 ||
			       store_job_add(job, SQL_LOAD_PAYEE_ALERTS, bv, 2) < 0 ||
			       store_job_add(job, SQL_LOAD_PAYEE_HOUSEHOLDS, bv, 2) < 0))) {
		store_job_free(job);
		return NULL;
	}
	return job;
}

/* ---- what it read ---------------------------------------------------------------- */

static uint8_t *bytea_at(const PGresult *res, int row, int col, size_t *len)
{
	return PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, col), len);
}

/* Adopt the stored households of res. */
static int adopt_households(struct engine *e, const PGresult *res)
{
	int rc = 0;

	for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
		size_t len;
		uint8_t *data = bytea_at(res, i, 0, &len);
		struct household *hh = data ? stored_unpack_household(data, len) : NULL;
		PQfreemem(data);
		if (hh == NULL) {
			log_error("a stored household does not decode; skipped");
			continue;
		}
		rc = world_adopt_household(&e->world, hh);
	}
	return rc;
}

static int by_id(const void *a, const void *b)
{
	return strcmp((*(struct person *const *)a)->id, (*(struct person *const *)b)->id);
}

/* Ledger row i of res (LEDGER_COLUMNS of daemon/schema.c) onto p's ledger;
 * -EINVAL when a field does not read, -ENOMEM. */
static int add_ledger(struct person *p, const PGresult *res, int i)
{
	const struct scheme *s = scheme_by_name(PQgetvalue(res, i, 2));
	int kind = ASSIST__LEDGER_KIND__LEDGER_KIND_DECISION;
	struct ledger_entry *le = vec_grow((void **)&p->ledger, &p->n_ledger, &p->cap_ledger,
					   sizeof(*le));

	if (le == NULL)
		return -ENOMEM;
	memset(le, 0, sizeof(*le));
	le->date = YMD_NONE;
	if ((!PQgetisnull(res, i, 3) && ymd_parse(PQgetvalue(res, i, 3), &le->date) < 0) ||
	    pbjson_enum_value(&assist__ledger_kind__descriptor, PQgetvalue(res, i, 8), &kind) < 0) {
		p->n_ledger--;
		return -EINVAL;
	}
	snprintf(le->ref, sizeof(le->ref), "%s", PQgetvalue(res, i, 1));
	le->scheme = s != NULL ? s->scheme : ASSIST__SCHEME__SCHEME_UNSPECIFIED;
	le->requested = strtoll(PQgetvalue(res, i, 4), NULL, 10);
	le->amount = strtoll(PQgetvalue(res, i, 5), NULL, 10);
	le->clipped = PQgetvalue(res, i, 6)[0] == 't';
	snprintf(le->reason, sizeof(le->reason), "%s", PQgetvalue(res, i, 7));
	le->kind = kind;
	snprintf(le->period, sizeof(le->period), "%s", PQgetvalue(res, i, 9));
	return 0;
}

/* Alert row i of res (ALERT_COLUMNS of daemon/schema.c) onto p's alerts;
 * -ENOMEM. */
static int add_alert(struct person *p, const PGresult *res, int i)
{
	const struct scheme *s = scheme_by_name(PQgetvalue(res, i, 2));
	struct alert *a = vec_grow((void **)&p->alerts, &p->n_alerts, &p->cap_alerts, sizeof(*a));

	if (a == NULL)
		return -ENOMEM;
	memset(a, 0, sizeof(*a));
	snprintf(a->code, sizeof(a->code), "%s", PQgetvalue(res, i, 1));
	a->scheme = s != NULL ? s->scheme : ASSIST__SCHEME__SCHEME_UNSPECIFIED;
	snprintf(a->ref, sizeof(a->ref), "%s", PQgetvalue(res, i, 3));
	snprintf(a->message, sizeof(a->message), "%s", PQgetvalue(res, i, 4));
	return 0;
}

/* Rows of a person's own table read with it: the ledger's, the alerts'. */
struct person_rows {
	const char *what;
	int (*add)(struct person *p, const PGresult *res, int i);
	int stamp; /* the column of the version; feed sequence and time follow */
	int delta; /* the column of a person's delta (daemon/stored.h); -1: none */
};

static const struct person_rows ledger_rows = {"ledger", add_ledger, 10, 13};
static const struct person_rows alert_rows = {"alert", add_alert, 5, -1};

/* Whether row i of res carries a record's stamp (at col: version, feed
 * sequence, time; migrations 14 and 20) newer than p's. */
static bool stamp_newer(const struct person *p, const PGresult *res, int i, int col)
{
	return !PQgetisnull(res, i, col) && !PQgetisnull(res, i, col + 1) &&
	       !PQgetisnull(res, i, col + 2) &&
	       strtoull(PQgetvalue(res, i, col), NULL, 10) > p->version;
}

/* The delta row i of res carries onto p, its stamp newer than all p was
 * read with so far: the first ledger row of a batch that did not write p's
 * row, as the rows come in the order booked. 0, -EINVAL, -ENOMEM. */
static int take_delta(struct person *p, const PGresult *res, int i, const struct person_rows *k)
{
	size_t len;
	uint8_t *data;
	int rc;

	if (k->delta < 0 || PQgetisnull(res, i, k->delta))
		return 0;
	if ((data = bytea_at(res, i, k->delta, &len)) == NULL)
		return -ENOMEM;
	rc = stored_apply_delta(p, data, len);
	PQfreemem(data);
	return rc;
}

/* The record row i of res was written with, newer than p's stored form: a
 * change of the ledger or alerts alone leaves the person's row as it was. */
static void take_stamp(struct person *p, const PGresult *res, int i, int col)
{
	p->version = strtoull(PQgetvalue(res, i, col), NULL, 10);
	p->feed_seq = strtoull(PQgetvalue(res, i, col + 1), NULL, 10);
	p->updated_at_ms = strtoll(PQgetvalue(res, i, col + 2), NULL, 10);
}

/* The rows of res (of kind k, the person's id first) onto the persons (n,
 * by id) they are of. */
static int attach(struct person **ps, size_t n, const PGresult *res, const struct person_rows *k)
{
	for (int i = 0; i < PQntuples(res); i++) {
		struct person key, *kp = &key, **at;
		int rc;

		snprintf(key.id, sizeof(key.id), "%s", PQgetvalue(res, i, 0));
		if ((at = bsearch(&kp, ps, n, sizeof(*ps), by_id)) == NULL)
			continue; /* memory has this person: its rows are current */
		if ((rc = k->add(*at, res, i)) == -ENOMEM)
			return rc;
		if (rc < 0)
			log_error("a %s row of a stored person does not read; skipped", k->what);
		if (!stamp_newer(*at, res, i, k->stamp))
			continue;
		if ((rc = take_delta(*at, res, i, k)) == -ENOMEM)
			return rc;
		if (rc < 0)
			log_error("the delta in a %s row of a stored person does not read; skipped",
				  k->what);
		take_stamp(*at, res, i, k->stamp);
	}
	return 0;
}

/* Adopt the stored persons of res, with their ledger rows in ledger and
 * alert rows in alerts, but for those memory has. */
static int adopt_persons(struct engine *e, const PGresult *res, const PGresult *ledger,
			 const PGresult *alerts)
{
	struct person **fresh = calloc((size_t)PQntuples(res) + 1, sizeof(*fresh));
	size_t n = 0, i = 0;
	int rc = 0;

	if (fresh == NULL)
		return -ENOMEM;
	for (int r = 0; r < PQntuples(res); r++) {
		size_t len;
		uint8_t *data = bytea_at(res, r, 0, &len);
		struct person *p = data ? stored_unpack_person(data, len) : NULL;

		PQfreemem(data);
		if (p == NULL)
			log_error("a stored person does not decode; skipped");
		else if (strmap_get(&e->world.persons, p->id) != NULL)
			person_free(p);
		else
			fresh[n++] = p;
	}
	qsort(fresh, n, sizeof(*fresh), by_id);
	rc = attach(fresh, n, ledger, &ledger_rows);
	if (rc == 0)
		rc = attach(fresh, n, alerts, &alert_rows);
	for (; i < n && rc == 0; i++) {
		fresh[i]->ledger_stored = (uint32_t)fresh[i]->n_ledger;
		rc = world_adopt_person(&e->world, fresh[i]);
	}
	for (; i < n; i++)
		person_free(fresh[i]);
	free(fresh);
	return rc;
}

int load_adopt(struct engine *e, struct store_job *job)
{
	int rc = 0;

	for (size_t i = 3; i < job->n_results && rc == 0; i += 4)
		rc = adopt_households(e, job->results[i]);
	for (size_t i = 0; i + 2 < job->n_results && rc == 0; i += 4)
		rc = adopt_persons(e, job->results[i], job->results[i + 1], job->results[i + 2]);
	return rc;
}
