#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "policytest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* config/policy[/file] under ASSIST_SOURCE_DIR into buf; false if unset. */
static bool policy_path(char *buf, size_t len, const char *file)
{
	const char *src = getenv("ASSIST_SOURCE_DIR");

	if (src == NULL) {
		fprintf(stderr, "policytest: ASSIST_SOURCE_DIR is not set\n");
		return false;
	}
	snprintf(buf, len, "%s/config/policy%s%s", src, file ? "/" : "", file ? file : "");
	return true;
}

char *policytest_yaml(const char *file)
{
	char path[1024];
	char *text = NULL;
	FILE *f;
	long len;

	if (!policy_path(path, sizeof(path), file))
		return NULL;
	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "policytest: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto cleanup;
	text = calloc(1, (size_t)len + 1);
	if (text != NULL && fread(text, 1, (size_t)len, f) != (size_t)len) {
		free(text);
		text = NULL;
	}
cleanup:
	if (text == NULL)
		fprintf(stderr, "policytest: %s: cannot read\n", path);
	fclose(f);
	return text;
}

int policytest_params(const char *file, struct params **out)
{
	char path[1024], err[512] = "";
	char *text;
	int rc;

	*out = NULL;
	if (file == NULL) {
		if (!policy_path(path, sizeof(path), NULL))
			return -1;
		rc = params_load_dir(path, out, err, sizeof(err));
	} else {
		text = policytest_yaml(file);
		if (text == NULL)
			return -1;
		policy_path(path, sizeof(path), file);
		rc = params_load_string(text, path, out, err, sizeof(err));
		free(text);
	}
	if (rc != 0) {
		fprintf(stderr, "policytest: %s\n", err);
		return -1;
	}
	return 0;
}

size_t policytest_names_in_force(const struct params *p, const char *const *names, ymd_t day)
{
	struct param_value pv;
	size_t n = 0;

	for (; names[n] != NULL; n++) {
		if (params_get(p, names[n], day, &pv) != 0)
			fail_msg("parameter %s has no value on %d", names[n], (int)day);
	}
	return n;
}
