/* Serving Prometheus text at GET /metrics with libmicrohttpd, for assistd
 * (daemon/metrics.c) and assist-adapter (adapters/adapter_metrics.c).
 *
 * libmicrohttpd runs its own thread (MHD_USE_INTERNAL_POLLING_THREAD) that
 * only copies the latest rendering out under a mutex; the loop renders it
 * once a second from a timer, with the owner's render callback. That is
 * simpler than driving MHD from the loop (its fd set changes with every
 * connection, and MHD_run would do socket I/O on the loop), and a scrape
 * never waits for the loop or touches the owner's memory from another
 * thread. */
#ifndef ASSIST_METRICSERVE_H
#define ASSIST_METRICSERVE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

/* The owner's text now, in a new buffer (its length in *len), or NULL. */
typedef char *(*metricserve_render_fn)(void *data, size_t *len);

struct metricserve {
	struct MHD_Daemon *mhd;
	metricserve_render_fn render;
	void *data;
	uv_timer_t timer;     /* renders once a second */
	pthread_mutex_t lock; /* guards text and len, which the MHD thread copies */
	char *text;
	size_t len;
	bool up;
};

/* Parse a metrics_listen value, "HOST:PORT" with a numeric IPv4 host or
 * "[IPv6]:PORT" (no name lookup: nothing may block), into *sa and *len. 0,
 * or -EINVAL with the reason in err. */
__attribute__((warn_unused_result)) int metricserve_parse_listen(const char *s,
								 struct sockaddr_storage *sa,
								 socklen_t *len, char *err,
								 size_t errlen);
/* Serve what render(data) gives on listen ("" serves none), rendered on
 * loop now and once a second. 0, or a negative errno after logging why. */
__attribute__((warn_unused_result)) int metricserve_start(struct metricserve *m, uv_loop_t *loop,
							  const char *listen,
							  metricserve_render_fn render,
							  void *data);
/* Stop serving and close the timer (nothing when not started). */
void metricserve_close(struct metricserve *m);
/* This process's resident memory in bytes (/proc/self/statm), or 0. */
uint64_t metricserve_resident_bytes(void);

#endif
