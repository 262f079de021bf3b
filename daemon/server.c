#include "server.h"

#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "curve.h"
#include "fund.h"
#include "log.h"
#include "policy/policy.h"
#include "record.h"
#include "request.h"
#include "schema.h"
#include "scheme.h"
#include "statemap.h"
#include "subject.h"
#include "walltime.h"

#define STOP_TIMEOUT_MS 15000
#define FRESHNESS_CHECK_MS 5000
#define FEED_BEAT_MS 1000
#define FEED_BEAT_CHECK_MS 250

static int load_policy(const char *dir, struct params **out)
{
	char err[512];
	int rc = params_load_dir(dir, out, err, sizeof(err));

	if (rc == 0 && ((rc = policy_check_params(*out, err, sizeof(err))) < 0 ||
			(rc = fund_check_params(*out, err, sizeof(err))) < 0)) {
		params_free(*out);
		*out = NULL;
	}
	if (rc < 0)
		log_error("policy %s: %s", dir, err);
	else
		log_info("policy: %zu parameters from %s", params_count(*out), dir);
	return rc;
}

/* The allow-list of clients_file, or NULL when none is configured. */
static int load_clients(const struct config *cfg, struct zap_list **out)
{
	char err[512];
	int rc;

	*out = NULL;
	if (cfg->clients_file[0] == '\0')
		return 0;
	if ((rc = zap_list_load(cfg->clients_file, out, err, sizeof(err))) < 0) {
		log_error("clients_file: %s", err);
		return rc;
	}
	log_info("clients: %zu keys from %s", (*out)->n, cfg->clients_file);
	return 0;
}

/* The configured sources and their roles. */
static int load_roles(const struct config *cfg, struct roles **out)
{
	char err[512];
	int rc;

	if ((rc = roles_load(cfg->roles_file, out, err, sizeof(err))) < 0) {
		log_error("roles_file: %s", err);
		return rc;
	}
	log_info("roles: %zu sources%s%s", (*out)->n, cfg->roles_file[0] ? " from " : " (built-in)",
		 cfg->roles_file);
	return 0;
}

/* The key of subject_key; without one, records carry none (logged). */
static int load_subject_key(const struct config *cfg)
{
	uint8_t key[SUBJECT_KEY_BYTES];
	char err[512];
	int rc;

	if (cfg->subject_key_file[0] == '\0') {
		log_warn("subject_key_file is not set: records carry no subject_key");
		record_set_subject_key(NULL);
		return 0;
	}
	if ((rc = subject_key_load(cfg->subject_key_file, key, err, sizeof(err))) < 0) {
		log_error("subject_key_file: %s", err);
		return rc;
	}
	record_set_subject_key(key);
	sodium_memzero(key, sizeof(key));
	return 0;
}

static void apply_log_level(const struct config *cfg)
{
	enum log_level level;

	if (log_parse_level(cfg->log_level, &level) == 0)
		log_set_level(level);
	else
		log_warn("log_level \"%s\" unknown; keeping the current one", cfg->log_level);
}

int server_init(struct server *srv, const char *config_path)
{
	char err[512];
	int rc;

	memset(srv, 0, sizeof(*srv));
	srv->instance.fd = -1;
	srv->config_path = strdup(config_path);
	if (srv->config_path == NULL)
		return -ENOMEM;
	if ((rc = config_load(config_path, &srv->cfg, err, sizeof(err))) < 0) {
		log_error("config: %s", err);
		return rc;
	}
	apply_log_level(&srv->cfg);
	if ((rc = load_clients(&srv->cfg, &srv->clients)) < 0)
		return rc;
	if ((rc = load_subject_key(&srv->cfg)) < 0)
		return rc;
	if ((rc = load_roles(&srv->cfg, &srv->roles)) < 0)
		return rc;
	if ((rc = load_policy(srv->cfg.policy_dir, &srv->params)) < 0)
		return rc;
	if ((rc = scheme_check(err, sizeof(err))) < 0 ||
	    (rc = statemap_check(err, sizeof(err))) < 0) {
		log_error("%s", err);
		return rc;
	}
	if ((rc = uv_loop_init(&srv->loop)) < 0) {
		log_error("uv_loop_init: %s", uv_strerror(rc));
		return rc;
	}
	return 0;
}

/* ---- replies and the feed ------------------------------------------------------ */

