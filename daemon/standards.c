/* Retroactive standards' recompute jobs: see standards.h. */
#include "standards.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "event.h"
#include "ingest.h"
#include "log.h"
#include "params.h"
#include "policy/policy.h"
#include "recompute.h"
#include "schema.h"
#include "validate.h"
#include "vec.h"

static void run(struct standards *s);
static struct standards_job *current(struct standards *s);

void standards_init(struct standards *s, struct engine *e, const struct config *cfg)
{
	memset(s, 0, sizeof(*s));
	s->engine = e;
	s->cfg = cfg;
}

static void claims_clear(struct standards_claims *c)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->evs[i] != NULL)
			assist__event__free_unpacked(c->evs[i], NULL);
		free(c->keys[i]);
	}
	free(c->evs);
	free(c->keys);
	strmap_free(&c->latest);
	memset(c, 0, sizeof(*c));
}

void standards_free(struct standards *s)
{
	free(s->recorded);
	s->recorded = NULL;
	claims_clear(&s->claims);
}

void standards_stop(struct standards *s)
{
	s->stopped = true;
}

/* ---- what a parameter set adds ------------------------------------------------- */

/* The values of the periodic parameters of ps, one "name date value" line
 * each between "\n"s (malloc'ed), or NULL when out of memory. */
