#include "faults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static int shell(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int faults_dump(struct fixture *fx, const char *conf, const char *name)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "%s/assistctl -c %s dump > %s/%s 2>>%s/dump.err", fx->bin,
		 conf, fx->dir, name, fx->dir);
	return shell(cmd);
}

bool faults_same(struct fixture *fx, const char *a, const char *b)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "cmp -s %s/%s %s/%s", fx->dir, a, fx->dir, b);
	if (shell(cmd) == 0)
		return true;
	snprintf(cmd, sizeof(cmd), "diff %s/%s %s/%s | head -c 3000 >&2", fx->dir, a, fx->dir, b);
	shell(cmd);
	return false;
}

long faults_lines(struct fixture *fx, const char *name)
{
	char path[600];
	FILE *f;
	long n = 0;
	int c;

	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

int faults_rebuild(struct fixture *fx, const char *conf, char **out)
{
	const char *argv[] = {"assistd", "-c", conf, "--rebuild", NULL};

	return fixture_run(fx, out, NULL, argv);
}

int faults_conninfo(struct fixture *fx, const char *db, char *out, size_t len)
{
	char cmd[1024];
	FILE *p;
	int rc = -1;

	snprintf(cmd, sizeof(cmd), "%s/scripts/pg conninfo %s %s", fx->src, fx->dir, db);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	if (fgets(out, (int)len, p) != NULL) {
		out[strcspn(out, "\n")] = '\0';
		rc = 0;
	}
	return pclose(p) == 0 ? rc : -1;
}

int faults_copy_journal(struct fixture *fx, const char *db)
{
	char from[512], to[512], cmd[3072];

	if (faults_conninfo(fx, "assist", from, sizeof(from)) < 0 ||
	    faults_conninfo(fx, db, to, sizeof(to)) < 0)
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "psql '%s' -Atqc 'COPY (SELECT * FROM journal_page ORDER BY last_id) "
		 "TO STDOUT' | psql '%s' -qc 'COPY journal_page FROM STDIN' "
		 ">>%s/copy.log 2>&1",
		 from, to, fx->dir);
	return shell(cmd) == 0 ? 0 : -1;
}

long long faults_count(struct fixture *fx, const char *sql)
{
	char *v = fixture_sql(fx, sql);
	long long n = v != NULL && *v != '\0' ? atoll(v) : -1;

	free(v);
	return n;
}
