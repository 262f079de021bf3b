#include "metricserve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define RENDER_EVERY_MS 1000
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* ---- metrics_listen ---------------------------------------------------------- */

/* The port after a host: 1-65535, digits only. */
static int parse_port(const char *s, in_port_t *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > 65535)
		return -EINVAL;
	*out = htons((in_port_t)v);
	return 0;
}

int metricserve_parse_listen(const char *s, struct sockaddr_storage *sa, socklen_t *len,
			 char *err, size_t errlen)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)sa;
	const char *colon = strrchr(s, ':');
	char host[INET6_ADDRSTRLEN + 2];
	size_t n = colon != NULL ? (size_t)(colon - s) : 0;

	memset(sa, 0, sizeof(*sa));
	if (colon == NULL || n == 0 || n >= sizeof(host))
		goto bad;
	memcpy(host, s, n);
	host[n] = '\0';
	if (host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		v6->sin6_family = AF_INET6;
		*len = sizeof(*v6);
		if (inet_pton(AF_INET6, host + 1, &v6->sin6_addr) != 1 ||
		    parse_port(colon + 1, &v6->sin6_port) < 0)
			goto bad;
		return 0;
	}
	v4->sin_family = AF_INET;
	*len = sizeof(*v4);
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1 && parse_port(colon + 1, &v4->sin_port) == 0)
		return 0;
bad:
	snprintf(err, errlen, "metrics_listen: \"%s\" is not HOST:PORT with a numeric IPv4 host "
		 "or [IPv6]:PORT, port 1-65535 (127.0.0.1:9464)", s);
	return -EINVAL;
}

/* ---- the loop's side ------------------------------------------------------------ */

/* Render the owner's text now and put it where the MHD thread reads. */
static void publish(struct metricserve *m)
{
	size_t len;
	char *text = m->render(m->data, &len), *old;

	if (text == NULL)
		return; /* the last rendering stays; the next second tries again */
	pthread_mutex_lock(&m->lock);
	old = m->text;
	m->text = text;
	m->len = len;
	pthread_mutex_unlock(&m->lock);
	free(old);
}

static void on_timer(uv_timer_t *t)
{
	publish(t->data);
}

/* Resident bytes from /proc/self/statm (a kernel file: it never blocks), or 0. */
uint64_t metricserve_resident_bytes(void)
{
	unsigned long size, resident;
	FILE *f = fopen("/proc/self/statm", "r");
	int n;

	if (f == NULL)
		return 0;
	n = fscanf(f, "%lu %lu", &size, &resident);
	fclose(f);
	return n == 2 ? (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
}

/* ---- the MHD thread's side ------------------------------------------------------ */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, char *body, size_t len,
			     const char *type)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result rc;

	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **req_cls)
{
	struct metricserve *m = cls;
	char *body;
	size_t len;

	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, strdup("only GET /metrics\n"),
			     strlen("only GET /metrics\n"), "text/plain");
	if (strcmp(url, "/metrics") != 0)
		return reply(c, MHD_HTTP_NOT_FOUND, strdup("not found: only /metrics\n"),
			     strlen("not found: only /metrics\n"), "text/plain");
	pthread_mutex_lock(&m->lock);
	len = m->len;
	if ((body = malloc(len ? len : 1)) != NULL)
		memcpy(body, m->text, len);
	pthread_mutex_unlock(&m->lock);
	if (body == NULL)
		return MHD_NO;
	return reply(c, MHD_HTTP_OK, body, len, CONTENT_TYPE);
}

/* ---- start and stop --------------------------------------------------------------- */

int metricserve_start(struct metricserve *m, uv_loop_t *loop, const char *listen,
		      metricserve_render_fn render, void *data)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	char err[256];
	int rc;

	memset(m, 0, sizeof(*m));
	if (listen[0] == '\0')
		return 0;
	if ((rc = metricserve_parse_listen(listen, &sa, &salen, err, sizeof(err))) < 0) {
		log_error("%s", err);
		return rc;
	}
	m->render = render;
	m->data = data;
	if ((rc = pthread_mutex_init(&m->lock, NULL)) != 0)
		return -rc;
	if ((rc = uv_timer_init(loop, &m->timer)) < 0) {
		pthread_mutex_destroy(&m->lock);
		return rc;
	}
	m->timer.data = m;
	m->up = true;
	publish(m); /* the first scrape has something */
	m->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
					  (sa.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				  0, NULL, NULL, on_request, m, MHD_OPTION_SOCK_ADDR, &sa,
				  MHD_OPTION_CONNECTION_LIMIT, 32u, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				  MHD_OPTION_END);
	if (m->mhd == NULL) {
		rc = errno ? -errno : -EADDRNOTAVAIL;
		log_error("metrics_listen: cannot serve on %s: %s", listen, strerror(-rc));
		metricserve_close(m);
		return rc;
	}
	uv_timer_start(&m->timer, on_timer, RENDER_EVERY_MS, RENDER_EVERY_MS);
	log_info("metrics on http://%s/metrics", listen);
	return 0;
}

void metricserve_close(struct metricserve *m)
{
	if (!m->up)
		return;
	m->up = false;
	if (m->mhd != NULL)
		MHD_stop_daemon(m->mhd); /* joins its thread: nothing reads text after */
	m->mhd = NULL;
	uv_close((uv_handle_t *)&m->timer, NULL);
	free(m->text);
	m->text = NULL;
	pthread_mutex_destroy(&m->lock);
}