static char *policy_text(const struct params *ps)
{
	char *buf = NULL, day[YMD_BUFLEN];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	fputc('\n', f);
	for (const char *const *name = policy_periodic_params(); *name != NULL; name++) {
		const ymd_t *dates;
		const int64_t *values;
		size_t n;

		if (params_values(ps, *name, &dates, &values, &n) < 0)
			continue;
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%s %s %" PRId64 "\n", *name, ymd_format(dates[i], day), values[i]);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* What now adds to was, as of today: the earliest date in the past of a
 * value was lacks (YMD_NONE: none) and the names of those parameters,
 * space-separated, into names (len bytes). */
static ymd_t added(const char *was, const char *now, char *names, size_t len)
{
	ymd_t from = YMD_NONE, today = ymd_today();
	const char *line = now + 1, *end;
	char list[256] = " "; /* " a b ": each name once */

	for (; (end = strchr(line, '\n')) != NULL; line = end + 1) {
		size_t n = (size_t)(end - line), name_len = strcspn(line, " ");
		char one[128], day[YMD_BUFLEN];
		ymd_t d;

		if (n + 3 > sizeof(one) || name_len >= n)
			continue;
		snprintf(one, sizeof(one), "\n%.*s\n", (int)n, line);
		snprintf(day, sizeof(day), "%.10s", line + name_len + 1);
		if (strstr(was, one) != NULL || ymd_parse(day, &d) < 0 || d > today)
			continue;
		if (from == YMD_NONE || d < from)
			from = d;
		snprintf(one, sizeof(one), " %.*s ", (int)name_len, line);
		if (strstr(list, one) == NULL && strlen(list) + name_len + 1 < sizeof(list))
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s", one + 1);
	}
	snprintf(names, len, "%.*s", (int)(strlen(list) > 1 ? strlen(list) - 2 : 0), list + 1);
	return from;
}

/* ---- jobs in the store ---------------------------------------------------------- */

static uint32_t claims_chunks(const struct standards_claims *c, const struct standards_job *j)
{
	uint32_t chunk = j->chunk > 0 ? j->chunk : 1;

	return (uint32_t)((c->n + chunk - 1) / chunk);
}

static void load_jobs(struct standards *s, const PGresult *res)
{
	s->n_jobs = 0;
	for (int i = 0; i < PQntuples(res) && s->n_jobs < STANDARDS_JOBS_MAX; i++) {
		struct standards_job *j = &s->jobs[s->n_jobs++];

		j->id = strtoull(PQgetvalue(res, i, 0), NULL, 10);
		snprintf(j->from, sizeof(j->from), "%s", PQgetvalue(res, i, 1));
		snprintf(j->params, sizeof(j->params), "%s", PQgetvalue(res, i, 2));
		j->buckets = (uint32_t)strtoul(PQgetvalue(res, i, 3), NULL, 10);
		j->finished = PQgetvalue(res, i, 4)[0] == 't';
		j->done = j->finished ? j->buckets : 0;
		j->claims = PQgetvalue(res, i, 5)[0] == 't';
		j->journal_max = strtoull(PQgetvalue(res, i, 6), NULL, 10);
		j->chunk = (uint32_t)strtoul(PQgetvalue(res, i, 7), NULL, 10);
		if (j->claims && s->claims.job == j->id && s->claims.ready)
			j->buckets = claims_chunks(&s->claims, j);
	}
}

/* A read job of ours (its statements are added by the caller); NULL when out
 * of memory. */
static struct store_job *job_new(struct standards *s, store_done_cb done)
{
	struct store_job *job = store_job_new(STORE_READ, done, s);

	if (job == NULL)
		log_error("recompute jobs: out of memory");
	return job;
}

static void submit(struct standards *s, struct store_job *job)
{
	s->busy = true;
	store_submit(s->engine->store, job);
}

/* Whether job succeeded; the last result is the job list, loaded. */
static bool job_ok(struct standards *s, struct store_job *job, int status, const char *what)
{
	s->busy = false;
	if (status < 0) {
		log_error("recompute jobs: %s: %s", what, job->error);
		return false;
	}
	load_jobs(s, job->results[job->n_results - 1]);
	return true;
}

static void on_recorded(struct store_job *job, int status)
{
	struct standards *s = job->data;

	/* On failure memory keeps the new values all the same: the store keeps
	 * the old, and a start finds the change again. */
	job_ok(s, job, status, "recording the parameters");
	store_job_free(job);
	if (s->recheck) {
		s->recheck = false;
		standards_check(s);
	}
	run(s);
}

/* Record text as the values in force, with a job from from for names first
 * (from YMD_NONE: none), then read the jobs. Takes text. */
static void record(struct standards *s, char *text, ymd_t from, const char *names)
{
	char chunk[24], day[YMD_BUFLEN];
	struct store_val add[3] = {{day, 0, false}, {names, strlen(names), false}, {chunk, 0, false}};
	struct store_val rec[1] = {{text, strlen(text), false}};
	struct store_job *job = job_new(s, on_recorded);

	add[0].len = strlen(ymd_format(from, day));
	add[2].len = (size_t)snprintf(chunk, sizeof(chunk), "%" PRId64,
				      s->cfg->recompute_chunk > 0 ? s->cfg->recompute_chunk : 1);
	if (job == NULL || (from != YMD_NONE && store_job_add(job, SQL_JOB_ADD, add, 3) < 0) ||
	    store_job_add(job, SQL_POLICY_RECORD, rec, 1) < 0 ||
	    store_job_add(job, SQL_JOBS, NULL, 0) < 0) {
		log_error("recompute jobs: out of memory");
		store_job_free(job);
		free(text);
		return;
	}
	if (from != YMD_NONE)
		log_info("recompute: %s changed from %s: months paid since are computed again",
			 names, day);
	free(s->recorded);
	s->recorded = text;
	submit(s, job);
}

void standards_check(struct standards *s)
{
	char names[256], *text;
	ymd_t from = YMD_NONE;

	if (!s->started || s->stopped)
		return;
	if (s->busy) {
		s->recheck = true;
		return;
	}
	if ((text = policy_text(s->engine->params)) == NULL) {
		log_error("recompute jobs: out of memory");
		return;
	}
	if (s->recorded != NULL && strcmp(s->recorded, text) == 0) {
		free(text);
		run(s);
		return;
	}
	/* A first start records what is in force: everything is computed with it. */
	if (s->recorded != NULL)
		from = added(s->recorded, text, names, sizeof(names));
	record(s, text, from, from != YMD_NONE ? names : "");
}

static void on_started(struct store_job *job, int status)
{
	struct standards *s = job->data;

	if (job_ok(s, job, status, "reading the parameters recorded")) {
		s->started = true;
		if (PQntuples(job->results[0]) > 0)
			s->recorded = strdup(PQgetvalue(job->results[0], 0, 0));
	}
	store_job_free(job);
	standards_check(s);
}

void standards_start(struct standards *s)
{
	struct store_job *job = job_new(s, on_started);

	if (job == NULL)
		return;
	if (store_job_add(job, SQL_POLICY_STATE, NULL, 0) < 0 ||
	    store_job_add(job, SQL_JOBS, NULL, 0) < 0) {
		log_error("recompute jobs: out of memory");
		store_job_free(job);
		return;
	}
	submit(s, job);
}

/* ---- a claims job's claims, read from the journal -------------------------------- */

#define CLAIM_PAGE 1000

/* The kinds that carry a claim_id, as a text[] literal:
 * "{medical_claim,education_aid,...}". */
static void claim_kinds(char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "{");

	for (size_t i = 0; i < event_n_kinds && n < len; i++) {
		const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(
			&assist__event__descriptor, event_kinds[i].name);
		const ProtobufCMessageDescriptor *m = f != NULL ? f->descriptor : NULL;

		if (m != NULL && protobuf_c_message_descriptor_get_field_by_name(
					 m, EVENT_FIELD_CLAIM) != NULL)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n > 1 ? "," : "",
					      event_kinds[i].name);
	}
	if (n < len)
		snprintf(buf + n, len - n, "}");
}

