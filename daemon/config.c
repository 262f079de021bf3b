#include "config.h"

#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "curve.h"
#include "metricserve.h"

#define KEY(name, type, def, reload) {#name, type, def, reload, offsetof(struct config, name)}

static const struct conf_key config_keys[] = {
	KEY(database, CONF_STRING, NULL, false),
	KEY(ingest_endpoint, CONF_STRING, NULL, false),
	KEY(query_endpoint, CONF_STRING, NULL, false),
	KEY(feed_endpoint, CONF_STRING, NULL, false),
	KEY(policy_dir, CONF_STRING, "/usr/share/assist/policy", true),
	KEY(log_level, CONF_STRING, "info", true),
	KEY(batch_max_events, CONF_INT, "500", true),
	KEY(batch_max_ms, CONF_INT, "5", true),
	KEY(max_inflight, CONF_INT, "4", true),
	KEY(max_message_bytes, CONF_INT, "16777216", false),
	KEY(reconnect_min_ms, CONF_INT, "100", false),
	KEY(reconnect_max_ms, CONF_INT, "5000", false),
	KEY(source_freshness_s, CONF_INT, "300", true),
	KEY(feed_full_ids, CONF_BOOL, "false", true),
	KEY(curve_secret_key, CONF_STRING, "", false),
	KEY(clients_file, CONF_STRING, "", true),
	KEY(allow_plain_tcp, CONF_BOOL, "false", false),
	KEY(subject_key_file, CONF_STRING, "", false),
	KEY(roles_file, CONF_STRING, "", true),
	KEY(runtime_dir, CONF_STRING, "/run/assist", false),
	KEY(dead_letter_max_bytes, CONF_INT, "65536", true),
	KEY(recompute_chunk, CONF_INT, "1000", true),
	KEY(application_check_s, CONF_INT, "60", false),
	KEY(full_id_clients, CONF_STRING, "", true),
	KEY(metrics_listen, CONF_STRING, "", false),
};

#define N_KEYS (sizeof(config_keys) / sizeof(config_keys[0]))

/* The first networked endpoint of list (copied to out), or false. */
static bool first_networked(const char *list, char *out, size_t len)
{
	size_t n;

	for (const char *p = list; *p != '\0'; p += n) {
		p += strspn(p, ", ");
		n = strcspn(p, ", ");
		if (n > 0 && strncmp(p, "ipc://", 6) != 0) {
			snprintf(out, len, "%.*s", (int)n, p);
			return true;
		}
	}
	return false;
}

/* CURVE keys well formed, and no plaintext TCP unless asked for. */
static int check_security(const char *path, const struct config *cfg, char *err,
			  size_t errlen)
{
	const char *lists[][2] = {{"ingest_endpoint", cfg->ingest_endpoint},
				  {"query_endpoint", cfg->query_endpoint},
				  {"feed_endpoint", cfg->feed_endpoint}};
	uint8_t key[CURVE_KEY_BYTES];
	char ep[256];

	if (cfg->curve_secret_key[0] != '\0') {
		if (!curve_key_decode(cfg->curve_secret_key, key)) {
			snprintf(err, errlen, "%s: curve_secret_key: not a 40-character Z85 key "
				 "(assistctl keygen prints one)", path);
			return -EINVAL;
		}
		if (cfg->clients_file[0] == '\0') {
			snprintf(err, errlen, "%s: curve_secret_key needs clients_file (the "
				 "allow-list of client keys)", path);
			return -EINVAL;
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]) && !cfg->allow_plain_tcp; i++) {
		if (first_networked(lists[i][1], ep, sizeof(ep))) {
			snprintf(err, errlen, "%s: %s: %s would be plaintext: set curve_secret_key "
				 "and clients_file to serve it with CURVE (allow_plain_tcp = true "
				 "only for tests on loopback)", path, lists[i][0], ep);
			return -EINVAL;
		}
	}
	return 0;
}

int config_load(const char *path, struct config *cfg, char *err, size_t errlen)
{
	char why[256];
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	rc = conf_load(path, config_keys, N_KEYS, cfg, err, errlen);
	if (rc < 0) {
		config_free(cfg);
		return rc;
	}
	if (cfg->batch_max_events < 1 || cfg->batch_max_ms < 0 || cfg->max_inflight < 1) {
		snprintf(err, errlen, "%s: batch_max_events and max_inflight must be >= 1, "
			 "batch_max_ms >= 0", path);
		config_free(cfg);
		return -EINVAL;
	}
	if (cfg->dead_letter_max_bytes < 1024 || cfg->recompute_chunk < 1 ||
	    cfg->application_check_s < 1) {
		snprintf(err, errlen, "%s: dead_letter_max_bytes must be >= 1024, recompute_chunk and "
			 "application_check_s >= 1", path);
		config_free(cfg);
		return -EINVAL;
	}
	if (cfg->metrics_listen[0] != '\0' &&
	    (rc = metricserve_parse_listen(cfg->metrics_listen, &(struct sockaddr_storage){0},
					   &(socklen_t){0}, why, sizeof(why))) < 0) {
		snprintf(err, errlen, "%s: %s", path, why);
		config_free(cfg);
		return rc;
	}
	if ((rc = check_security(path, cfg, err, errlen)) < 0) {
		config_free(cfg);
		return rc;
	}
	return 0;
}

void config_free(struct config *cfg)
{
	conf_free(config_keys, N_KEYS, cfg);
}

const char *config_reload_conflict(const struct config *old, const struct config *new_cfg)
{
	return conf_reload_conflict(config_keys, N_KEYS, old, new_cfg);
}
