/* Configuration files: "key = value" lines, '#' comments, blank lines.
 * Programs describe their keys in one table (name, type, default, whether a
 * reload may change it) and load into a struct of their own; a reload loads
 * into a new struct and swaps only when that succeeds (PgBouncer style). */
#ifndef ASSIST_CONF_H
#define ASSIST_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum conf_type { CONF_STRING, CONF_INT, CONF_BOOL };

/* Room for a source's or client's name, NUL included. */
#define CONF_NAME_MAX 32

struct conf_key {
	const char *name;
	enum conf_type type;
	const char *def;   /* default as text; NULL: the key is required */
	bool reloadable;   /* a reload may change it (else the change is refused) */
	size_t offset;     /* into the target struct: char *, int64_t or bool */
};

/* Fill target from path using keys (defaults first). Unknown keys, bad values
 * and missing required keys are errors: -EINVAL with "path:line: reason" in
 * err; -errno when the file cannot be read. Strings are malloc'ed. */
__attribute__((warn_unused_result)) int conf_load(const char *path, const struct conf_key *keys,
						  size_t n_keys, void *target, char *err,
						  size_t errlen);
/* Free the strings conf_load stored in target. */
void conf_free(const struct conf_key *keys, size_t n_keys, void *target);
/* Name of the first non-reloadable key whose value differs between a and b,
 * or NULL if a reload from a to b is allowed. */
const char *conf_reload_conflict(const struct conf_key *keys, size_t n_keys, const void *a,
				 const void *b);
/* Read one key's value from path without knowing the others (clients reading
 * the daemon's file). 0, -ENOENT (no such key) or -errno. */
__attribute__((warn_unused_result)) int conf_lookup(const char *path, const char *key, char *out,
						    size_t len);
/* A source's or client's name: 1 to CONF_NAME_MAX - 1 characters of a-z, 0-9,
 * _ or - (the one rule for sources, the CURVE client list and the roles). */
bool conf_name_ok(const char *s);
/* Read a whole text file of at most max bytes (a list the daemon loads: the
 * CURVE clients, the roles) into *text, malloc'ed and terminated. 0, or
 * -errno (-EFBIG: too large; -EINVAL: holds a NUL byte) with "path: reason"
 * in err. */
__attribute__((warn_unused_result)) int conf_read_text(const char *path, size_t max, char **text,
						       char *err, size_t errlen);
/* The first endpoint of a comma-separated list, made connectable: a wildcard
 * host ("*", "0.0.0.0") becomes 127.0.0.1. */
void conf_connect_endpoint(const char *list, char *out, size_t len);

#endif
