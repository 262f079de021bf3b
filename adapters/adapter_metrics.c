#include "adapter_metrics.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const op_names[ADAPTER_OPS] = {"insert", "update", "delete", "snapshot"};

void adapter_metrics_row(struct adapter_metrics *m, const struct department *dept,
			 const char *table, char op)
{
	const char *ops = "IUDS", *o = op != '\0' ? strchr(ops, op) : NULL;

	if (o == NULL)
		return;
	for (size_t i = 0; i < ADAPTER_METRICS_TABLES && dept->tables[i].name != NULL; i++) {
		if (strcmp(dept->tables[i].name, table) == 0) {
			m->rows[i][o - ops]++;
			return;
		}
	}
}

static void header(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Label values are department and table names (identifiers): none needs
 * escaping. */
static void gauge(FILE *f, const char *name, const char *help, const char *dept, uint64_t v)
{
	header(f, name, "gauge", help);
	fprintf(f, "%s{department=\"%s\"} %" PRIu64 "\n", name, dept, v);
}

char *adapter_metrics_render(const struct adapter_metrics_snapshot *s, size_t *len)
{
	const char *d = s->dept->name;
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (f == NULL)
		return NULL;
	header(f, "assist_adapter_rows_total", "counter",
	       "Rows read from the department's tables since start, by table and operation.");
	for (size_t i = 0; i < ADAPTER_METRICS_TABLES && s->dept->tables[i].name != NULL; i++) {
		for (size_t o = 0; o < ADAPTER_OPS; o++)
			fprintf(f, "assist_adapter_rows_total{department=\"%s\",table=\"%s\",op=\"%s\"} "
				"%" PRIu64 "\n", d, s->dept->tables[i].name, op_names[o], s->rows[i][o]);
	}
	gauge(f, "assist_adapter_slot_lag_bytes",
	      "WAL bytes received from the slot and not yet confirmed to it.", d,
	      s->received_lsn > s->confirmed_lsn ? s->received_lsn - s->confirmed_lsn : 0);
	gauge(f, "assist_adapter_confirmed_lsn",
	      "The LSN last confirmed (flushed) to the slot, as a number.", d, s->confirmed_lsn);
	gauge(f, "assist_adapter_received_lsn", "The highest WAL position received, as a number.",
	      d, s->received_lsn);
	gauge(f, "assist_adapter_unacknowledged_events",
	      "Events sent to assistd or queued, not yet acknowledged.", d, s->unacknowledged);
	gauge(f, "assist_adapter_resident_memory_bytes", "Resident memory of assist-adapter.", d,
	      s->resident_bytes);
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
