/* Replays fuzz inputs without libFuzzer: runs the harness over every regular
 * file of the directories (or files) given, so the corpus and each crasher
 * found become a plain regression test. Fails when it finds no input at all,
 * so a missing corpus does not pass silently. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;
	int rc = -1;

	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto cleanup;
	/* An exact-size copy, so ASan sees any read past the input's end. */
	if ((buf = malloc(len > 0 ? (size_t)len : 1)) == NULL)
		goto cleanup;
	if (len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len)
		goto cleanup;
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	rc = 0;
cleanup:
	if (rc != 0)
		fprintf(stderr, "%s: cannot read\n", path);
	free(buf);
	fclose(f);
	return rc;
}

static int run_dir(const char *dir, size_t *count)
{
	struct dirent **ents;
	char path[4096];
	struct stat st;
	int n, rc = 0;

	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(path) < 0)
				rc = -1;
			(*count)++;
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	struct stat st;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			if (run_dir(argv[i], &count) < 0)
				rc = -1;
		} else {
			if (run_file(argv[i]) < 0)
				rc = -1;
			count++;
		}
	}
	printf("%zu inputs run\n", count);
	return rc == 0 && count > 0 ? 0 : 1;
}
