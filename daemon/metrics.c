#include "metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "log.h"
#include "scheme.h"
#include "walltime.h"

#define RENDER_EVERY_MS 1000
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* ---- metrics_listen ---------------------------------------------------------- */

/* The port after a host: 1-65535, digits only. */
static int parse_port(const char *s, in_port_t *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > 65535)
		return -EINVAL;
	*out = htons((in_port_t)v);
	return 0;
}

int metrics_parse_listen(const char *s, struct sockaddr_storage *sa, socklen_t *len,
			 char *err, size_t errlen)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)sa;
	const char *colon = strrchr(s, ':');
	char host[INET6_ADDRSTRLEN + 2];
	size_t n = colon != NULL ? (size_t)(colon - s) : 0;

	memset(sa, 0, sizeof(*sa));
	if (colon == NULL || n == 0 || n >= sizeof(host))
		goto bad;
	memcpy(host, s, n);
	host[n] = '\0';
	if (host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		v6->sin6_family = AF_INET6;
		*len = sizeof(*v6);
		if (inet_pton(AF_INET6, host + 1, &v6->sin6_addr) != 1 ||
		    parse_port(colon + 1, &v6->sin6_port) < 0)
			goto bad;
		return 0;
	}
	v4->sin_family = AF_INET;
	*len = sizeof(*v4);
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1 && parse_port(colon + 1, &v4->sin_port) == 0)
		return 0;
bad:
	snprintf(err, errlen, "metrics_listen: \"%s\" is not HOST:PORT with a numeric IPv4 host "
		 "or [IPv6]:PORT, port 1-65535 (127.0.0.1:9464)", s);
	return -EINVAL;
}

/* ---- rendering ---------------------------------------------------------------- */

