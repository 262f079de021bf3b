#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Split "key = value" in place; false for a line that is not one. */
static bool split_line(char *line, char **key, char **value)
{
	char *eq = strchr(line, '=');

	if (eq == NULL)
		return false;
	*eq = '\0';
	*key = trim(line);
	*value = trim(eq + 1);
	return **key != '\0';
}

static int set_value(const struct conf_key *k, void *target, const char *value, char *why,
		     size_t whylen)
{
	char *slot = (char *)target + k->offset;

	switch (k->type) {
	case CONF_STRING: {
		char *copy = strdup(value);
		if (copy == NULL)
			return -ENOMEM;
		free(*(char **)slot);
		*(char **)slot = copy;
		return 0;
	}
	case CONF_INT: {
		char *end;
		errno = 0;
		long long v = strtoll(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0') {
			snprintf(why, whylen, "%s: \"%s\" is not an integer", k->name, value);
			return -EINVAL;
		}
		*(int64_t *)slot = v;
		return 0;
	}
	case CONF_BOOL:
		if (strcmp(value, "true") == 0 || strcmp(value, "yes") == 0 || strcmp(value, "1") == 0)
			*(bool *)slot = true;
		else if (strcmp(value, "false") == 0 || strcmp(value, "no") == 0 ||
			 strcmp(value, "0") == 0)
			*(bool *)slot = false;
		else {
			snprintf(why, whylen, "%s: \"%s\" is not true or false", k->name, value);
			return -EINVAL;
		}
		return 0;
	}
	return -EINVAL;
}

static const struct conf_key *find_key(const struct conf_key *keys, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	}
	return NULL;
}

int conf_load(const char *path, const struct conf_key *keys, size_t n_keys, void *target,
	      char *err, size_t errlen)
{
	char line[4096], why[256];
	bool *seen = calloc(n_keys ? n_keys : 1, sizeof(*seen));
	FILE *f = NULL;
	int lineno = 0;
	int rc = 0;

	if (seen == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n_keys; i++) {
		if (keys[i].def != NULL && (rc = set_value(&keys[i], target, keys[i].def, why,
							  sizeof(why))) < 0) {
			snprintf(err, errlen, "default of %s", why);
			goto cleanup;
		}
	}
	f = fopen(path, "r");
	if (f == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto cleanup;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = trim(line), *key, *value;
		const struct conf_key *k;

		lineno++;
		if (*s == '\0' || *s == '#')
			continue;
		if (!split_line(s, &key, &value)) {
			snprintf(err, errlen, "%s:%d: expected \"key = value\"", path, lineno);
			rc = -EINVAL;
			goto cleanup;
		}
		k = find_key(keys, n_keys, key);
		if (k == NULL) {
			snprintf(err, errlen, "%s:%d: unknown key \"%s\"", path, lineno, key);
			rc = -EINVAL;
			goto cleanup;
		}
		if ((rc = set_value(k, target, value, why, sizeof(why))) < 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
			goto cleanup;
		}
		seen[k - keys] = true;
	}
	for (size_t i = 0; i < n_keys; i++) {
		if (keys[i].def == NULL && !seen[i]) {
			snprintf(err, errlen, "%s: required key \"%s\" is missing", path,
				 keys[i].name);
			rc = -EINVAL;
			goto cleanup;
		}
	}
cleanup:
	if (f != NULL)
		fclose(f);
	free(seen);
	return rc;
}

void conf_free(const struct conf_key *keys, size_t n_keys, void *target)
{
	for (size_t i = 0; i < n_keys; i++) {
		if (keys[i].type == CONF_STRING) {
			char **slot = (char **)((char *)target + keys[i].offset);
			free(*slot);
			*slot = NULL;
		}
	}
}

static bool same_value(const struct conf_key *k, const void *a, const void *b)
{
	const char *pa = (const char *)a + k->offset, *pb = (const char *)b + k->offset;

	switch (k->type) {
	case CONF_STRING: {
		const char *sa = *(char *const *)pa, *sb = *(char *const *)pb;
		return (sa == NULL && sb == NULL) || (sa && sb && strcmp(sa, sb) == 0);
	}
	case CONF_INT:
		return *(const int64_t *)pa == *(const int64_t *)pb;
	case CONF_BOOL:
		return *(const bool *)pa == *(const bool *)pb;
	}
	return false;
}

const char *conf_reload_conflict(const struct conf_key *keys, size_t n_keys, const void *a,
				 const void *b)
{
	for (size_t i = 0; i < n_keys; i++) {
		if (!keys[i].reloadable && !same_value(&keys[i], a, b))
			return keys[i].name;
	}
	return NULL;
}

int conf_lookup(const char *path, const char *key, char *out, size_t len)
{
	char line[4096];
	FILE *f = fopen(path, "r");
	int rc = -ENOENT;

	if (f == NULL)
		return -errno;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = trim(line), *k, *v;
		if (*s == '#' || !split_line(s, &k, &v) || strcmp(k, key) != 0)
			continue;
		snprintf(out, len, "%s", v);
		rc = 0;
	}
	fclose(f);
	return rc;
}

void conf_connect_endpoint(const char *list, char *out, size_t len)
{
	const char *comma = strchr(list, ',');
	size_t n = comma ? (size_t)(comma - list) : strlen(list);
	char first[512];
	char *host;

	snprintf(first, sizeof(first), "%.*s", (int)n, list);
	snprintf(out, len, "%s", trim(first));
	host = strstr(out, "://");
	if (host == NULL || strncmp(out, "tcp", 3) != 0)
		return;
	host += 3;
	if (strncmp(host, "*:", 2) == 0 || strncmp(host, "0.0.0.0:", 8) == 0) {
		char port[64];
		snprintf(port, sizeof(port), "%s", strchr(host, ':'));
		snprintf(host, len - (size_t)(host - out), "127.0.0.1%s", port);
	}
}

int conf_read_text(const char *path, size_t max, char **text, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len;
	int rc = 0;

	*text = NULL;
	if (f == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	if ((buf = malloc(max + 1)) == NULL) {
		rc = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto cleanup;
	}
	len = fread(buf, 1, max + 1, f);
	if (ferror(f)) {
		rc = -EIO;
		snprintf(err, errlen, "%s: read error", path);
	} else if (len > max) {
		rc = -EFBIG;
		snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
	} else if (memchr(buf, '\0', len) != NULL) {
		rc = -EINVAL;
		snprintf(err, errlen, "%s: not a text file", path);
	} else {
		buf[len] = '\0';
		*text = buf;
		buf = NULL;
	}
cleanup:
	free(buf);
	fclose(f);
	return rc;
}

bool conf_name_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-");

	return n > 0 && n < CONF_NAME_MAX && s[n] == '\0';
}
