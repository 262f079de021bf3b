/* Helpers of the rebuild and fault tests (tests/fault/): whole-state dumps
 * to files, the rebuild, a journal copied into a fresh database, and the
 * exactly-once checks over assistd's tables. */
#ifndef ASSIST_FAULTS_H
#define ASSIST_FAULTS_H

#include <stdbool.h>

#include "fixture.h"

/* `assistctl -c conf dump > dir/name`; its exit status. */
int faults_dump(struct fixture *fx, const char *conf, const char *name);
/* Whether dir/a and dir/b hold the same bytes (a diff of the first lines that
 * differ goes to stderr when not). */
bool faults_same(struct fixture *fx, const char *a, const char *b);
/* Lines of dir/name; -1 if unreadable. */
long faults_lines(struct fixture *fx, const char *name);
/* `assistd -c conf --rebuild`; its exit status, stdout in *out (malloc'ed) if
 * out is not NULL. */
int faults_rebuild(struct fixture *fx, const char *conf, char **out);
/* Copy the journal rows of the fixture's database into database db (which
 * has assistd's schema), in journal order. 0 or -1. */
int faults_copy_journal(struct fixture *fx, const char *db);
/* A libpq connection string for database db of the fixture's PostgreSQL
 * into out. 0 or -1. */
int faults_conninfo(struct fixture *fx, const char *db, char *out, size_t len);
/* One number from an SQL query on the fixture's database; -1 on error. */
long long faults_count(struct fixture *fx, const char *sql);

#endif