void server_reply(struct zl_sock *s, const uint8_t *peer, size_t peer_len,
		  const Assist__Reply *r)
{
	size_t len = assist__reply__get_packed_size(r);
	uint8_t stackbuf[4096];
	uint8_t *buf = len <= sizeof(stackbuf) ? stackbuf : malloc(len);
	const void *bufs[2] = {peer, buf};
	size_t lens[2] = {peer_len, len};
	int rc;

	if (buf == NULL) {
		log_error("out of memory sending a reply");
		return;
	}
	assist__reply__pack(r, buf);
	/* A peer gone or full will ask again; nothing is lost by dropping. */
	if ((rc = zl_sendv(s, bufs, lens, 2)) < 0)
		log_debug("reply not sent: %s", zmq_strerror(-rc));
	if (buf != stackbuf)
		free(buf);
}

static void on_engine_reply(void *data, const uint8_t *peer, size_t peer_len,
			    const Assist__Reply *r)
{
	struct server *srv = data;

	if (peer_len == 0) /* assistd's own sender */
		standards_on_ack(&srv->standards, r);
	else if (srv->ingest.zs != NULL)
		server_reply(&srv->ingest, peer, peer_len, r);
}

static void on_engine_publish(void *data, const char *topic, const uint8_t *msg, size_t len)
{
	struct server *srv = data;
	const void *bufs[2] = {topic, msg};
	size_t lens[2] = {strlen(topic), len};

	if (srv->feed.zs != NULL)
		zl_sendv(&srv->feed, bufs, lens, 2); /* PUB drops under load: replay fills gaps */
	srv->feed_sent_ms = uv_now(&srv->loop);
}

/* The feed heartbeat: a subscriber whose last records were dropped learns
 * from latest_seq that they exist, without waiting for another record. */
static void on_feed_beat(uv_timer_t *t)
{
	struct server *srv = t->data;
	Assist__FeedMessage fm = ASSIST__FEED_MESSAGE__INIT;
	uint8_t buf[64];

	if (srv->feed.zs == NULL || uv_now(&srv->loop) - srv->feed_sent_ms < FEED_BEAT_MS)
		return;
	fm.topic = "heartbeat";
	fm.latest_seq = engine_feed_committed(&srv->engine);
	on_engine_publish(srv, fm.topic, buf, assist__feed_message__pack(&fm, buf));
}

static void on_engine_pause(void *data, bool paused)
{
	struct server *srv = data;

	if (srv->ingest.zs != NULL && !srv->stopping)
		zl_sock_pause(&srv->ingest, paused);
}

static void server_stop(struct server *srv, int exit_code);

static void on_engine_fatal(void *data, const char *why)
{
	struct server *srv = data;

	log_error("%s; stopping (what was not acknowledged will be sent again)", why);
	server_stop(srv, 1);
}

static void close_all(struct server *srv);

static void on_engine_drained(void *data)
{
	close_all(data);
}

static const struct engine_ops engine_ops = {
	.reply = on_engine_reply,
	.publish = on_engine_publish,
	.pause = on_engine_pause,
	.fatal = on_engine_fatal,
	.drained = on_engine_drained,
};

/* ---- sockets (their requests: request.c) --------------------------------------- */

void server_reply_error(struct zl_sock *s, const uint8_t *peer, size_t peer_len,
			uint64_t request_id, Assist__ErrorCode code, const char *msg)
{
	Assist__Reply r = ASSIST__REPLY__INIT;
	Assist__Error err = ASSIST__ERROR__INIT;

	err.code = code;
	err.message = (char *)msg;
	r.request_id = request_id;
	r.body_case = ASSIST__REPLY__BODY_ERROR;
	r.error = &err;
	server_reply(s, peer, peer_len, &r);
}

/* Bind zs to the endpoints of list that are networked (or not). */
static int bind_list(struct server *srv, void *zs, const char *list, bool networked)
{
	const char *how = !networked ? "" : srv->cfg.curve_secret_key[0] != '\0' ?
		" (CURVE)" : " (plaintext: allow_plain_tcp)";
	char *copy = strdup(list), *save = NULL;
	int rc = 0;

	if (copy == NULL)
		return -ENOMEM;
	for (char *ep = strtok_r(copy, ", ", &save); ep != NULL; ep = strtok_r(NULL, ", ", &save)) {
		if (curve_endpoint_networked(ep) != networked)
			continue;
		if (zmq_bind(zs, ep) != 0) {
			rc = -errno;
			log_error("bind %s: %s", ep, zmq_strerror(errno));
			break;
		}
		log_info("listening on %s%s", ep, how);
	}
	free(copy);
	return rc;
}

/* Bind a socket of type to every endpoint of the comma-separated list: ipc
 * first, then, as a CURVE server when a key is set, the networked ones. */
