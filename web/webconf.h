/* assist-web's configuration (assist-web.conf(5) in man/assistd.conf.5): a
 * key table as lib/conf.h describes, loaded once at start. */
#ifndef WEB_WEBCONF_H
#define WEB_WEBCONF_H

#include <stddef.h>
#include <stdint.h>

struct webconf {
	char *listen;         /* HOST:PORT, numeric host */
	char *query_endpoint; /* assistd's */
	char *feed_endpoint;  /* "": the one assistd's status names */
	char *assets_dir;     /* the page's files */
	char *token_file;     /* "": no token, IDs always masked */
	char *curve_server_key;
	char *curve_client_public_key;
	char *curve_client_secret_key;
	int64_t max_connections;
	int64_t query_timeout_ms;
};

/* Load path into c (defaults for the keys it does not set): 0, or -errno
 * with "path:line: reason" in err. */
__attribute__((warn_unused_result)) int webconf_load(const char *path, struct webconf *c,
						     char *err, size_t errlen);
/* Free what webconf_load stored. */
void webconf_free(struct webconf *c);

#endif
