#include "metrics.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "log.h"
#include "scheme.h"
#include "walltime.h"

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
		.resident_bytes = metricserve_resident_bytes(),
	};
}

/* The engine's metrics now (metricserve_render_fn). */
static char *render_now(void *data, size_t *len)
{
	struct metrics *m = data;
	struct metrics_snapshot snap;
	struct metrics_source *src;
	const struct ingest_source *s;
	size_t n = 0;
	char *text;

	for (s = engine_sources(m->engine); s != NULL; s = s->next)
		n++;
	if ((src = calloc(n ? n : 1, sizeof(*src))) == NULL)
		return NULL;
	metrics_snapshot_of(m->engine, walltime_now_ms(), m->freshness_ms, src, n, &n, &snap);
	text = metrics_render(&snap, len);
	free(src);
	return text;
}

int metrics_start(struct metrics *m, uv_loop_t *loop, const struct config *cfg,
		  const struct engine *e)
{
	m->engine = e;
	m->freshness_ms = cfg->source_freshness_s * 1000;
	return metricserve_start(&m->serve, loop, cfg->metrics_listen, render_now, m);
}

void metrics_close(struct metrics *m)
{
	metricserve_close(&m->serve);
}
