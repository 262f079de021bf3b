#include "feed.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "engine.h"
#include "record.h"
#include "schema.h"
#include "state.pb-c.h"
#include "walltime.h"

/* The next feed message, alert/<code>/<source>, into out (its message
 * allocated) and the transaction's feed rows. 0 or -ENOMEM. */
static int feed_alert(struct engine *e, struct batch_feed *out, const char *code,
		      const char *source, const char *message)
{
	Assist__FeedMessage fm = ASSIST__FEED_MESSAGE__INIT;
	Assist__Alert alert = ASSIST__ALERT__INIT;

	snprintf(out->topic, sizeof(out->topic), "alert/%s/%s", code, source);
	alert.code = (char *)code;
	alert.ref = (char *)source;
	alert.message = (char *)message;
	fm.seq = out->seq = ++e->feed.seq;
	fm.topic = out->topic;
	fm.alert = &alert;
	out->len = protobuf_c_message_get_packed_size(&fm.base);
	if ((out->msg = malloc(out->len)) == NULL)
		return -ENOMEM;
	protobuf_c_message_pack(&fm.base, out->msg);
	commit_feed(&e->commit, fm.seq, out->topic, out->msg, out->len);
	return 0;
}

int feed_record(struct engine *e, struct batch *b, const struct person *p)
{
	struct arena a = {0};
	Assist__FeedMessage fm = ASSIST__FEED_MESSAGE__INIT;
	struct batch_feed *out = vec_grow((void **)&b->feed, &b->n_feed, &b->cap_feed,
					  sizeof(*out));
	int rc = -ENOMEM;

	if (out == NULL)
		return -ENOMEM;
	snprintf(out->topic, sizeof(out->topic), FEED_RECORD_PREFIX "%s/%s",
		 p->place.district[0] ? p->place.district : "-",
		 p->household_id[0] ? p->household_id : "-");
	fm.seq = out->seq = p->feed_seq;
	fm.topic = out->topic;
	fm.record = record_build(&a, p, 0, YMD_NONE, e->params, e->cfg->feed_full_ids);
	if (fm.record == NULL)
		goto cleanup;
	out->len = protobuf_c_message_get_packed_size(&fm.base);
	if ((out->msg = malloc(out->len ? out->len : 1)) == NULL)
		goto cleanup;
	protobuf_c_message_pack(&fm.base, out->msg);
	out->paged = true;
	rc = 0;
cleanup:
	arena_free(&a);
	return rc;
}

