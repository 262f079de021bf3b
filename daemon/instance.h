/* One assistd per configuration: a pidfile lock in the runtime directory,
 * taken before the store is opened or any socket bound, and the store's
 * advisory lock (store_options.lock_key) on the database. Either held by
 * another process, assistd refuses to start with INSTANCE_EXIT_LOCKED,
 * which systemd's RestartPreventExitStatus= keeps from being retried. */
#ifndef ASSIST_INSTANCE_H
#define ASSIST_INSTANCE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define INSTANCE_EXIT_LOCKED 73
#define INSTANCE_PIDFILE "assistd.pid"
/* pg_try_advisory_lock's key: "assist" in ASCII, 0x617373697374. */
#define INSTANCE_DB_LOCK_KEY INT64_C(107148485423988)

struct instance {
	int fd;          /* the locked pidfile, or -1 */
	char path[512];
};

/* The runtime directory: the first of $RUNTIME_DIRECTORY's when systemd
 * sets it, else configured; into buf, returned. */
const char *instance_runtime_dir(const char *configured, char *buf, size_t len);
/* Create dir if missing, lock dir/assistd.pid and write our pid into it.
 * 0; -EWOULDBLOCK when another process holds it (its pid in *holder, 0 when
 * it has not written one yet); another negative errno. */
__attribute__((warn_unused_result)) int instance_lock(struct instance *in, const char *dir,
						      pid_t *holder);
/* Empty the pidfile and let the lock go (at exit). */
void instance_unlock(struct instance *in);

#endif
