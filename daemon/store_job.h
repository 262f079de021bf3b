/* A store job's insides, for the store's files: its statements and their
 * parameters, copied into one arena by store_job_add (store.h). The arena's
 * layout is store_job.c's alone; store_exec.c reads a statement's
 * parameters back through store_job_params. */
#ifndef ASSIST_STORE_JOB_H
#define ASSIST_STORE_JOB_H

#include <stddef.h>

#include "store.h"

struct store_stmt {
	int id;
	int nvals;
	size_t off; /* its parameters in the arena */
};

struct store_job_priv {
	struct store_stmt *stmts;
	size_t n, cap;
	char *arena;
	size_t used, size;
	/* what store_exec found when it sent the job */
	int sent_status;   /* 0, or why nothing but a sync was sent */
	bool sent_skipped; /* a write of a batch already committed */
	size_t ncmds;      /* commands sent before the sync */
};

/* Free the job's results and forget them. */
void store_job_clear_results(struct store_job *job);
/* Statement s's s->nvals parameters as PQsendQueryPrepared takes them:
 * pointers into the job's arena, their lengths and formats. */
void store_job_params(const struct store_job *job, const struct store_stmt *s,
		      const char **values, int *lengths, int *formats);

#endif