int feed_page(struct engine *e, const struct batch *b)
{
	Assist__FeedPage page = ASSIST__FEED_PAGE__INIT;
	uint64_t first = 0, last = 0;
	uint8_t *packed = NULL;
	size_t len;
	int rc = -ENOMEM;

	if ((page.messages = calloc(b->n_feed + 1, sizeof(*page.messages))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < b->n_feed; i++) {
		const struct batch_feed *f = &b->feed[i];

		if (!f->paged)
			continue;
		if (page.n_messages++ == 0)
			first = f->seq;
		last = f->seq;
		page.messages[page.n_messages - 1] = (ProtobufCBinaryData){f->len, f->msg};
	}
	if (page.n_messages == 0) {
		rc = 0;
		goto cleanup;
	}
	len = protobuf_c_message_get_packed_size(&page.base);
	if ((packed = malloc(len)) == NULL)
		goto cleanup;
	protobuf_c_message_pack(&page.base, packed);
	commit_feed_page(&e->commit, first, last, packed, len);
	rc = 0;
cleanup:
	free(packed);
	free(page.messages);
	return rc;
}

/* Published with the batch's records: a department overstepping is for the
 * operators to see, not only its sender. */
int feed_not_authorized(struct engine *e, struct batch *b, const struct batch_event *be)
{
	struct batch_feed *out = vec_grow((void **)&b->feed, &b->n_feed, &b->cap_feed,
					  sizeof(*out));
	char message[sizeof(be->v.field) + sizeof(be->v.reason) + 64];

	if (out == NULL)
		return -ENOMEM;
	snprintf(message, sizeof(message), "%" PRIu64 "/%" PRIu64 " %s: %s", be->major, be->minor,
		 be->v.field, be->v.reason);
	return feed_alert(e, out, "not_authorized", be->src->name, message);
}

int feed_fund_alert(struct engine *e, struct batch *b, const char *code, const char *fund,
		    const char *message)
{
	struct batch_feed *out = vec_grow((void **)&b->feed, &b->n_feed, &b->cap_feed,
					  sizeof(*out));

	return out != NULL ? feed_alert(e, out, code, fund, message) : -ENOMEM;
}

void feed_publish(struct engine *e, const struct batch *b)
{
	for (size_t i = 0; i < b->n_feed; i++) {
		e->feed.committed = b->feed[i].seq;
		e->ops->publish(e->data, b->feed[i].topic, b->feed[i].msg, b->feed[i].len);
	}
}

struct alert_out {
	struct engine *e;
	char code[32], source[32];
	struct batch_feed feed;
};

static void on_alert_committed(struct store_job *job, int status)
{
	struct alert_out *ao = job->data;
	struct engine *e = ao->e;

	if (status == -ECANCELED) {
		struct ingest_source *s = ingest_source_get(e, ao->source, false);
		log_info("a %s alert for %s went back with a refused batch; it is raised again",
			 ao->code, ao->source);
		if (s != NULL)
			s->stale = false;
	} else if (status < 0) {
		engine_fatal(e, "storing an alert: %s", job->error);
	} else {
		e->feed.committed = ao->feed.seq;
		e->ops->publish(e->data, ao->feed.topic, ao->feed.msg, ao->feed.len);
	}
	store_job_free(job);
	free(ao->feed.msg);
	free(ao);
}

/* Stored in the feed (so a consumer replaying finds it) in a transaction of
 * its own, published after. */
void feed_source_alert(struct engine *e, const char *code, const char *source,
		       const char *message)
{
	struct alert_out *ao = calloc(1, sizeof(*ao));
	struct store_job *job = ao ? store_job_new(STORE_WRITE, on_alert_committed, ao) : NULL;

	if (job == NULL)
		goto fail;
	ao->e = e;
	snprintf(ao->code, sizeof(ao->code), "%s", code);
	snprintf(ao->source, sizeof(ao->source), "%s", source);
	if (feed_alert(e, &ao->feed, code, source, message) < 0 ||
	    commit_flush(&e->commit, job) < 0)
		goto fail;
	job->batch = ++e->commit.batch_no;
	store_submit(e->store, job);
	return;
fail:
	store_job_free(job);
	if (ao != NULL)
		free(ao->feed.msg);
	free(ao);
	log_error("out of memory publishing a %s alert for %s", code, source);
}

void feed_check_freshness(struct engine *e, int64_t freshness_ms)
{
	int64_t now = walltime_now_ms();

	for (struct ingest_source *s = e->ingest.sources; s != NULL; s = s->next) {
		bool stale = s->last_seen_ms != 0 && now - s->last_seen_ms > freshness_ms;
		if (stale == s->stale)
			continue;
		s->stale = stale;
		if (stale) {
			char msg[128];
			snprintf(msg, sizeof(msg), "nothing heard from %s for %" PRId64 " s",
				 s->name, (now - s->last_seen_ms) / 1000);
			log_warn("source %s: %s (stale_feed)", s->name, msg);
			feed_source_alert(e, "stale_feed", s->name, msg);
		} else {
			log_info("source %s: heard again", s->name);
		}
	}
}

/* Whether a replay of prefix may want records: they are read from pages. */
static bool prefix_has_records(const char *prefix)
{
	size_t n = strlen(prefix), r = strlen(FEED_RECORD_PREFIX);

	return strncmp(prefix, FEED_RECORD_PREFIX, n < r ? n : r) == 0;
}

/* The first sequence after a replay's window from from_seq. */
static uint64_t window_end(uint64_t from_seq, const char *prefix, uint32_t limit)
{
	if (!prefix_has_records(prefix) || from_seq > FEED_SEQ_MAX - limit)
		return FEED_SEQ_MAX;
	return from_seq + limit;
}

struct store_job *feed_replay_job(uint64_t from_seq, const char *prefix, uint32_t limit,
				  store_done_cb done, void *data)
{
	struct store_job *job = store_job_new(STORE_READ, done, data);
	char from[24], lim[16], stop[24];
	const char *pages = prefix_has_records(prefix) ? "true" : "false";

	snprintf(from, sizeof(from), "%" PRIu64, from_seq);
	snprintf(lim, sizeof(lim), "%" PRIu32, limit);
	snprintf(stop, sizeof(stop), "%" PRIu64, window_end(from_seq, prefix, limit));
	struct store_val v[5] = {{from, strlen(from), false},
				 {prefix, strlen(prefix), false},
				 {lim, strlen(lim), false},
				 {stop, strlen(stop), false},
				 {pages, strlen(pages), false}};
	if (job == NULL || store_job_add(job, SQL_REPLAY, v, 5) < 0) {
		store_job_free(job);
		return NULL;
	}
	return job;
}

/* Whether a message of topic may be wanted by a replay of prefix. */
static bool topic_wanted(const char *topic, const char *prefix)
{
	return strncmp(topic, prefix, strlen(prefix)) == 0;
}

/* Message fm into rr when it is in [from, stop) and its topic is wanted;
 * freed otherwise. */
static void keep(Assist__ReplayReply *rr, Assist__FeedMessage *fm, uint64_t from, uint64_t stop,
		 const char *prefix)
{
	if (fm == NULL)
		return;
	if (fm->seq >= from && fm->seq < stop && fm->topic != NULL && topic_wanted(fm->topic, prefix))
		rr->messages[rr->n_messages++] = fm;
	else
		assist__feed_message__free_unpacked(fm, NULL);
}

/* The messages of row i of res (a message row, or a page) into rr. */
static int read_row(const PGresult *res, int i, uint64_t from, uint64_t stop, const char *prefix,
		    Assist__ReplayReply *rr, size_t *cap)
{
	size_t len;
	uint8_t *data = PQunescapeBytea((const unsigned char *)PQgetvalue(res, i, 2), &len);
	Assist__FeedPage *page;
	void *grown;
	int rc = 0;

	if (data == NULL)
		return -ENOMEM;
	if (strcmp(PQgetvalue(res, i, 3), "0") == 0) {
		keep(rr, assist__feed_message__unpack(NULL, len, data), from, UINT64_MAX, "");
		goto cleanup;
	}
	if ((page = assist__feed_page__unpack(NULL, len, data)) == NULL)
		goto cleanup; /* a page that does not decode: its messages are lost to replay */
	if (rr->n_messages + page->n_messages > *cap) {
		*cap = rr->n_messages + page->n_messages;
		if ((grown = realloc(rr->messages, *cap * sizeof(*rr->messages))) == NULL)
			rc = -ENOMEM;
		else
			rr->messages = grown;
	}
	for (size_t m = 0; m < page->n_messages && rc == 0; m++)
		keep(rr, assist__feed_message__unpack(NULL, page->messages[m].len,
						      page->messages[m].data), from, stop, prefix);
	assist__feed_page__free_unpacked(page, NULL);
cleanup:
	PQfreemem(data);
	return rc;
}

int feed_replay_read(const PGresult *res, uint64_t from_seq, const char *prefix, uint32_t limit,
		     Assist__ReplayReply *rr)
{
	uint64_t stop = window_end(from_seq, prefix, limit), latest = 0, last_row = 0;
	size_t cap = (size_t)PQntuples(res) + 1;
	uint32_t rows = 0;
	int rc = 0;

	if ((rr->messages = calloc(cap, sizeof(*rr->messages))) == NULL)
		return -ENOMEM;
	for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
		const char *kind = PQgetvalue(res, i, 3);

		if (strcmp(kind, "2") == 0) {
			latest = PQgetisnull(res, i, 0) ? 0 : strtoull(PQgetvalue(res, i, 0), NULL, 10);
			continue;
		}
		if (strcmp(kind, "0") == 0) {
			rows++;
			last_row = strtoull(PQgetvalue(res, i, 0), NULL, 10);
		}
		rc = read_row(res, i, from_seq, stop, prefix, rr, &cap);
	}
	if (rc < 0)
		return rc;
	/* Records asked for: the window [from_seq, stop) was read whole. Else
	 * the message rows: all up to the latest, unless limit of them came. */
	if (prefix_has_records(prefix))
		rr->next_seq = stop < latest + 1 ? stop : latest + 1;
	else
		rr->next_seq = rows == limit ? last_row + 1 : latest + 1;
	if (rr->next_seq < from_seq)
		rr->next_seq = from_seq;
	rr->more = rr->next_seq <= latest;
	return 0;
}

void feed_replay_free(Assist__ReplayReply *rr)
{
	for (size_t i = 0; i < rr->n_messages; i++)
		assist__feed_message__free_unpacked(rr->messages[i], NULL);
	free(rr->messages);
	rr->messages = NULL;
	rr->n_messages = 0;
}
