/* Who may connect over CURVE, and as what: the allow-list of client public
 * keys (clients_file) and the ZAP handler (RFC 27) that applies it.
 *
 * clients_file: one client a line, "#" comments and blank lines ignored:
 *   <Z85 public key> department <source>   sends that source's events
 *   <Z85 public key> consumer <name>       reads: queries and the feed
 * The handler answers libzmq's authentication requests on
 * inproc://zeromq.zap.01 inside the loop; an accepted connection carries the
 * user id "department:<source>" or "consumer:<name>" as the "User-Id"
 * property of every message it sends. */
#ifndef ASSIST_ZAP_H
#define ASSIST_ZAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#include "conf.h"
#include "curve.h"
#include "zloop.h"

#define ZAP_NAME_MAX CONF_NAME_MAX
#define ZAP_USER_ID_MAX 48

enum zap_role { ZAP_DEPARTMENT, ZAP_CONSUMER };

struct zap_client {
	uint8_t key[CURVE_KEY_BYTES];
	enum zap_role role;
	char name[ZAP_NAME_MAX];   /* a department's source, a consumer's name */
	char user_id[ZAP_USER_ID_MAX];
	unsigned line;
};

struct zap_list {
	struct zap_client *clients;
	size_t n;
};

/* Parse an allow-list; file names it in errors. 0 and *out, -EINVAL with
 * "file:line: reason" in err, or -ENOMEM. */
__attribute__((warn_unused_result)) int zap_list_parse(const char *text, const char *file,
						       struct zap_list **out, char *err,
						       size_t errlen);
/* Read and parse path. 0 and *out, or a negative errno with the reason in err. */
__attribute__((warn_unused_result)) int zap_list_load(const char *path, struct zap_list **out,
						      char *err, size_t errlen);
void zap_list_free(struct zap_list *l);
/* The client with this public key, or NULL. */
const struct zap_client *zap_list_find(const struct zap_list *l,
				       const uint8_t key[CURVE_KEY_BYTES]);
/* Split a user id the handler gave back into role and name; false if it is
 * not one of ours. */
bool zap_user_id_parse(const char *user_id, enum zap_role *role, const char **name);

struct zap {
	struct zl_sock sock;            /* REP on inproc://zeromq.zap.01 */
	const struct zap_list *list;    /* the owner's; swapped by zap_set_list */
	uint8_t last_refused[CURVE_KEY_BYTES];
	uint64_t last_refused_ms;       /* a retrying client is logged once a minute */
	void (*on_close)(struct zap *z);
	void *data;                     /* the owner's */
};

/* Bind the handler in zctx (before any CURVE socket binds) and serve it in
 * zl. 0 or -errno. */
__attribute__((warn_unused_result)) int zap_start(struct zap *z, struct zl *zl, void *zctx,
						  const struct zap_list *list);
/* Use list from the next request on (a reload). */
void zap_set_list(struct zap *z, const struct zap_list *list);
/* Stop; on_close(z) once the socket is closed. */
void zap_close(struct zap *z, void (*on_close)(struct zap *z));

#endif
