/* The event kinds: one row per Assist__Kind saying how its events are
 * checked, applied or decided, who may send them, and where their subject,
 * household, claim id and date are. validate.c, apply.c, policy.c and roles.c
 * read the table; a kind's fields are found by name through the protobuf
 * descriptor, so a new kind with the conventional field names and ordinary
 * field checks needs only its row. */
#ifndef ASSIST_EVENT_H
#define ASSIST_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assist.pb-c.h"
#include "ymd.h"

struct decisions;
struct household;
struct person;
struct policy_ctx;
struct verdict;
struct world;

/* The conventional names of the fields the registry looks up. */
#define EVENT_FIELD_SUBJECT "id_number"
#define EVENT_FIELD_HOUSEHOLD "household_id"
#define EVENT_FIELD_CLAIM "claim_id"

enum event_flag {
	EVENT_HOUSEHOLD_LEVEL = 1 << 0, /* names a household, not a person */
	EVENT_REFRESH_AFTER = 1 << 1,   /* the person's rules are refreshed after it is decided */
	/* names no one: its apply runs over every person who may be paid, whom
	 * the batch loads first (a payment run) */
	EVENT_CITY_LEVEL = 1 << 2,
};

/* What a field rule checks (validate.c); the reason a sender reads follows.
 * 0 is none, so a rule that forgets its check is refused at start. */
enum event_check {
	EVENT_CHECK_ID = 1, /* an ID number, always required; normalized in place */
	EVENT_CHECK_TEXT,   /* at most max_len bytes: "is longer than 63 bytes" */
	EVENT_CHECK_ENUM,   /* a value of the field's enum: "unknown value 9" */
	EVENT_CHECK_DATE,   /* YYYY-MM-DD: "\"2026-13-01\" is not a date (YYYY-MM-DD)" */
	EVENT_CHECK_MONEY,  /* int64 fen: "must not be negative" */
	EVENT_CHECK_COUNT,  /* an integer: "must be between 0 and 100" (min, max) */
	EVENT_CHECK_MONTH,  /* YYYY-MM: "\"2008-13\" is not a month (YYYY-MM)" */
};

/* One field of a payload and its check. required: "is required" when the
 * text is empty or the enum 0 (TEXT, ENUM, DATE). */
struct event_field {
	const char *name; /* the payload's field: "claim_id" */
	enum event_check check;
	bool required;
	size_t max_len;   /* TEXT: the longest in bytes (state.h's STATE_*_MAX) */
	int64_t min, max; /* COUNT: the range */
	/* ENUM: required too while the payload's enum field when_field is
	 * when_value (a hospital for an inpatient claim). */
	const char *when_field;
	int when_value;
};

/* What the field rules cannot say (a date before another, a nested or
 * wrapped field, a scheme of the kind's family), checked after them in
 * place (validate.c); 0, or -EINVAL with v filled. */
typedef int (*event_check_fn)(ProtobufCMessage *payload, struct verdict *v);
/* Apply a fact to p (NULL for a household- or city-level kind) and refresh what
 * follows from it (apply.c); 0 or a negative errno. */
typedef int (*event_apply_fn)(struct world *w, const struct policy_ctx *ctx,
			      const Assist__Event *ev, const struct verdict *v, struct person *p,
			      struct decisions *out);
/* Decide the event for p (NULL for a household-level kind) and hh (policy.c);
 * 0 or a negative errno. */
typedef int (*event_decide_fn)(const struct policy_ctx *ctx, const Assist__Event *ev,
			       struct person *p, struct household *hh, struct decisions *out);

/* Whether ev may be applied to the state as it is now (an application's
 * step after the one before it): 0, or -EINVAL with reject filled, when the
 * event is dead-lettered and the rest of the batch applied (apply.c). */
typedef int (*event_admit_fn)(struct world *w, const struct policy_ctx *ctx,
			      const Assist__Event *ev, struct verdict *reject);

struct event_kind {
	Assist__Kind kind;
	Assist__Event__PayloadCase payload; /* its member of Event's payload oneof */
	const char *name;                   /* that member's name: "medical_claim" */
	const struct event_field *fields;   /* checked in order; ends with a NULL name */
	event_check_fn check;               /* checked after the fields, or NULL */
	event_admit_fn admit;   /* checked against the state before applying, or NULL */
	event_apply_fn apply;   /* a fact apply.c applies itself, or NULL */
	event_decide_fn decide; /* decided by the policy engine, or NULL */
	const char *date_field; /* the payload's field it is dated by, or NULL */
	unsigned flags;         /* enum event_flag */
	/* The payload's enum field a role restricts (roles.c): of Category or
	 * Scheme, repeated or not; NULL when a role's kind is enough. */
	const char *role_field;
	/* The built-in departments whose default role sends it (roles.c),
	 * NULL-terminated; NULL: none, only a grant in roles_file. */
	const char *const *senders;
};

extern const struct event_kind event_kinds[];
extern const size_t event_n_kinds;

/* The row of kind, or NULL (unspecified, unknown). */
const struct event_kind *event_kind(Assist__Kind kind);
/* The row of ev's payload case, or NULL when it has none. */
const struct event_kind *event_of(const Assist__Event *ev);
/* ev's payload message, or NULL. */
ProtobufCMessage *event_payload(const Assist__Event *ev);
/* The string field named field of ev's payload, or NULL when the payload has
 * no such field (EVENT_FIELD_SUBJECT of a household event). */
const char *event_text(const Assist__Event *ev, const char *field);
/* The date in the row's date_field of ev, or YMD_NONE (none, empty, not a date). */
ymd_t event_date(const Assist__Event *ev);
/* Check that rows[0..n) and the protobuf descriptors agree: every kind but
 * unspecified has exactly one row, every row's payload is the Event payload
 * member of its name, every field a row names (rules, date, role field) is a
 * field of that payload of the type its use needs, every sender is a
 * built-in department, and every payload member has a row. 0, or -EINVAL
 * with the first disagreement in err. */
__attribute__((warn_unused_result)) int event_registry_check(const struct event_kind *rows,
							     size_t n, char *err, size_t errlen);

#endif
