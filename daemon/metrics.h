/* Prometheus metrics of assistd at GET /metrics on metrics_listen
 * (docs/operations.md "Metrics"): the engine's counters (tally.h), its
 * sources' lag and freshness, the feed, dead letters, recipients and
 * resident memory, as Prometheus text format 0.0.4, served by
 * lib/metricserve.c (its own thread copies what the loop renders). */
#ifndef ASSIST_METRICS_H
#define ASSIST_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "config.h"
#include "metricserve.h"
#include "tally.h"

struct engine;

/* What one source shows. */
struct metrics_source {
	const char *name;
	const struct tally_kinds *kinds;
	double lag_seconds;
	double seen_age_seconds; /* since its last batch or heartbeat; < 0: never */
	bool stale;
};

/* Everything one rendering shows. */
struct metrics_snapshot {
	const struct metrics_source *sources;
	size_t n_sources;
	const struct tally *tally;
	uint64_t feed_seq;     /* the last committed and published */
	uint64_t dead_letters; /* stored */
	uint64_t recipients;   /* in memory: stored or created since start */
	uint64_t resident_bytes;
};

struct metrics {
	struct metricserve serve;
	const struct engine *engine;
	int64_t freshness_ms; /* a source silent longer than this is stale */
};

/* Render s as Prometheus text into a new buffer (its length in *len), or
 * NULL without memory. */
char *metrics_render(const struct metrics_snapshot *s, size_t *len);
/* The snapshot of e now (sources into the caller's array of n; *n_out used)
 * at wall time now_ms. */
void metrics_snapshot_of(const struct engine *e, int64_t now_ms, int64_t freshness_ms,
			 struct metrics_source *sources, size_t n, size_t *n_out,
			 struct metrics_snapshot *out);
/* Serve e's metrics on cfg's metrics_listen ("" serves none) with the loop
 * rendering them. 0, or -errno after logging why. */
__attribute__((warn_unused_result)) int metrics_start(struct metrics *m, uv_loop_t *loop,
						      const struct config *cfg,
						      const struct engine *e);
/* Stop serving and close the timer (nothing when not started). */
void metrics_close(struct metrics *m);

#endif
