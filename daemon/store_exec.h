/* Running the store's head job on a connection that is up, in pipeline
 * mode: its commands and a sync sent at once, its results read back, a
 * failed statement's message and SQLSTATE, a write whose batch is found
 * already committed skipped (never run twice), a ROLLBACK after a failed
 * write, and done() when it finishes. */
#ifndef ASSIST_STORE_EXEC_H
#define ASSIST_STORE_EXEC_H

#include "store_internal.h"

/* Send the head job, if any: 1 when one was started (or the connection was
 * given up), 0 when the queue is empty. */
int store_exec_start(struct store *st);
/* Read the running job's results: 1 when it finished (or the connection was
 * given up), 0 to wait for input. */
int store_exec_read(struct store *st);

#endif