/* The day a claim is dated: its date field, else (education_aid) its
 * term's year. */
static ymd_t claim_day(const Assist__Event *ev, const struct verdict *v)
{
	char day[YMD_BUFLEN];
	ymd_t d;

	if (v->date != YMD_NONE)
		return v->date;
	if (ev->payload_case != ASSIST__EVENT__PAYLOAD_EDUCATION_AID ||
	    strnlen(ev->education_aid->term, 4) < 4)
		return YMD_NONE;
	snprintf(day, sizeof(day), "%.4s-01-01", ev->education_aid->term);
	return ymd_parse(day, &d) == 0 ? d : YMD_NONE;
}

/* Take one journal event into c: the latest version of its claim, dated
 * from from; a void leaves none. 0 or -ENOMEM. */
static int claims_take(struct standards_claims *c, Assist__Event *ev, ymd_t from)
{
	struct verdict v;
	char key[256];
	uintptr_t at;
	bool dropped;

	if (validate_event(ev, &v) < 0) {
		assist__event__free_unpacked(ev, NULL);
		return 0; /* rejected when it came: nothing was decided */
	}
	snprintf(key, sizeof(key), "%s/%s/%s", ev->source, validate_kind_name(ev),
		 event_text(ev, EVENT_FIELD_CLAIM));
	if ((at = (uintptr_t)strmap_get(&c->latest, key)) != 0 && c->evs[at - 1] != NULL) {
		assist__event__free_unpacked(c->evs[at - 1], NULL);
		c->evs[at - 1] = NULL;
	}
	dropped = claim_day(ev, &v) < from || claim_op(ev) == ASSIST__CLAIM_OP__CLAIM_OP_VOID;
	if (dropped) {
		assist__event__free_unpacked(ev, NULL);
		return 0;
	}
	claim_set_op(ev, ASSIST__CLAIM_OP__CLAIM_OP_CORRECT);
	if (vec_grow((void **)&c->evs, &c->n, &c->cap, sizeof(*c->evs)) == NULL)
		goto nomem;
	c->n--;
	if ((c->keys = realloc(c->keys, c->cap * sizeof(*c->keys))) == NULL ||
	    (c->keys[c->n] = strdup(key)) == NULL ||
	    strmap_put(&c->latest, c->keys[c->n], (void *)(uintptr_t)(c->n + 1)) < 0)
		goto nomem;
	c->evs[c->n++] = ev;
	return 0;
nomem:
	assist__event__free_unpacked(ev, NULL);
	return -ENOMEM;
}

/* Leave out the claims a later version replaced. */
static void claims_compact(struct standards_claims *c)
{
	size_t kept = 0;

	for (size_t i = 0; i < c->n; i++) {
		if (c->evs[i] == NULL) {
			free(c->keys[i]);
			continue;
		}
		c->evs[kept] = c->evs[i];
		c->keys[kept++] = c->keys[i];
	}
	c->n = kept;
	strmap_free(&c->latest);
	memset(&c->latest, 0, sizeof(c->latest));
}

