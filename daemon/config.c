#include "config.h"

#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"

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
};

#define N_KEYS (sizeof(config_keys) / sizeof(config_keys[0]))

int config_load(const char *path, struct config *cfg, char *err, size_t errlen)
{
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
