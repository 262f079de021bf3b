/* The application_overdue check: a timer reads the open steps that have
 * waited longer than application.step_days and raised nothing yet (the
 * application table's partial index keeps it to those), and takes for each
 * an overdue mark from source "assistd" into the ordinary pipeline. The mark
 * is journaled and applied like any event (application.c raises the alert
 * once per step, from the person's state), so the alert is committed with
 * the person, survives a restart and comes back from a rebuild. */
#ifndef ASSIST_APPDUE_H
#define ASSIST_APPDUE_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

struct engine;

struct appdue {
	uv_timer_t timer; /* embedded: closed with the server's handles */
	struct engine *e;
	bool reading;     /* a read of the due steps is in flight */
};

/* The due steps one check takes at most; the next check takes the rest. */
#define APPDUE_BATCH 500

/* Set up the timer on loop (not started). 0 or a negative libuv error. */
int appdue_init(struct appdue *d, uv_loop_t *loop);
/* Check now and then every interval_ms, for e (ready). */
void appdue_start(struct appdue *d, struct engine *e, int64_t interval_ms);

#endif
