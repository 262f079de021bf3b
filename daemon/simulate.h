/* assistctl simulate ("what would this family receive?"): events applied,
 * with the rules and parameters in force, to a copy of the current state of
 * the persons and households they name (unknown ones start empty), and the
 * records they would give with the explanations of what they decided.
 *
 * The copy is a world of its own, made from the stored forms of what the
 * engine's memory holds (loaded first, as a batch loads them: whole
 * households). Nothing reaches the engine's world, the journal, the store's
 * writes, the feed or the sources' positions. */
#ifndef ASSIST_SIMULATE_H
#define ASSIST_SIMULATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "assist.pb-c.h"
#include "params.h"
#include "roles.h"
#include "strmap.h"
#include "validate.h"
#include "world.h"

/* Events one simulation takes, at most. */
#define SIMULATE_MAX_EVENTS 1000

struct server;
struct simulate_person;

/* One event of a simulation: where it is said to come from, and why it was
 * not simulated. */
struct simulate_event {
	Assist__Event *ev;  /* borrowed */
	const char *source; /* its own, else its kind's first sender */
	uint64_t number;    /* what its rejection and its traces name it by */
	struct verdict v;   /* its date; once rejected, the field and reason */
	bool rejected;
};

/* A simulation: its events, the copy they change, the reply. */
struct simulation {
	struct simulate_event *events;
	size_t n_events;
	Assist__Event **valid; /* the events that passed the checks, for the load */
	size_t n_valid;
	struct world w;
	struct simulate_person **persons; /* the records, in the order first named */
	size_t n_persons, cap_persons;
	struct strmap by_id; /* id -> struct simulate_person */
	struct arena a;      /* the reply's records and rejections */
	Assist__SimulateReply reply;
};

/* The source ev is taken as sent by: its own, else the first department the
 * event registry names for its kind; NULL when neither. */
const char *simulate_source(const Assist__Event *ev);
/* The number of ev, the index-th (from 1) of its request: its seq, else its
 * position's major, else index. */
uint64_t simulate_number(const Assist__Event *ev, size_t index);
/* Check the n events evs (normalized in place; borrowed until
 * simulate_free): validation, then the roles of the source each is taken as
 * sent by (assistd's own sources are refused). s is zeroed first. 0 or
 * -ENOMEM. */
__attribute__((warn_unused_result)) int simulate_check(struct simulation *s,
						       const struct roles *roles,
						       Assist__Event **evs, size_t n);
/* Apply the checked events in order to a copy of what real holds of the
 * persons and households they name, with params, and build s->reply: the
 * records (benefits as of as_of, YMD_NONE: today; full ID numbers: they are
 * the caller's own input), their explanations, the rejections. real is only
 * read. 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int simulate_apply(struct simulation *s,
						       const struct world *real,
						       const struct params *params, ymd_t as_of);
/* Free what s holds (not the events). */
void simulate_free(struct simulation *s);

/* Answer a SimulateRequest from peer: the persons its events name loaded
 * first, then simulated and answered. */
void simulate_handle(struct server *srv, const uint8_t *peer, size_t peer_len,
		     const Assist__Request *req);

#endif
