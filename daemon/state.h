/* In-memory state: persons and households, the working set the rules read.
 * Plain structs; the policy rules read them and return decisions, and
 * decision_apply() (policy/decision.c) is the one place that changes them. */
#ifndef ASSIST_STATE_H
#define ASSIST_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assist.pb-c.h"
#include "idnum.h"
#include "money.h"
#include "scheme.h"
#include "vec.h"
#include "ymd.h"

/* Category codes are the proto's Assist__Category values (1..16). */
#define STATE_CATEGORY_MAX 17

/* A city has a few hundred places and every person repeats one: atoms
 * (lib/atom.h), never NULL ("" when not known). */
struct place {
	const char *district;
	const char *town;
	const char *community;
};

/* Held from since (YMD_NONE: the earliest date) while active; once ended,
 * through until, its last day (YMD_NONE: not known, held on no date). */
struct category_state {
	bool active;
	ymd_t since;
	ymd_t until;
	char class_[16]; /* "I"/"II"/"III", "A"/"B", "dispersed"/"centralized" */
	int32_t months;  /* registered_unemployed: months unemployed, if sent */
};

/* A category of a person (1 .. STATE_CATEGORY_MAX - 1) and its state. */
struct category_entry {
	int32_t category;
	struct category_state s;
};

struct enrollment {
	Assist__Scheme scheme;
	char class_[8];
	bool has_amount;
	fen_t amount;
	ymd_t start;
	ymd_t end;       /* YMD_NONE: open */
	bool granted;    /* the rules accepted it */
	char source[32];
	uint64_t major, minor;
};

struct benefit {
	Assist__Scheme scheme;
	char class_[8];
	fen_t monthly;
	bool active;
	ymd_t since;
	ymd_t until;     /* YMD_NONE while active */
	char reason[192];
};

/* Seven per person, their reasons from a few dozen rule texts: an atom
 * (lib/atom.h), shared, not a copy each. */
struct entitlement {
	Assist__Scheme scheme;
	bool eligible;
	const char *reason; /* an atom; never NULL */
};

struct ledger_entry {
	char ref[64];
	Assist__Scheme scheme;
	ymd_t date;
	fen_t requested;
	fen_t amount;
	bool clipped;
	char reason[192];
	Assist__LedgerKind kind; /* decision, reversal, ... */
	char period[8];          /* "YYYY-MM" of a monthly payment; else "" */
};

struct alert {
	char code[32];
	Assist__Scheme scheme;
	char ref[64];
	char message[192];
};

/* An application's steps (section V (2) 1): at most the five steps in order,
 * or the steps before a rejection and the rejection. */
#define STATE_APPLICATION_STEPS 5

struct application_step {
	Assist__ApplicationStep step;
	char officer[32];
	ymd_t on;
	char note[128];
};

/* An application and its trail; a household scheme's is kept by every member. */
struct application {
	char id[40];
	Assist__Scheme scheme;
	Assist__ApplicationStep state; /* its latest step */
	char household_id[48];         /* a household scheme's; else "" */
	struct application_step steps[STATE_APPLICATION_STEPS];
	size_t n_steps;
};

/* Year-to-date totals of one calendar year, indexed by the scheme table's
 * counters (lib/scheme.h). */
struct ytd {
	int year;
	fen_t totals[SCHEME_YTD_MAX];
};

struct household;

struct person {
	char id[IDNUM_BUFLEN];
	char name[64];
	char household_id[48];
	Assist__Hukou hukou;
	ymd_t hukou_from;  /* the day hukou holds from; YMD_NONE: the first known */
	Assist__Area area;
	struct place place;
	ymd_t deceased_on;
	ymd_t household_from; /* the day p's household holds from; YMD_NONE: the first known */
	/* The categories anything is recorded for, n_cats of them (most
	 * persons hold none, few more than two). Read through
	 * person_category_of, written through person_category. */
	struct category_entry *cats;

	struct enrollment *enrollments;
	size_t n_enrollments, cap_enrollments;
	struct benefit *benefits;
	size_t n_benefits, cap_benefits;
	/* Shared with every person whose list is the same
	 * (state_entitlements_intern): never written through, never freed. */
	const struct entitlement *entitlements;
	size_t n_entitlements;
	struct ledger_entry *ledger;
	size_t n_ledger, cap_ledger;
	struct alert *alerts;
	size_t n_alerts, cap_alerts;
	struct ytd *years;
	size_t n_years, cap_years;
	struct application *applications;
	size_t n_applications, cap_applications;
	char **once_keys;  /* one-time subsidies taken: "training/vocational", ... */
	size_t n_once_keys, cap_once_keys;
	char **claim_keys; /* "source/claim_id" seen, for duplicate_claim; with
			    * "#digest" and "@once="/"@bill=" what it took
			    * (daemon/apply.c) */
	size_t n_claim_keys, cap_claim_keys;