static int bind_socket(struct server *srv, struct zl_sock *s, int type, const char *list,
		       zl_msg_cb cb)
{
	int64_t maxmsg = srv->cfg.max_message_bytes;
	int zero = 0, hwm = 100000;
	void *zs = zmq_socket(srv->zctx, type);
	int rc = 0;

	if (zs == NULL)
		return -errno;
	zmq_setsockopt(zs, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(zs, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg));
	if (type == ZMQ_PUB)
		zmq_setsockopt(zs, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	if ((rc = bind_list(srv, zs, list, false)) < 0)
		goto cleanup;
	if (srv->cfg.curve_secret_key[0] != '\0' &&
	    (rc = curve_server_setup(zs, srv->cfg.curve_secret_key)) < 0) {
		log_error("CURVE server options: %s", zmq_strerror(-rc));
		goto cleanup;
	}
	if ((rc = bind_list(srv, zs, list, true)) < 0)
		goto cleanup;
	s->data = srv;
	if ((rc = zl_sock_start(&srv->zl, s, zs, cb)) < 0)
		goto cleanup;
	srv->open_socks++;
	zs = NULL;
cleanup:
	if (zs != NULL)
		zmq_close(zs);
	return rc;
}

/* The ZAP handler, before any CURVE socket binds (none without it). */
static int start_zap(struct server *srv)
{
	char public[CURVE_Z85_LEN + 1];
	int rc;

	if (srv->cfg.curve_secret_key[0] == '\0')
		return 0;
	if ((rc = zap_start(&srv->zap, &srv->zl, srv->zctx, srv->clients)) < 0) {
		log_error("zap: %s", zmq_strerror(-rc));
		return rc;
	}
	srv->zap.data = srv;
	srv->zap_up = true;
	srv->open_socks++;
	if (zmq_curve_public(public, srv->cfg.curve_secret_key) == 0)
		log_info("CURVE on networked endpoints; server public key %s", public);
	return 0;
}

static void on_freshness(uv_timer_t *t)
{
	struct server *srv = t->data;

	feed_check_freshness(&srv->engine, srv->cfg.source_freshness_s * 1000);
}

static void on_watchdog(uv_timer_t *t)
{
	struct server *srv = t->data;

	/* Healthy: the loop turns (we are here) and the store is connected. */
	if (store_up(srv->store))
		sd_notify(0, "WATCHDOG=1");
}

static void start_watchdog(struct server *srv)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return;
	uv_timer_start(&srv->watchdog, on_watchdog, 0, usec / 2000);
}

static void on_engine_ready(void *data, int status)
{
	struct server *srv = data;
	int rc;

	if (status < 0) {
		server_stop(srv, 1);
		return;
	}
	srv->engine_ready = true;
	if (srv->stopping)
		return;
	if ((rc = zl_init(&srv->zl, &srv->loop)) < 0) {
		log_error("zloop: %s", uv_strerror(rc));
		server_stop(srv, 1);
		return;
	}
	srv->zl_up = true;
	if (start_zap(srv) < 0 ||
	    bind_socket(srv, &srv->ingest, ZMQ_ROUTER, srv->cfg.ingest_endpoint,
				request_on_ingest) < 0 ||
	    bind_socket(srv, &srv->query, ZMQ_ROUTER, srv->cfg.query_endpoint,
				request_on_query) < 0 ||
	    bind_socket(srv, &srv->feed, ZMQ_PUB, srv->cfg.feed_endpoint, NULL) < 0 ||
	    metrics_start(&srv->metrics, &srv->loop, &srv->cfg, &srv->engine) < 0) {
		server_stop(srv, 1);
		return;
	}
	start_watchdog(srv);
	uv_timer_start(&srv->freshness, on_freshness, FRESHNESS_CHECK_MS, FRESHNESS_CHECK_MS);
	uv_timer_start(&srv->feed_beat, on_feed_beat, FEED_BEAT_CHECK_MS, FEED_BEAT_CHECK_MS);
	appdue_start(&srv->app_due, &srv->engine, srv->cfg.application_check_s * 1000);
	sd_notify(0, "READY=1\nSTATUS=taking events");
	log_info("ready");
	standards_init(&srv->standards, &srv->engine, &srv->cfg);
	standards_start(&srv->standards);
}