static void header(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Label values are source names (conf_name_ok: a-z, 0-9, _ and -), kind
 * and scheme names: none needs escaping. */
static void events(FILE *f, const struct metrics_snapshot *s)
{
	static const struct {
		const char *name, *help;
		size_t offset;
	} series[] = {
		{"assist_events_received_total",
		 "Events in batches taken from the source since start, duplicates and resends "
		 "included.", offsetof(struct tally_kinds, received)},
		{"assist_events_applied_total", "Events applied and committed since start.",
		 offsetof(struct tally_kinds, applied)},
		{"assist_events_rejected_total",
		 "Events rejected (dead-lettered) and committed since start.",
		 offsetof(struct tally_kinds, rejected)},
	};

	for (size_t m = 0; m < sizeof(series) / sizeof(series[0]); m++) {
		header(f, series[m].name, "counter", series[m].help);
		for (size_t i = 0; i < s->n_sources; i++) {
			const struct tally_kinds *k = s->sources[i].kinds;
			const uint64_t *v = (const uint64_t *)((const char *)k + series[m].offset);

			/* A kind any of the three counts shows in all three. */
			for (size_t j = 0; j < TALLY_KINDS && tally_kind_name(j) != NULL; j++) {
				if (k->received[j] == 0 && k->applied[j] == 0 && k->rejected[j] == 0)
					continue;
				fprintf(f, "%s{source=\"%s\",kind=\"%s\"} %" PRIu64 "\n", series[m].name,
					s->sources[i].name, tally_kind_name(j), v[j]);
			}
		}
	}
}

static void histogram(FILE *f, const char *name, const char *help,
		      const struct tally_histogram *h, const double *bounds, size_t n)
{
	uint64_t below = 0;

	header(f, name, "histogram", help);
	for (size_t i = 0; i < n; i++) {
		below += h->counts[i];
		fprintf(f, "%s_bucket{le=\"%g\"} %" PRIu64 "\n", name, bounds[i], below);
	}
	fprintf(f, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", name, h->count);
	fprintf(f, "%s_sum %.9g\n%s_count %" PRIu64 "\n", name, h->sum, name, h->count);
}

static void sources(FILE *f, const struct metrics_snapshot *s)
{
	header(f, "assist_source_lag_seconds", "gauge",
	       "Apply time minus occurred_at of the source's last committed event.");
	for (size_t i = 0; i < s->n_sources; i++)
		fprintf(f, "assist_source_lag_seconds{source=\"%s\"} %.3f\n", s->sources[i].name,
			s->sources[i].lag_seconds);
	header(f, "assist_source_last_seen_age_seconds", "gauge",
	       "Seconds since the source's last batch or heartbeat (sources seen since start).");
	for (size_t i = 0; i < s->n_sources; i++) {
		if (s->sources[i].seen_age_seconds >= 0)
			fprintf(f, "assist_source_last_seen_age_seconds{source=\"%s\"} %.3f\n",
				s->sources[i].name, s->sources[i].seen_age_seconds);
	}
	header(f, "assist_source_stale", "gauge",
	       "1 when the source was seen and is silent longer than source_freshness_s.");
	for (size_t i = 0; i < s->n_sources; i++)
		fprintf(f, "assist_source_stale{source=\"%s\"} %d\n", s->sources[i].name,
			s->sources[i].stale ? 1 : 0);
}

/* Each family's lines together, as the text format asks. */
static void money(FILE *f, const struct tally_money *m)
{
	static const struct {
		const char *name, *type, *help;
	} families[] = {
		{"assist_payments_total", "counter",
		 "Ledger entries of kind payment committed since start."},
		{"assist_payments_fen_total", "counter",
		 "Fen of the payment entries committed since start."},
		{"assist_fund_spending_fen", "gauge",
		 "Net fen of every ledger entry committed since start (reversals subtract)."},
	};
	const struct scheme *row;

	for (size_t k = 0; k < sizeof(families) / sizeof(families[0]); k++) {
		header(f, families[k].name, families[k].type, families[k].help);
		for (size_t i = 0; i < TALLY_SCHEMES && (row = scheme_get((Assist__Scheme)i)) != NULL;
		     i++) {
			int64_t v = k == 0 ? (int64_t)m->payments[i]
				  : k == 1 ? m->payments_fen[i]
					   : m->spent_fen[i];

			if (m->payments[i] != 0 || m->spent_fen[i] != 0)
				fprintf(f, "%s{scheme=\"%s\"} %" PRId64 "\n", families[k].name, row->name,
					v);
		}
	}
}

static void gauge(FILE *f, const char *name, const char *help, uint64_t v)
{
	header(f, name, "gauge", help);
	fprintf(f, "%s %" PRIu64 "\n", name, v);
}

char *metrics_render(const struct metrics_snapshot *s, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (f == NULL)
		return NULL;
	events(f, s);
	histogram(f, "assist_batch_events", "Events per committed batch.", &s->tally->batch_size,
		  tally_size_bounds, TALLY_SIZE_BUCKETS);
	histogram(f, "assist_commit_seconds", "Seconds from a batch's transaction to its COMMIT.",
		  &s->tally->commit_seconds, tally_latency_bounds, TALLY_LATENCY_BUCKETS);
	sources(f, s);
	gauge(f, "assist_feed_sequence", "The last feed sequence committed and published.",
	      s->feed_seq);
	gauge(f, "assist_dead_letters", "Dead letters stored.", s->dead_letters);
	gauge(f, "assist_recipients", "Recipients known: stored, or created since start.",
	      s->recipients);
	gauge(f, "assist_resident_memory_bytes", "Resident memory of assistd.", s->resident_bytes);
	money(f, &s->tally->money);
	if (ferror(f)) {
		fclose(f);
		free(text);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* ---- the loop's side ------------------------------------------------------------ */

/* Resident bytes from /proc/self/statm (a kernel file: it never blocks), or 0. */
static uint64_t resident_bytes(void)
{
	unsigned long size, resident;
	FILE *f = fopen("/proc/self/statm", "r");
	int n;

	if (f == NULL)
		return 0;
	n = fscanf(f, "%lu %lu", &size, &resident);
	fclose(f);
	return n == 2 ? (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
}

void metrics_snapshot_of(const struct engine *e, int64_t now_ms, int64_t freshness_ms,
			 struct metrics_source *sources, size_t n, size_t *n_out,
			 struct metrics_snapshot *out)
{
	const struct ingest_source *s;
	size_t i = 0;

	for (s = engine_sources(e); s != NULL && i < n; s = s->next, i++) {
		sources[i] = (struct metrics_source){
			.name = s->name,
			.kinds = &s->tally,
			.lag_seconds = (double)s->lag_ms / 1000.0,
			.seen_age_seconds = s->last_seen_ms ? (double)(now_ms - s->last_seen_ms) / 1000.0
							    : -1,
			.stale = s->last_seen_ms != 0 && now_ms - s->last_seen_ms > freshness_ms,
		};
	}
	*n_out = i;
	*out = (struct metrics_snapshot){
		.sources = sources,
		.n_sources = i,
		.tally = &e->tally,
		.feed_seq = engine_feed_committed(e),
		.dead_letters = engine_dead_letters(e),
		.recipients = engine_recipients(e),
		.resident_bytes = resident_bytes(),
	};
}

/* Render the engine's metrics now and put them where the MHD thread reads. */
static void publish(struct metrics *m)
{
	struct metrics_snapshot snap;
	struct metrics_source *src;
	const struct ingest_source *s;
	size_t n = 0, len;
	char *text, *old;

	for (s = engine_sources(m->engine); s != NULL; s = s->next)
		n++;
	if ((src = calloc(n ? n : 1, sizeof(*src))) == NULL)
		return; /* the last rendering stays; the next second tries again */
	metrics_snapshot_of(m->engine, walltime_now_ms(), m->freshness_ms, src, n, &n, &snap);
	text = metrics_render(&snap, &len);
	free(src);
	if (text == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	old = m->text;
	m->text = text;
	m->len = len;
	pthread_mutex_unlock(&m->lock);
	free(old);
}

static void on_timer(uv_timer_t *t)
{
	publish(t->data);
}

/* ---- the MHD thread's side ------------------------------------------------------ */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, char *body, size_t len,
			     const char *type)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result rc;

	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **req_cls)
{
	struct metrics *m = cls;
	char *body;
	size_t len;

	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, strdup("only GET /metrics\n"),
			     strlen("only GET /metrics\n"), "text/plain");
	if (strcmp(url, "/metrics") != 0)
		return reply(c, MHD_HTTP_NOT_FOUND, strdup("not found: only /metrics\n"),
			     strlen("not found: only /metrics\n"), "text/plain");
	pthread_mutex_lock(&m->lock);
	len = m->len;
	if ((body = malloc(len ? len : 1)) != NULL)
		memcpy(body, m->text, len);
	pthread_mutex_unlock(&m->lock);
	if (body == NULL)
		return MHD_NO;
	return reply(c, MHD_HTTP_OK, body, len, CONTENT_TYPE);
}

/* ---- start and stop --------------------------------------------------------------- */

int metrics_start(struct metrics *m, uv_loop_t *loop, const struct config *cfg,
		  const struct engine *e)
{
	const char *listen = cfg->metrics_listen;
	struct sockaddr_storage sa;
	socklen_t salen;
	char err[256];
	int rc;

	memset(m, 0, sizeof(*m));
	if (listen[0] == '\0')
		return 0;
	if ((rc = metrics_parse_listen(listen, &sa, &salen, err, sizeof(err))) < 0) {
		log_error("%s", err);
		return rc;
	}
	m->engine = e;
	m->freshness_ms = cfg->source_freshness_s * 1000;
	if ((rc = pthread_mutex_init(&m->lock, NULL)) != 0)
		return -rc;
	if ((rc = uv_timer_init(loop, &m->timer)) < 0) {
		pthread_mutex_destroy(&m->lock);
		return rc;
	}
	m->timer.data = m;
	m->up = true;
	publish(m); /* the first scrape has something */
	m->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
					  (sa.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				  0, NULL, NULL, on_request, m, MHD_OPTION_SOCK_ADDR, &sa,
				  MHD_OPTION_CONNECTION_LIMIT, 32u, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				  MHD_OPTION_END);
	if (m->mhd == NULL) {
		rc = errno ? -errno : -EADDRNOTAVAIL;
		log_error("metrics_listen: cannot serve on %s: %s", listen, strerror(-rc));
		metrics_close(m);
		return rc;
	}
	uv_timer_start(&m->timer, on_timer, RENDER_EVERY_MS, RENDER_EVERY_MS);
	log_info("metrics on http://%s/metrics", listen);
	return 0;
}

void metrics_close(struct metrics *m)
{
	if (!m->up)
		return;
	m->up = false;
	if (m->mhd != NULL)
		MHD_stop_daemon(m->mhd); /* joins its thread: nothing reads text after */
	m->mhd = NULL;
	uv_close((uv_handle_t *)&m->timer, NULL);
	free(m->text);
	m->text = NULL;
	pthread_mutex_destroy(&m->lock);
}
