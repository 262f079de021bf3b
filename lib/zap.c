#include "zap.h"

#include "conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_FILE_MAX (1 << 20)
#define ZAP_REFUSED_LOG_MS 60000

/* ---- the allow-list -------------------------------------------------------- */

static bool role_parse(const char *s, enum zap_role *role)
{
	if (strcmp(s, "department") == 0)
		*role = ZAP_DEPARTMENT;
	else if (strcmp(s, "consumer") == 0)
		*role = ZAP_CONSUMER;
	else
		return false;
	return true;
}

/* One non-comment line into c: NULL, or why it is wrong. */
static const char *parse_line(const struct zap_list *l, char *line, struct zap_client *c,
			      char *why, size_t whylen)
{
	char *save = NULL;
	char *key = strtok_r(line, " \t", &save);
	char *role = strtok_r(NULL, " \t", &save);
	char *name = strtok_r(NULL, " \t", &save);

	if (name == NULL || strtok_r(NULL, " \t", &save) != NULL)
		return "expected \"<public key> department <source>\" or "
		       "\"<public key> consumer <name>\"";
	if (!curve_key_decode(key, c->key))
		return "the key is not a 40-character Z85 public key";
	if (!role_parse(role, &c->role)) {
		snprintf(why, whylen, "role \"%s\" is neither department nor consumer", role);
		return why;
	}
	if (!conf_name_ok(name)) {
		snprintf(why, whylen, "name \"%s\" must be 1-%d characters of a-z, 0-9, _ or -",
			 name, ZAP_NAME_MAX - 1);
		return why;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (memcmp(l->clients[i].key, c->key, sizeof(c->key)) == 0) {
			snprintf(why, whylen, "the key is already listed at line %u",
				 l->clients[i].line);
			return why;
		}
	}
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->user_id, sizeof(c->user_id), "%s:%s",
		 c->role == ZAP_DEPARTMENT ? "department" : "consumer", name);
	return NULL;
}

static int list_add(struct zap_list *l, const struct zap_client *c, size_t *cap)
{
	if (l->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct zap_client *n = realloc(l->clients, ncap * sizeof(*n));
		if (n == NULL)
			return -ENOMEM;
		l->clients = n;
		*cap = ncap;
	}
	l->clients[l->n++] = *c;
	return 0;
}

int zap_list_parse(const char *text, const char *file, struct zap_list **out, char *err,
		   size_t errlen)
{
	struct zap_list *l = calloc(1, sizeof(*l));
	char *copy = strdup(text), *line, why[160];
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = 0;

	if (l == NULL || copy == NULL) {
		rc = -ENOMEM;
		goto cleanup;
	}
	/* strsep keeps empty lines, so line numbers stay right. */
	for (char *rest = copy; (line = strsep(&rest, "\n")) != NULL;) {
		struct zap_client c = {.line = ++lineno};
		const char *bad;
		char *s;

		line[strcspn(line, "\r")] = '\0';
		s = line + strspn(line, " \t");
		if (*s == '\0' || *s == '#')
			continue;
		if ((bad = parse_line(l, s, &c, why, sizeof(why))) != NULL) {
			snprintf(err, errlen, "%s:%u: %s", file, lineno, bad);
			rc = -EINVAL;
			goto cleanup;
		}
		if ((rc = list_add(l, &c, &cap)) < 0)
			goto cleanup;
	}
	*out = l;
	l = NULL;
cleanup:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", file);
	zap_list_free(l);
	free(copy);
	return rc;
}

int zap_list_load(const char *path, struct zap_list **out, char *err, size_t errlen)
{
	char *text;
	int rc = conf_read_text(path, ZAP_FILE_MAX, &text, err, errlen);

	if (rc < 0)
		return rc;
	rc = zap_list_parse(text, path, out, err, errlen);
	free(text);
	return rc;
}

void zap_list_free(struct zap_list *l)
{
	if (l == NULL)
		return;
	free(l->clients);
	free(l);
}

const struct zap_client *zap_list_find(const struct zap_list *l,
				       const uint8_t key[CURVE_KEY_BYTES])
{
	for (size_t i = 0; l != NULL && i < l->n; i++) {
		if (memcmp(l->clients[i].key, key, CURVE_KEY_BYTES) == 0)
			return &l->clients[i];
	}
	return NULL;
}

bool zap_user_id_parse(const char *user_id, enum zap_role *role, const char **name)
{
	const char *colon = user_id != NULL ? strchr(user_id, ':') : NULL;
	char r[16];

	if (colon == NULL || (size_t)(colon - user_id) >= sizeof(r))
		return false;
	snprintf(r, sizeof(r), "%.*s", (int)(colon - user_id), user_id);
	if (!role_parse(r, role) || !conf_name_ok(colon + 1))
		return false;
	*name = colon + 1;
	return true;
}

