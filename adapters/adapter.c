#include "adapter.h"

#include <errno.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "conf.h"
#include "curve.h"
#include "log.h"

#define KEY(name, type, def, reload)                                                    \
	{#name, type, def, reload, offsetof(struct adapter_config, name)}

static const struct conf_key adapter_keys[] = {
	KEY(database, CONF_STRING, NULL, false),
	KEY(ingest_endpoint, CONF_STRING, NULL, false),
	KEY(window, CONF_INT, "1000", false),
	KEY(heartbeat_ms, CONF_INT, "1000", false),
	KEY(resend_ms, CONF_INT, "3000", false),
	KEY(db_heartbeat_ms, CONF_INT, "10000", false),
	KEY(max_message_bytes, CONF_INT, "16777216", false),
	KEY(log_level, CONF_STRING, "info", true),
	KEY(metrics_listen, CONF_STRING, "", false),
	/* The CURVE keys last: check_keys names them from the end. */
	KEY(curve_server_key, CONF_STRING, "", false),
	KEY(curve_client_public_key, CONF_STRING, "", false),
	KEY(curve_client_secret_key, CONF_STRING, "", false),
};

#define N_KEYS (sizeof(adapter_keys) / sizeof(adapter_keys[0]))

/* The three CURVE keys are all given and well formed, or none is. */
static int check_keys(const struct adapter_config *cfg, const char *path, char *err,
		      size_t errlen)
{
	const char *keys[] = {cfg->curve_server_key, cfg->curve_client_public_key,
			      cfg->curve_client_secret_key};
	uint8_t k[CURVE_KEY_BYTES];
	size_t given = 0;

	for (size_t i = 0; i < 3; i++) {
		if (keys[i][0] != '\0' && !curve_key_decode(keys[i], k)) {
			snprintf(err, errlen, "%s: %s: not a 40-character Z85 key", path,
				 adapter_keys[N_KEYS - 3 + i].name);
			return -EINVAL;
		}
		given += keys[i][0] != '\0';
	}
	if (given != 0 && given != 3) {
		snprintf(err, errlen, "%s: curve_server_key, curve_client_public_key and "
			 "curve_client_secret_key go together", path);
		return -EINVAL;
	}
	return 0;
}

/* metrics_listen empty or HOST:PORT. */
static int check_metrics_listen(const char *listen, const char *path, char *err, size_t errlen)
{
	struct sockaddr_storage sa;
	socklen_t len;
	char why[256];
	int rc;

	if (listen[0] == '\0' ||
	    (rc = metricserve_parse_listen(listen, &sa, &len, why, sizeof(why))) == 0)
		return 0;
	snprintf(err, errlen, "%s: %s", path, why);
	return rc;
}

int adapter_config_load(struct adapter_config *cfg, const char *path, char *err, size_t errlen)
{
	int rc;

	*cfg = (struct adapter_config){0};
	if ((rc = conf_load(path, adapter_keys, N_KEYS, cfg, err, errlen)) < 0)
		return rc;
	if (cfg->window < 1 || cfg->window > 1000000 || cfg->heartbeat_ms < 10 ||
	    cfg->resend_ms < 10 || cfg->db_heartbeat_ms < 0 ||
	    cfg->max_message_bytes < 4 * ADAPTER_RAW_MAX) {
		snprintf(err, errlen, "%s: window must be 1..1000000, heartbeat_ms and resend_ms "
			 "at least 10, db_heartbeat_ms at least 0, max_message_bytes at least %d",
			 path, 4 * ADAPTER_RAW_MAX);
		conf_free(adapter_keys, N_KEYS, cfg);
		return -EINVAL;
	}
	if ((rc = check_keys(cfg, path, err, errlen)) < 0 ||
	    (rc = check_metrics_listen(cfg->metrics_listen, path, err, errlen)) < 0) {
		conf_free(adapter_keys, N_KEYS, cfg);
		return rc;
	}
	return 0;
}

void adapter_config_free(struct adapter_config *cfg)
{
	conf_free(adapter_keys, N_KEYS, cfg);
}

static struct adapter *adapter_of_repl(struct repl *r)
{
	return r->data;
}

/* text cut to ADAPTER_RAW_MAX bytes (on a UTF-8 boundary) with a marker
 * giving its whole size; text itself when short enough. */
static char *cut_raw(char *text)
{
	size_t len = strlen(text), keep = ADAPTER_RAW_MAX - 64;
	char *cut;

	if (len <= ADAPTER_RAW_MAX)
		return text;
	while (keep > 0 && ((unsigned char)text[keep] & 0xc0) == 0x80)
		keep--;
	if ((cut = malloc(keep + 64)) != NULL) {
		memcpy(cut, text, keep);
		snprintf(cut + keep, 64, "... [truncated: %zu bytes in all]", len);
	}
	free(text);
	return cut;
}

/* The row as a JSON object of column -> text (null for SQL NULL), cut to
 * ADAPTER_RAW_MAX bytes. */
static char *row_json(const struct row_change *rc)
{
	const char *const *values = rc->values != NULL ? rc->values : rc->old_values;
	json_t *obj = json_object();
	char *text;

	if (obj == NULL)
		return NULL;
	for (int i = 0; i < rc->ncols; i++) {
		json_t *v = values == NULL || values[i] == NULL ? json_null()
								 : json_string(values[i]);
		if (v == NULL)
			v = json_string("(not UTF-8)");
		json_object_set_new(obj, rc->names[i], v);
	}
	text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	return text != NULL ? cut_raw(text) : NULL;
}

static Assist__Event *invalid_event(const struct row_change *rc, const char *reason)
{
	Assist__Event *ev = malloc(sizeof(*ev));

	if (ev == NULL)
		return NULL;
	assist__event__init(ev);
	if ((ev->invalid_reason = strdup(reason)) == NULL) {
		ev->invalid_reason = (char *)protobuf_c_empty_string;
		goto fail;
	}
	if ((ev->raw = row_json(rc)) == NULL) {
		ev->raw = (char *)protobuf_c_empty_string;
		goto fail;
	}
	return ev;
fail:
	protobuf_c_message_free_unpacked(&ev->base, NULL);
	return NULL;
}

static int set_string(char **field, const char *value)
{
	char *copy = strdup(value);

	if (copy == NULL)
		return -ENOMEM;
	if (*field != NULL && *field != protobuf_c_empty_string)
		free(*field);
	*field = copy;
	return 0;
}

/* Give ev the next position of the transaction and take it into the window,
 * unless assistd has it already. Takes ev in every case. */
static void adapter_take(struct adapter *a, Assist__Event *ev)
{
	struct pos pos = {a->major, ++a->minor};
	Assist__Position *p;
	int rc;

	if (link_is_applied(&a->link, pos) ||
	    (a->have_last && pos_cmp(pos, a->last) <= 0))
		goto drop;
	if ((p = malloc(sizeof(*p))) == NULL)
		goto nomem;
	assist__position__init(p);
	p->major = pos.major;
	p->minor = pos.minor;
	if (ev->position != NULL)
		protobuf_c_message_free_unpacked(&ev->position->base, NULL);
	ev->position = p;
	ev->seq = 0;
	if (set_string(&ev->source, a->dept->name) < 0 ||
	    set_string(&ev->occurred_at, a->occurred_at) < 0)
		goto nomem;
	if ((rc = link_queue(&a->link, ev, pos, !a->snapshot)) < 0) {
		log_error("adapter: window overrun at %llu/%llu", (unsigned long long)pos.major,
			  (unsigned long long)pos.minor);
		goto drop;
	}
	a->last = pos;
	a->have_last = true;
	return;
nomem:
	log_error("adapter: out of memory at %llu/%llu", (unsigned long long)pos.major,
		  (unsigned long long)pos.minor);
drop:
	protobuf_c_message_free_unpacked(&ev->base, NULL);
}

/* The commit time to the millisecond: assistd's lag is measured from it, and
 * whole seconds would add up to a second that is not there. */
static void adapter_on_begin(struct repl *r, uint64_t major, int64_t time_us)
{
	struct adapter *a = adapter_of_repl(r);
	time_t secs = (time_t)(time_us / 1000000);
	char whole[32];
	struct tm tm;

	a->major = major;
	a->minor = 0;
	a->snapshot = r->state != REPL_STREAMING;
	gmtime_r(&secs, &tm);
	strftime(whole, sizeof(whole), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(a->occurred_at, sizeof(a->occurred_at), "%s.%03dZ", whole,
		 (int)(time_us % 1000000 / 1000));
}

/* The room an event has in a batch of max_message_bytes. */
static size_t adapter_event_room(const struct adapter *a)
{
	return (size_t)a->cfg->max_message_bytes - 1024;
}

/* Mapped events too big to send: given up for an invalid event (-E2BIG,
 * the reason in err). */
static int adapter_check_size(const struct adapter *a, const struct row_change *rc,
			      const struct mapping_out *out, char *err, size_t errlen)
{
	for (int i = 0; i < out->n; i++) {
		size_t size = assist__event__get_packed_size(out->events[i]);
		if (size > adapter_event_room(a)) {
			snprintf(err, errlen, "%s: the row makes an event of %zu bytes, more than "
				 "max_message_bytes allows", rc->table, size);
			return -E2BIG;
		}
	}
	return 0;
}

static void adapter_set_problem(struct adapter *a, const char *table, const char *problem)
{
	if (strcmp(problem, a->link.problem) != 0 && problem[0] != '\0')
		log_error("adapter: %s: %s", a->dept->name, problem);
	snprintf(a->problem_table, sizeof(a->problem_table), "%s", table);
	link_set_problem(&a->link, problem);
}

static void adapter_on_change(struct repl *r, const struct row_change *rc)
{
	struct adapter *a = adapter_of_repl(r);
	struct mapping_out out = {.n = 0};
	char err[256] = "";
	int ret = department_map(a->dept, rc, &out, err, sizeof(err));

	adapter_metrics_row(&a->metrics, a->dept, rc->table, rc->op);
	if (ret >= 0)
		ret = adapter_check_size(a, rc, &out, err, sizeof(err));
	if (ret < 0 && strstr(err, MAPPING_NO_COLUMN) != NULL)
		adapter_set_problem(a, rc->table, err);
	if (ret < 0) {
		Assist__Event *ev;
		for (int i = 0; i < out.n; i++)
			protobuf_c_message_free_unpacked(&out.events[i]->base, NULL);
		if (err[0] == '\0')
			snprintf(err, sizeof(err), "%s: %s", rc->table, strerror(-ret));
		log_info("adapter: unmappable row, sent as invalid: %s", err);
		if ((ev = invalid_event(rc, err)) == NULL)
			log_error("adapter: out of memory for an invalid row of %s", rc->table);
		else
			adapter_take(a, ev);
	} else {
		for (int i = 0; i < out.n; i++)
			adapter_take(a, out.events[i]);
	}
	if (!link_has_room(&a->link))
		repl_pause(r, true);
}

static void adapter_on_commit(struct repl *r, uint64_t lsn, bool snapshot)
{
	struct adapter *a = adapter_of_repl(r);

	if (snapshot) {
		a->snapshot_waiting = link_last_queued(&a->link, &a->snapshot_last);
		if (!a->snapshot_waiting)
			repl_snapshot_acked(r);
		return;
	}
	link_commit(&a->link, lsn);
	repl_confirm(r, link_done_lsn(&a->link));
}

static void adapter_on_streaming(struct repl *r)
{
	struct adapter *a = adapter_of_repl(r);

	if (a->ready)
		return;
	a->ready = true;
	sd_notify(0, "READY=1\nSTATUS=streaming");
}

static bool adapter_idle(struct repl *r)
{
	struct adapter *a = adapter_of_repl(r);

	return link_pending(&a->link) == 0 && link_alerts_pending(&a->link) == 0;
}

/* A new description of the table the problem is about: see whether its
 * rows map again. */
static void adapter_on_relation(struct repl *r, const char *table)
{
	struct adapter *a = adapter_of_repl(r);

	if (a->problem_table[0] != '\0' && strcmp(a->problem_table, table) == 0) {
		log_info("adapter: %s: table %s changed: its rows are mapped again",
			 a->dept->name, table);
		adapter_set_problem(a, "", "");
	}
}

static void adapter_on_truncate(struct repl *r, const char *table)
{
	struct adapter *a = adapter_of_repl(r);
	char msg[160];

	snprintf(msg, sizeof(msg), "table %s of %s was truncated (no claim is voided)", table,
		 a->dept->name);
	log_warn("adapter: %s", msg);
	if (link_alert(&a->link, "truncated", msg, a->major) < 0)
		log_error("adapter: too many alerts unacknowledged: dropped: %s", msg);
}

static void adapter_on_quit(uv_timer_t *t)
{
	adapter_stop(t->data, NULL);
}

static void adapter_on_failed(struct repl *r, int code, const char *why)
{
	struct adapter *a = adapter_of_repl(r);

	a->exit_code = code == REPL_LOST ? ADAPTER_EXIT_SLOT_LOST : ADAPTER_EXIT_REFUSED;
	adapter_set_problem(a, "", why);
	sd_notifyf(0, "STATUS=failed: %s", why);
	/* Stop once assistd has heard (adapter_on_ack), or without it. */
	uv_timer_start(&a->quit, adapter_on_quit, (uint64_t)a->cfg->resend_ms, 0);
}

static const struct repl_ops adapter_repl_ops = {
	.begin = adapter_on_begin,
	.change = adapter_on_change,
	.commit = adapter_on_commit,
	.streaming = adapter_on_streaming,
	.idle = adapter_idle,
	.relation = adapter_on_relation,
	.truncate = adapter_on_truncate,
	.failed = adapter_on_failed,
};

static void adapter_on_ack(struct link *l, struct pos applied)
{
	struct adapter *a = l->data;

	if (a->stopping)
		return;
	if (a->exit_code != 0) {
		if (l->problem_acked)
			adapter_stop(a, NULL);
		return;
	}
	if (!a->repl_started) {
		log_info("adapter: %s: assistd holds up to %llu/%llu, starting replication",
			 a->dept->name, (unsigned long long)applied.major,
			 (unsigned long long)applied.minor);
		a->repl_started = true;
		repl_start(&a->repl);
	}
	repl_confirm(&a->repl, link_done_lsn(l));
	if (a->snapshot_waiting && link_is_applied(l, a->snapshot_last)) {
		a->snapshot_waiting = false;
		repl_snapshot_acked(&a->repl);
	}
	if (link_has_room(l))
		repl_pause(&a->repl, false);
}

/* The adapter's metrics now (metricserve_render_fn). */
static char *adapter_render(void *data, size_t *len)
{
	const struct adapter *a = data;
	const struct adapter_metrics_snapshot s = {
		.dept = a->dept,
		.rows = a->metrics.rows,
		.received_lsn = a->repl.received_lsn,
		.confirmed_lsn = a->repl.sent_lsn,
		.unacknowledged = link_pending(&a->link),
		.resident_bytes = metricserve_resident_bytes(),
	};

	return adapter_metrics_render(&s, len);
}

int adapter_start(struct adapter *a, uv_loop_t *loop, const struct department *dept,
		  const struct adapter_config *cfg, bool resnapshot)
{
	const struct link_keys keys = {cfg->curve_server_key, cfg->curve_client_public_key,
				       cfg->curve_client_secret_key};
	int rc;

	*a = (struct adapter){.loop = loop, .dept = dept, .cfg = cfg};
	/* First: what it renders until the rest is set up is the zeroes above. */
	if ((rc = metricserve_start(&a->metrics.serve, loop, cfg->metrics_listen, adapter_render,
				    a)) < 0)
		return rc;
	if ((a->zctx = zmq_ctx_new()) == NULL) {
		rc = -errno;
		goto fail_metrics;
	}
	if ((rc = zl_init(&a->zl, loop)) < 0)
		goto fail_ctx;
	if ((rc = repl_init(&a->repl, loop, dept, cfg->database, &adapter_repl_ops,
			    (uint64_t)cfg->db_heartbeat_ms, resnapshot)) < 0)
		goto fail_zl;
	a->repl.data = a;
	if ((rc = link_init(&a->link, &a->zl, a->zctx, cfg->ingest_endpoint, &keys, dept->name,
			    (size_t)cfg->window, (uint64_t)cfg->heartbeat_ms,
			    (uint64_t)cfg->resend_ms, (size_t)cfg->max_message_bytes,
			    adapter_on_ack)) < 0)
		goto fail_repl;
	a->link.data = a;
	uv_timer_init(loop, &a->quit);
	a->quit.data = a;
	return 0;
fail_repl:
	/* Nothing has run yet: closing the handles (the caller runs the loop to
	 * finish that) is all there is to undo. */
	repl_close(&a->repl, NULL);
fail_zl:
	zl_close(&a->zl, NULL);
fail_ctx:
	zmq_ctx_term(a->zctx);
fail_metrics:
	metricserve_close(&a->metrics.serve);
	return rc;
}

static void adapter_on_zl_closed(struct zl *zl)
{
	struct adapter *a = (struct adapter *)((char *)zl - offsetof(struct adapter, zl));

	zmq_ctx_term(a->zctx);
	a->zctx = NULL;
	if (a->on_close != NULL)
		a->on_close(a);
}

static void adapter_part_closed(struct adapter *a)
{
	if (--a->closing == 0)
		zl_close(&a->zl, adapter_on_zl_closed);
}

static void adapter_on_repl_closed(struct repl *r)
{
	adapter_part_closed(r->data);
}

static void adapter_on_link_closed(struct link *l)
{
	adapter_part_closed(l->data);
}

static void adapter_on_quit_closed(uv_handle_t *h)
{
	adapter_part_closed(h->data);
}

void adapter_stop(struct adapter *a, void (*on_close)(struct adapter *a))
{
	if (on_close != NULL)
		a->on_close = on_close;
	if (a->stopping)
		return;
	a->stopping = true;
	metricserve_close(&a->metrics.serve);
	sd_notify(0, "STOPPING=1");
	log_info("adapter: %s: stopping with %zu events unacknowledged", a->dept->name,
		 link_pending(&a->link));
	a->closing = 3;
	repl_close(&a->repl, adapter_on_repl_closed);
	link_close(&a->link, adapter_on_link_closed);
	uv_close((uv_handle_t *)&a->quit, adapter_on_quit_closed);
}
