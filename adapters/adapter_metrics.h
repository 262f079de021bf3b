/* Prometheus metrics of assist-adapter at GET /metrics on its
 * metrics_listen (docs/operations.md "Metrics"): rows read per table and
 * operation, the WAL received and confirmed to the slot, the events not yet
 * acknowledged, resident memory; served by lib/metricserve.c. */
#ifndef ASSIST_ADAPTER_METRICS_H
#define ASSIST_ADAPTER_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "mapping.h"
#include "metricserve.h"

/* Room for a department's tables; a table past it is not counted. */
#define ADAPTER_METRICS_TABLES 32

/* The operations of a row change, in struct row_change's letters. */
enum adapter_metrics_op {
	ADAPTER_OP_INSERT,
	ADAPTER_OP_UPDATE,
	ADAPTER_OP_DELETE,
	ADAPTER_OP_SNAPSHOT,
	ADAPTER_OPS,
};

struct adapter_metrics {
	struct metricserve serve;
	/* Rows read since start, by the table's index in its department's
	 * tables and operation. */
	uint64_t rows[ADAPTER_METRICS_TABLES][ADAPTER_OPS];
};

/* Everything one rendering shows. */
struct adapter_metrics_snapshot {
	const struct department *dept;
	const uint64_t (*rows)[ADAPTER_OPS];
	uint64_t received_lsn;  /* the highest WAL position received */
	uint64_t confirmed_lsn; /* the flush position last sent to the slot */
	uint64_t unacknowledged; /* events sent or queued, not acknowledged */
	uint64_t resident_bytes;
};

/* Count a row change of table (of dept) with operation op ('I', 'U', 'D',
 * 'S'); others are not counted. */
void adapter_metrics_row(struct adapter_metrics *m, const struct department *dept,
			 const char *table, char op);
/* Render s as Prometheus text into a new buffer (its length in *len), or
 * NULL without memory. */
char *adapter_metrics_render(const struct adapter_metrics_snapshot *s, size_t *len);

#endif
