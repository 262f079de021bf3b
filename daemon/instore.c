#include "instore.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "log.h"
#include "schema.h"

#define PAGE_ROWS 50000
#define MIN_CAPACITY (1u << 20)

static const enum schema_stmt pass_statement[] = {SQL_PERSON_IDS_AFTER, SQL_HOUSEHOLD_IDS_AFTER};

static void on_page(struct store_job *job, int status);

/* Ask for the page of the read's pass after s->after. */
static void read_page(struct instore *s)
{
	struct engine *e = s->e;
	struct store_val v = {s->after, strlen(s->after), false};
	struct store_job *job = store_job_new(STORE_READ, on_page, s);

	if (job == NULL || store_job_add(job, pass_statement[s->pass], &v, 1) < 0) {
		store_job_free(job);
		log_warn("reading the store's ids: out of memory; every id is read for");
		bloom_free(&s->next);
		return;
	}
	store_submit(engine_loader(e), job);
}

/* The read is complete: its filter replaces the one in use. */
static void read_done(struct instore *s)
{
	bloom_free(&s->ids);
	s->ids = s->next;
	memset(&s->next, 0, sizeof(s->next));
	log_info("store ids read: %zu, filter of %zu KiB", s->ids.added, bloom_bytes(&s->ids) / 1024);
}

static int take_page(struct instore *s, const PGresult *r)
{
	int n = PQntuples(r);
	char *last;

	for (int i = 0; i < n; i++)
		bloom_add(&s->next, PQgetvalue(r, i, 0));
	if (n == PAGE_ROWS) {
		if ((last = strdup(PQgetvalue(r, n - 1, 0))) == NULL)
			return -ENOMEM;
		free(s->after);
		s->after = last;
		return 1;
	}
	s->after[0] = '\0';
	return ++s->pass < 2 ? 1 : 0;
}

static void on_page(struct store_job *job, int status)
{
	struct instore *s = job->data;
	int more = status < 0 ? status : take_page(s, job->results[0]);

	store_job_free(job);
	if (more < 0) {
		log_warn("reading the store's ids: %s; every id is read for",
			 status < 0 ? "the read failed" : "out of memory");
		bloom_free(&s->next);
	} else if (more > 0) {
		read_page(s);
	} else {
		read_done(s);
	}
}

/* Read the store's ids into a filter for capacity of them. */
static int read_start(struct instore *s, size_t capacity)
{
	int rc;

	if ((rc = bloom_init(&s->next, capacity < MIN_CAPACITY ? MIN_CAPACITY : capacity)) < 0)
		return rc;
	free(s->after);
	if ((s->after = calloc(1, 1)) == NULL) {
		bloom_free(&s->next);
		return -ENOMEM;
	}
	s->pass = 0;
	read_page(s);
	return 0;
}

int instore_start(struct instore *s, struct engine *e, uint64_t expected)
{
	s->e = e;
	/* Room to grow: persons, their households, and as many again. */
	return read_start(s, (size_t)expected * 4);
}

void instore_add(struct instore *s, const char *id)
{
	if (s->ids.words != NULL)
		bloom_add(&s->ids, id);
	if (s->next.words != NULL)
		bloom_add(&s->next, id);
	else if (s->ids.words != NULL && s->ids.added > 2 * s->ids.capacity &&
		 read_start(s, s->ids.added * 4) == 0)
		bloom_add(&s->next, id);
}

bool instore_maybe(const struct instore *s, const char *id)
{
	return s->ids.words == NULL || bloom_maybe(&s->ids, id);
}

size_t instore_bytes(const struct instore *s)
{
	return bloom_bytes(&s->ids) + bloom_bytes(&s->next);
}

void instore_free(struct instore *s)
{
	bloom_free(&s->ids);
	bloom_free(&s->next);
	free(s->after);
	s->after = NULL;
}
