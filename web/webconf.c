#include "webconf.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

#include "conf.h"
#include "metricserve.h"

#ifndef ASSIST_WEB_ASSETS
#define ASSIST_WEB_ASSETS "/usr/share/assist/web"
#endif

#define KEY(name, type, def) {#name, type, def, false, offsetof(struct webconf, name)}

static const struct conf_key webconf_keys[] = {
	KEY(listen, CONF_STRING, "127.0.0.1:8080"),
	KEY(query_endpoint, CONF_STRING, NULL),
	KEY(feed_endpoint, CONF_STRING, ""),
	KEY(assets_dir, CONF_STRING, ASSIST_WEB_ASSETS),
	KEY(token_file, CONF_STRING, ""),
	KEY(curve_server_key, CONF_STRING, ""),
	KEY(curve_client_public_key, CONF_STRING, ""),
	KEY(curve_client_secret_key, CONF_STRING, ""),
	KEY(max_connections, CONF_INT, "64"),
	KEY(query_timeout_ms, CONF_INT, "5000"),
};

#define N_KEYS (sizeof(webconf_keys) / sizeof(webconf_keys[0]))

int webconf_load(const char *path, struct webconf *c, char *err, size_t errlen)
{
	struct sockaddr_storage sa;
	socklen_t len;
	char why[256];
	int rc = conf_load(path, webconf_keys, N_KEYS, c, err, errlen);

	if (rc < 0)
		return rc;
	if (metricserve_parse_listen(c->listen, &sa, &len, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: listen: \"%s\" is not HOST:PORT with a numeric IPv4 "
			 "host or [IPv6]:PORT (127.0.0.1:8080)", path, c->listen);
		rc = -EINVAL;
	} else if (c->max_connections < 4 || c->max_connections > 10000) {
		snprintf(err, errlen, "%s: max_connections: 4 to 10000", path);
		rc = -EINVAL;
	} else if (c->query_timeout_ms < 100) {
		snprintf(err, errlen, "%s: query_timeout_ms: at least 100", path);
		rc = -EINVAL;
	}
	if (rc < 0)
		webconf_free(c);
	return rc;
}

void webconf_free(struct webconf *c)
{
	conf_free(webconf_keys, N_KEYS, c);
}
