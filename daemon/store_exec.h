/* Running the store's jobs on a connection that is up, in pipeline mode:
 * each job's commands and a sync sent at once, and the next job sent before
 * the results of the last come back; the results read back in order, a
 * failed statement's message and SQLSTATE, a write whose batch is found
 * already committed skipped (never run twice), a ROLLBACK after a failed
 * write (the jobs sent after it go again), and done() as each finishes. */
#ifndef ASSIST_STORE_EXEC_H
#define ASSIST_STORE_EXEC_H

#include "store_internal.h"

/* Send the next unsent job, if any may go: 1 when one was sent (or the
 * connection was given up), 0 when none. */
int store_exec_start(struct store *st);
/* Read the head job's results: 1 when it finished (or the connection was
 * given up), 0 to wait for input or when nothing is sent. */
int store_exec_read(struct store *st);

#endif