static void read_claims(struct standards *s, struct standards_job *j);

static void on_claim_page(struct store_job *job, int status)
{
	struct standards *s = job->data;
	const PGresult *res = job->results[0];
	struct standards_job *j = current(s);
	ymd_t from = YMD_NONE;
	int rc = 0, rows = PQntuples(res); /* 0 for a failed job's NULL */

	s->busy = false;
	if (status < 0 || j == NULL || j->id != s->claims.job || ymd_parse(j->from, &from) < 0) {
		log_error("recompute jobs: reading the claims: %s", status < 0 ? job->error : "no job");
		store_job_free(job);
		return;
	}
	for (int i = 0; i < rows && rc == 0; i++) {
		Assist__Event *ev = NULL;
		size_t len;
		uint8_t *data;

		s->claims.after = strtoull(PQgetvalue(res, i, 0), NULL, 10);
		if (PQgetisnull(res, i, 1)) /* not a claim */
			continue;
		if ((data = PQunescapeBytea((const unsigned char *)PQgetvalue(res, i, 1), &len)))
			ev = assist__event__unpack(NULL, len, data);
		PQfreemem(data);
		if (ev != NULL)
			rc = claims_take(&s->claims, ev, from);
	}
	store_job_free(job);
	if (rc < 0) {
		log_error("recompute job %" PRIu64 ": out of memory reading the claims", j->id);
		return;
	}
	if (rows == CLAIM_PAGE) {
		read_claims(s, j);
		return;
	}
	claims_compact(&s->claims);
	s->claims.ready = true;
	j->buckets = claims_chunks(&s->claims, j);
	log_info("recompute job %" PRIu64 ": %zu claims dated from %s, %" PRIu32 " chunks", j->id,
		 s->claims.n, j->from, j->buckets);
	run(s);
}

/* Read the next page of j's claims from the journal. */
static void read_claims(struct standards *s, struct standards_job *j)
{
	char after[24], max[24], page[16], kinds[256];
	struct store_val v[4] = {{after, 0, false}, {max, 0, false}, {page, 0, false},
				 {kinds, 0, false}};
	struct store_job *job = job_new(s, on_claim_page);

	if (s->claims.job != j->id) {
		claims_clear(&s->claims);
		s->claims.job = j->id;
	}
	v[0].len = (size_t)snprintf(after, sizeof(after), "%" PRIu64, s->claims.after);
	v[1].len = (size_t)snprintf(max, sizeof(max), "%" PRIu64, j->journal_max);
	v[2].len = (size_t)snprintf(page, sizeof(page), "%d", CLAIM_PAGE);
	claim_kinds(kinds, sizeof(kinds));
	v[3].len = strlen(kinds);
	if (job == NULL || store_job_add(job, SQL_CLAIM_PAGE, v, 4) < 0) {
		store_job_free(job);
		return;
	}
	submit(s, job);
}

/* ---- chunks --------------------------------------------------------------------- */

static struct standards_job *current(struct standards *s)
{
	for (size_t i = 0; i < s->n_jobs; i++) {
		if (!s->jobs[i].finished)
			return &s->jobs[i];
	}
	return NULL;
}

/* Chunks of j committed: the source's position, written with each. */
static uint32_t committed(struct standards *s, const struct standards_job *j)
{
	const struct ingest_source *src = ingest_source_get(s->engine, STANDARDS_SOURCE, false);

	if (src == NULL || src->done_major < j->id)
		return 0;
	if (src->done_major > j->id || src->done_minor > j->buckets)
		return j->buckets;
	return (uint32_t)src->done_minor;
}

static void on_finished(struct store_job *job, int status)
{
	struct standards *s = job->data;

	job_ok(s, job, status, "marking a job finished");
	store_job_free(job);
	run(s);
}