static void on_store_state(struct store *st, bool up)
{
	struct server *srv = store_data(st);

	if (up && srv->reader == NULL && !srv->stopping)
		server_open_reader(srv);
	if (up && !srv->engine_ready && !srv->stopping)
		engine_start(&srv->engine, on_engine_ready);
	sd_notifyf(0, "STATUS=%s", up ? "store connected" : "store unreachable, reconnecting");
}

static void on_store_locked(struct store *st, const char *why)
{
	struct server *srv = store_data(st);

	log_error("another assistd uses the database; %s (exit %d)",
		  srv->engine_ready ? "stopping" : "refusing to start", INSTANCE_EXIT_LOCKED);
	server_stop(srv, INSTANCE_EXIT_LOCKED);
}

/* ---- signals, reload, stop ------------------------------------------------------ */

/* Put what a reload loaded in place of the running set (each was loaded whole). */
static void reload_swap(struct server *srv, struct config *next, struct params *params,
			struct zap_list *clients, struct roles *roles)
{
	roles_free(srv->roles);
	srv->roles = roles;
	srv->engine.roles = roles;
	if (srv->zap_up)
		zap_set_list(&srv->zap, clients);
	zap_list_free(srv->clients);
	srv->clients = clients;
	/* Traces and records of applied batches are already serialized, so the
	 * old set can go now. */
	params_free(srv->params);
	srv->params = params;
	srv->engine.params = params;
	config_free(&srv->cfg);
	srv->cfg = *next;
	apply_log_level(&srv->cfg);
	standards_check(&srv->standards);
	log_info("reloaded %s", srv->config_path);
}

static void reload(struct server *srv)
{
	struct config next;
	struct params *params = NULL;
	struct zap_list *clients = NULL;
	struct roles *roles = NULL;
	const char *conflict;
	char err[512];

	sd_notify(0, "RELOADING=1");
	if (config_load(srv->config_path, &next, err, sizeof(err)) < 0) {
		log_error("reload: %s; keeping the running configuration", err);
		goto done;
	}
	if ((conflict = config_reload_conflict(&srv->cfg, &next)) != NULL)
		log_error("reload: %s cannot change without a restart; keeping the running "
			  "configuration", conflict);
	else if (load_policy(next.policy_dir, &params) < 0)
		log_error("reload: keeping the running policy set");
	else if (load_clients(&next, &clients) < 0)
		log_error("reload: keeping the running configuration and client keys");
	else if (load_roles(&next, &roles) < 0)
		log_error("reload: keeping the running configuration and roles");
	else {
		reload_swap(srv, &next, params, clients, roles);
		goto done;
	}
	zap_list_free(clients);
	params_free(params);
	config_free(&next);
done:
	sd_notify(0, "READY=1");
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct server *srv = h->data;

	if (signum == SIGHUP)
		reload(srv);
	else
		server_stop(srv, 0);
}

static void on_stop_timeout(uv_timer_t *t)
{
	struct server *srv = t->data;

	log_warn("stop: the store did not finish in %d ms; closing anyway (unacknowledged "
		 "events will be sent again)", STOP_TIMEOUT_MS);
	close_all(srv);
}

static void server_stop(struct server *srv, int exit_code)
{
	if (exit_code != 0)
		srv->exit_code = exit_code;
	if (srv->stopping)
		return;
	srv->stopping = true;
	standards_stop(&srv->standards);
	sd_notify(0, "STOPPING=1");
	log_info("stopping");
	if (srv->ingest.zs != NULL)
		zl_sock_pause(&srv->ingest, true);
	uv_timer_start(&srv->stop_timer, on_stop_timeout, STOP_TIMEOUT_MS, 0);
	if (exit_code == 0 && srv->engine_ready)
		engine_drain(&srv->engine); /* finishes the batch in flight, then close_all */
	else
		close_all(srv);
}

static void sock_gone(struct server *srv)
{
	if (--srv->open_socks == 0 && srv->zl_up) {
		srv->zl_up = false;
		zl_close(&srv->zl, NULL);
	}
}

static void on_sock_closed(struct zl_sock *s)
{
	struct server *srv = s->data;

	/* ZeroMQ owns the fd: close the socket only once libuv let go of it. */
	zmq_close(s->zs);
	s->zs = NULL;
	sock_gone(srv);
}

static void on_zap_closed(struct zap *z)
{
	sock_gone(z->data);
}

