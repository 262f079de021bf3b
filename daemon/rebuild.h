/* assistd --rebuild: the store's derived state rebuilt from its journal alone.
 *
 * persons, households, ledger, alerts and explanations are deleted (with a
 * marker in store_meta that makes a plain start refuse until a rebuild
 * finishes); then every journal event, in journal order, goes through the
 * engine's validation and rules as at intake, without being journaled again.
 * The journal and its hash chain, dead letters and the feed are kept (the
 * rebuilt records are appended to the feed); each source's position is at
 * least its last journal event and its applied count is its journal rows. */
#ifndef ASSIST_REBUILD_H
#define ASSIST_REBUILD_H

#include "server.h"

/* Rebuild the store of srv (after server_init; assistd must not be running
 * on it). Prints a summary line; returns the process exit code: 0, or 1 when
 * the store failed or some journal event is now rejected by the rules. */
int rebuild_run(struct server *srv);

#endif