static void finish(struct standards *s, struct standards_job *j)
{
	char id[24];
	struct store_val v[1] = {{id, 0, false}};
	struct store_job *job = job_new(s, on_finished);

	v[0].len = (size_t)snprintf(id, sizeof(id), "%" PRIu64, j->id);
	if (job == NULL || store_job_add(job, SQL_JOB_DONE, v, 1) < 0 ||
	    store_job_add(job, SQL_JOBS, NULL, 0) < 0) {
		store_job_free(job);
		return;
	}
	log_info("recompute job %" PRIu64 " finished: %s from %s, %" PRIu32 " chunks", j->id,
		 j->claims ? "claims" : j->params, j->from, j->buckets);
	if (j->claims)
		claims_clear(&s->claims);
	submit(s, job);
}

/* Chunk k of j as an ingest batch of source standards, packed and unpacked
 * so that the engine owns it as it owns a sender's; NULL when out of memory. */
static Assist__Batch *chunk_batch(const struct standards *s, const struct standards_job *j,
				  uint32_t k)
{
	Assist__Batch b = ASSIST__BATCH__INIT;
	Assist__Event ev = ASSIST__EVENT__INIT, *evs[1] = {&ev};
	Assist__Position pos = ASSIST__POSITION__INIT;
	Assist__Recompute r = ASSIST__RECOMPUTE__INIT;
	char params[sizeof(j->params)], *names[RECOMPUTE_PARAMS_MAX], *save = NULL;
	uint8_t *buf;
	Assist__Batch *out;
	size_t len;

	snprintf(params, sizeof(params), "%s", j->params);
	for (char *t = strtok_r(params, " ", &save); t != NULL && r.n_params < RECOMPUTE_PARAMS_MAX;
	     t = strtok_r(NULL, " ", &save))
		names[r.n_params++] = t;
	r.params = names;
	r.from = (char *)j->from;
	r.bucket = (int32_t)(k - 1);
	r.buckets = (int32_t)j->buckets;
	if (j->claims) {
		size_t first = (size_t)(k - 1) * (j->chunk > 0 ? j->chunk : 1);

		r.claims = true;
		r.events = s->claims.evs + first;
		r.n_events = s->claims.n - first < j->chunk ? s->claims.n - first : j->chunk;
	}
	pos.major = j->id;
	pos.minor = k;
	ev.source = STANDARDS_SOURCE;
	ev.position = &pos;
	ev.kind = ASSIST__KIND__KIND_RECOMPUTE;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_RECOMPUTE;
	ev.recompute = &r;
	b.source = STANDARDS_SOURCE;
	b.events = evs;
	b.n_events = 1;
	if ((buf = malloc(assist__batch__get_packed_size(&b))) == NULL)
		return NULL;
	len = assist__batch__pack(&b, buf);
	out = assist__batch__unpack(NULL, len, buf);
	free(buf);
	return out;
}

static void progress(struct standards *s, const struct standards_job *j)
{
	unsigned tenth = (unsigned)((uint64_t)j->done * 10 / j->buckets);

	if (tenth == s->logged_tenth && j->done != 1)
		return;
	s->logged_tenth = tenth;
	log_info("recompute job %" PRIu64 " (%s from %s): %" PRIu32 "/%" PRIu32 " chunks", j->id,
		 j->params, j->from, j->done, j->buckets);
}

/* Take chunk k of j in; false when it could not be (logged). */
static bool send_chunk(struct standards *s, struct standards_job *j, uint32_t k)
{
	Assist__Batch *b = chunk_batch(s, j, k);
	char why[256];
	int rc;

	if (b == NULL) {
		log_error("recompute job %" PRIu64 ": out of memory", j->id);
		return false;
	}
	s->sending = true;
	s->sent_job = j->id;
	s->sent_chunk = k;
	s->in_take = true;
	/* No peer: the engine's acks for it come back here (server.c). */
	rc = ingest_take(s->engine, (const uint8_t *)"", 0, 0, b, why, sizeof(why));
	s->in_take = false;
	assist__batch__free_unpacked(b, NULL);
	if (rc < 0) {
		log_error("recompute job %" PRIu64 ": chunk %" PRIu32 " refused: %s", j->id, k, why);
		s->sending = false;
		return false;
	}
	return true;
}

/* Send the next chunk of the current job, or finish it; again while a
 * chunk is acknowledged at once (a duplicate of one committed). */