/* ---- the handler ----------------------------------------------------------- */

static bool frame_is(zmq_msg_t *m, const char *s)
{
	size_t n = strlen(s);

	return zmq_msg_size(m) == n && memcmp(zmq_msg_data(m), s, n) == 0;
}

static void zap_reply(struct zap *z, zmq_msg_t *request_id, const char *code,
		      const char *text, const char *user_id)
{
	const void *bufs[6] = {"1.0", zmq_msg_data(request_id), code, text, user_id, ""};
	size_t lens[6] = {3, zmq_msg_size(request_id), strlen(code), strlen(text),
			  strlen(user_id), 0};
	int rc = zl_sendv(&z->sock, bufs, lens, 6);

	if (rc < 0)
		log_error("zap: reply not sent: %s", zmq_strerror(-rc));
}

static void log_refused(struct zap *z, const uint8_t *key, zmq_msg_t *address)
{
	uint64_t now = uv_now(z->sock.zl->loop);
	char z85[CURVE_Z85_LEN + 1];

	if (memcmp(key, z->last_refused, CURVE_KEY_BYTES) == 0 && z->last_refused_ms != 0 &&
	    now - z->last_refused_ms < ZAP_REFUSED_LOG_MS)
		return;
	memcpy(z->last_refused, key, CURVE_KEY_BYTES);
	z->last_refused_ms = now;
	zmq_z85_encode(z85, key, CURVE_KEY_BYTES);
	log_warn("zap: refused client key %s from %.*s: not in clients_file", z85,
		 (int)zmq_msg_size(address), (const char *)zmq_msg_data(address));
}

/* [version][request id][domain][address][identity][mechanism][credentials] */
static void zap_on_request(struct zl_sock *s, zmq_msg_t *frames, int n)
{
	struct zap *z = s->data;
	const struct zap_client *c;
	const uint8_t *key;

	if (n < 6) {
		log_error("zap: a request of %d frames from libzmq; refused", n);
		zap_reply(z, &frames[n > 1 ? 1 : 0], "500", "malformed request", "");
		return;
	}
	if (!frame_is(&frames[0], "1.0") || !frame_is(&frames[2], CURVE_ZAP_DOMAIN) ||
	    !frame_is(&frames[5], "CURVE") || n != 7 ||
	    zmq_msg_size(&frames[6]) != CURVE_KEY_BYTES) {
		log_warn("zap: refused a %.*s connection from %.*s: only CURVE is accepted",
			 (int)zmq_msg_size(&frames[5]), (const char *)zmq_msg_data(&frames[5]),
			 (int)zmq_msg_size(&frames[3]), (const char *)zmq_msg_data(&frames[3]));
		zap_reply(z, &frames[1], "400", "only CURVE", "");
		return;
	}
	key = zmq_msg_data(&frames[6]);
	if ((c = zap_list_find(z->list, key)) == NULL) {
		log_refused(z, key, &frames[3]);
		zap_reply(z, &frames[1], "400", "unknown client key", "");
		return;
	}
	log_debug("zap: %s connected from %.*s", c->user_id, (int)zmq_msg_size(&frames[3]),
		  (const char *)zmq_msg_data(&frames[3]));
	zap_reply(z, &frames[1], "200", "OK", c->user_id);
}

int zap_start(struct zap *z, struct zl *zl, void *zctx, const struct zap_list *list)
{
	void *zs = zmq_socket(zctx, ZMQ_REP);
	int zero = 0, rc;

	*z = (struct zap){.list = list};
	if (zs == NULL)
		return -errno;
	zmq_setsockopt(zs, ZMQ_LINGER, &zero, sizeof(zero));
	if (zmq_bind(zs, ZAP_ENDPOINT) != 0) {
		rc = -errno;
		log_error("zap: bind %s: %s", ZAP_ENDPOINT, zmq_strerror(errno));
		zmq_close(zs);
		return rc;
	}
	z->sock.data = z;
	if ((rc = zl_sock_start(zl, &z->sock, zs, zap_on_request)) < 0) {
		zmq_close(zs);
		return rc;
	}
	return 0;
}

void zap_set_list(struct zap *z, const struct zap_list *list)
{
	z->list = list;
}

static void zap_on_sock_closed(struct zl_sock *s)
{
	struct zap *z = s->data;

	zmq_close(s->zs);
	s->zs = NULL;
	if (z->on_close != NULL)
		z->on_close(z);
}

void zap_close(struct zap *z, void (*on_close)(struct zap *z))
{
	z->on_close = on_close;
	zl_sock_close(&z->sock, zap_on_sock_closed);
}
