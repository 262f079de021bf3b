/* The store's setup on every new connection, before it goes up: the advisory
 * lock (or the lock-out), the store's own tables, the catalog's migrations
 * not yet applied, the prepared statements, and what the database holds
 * (applied versions, the last committed batch). One simple query at a time;
 * store.c's run loop reads their results through store_setup_read. */
#ifndef ASSIST_STORE_SETUP_H
#define ASSIST_STORE_SETUP_H

#include "store_internal.h"

/* The connection is made: enter the setup phase and send its first step. */
void store_setup_start(struct store *st);
/* Read the current step's results: 1 when it moved on (or the connection
 * was given up), 0 to wait for input. */
int store_setup_read(struct store *st);

#endif