static void run(struct standards *s)
{
	struct standards_job *j;

	while (!s->sending && !s->busy && !s->stopped && (j = current(s)) != NULL) {
		if (j->claims && !(s->claims.job == j->id && s->claims.ready)) {
			read_claims(s, j);
			return;
		}
		j->done = committed(s, j);
		if (j->done >= j->buckets) {
			finish(s, j);
			return;
		}
		if (j->done == 0)
			s->logged_tenth = 0;
		if (!send_chunk(s, j, j->done + 1))
			return;
		if (!s->acked)
			return;
		s->acked = false;
		s->sending = false;
	}
}

void standards_on_ack(struct standards *s, const Assist__Reply *r)
{
	const Assist__Ack *a = r->body_case == ASSIST__REPLY__BODY_ACK ? r->ack : NULL;
	struct standards_job *j = current(s);

	if (a == NULL || a->applied == NULL || !s->sending || j == NULL || j->id != s->sent_job)
		return;
	if (a->applied->major < s->sent_job ||
	    (a->applied->major == s->sent_job && a->applied->minor < s->sent_chunk))
		return;
	for (size_t i = 0; i < a->n_rejections; i++)
		log_error("recompute job %" PRIu64 ": chunk %" PRIu64 " rejected: %s: %s", j->id,
			  a->rejections[i]->position ? a->rejections[i]->position->minor : 0,
			  a->rejections[i]->field, a->rejections[i]->reason);
	j->done = s->sent_chunk;
	progress(s, j);
	if (s->in_take) {
		s->acked = true;
		return;
	}
	s->sending = false;
	run(s);
}

void standards_job_status(const struct standards_job *j, Assist__JobStatus *out)
{
	assist__job_status__init(out);
	out->id = j->id;
	out->from = (char *)j->from;
	out->params = (char *)j->params;
	out->done = j->done;
	out->total = j->buckets;
	out->finished = j->finished;
	out->claims = j->claims;
}

size_t standards_status(const struct standards *s, Assist__JobStatus *items, size_t max)
{
	size_t n = 0;

	for (; n < s->n_jobs && n < max; n++)
		standards_job_status(&s->jobs[n], &items[n]);
	return n;
}

/* ---- assistctl recompute --claims --------------------------------------------- */

struct adding {
	struct standards *s;
	standards_added_cb done;
	void *arg;
};

static void on_claims_added(struct store_job *job, int status)
{
	struct adding *a = job->data;
	struct standards *s = a->s;
	const struct standards_job *added = NULL;

	/* job->data is a: job_ok wants s. */
	job->data = s;
	if (job_ok(s, job, status, "adding a claims job") && PQntuples(job->results[0]) == 1) {
		uint64_t id = strtoull(PQgetvalue(job->results[0], 0, 0), NULL, 10);

		for (size_t i = 0; i < s->n_jobs; i++)
			added = s->jobs[i].id == id ? &s->jobs[i] : added;
		log_info("recompute job %" PRIu64 ": claims from %s, asked for", id,
			 added != NULL ? added->from : "?");
	}
	a->done(a->arg, added);
	free(a);
	store_job_free(job);
	run(s);
}

int standards_add_claims(struct standards *s, ymd_t from, standards_added_cb done, void *arg)
{
	char day[YMD_BUFLEN], chunk[24];
	struct store_val v[2] = {{day, 0, false}, {chunk, 0, false}};
	struct adding *a;
	struct store_job *job;

	if (!s->started || s->stopped)
		return -EAGAIN;
	if ((a = malloc(sizeof(*a))) == NULL)
		return -ENOMEM;
	*a = (struct adding){s, done, arg};
	v[0].len = strlen(ymd_format(from, day));
	v[1].len = (size_t)snprintf(chunk, sizeof(chunk), "%" PRId64, s->cfg->recompute_chunk);
	if ((job = store_job_new(STORE_READ, on_claims_added, a)) == NULL ||
	    store_job_add(job, SQL_JOB_ADD_CLAIMS, v, 2) < 0 ||
	    store_job_add(job, SQL_JOBS, NULL, 0) < 0) {
		store_job_free(job);
		free(a);
		return -ENOMEM;
	}
	submit(s, job);
	return 0;
}