static void close_all(struct server *srv)
{
	struct zl_sock *socks[] = {&srv->ingest, &srv->query, &srv->feed};
	uv_handle_t *handles[] = {(uv_handle_t *)&srv->sigterm, (uv_handle_t *)&srv->sigint,
				  (uv_handle_t *)&srv->sighup, (uv_handle_t *)&srv->stop_timer,
				  (uv_handle_t *)&srv->watchdog, (uv_handle_t *)&srv->freshness,
				  (uv_handle_t *)&srv->feed_beat, (uv_handle_t *)&srv->app_due.timer};

	if (srv->closed)
		return;
	srv->closed = true;
	metrics_close(&srv->metrics);
	for (size_t i = 0; i < sizeof(socks) / sizeof(socks[0]); i++) {
		if (socks[i]->zs != NULL)
			zl_sock_close(socks[i], on_sock_closed);
	}
	if (srv->zap_up) {
		srv->zap_up = false;
		zap_close(&srv->zap, on_zap_closed);
	}
	if (srv->open_socks == 0 && srv->zl_up) {
		srv->zl_up = false;
		zl_close(&srv->zl, NULL);
	}
	for (size_t i = 0; i < sizeof(handles) / sizeof(handles[0]); i++)
		uv_close(handles[i], NULL);
	server_close_core(srv);
}

/* ---- run ------------------------------------------------------------------------ */

static int start_signal(struct server *srv, uv_signal_t *h, int signum)
{
	int rc = uv_signal_init(&srv->loop, h);

	if (rc < 0)
		return rc;
	h->data = srv;
	return uv_signal_start(h, on_signal, signum);
}

int server_take_instance_lock(struct server *srv)
{
	char dir[400];
	pid_t holder;
	int rc = instance_lock(&srv->instance,
			       instance_runtime_dir(srv->cfg.runtime_dir, dir, sizeof(dir)), &holder);

	if (rc == -EWOULDBLOCK) {
		if (holder > 0)
			log_error("another assistd (pid %ld) holds %s; refusing to start (exit %d)",
				  (long)holder, srv->instance.path, INSTANCE_EXIT_LOCKED);
		else
			log_error("another assistd holds %s; refusing to start (exit %d)",
				  srv->instance.path, INSTANCE_EXIT_LOCKED);
		return INSTANCE_EXIT_LOCKED;
	}
	if (rc < 0) {
		log_error("pidfile %s: %s", srv->instance.path, strerror(-rc));
		return 1;
	}
	return 0;
}

int server_run_loop(struct server *srv)
{
	int rc;

	uv_run(&srv->loop, UV_RUN_DEFAULT);
	if ((rc = uv_loop_close(&srv->loop)) != 0) {
		log_error("uv_loop_close: %s (a handle was left open)", uv_strerror(rc));
		return 1;
	}
	return 0;
}

int server_run(struct server *srv)
{
	int rc;

	if ((rc = server_take_instance_lock(srv)) != 0) {
		uv_loop_close(&srv->loop); /* nothing was started on it */
		return rc;
	}
	if ((rc = start_signal(srv, &srv->sigterm, SIGTERM)) < 0 ||
	    (rc = start_signal(srv, &srv->sigint, SIGINT)) < 0 ||
	    (rc = start_signal(srv, &srv->sighup, SIGHUP)) < 0 ||
	    (rc = uv_timer_init(&srv->loop, &srv->stop_timer)) < 0 ||
	    (rc = uv_timer_init(&srv->loop, &srv->watchdog)) < 0 ||
	    (rc = uv_timer_init(&srv->loop, &srv->freshness)) < 0 ||
	    (rc = uv_timer_init(&srv->loop, &srv->feed_beat)) < 0 ||
	    (rc = appdue_init(&srv->app_due, &srv->loop)) < 0) {
		log_error("setting up the loop: %s", uv_strerror(rc));
		return 1;
	}
	srv->stop_timer.data = srv->watchdog.data = srv->freshness.data = srv->feed_beat.data = srv;
	if ((srv->zctx = zmq_ctx_new()) == NULL) {
		log_error("zmq_ctx_new: %s", zmq_strerror(errno));
		return 1;
	}
	if ((rc = server_open_core(srv, &engine_ops, on_store_state, on_store_locked, srv)) != 0)
		return rc;
	srv->engine.roles = srv->roles;
	if (server_run_loop(srv) != 0)
		return 1;
	zmq_ctx_term(srv->zctx);
	srv->zctx = NULL;
	log_info("stopped");
	return srv->exit_code;
}

void server_free(struct server *srv)
{
	instance_unlock(&srv->instance);
	engine_free(&srv->engine);
	standards_free(&srv->standards);
	params_free(srv->params);
	zap_list_free(srv->clients);
	roles_free(srv->roles);
	config_free(&srv->cfg);
	free(srv->config_path);
}
