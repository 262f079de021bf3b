#include "assets.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define ASSET_MAX_BYTES (16u << 20)

/* The types served, by the name's ending; other files are not served.
 * All are text (read with conf_read_text, which refuses a NUL byte). */
static const struct {
	const char *ext, *type;
} asset_types[] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".svg", "image/svg+xml"},
};

static const char *type_of(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(asset_types) / sizeof(asset_types[0]); i++) {
		size_t e = strlen(asset_types[i].ext);
		if (n > e && strcmp(name + n - e, asset_types[i].ext) == 0)
			return asset_types[i].type;
	}
	return NULL;
}

static int add_file(struct assets *a, const char *dir, const char *name, const char *type,
		    char *err, size_t errlen)
{
	char path[4096];
	struct asset *v = realloc(a->v, (a->n + 1) * sizeof(*v));
	char *text;
	int rc;

	if (v == NULL)
		return -ENOMEM;
	a->v = v;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	rc = conf_read_text(path, ASSET_MAX_BYTES, &text, err, errlen);
	if (rc < 0)
		return rc;
	a->v[a->n++] = (struct asset){strdup(name), text, strlen(text), type};
	return a->v[a->n - 1].name != NULL ? 0 : -ENOMEM;
}

int assets_load(struct assets *a, const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	a->v = NULL;
	a->n = 0;
	if (d == NULL) {
		snprintf(err, errlen, "assets_dir %s: %s", dir, strerror(errno));
		return -errno;
	}
	while (rc == 0 && (e = readdir(d)) != NULL) {
		const char *type = type_of(e->d_name);
		if (e->d_name[0] != '.' && type != NULL)
			rc = add_file(a, dir, e->d_name, type, err, errlen);
	}
	closedir(d);
	if (rc == 0 && assets_find(a, "index.html") == NULL) {
		snprintf(err, errlen, "assets_dir %s: no index.html (is the page built? "
			 "make assist-web-page)", dir);
		rc = -ENOENT;
	}
	if (rc < 0)
		assets_free(a);
	return rc;
}

const struct asset *assets_find(const struct assets *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++) {
		if (strcmp(a->v[i].name, name) == 0)
			return &a->v[i];
	}
	return NULL;
}

void assets_free(struct assets *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].name);
		free(a->v[i].data);
	}
	free(a->v);
	a->v = NULL;
	a->n = 0;
}