	uint64_t version;  /* bumped on every change */
	uint64_t feed_seq; /* sequence of the last feed message of this record */
	int64_t updated_at_ms;
	/* The digest of its stored form less what a claim changes (stored_form)
	 * as its row holds it; 0: not known (not written since it was read). */
	uint64_t core;
	/* While core is known: the claim keys its row and the deltas after it
	 * hold, the first of claim_keys (the next delta carries the rest). */
	uint32_t keys_stored;

	struct household *hh; /* borrowed; NULL if no household known */
	struct person *bucket_next; /* the world's chain of p's bucket */
	ymd_t latest_date;    /* latest date carried by an event applied to this person */
	uint8_t n_cats;
	bool dirty;           /* its stored form changed in the batch being built */
	bool booked;          /* its ledger or alerts changed in it (the stored form holds neither) */
	bool queued;          /* on the world's list of changed persons */
	bool stored;          /* a row exists in the database */
	uint32_t ledger_stored; /* ledger entries of the batches written before */
};

/* What a household's facts were from a day on, until the next change. */
struct household_past {
	ymd_t from; /* YMD_NONE: the earliest */
	bool has_members;
	int32_t members;
	bool has_income;
	fen_t monthly_income;
	bool has_area;
	double housing_area_m2;
	Assist__Area area;
};

struct household {
	char id[48];
	bool has_members;
	int32_t members;     /* declared by civil affairs; else the known members count */
	bool has_income;
	fen_t monthly_income;
	bool has_area;
	double housing_area_m2;
	Assist__Area area;
	ymd_t changed_from;  /* the day the latest change holds from; YMD_NONE: the first known */
	/* The facts before changed_from, oldest first: each held until the
	 * next one's from, the last until changed_from. */
	struct household_past *past;
	size_t n_past, cap_past;

	struct person **m;   /* known member persons (borrowed) */
	size_t n_m, cap_m;
	bool dirty;
	bool queued;
	bool stored;
};

/* The longest text each stored field holds: its array less the NUL. The
 * validator refuses a longer one (daemon/event.c's field rules), so nothing
 * an event sets is cut on its way into the state. */
enum state_text_max {
	STATE_NAME_MAX = sizeof(((struct person *)0)->name) - 1,
	STATE_HOUSEHOLD_ID_MAX = sizeof(((struct household *)0)->id) - 1,
	STATE_DISTRICT_MAX = 47, /* a place's parts are atoms: bounded here */
	STATE_TOWN_MAX = 47,
	STATE_COMMUNITY_MAX = 63,
	STATE_STATUS_CLASS_MAX = sizeof(((struct category_state *)0)->class_) - 1,
	STATE_ENROLLMENT_CLASS_MAX = sizeof(((struct enrollment *)0)->class_) - 1,
	STATE_CLAIM_ID_MAX = sizeof(((struct ledger_entry *)0)->ref) - 1, /* a claim's ref */
	STATE_APPLICATION_ID_MAX = sizeof(((struct application *)0)->id) - 1,
	STATE_OFFICER_MAX = sizeof(((struct application_step *)0)->officer) - 1,
	STATE_NOTE_MAX = sizeof(((struct application_step *)0)->note) - 1,
};

/* The same field kept twice must fit both arrays. */
_Static_assert(sizeof(((struct person *)0)->household_id) == STATE_HOUSEHOLD_ID_MAX + 1,
	       "a person's household_id and a household's id differ");
_Static_assert(sizeof(((struct benefit *)0)->class_) == STATE_ENROLLMENT_CLASS_MAX + 1,
	       "an enrollment's class and its benefit's differ");
_Static_assert(sizeof(((struct alert *)0)->ref) == STATE_CLAIM_ID_MAX + 1,
	       "a ledger entry's ref and an alert's differ");

/* p's state of category c (1 .. STATE_CATEGORY_MAX - 1): a zero one when
 * none is recorded. */
const struct category_state *person_category_of(const struct person *p, int c);
/* p's state of category c, to change (made zeroed when none is recorded; it
 * moves when another category is made); NULL when out of memory. */
