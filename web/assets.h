/* The page's static files (index.html, app.js, style.css, chart.umd.js),
 * read into memory at start from assets_dir: served without touching the
 * disk, and nothing outside that directory can be asked for. */
#ifndef WEB_ASSETS_H
#define WEB_ASSETS_H

#include <stddef.h>

struct asset {
	char *name; /* the file's name, e.g. "app.js" */
	char *data;
	size_t len;
	const char *type; /* Content-Type */
};

struct assets {
	struct asset *v;
	size_t n;
};

/* Load the files of dir whose type is known: 0, or -errno with the reason
 * in err (dir unreadable, or no index.html). */
__attribute__((warn_unused_result)) int assets_load(struct assets *a, const char *dir, char *err,
						    size_t errlen);
/* The file named name, or NULL. */
const struct asset *assets_find(const struct assets *a, const char *name);
/* Free what assets_load read. */
void assets_free(struct assets *a);

#endif