struct category_state *person_category(struct person *p, int c);
/* New zeroed person with this (validated) ID; NULL when out of memory. */
struct person *person_new(const char *id);
/* Free p and everything it owns. */
void person_free(struct person *p);
/* The totals of year (created zeroed on first use); NULL when out of memory. */
struct ytd *person_ytd(struct person *p, int year);
/* The totals of year, or NULL if nothing was recorded in it. */
const struct ytd *person_ytd_find(const struct person *p, int year);
/* Whether p holds category c (an Assist__Category) as active. */
bool person_has(const struct person *p, int c);
/* The benefit row of scheme, or NULL. */
struct benefit *person_benefit(struct person *p, Assist__Scheme scheme);
/* Whether key is among p's once_keys / claim_keys. */
bool person_has_once_key(const struct person *p, const char *key);
bool person_has_claim_key(const struct person *p, const char *key);
/* Add a key (copied); 0 or -ENOMEM. */
int person_add_once_key(struct person *p, const char *key);
int person_add_claim_key(struct person *p, const char *key);
/* Remove key from p's once_keys, if there. */
void person_drop_once_key(struct person *p, const char *key);
/* Remove every claim key starting with prefix; if one of those its row
 * holds goes, p's row is written whole next (its core is no longer known). */
void person_drop_claim_keys(struct person *p, const char *prefix);
/* Drop every one-time key of p, its years' totals and its claim keys but the
 * first keep (before a newer copy of them is read). */
void person_forget_claims(struct person *p, size_t keep);

/* The shared copy of the entitlement list items[0..n) (every reason an
 * atom): equal lists are one copy, kept for the life of the process, as
 * persons repeat a few hundred different lists. NULL when n is 0 or out of
 * memory. */
const struct entitlement *state_entitlements_intern(const struct entitlement *items, size_t n);

/* A shared entitlement list, as the store keeps it (daemon/stored.c): one
 * row of the entitlement_list table under the digest of its packed form,
 * which a person's stored form names instead of holding the list. */
#define STATE_LIST_DIGEST_BYTES 16
struct entitlement_list {
	char *key;     /* each entry's scheme, eligibility and reason atom */
	uint8_t digest[STATE_LIST_DIGEST_BYTES];
	char hex[2 * STATE_LIST_DIGEST_BYTES + 1]; /* the digest in hex; "" until made */
	bool stored;   /* its row is committed */
	size_t n;
	struct entitlement items[];
};

/* The list items (from state_entitlements_intern) are the entries of. */
struct entitlement_list *state_entitlements_list(const struct entitlement *items);
/* l's digest (STATE_LIST_DIGEST_BYTES), by which it is found from now on.
 * 0 or -ENOMEM. */
__attribute__((warn_unused_result)) int state_entitlements_digested(struct entitlement_list *l,
								    const uint8_t *digest);
/* The shared list whose digest is hex, or NULL. */
struct entitlement_list *state_entitlements_by_digest(const char *hex);

/* New zeroed household; NULL when out of memory. */
struct household *household_new(const char *id);
/* Free hh (not its members). */
void household_free(struct household *hh);
/* Link p into hh (unlinking it from its previous household); 0 or -ENOMEM. */
int household_link(struct household *hh, struct person *p);
/* Remove p from its household, if any. */
void household_unlink(struct person *p);
/* The member count the rules use: declared members, else known members. */
int32_t household_size(const struct household *hh);
/* The day from which p's household as memory holds it is the one p's
 * months were paid with: p's own move into it and, when its size is the
 * members known, every member's. The months before were paid with a
 * household the record no longer keeps. YMD_NONE: always. */
ymd_t person_household_from(const struct person *p);
/* hh's facts as they held on d: hh itself from its changed_from on (and for
 * YMD_NONE), else a copy in buf (its members borrowed) with the past facts
 * of that day, the earliest known before them. NULL for NULL. */
const struct household *household_on(const struct household *hh, ymd_t d,
				     struct household *buf);
/* A change holding from from: the facts hh had before it (was) stay known
 * until from, and what an earlier change said from from on is superseded.
 * changed_from becomes from. 0 or -ENOMEM. */
int household_supersede(struct household *hh, const struct household_past *was, ymd_t from);
/* hh's facts now, held from its changed_from. */
struct household_past household_now(const struct household *hh);
/* The facts known now for the first time (has_ false in e, or no area) were
 * held all along: fill them into e from hh. */
void household_fill_unknown(struct household_past *e, const struct household *hh);

#endif
