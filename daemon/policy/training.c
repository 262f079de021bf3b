/* Training subsidies (docs/policy.md (6)-(8)): one-time
 * amounts per program, each once per person. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "rules.h"

const char *const training_param_names[] = {
	"training.vocational.city",
	"training.vocational.district",
	"training.vocational.window_months",
	"training.entrepreneurship.city",
	"training.entrepreneurship.district",
	"training.entrepreneurship.min_days",
	"training.poverty.amount",
	"training.poverty.age_min",
	"training.poverty.age_max",
	"training.sunshine.age_min",
	"training.sunshine.age_max",
	"training.sunshine.min_days",
	"training.sunshine.short_max_days",
	"training.sunshine.medium_max_days",
	"training.sunshine.short",
	"training.sunshine.medium",
	"training.sunshine.long",
	NULL,
};

/* One claim as the rule sees it; why is set when it pays nothing. */
struct tr_claim {
	const struct params *ps;
	const Assist__Training *tr;
	Assist__Scheme scheme;
	const char *program;
	ymd_t date;
	struct person *p;
	struct decisions *out;
	struct trace t;
	char why[128];
};

static ymd_t parse_or_none(const char *s)
{
	ymd_t d;

	if (s == NULL || s[0] == '\0' || ymd_parse(s, &d) < 0)
		return YMD_NONE;
	return d;
}

static const char *area_name(Assist__Area a)
{
	switch (a) {
	case ASSIST__AREA__AREA_CITY:
		return "city";
	case ASSIST__AREA__AREA_DISTRICT:
		return "district";
	default:
		return "unspecified";
	}
}

/* The city or district amount of prefix ("training.vocational"): the
 * training's locality, else the person's area; -1 when neither is known. */
static fen_t tr_by_locality(struct tr_claim *tc, const char *prefix)
{
	Assist__Area area = tc->tr->locality;
	const char *from = "training";
	char name[64];

	if (area == ASSIST__AREA__AREA_UNSPECIFIED) {
		area = tc->p->area;
		from = "person's area";
	}
	trace_input(&tc->t, "locality", "%s (%s)", area_name(area), from);
	if (area == ASSIST__AREA__AREA_UNSPECIFIED) {
		snprintf(tc->why, sizeof(tc->why), "locality unknown");
		return -1;
	}
	snprintf(name, sizeof(name), "%s.%s", prefix, area_name(area));
	return trace_param(&tc->t, tc->ps, name, tc->date);
}

/* Employed on a day from completion to six months after it. */
static fen_t tr_vocational(struct tr_claim *tc)
{
	ymd_t done = parse_or_none(tc->tr->completed_on);
	ymd_t job = parse_or_none(tc->tr->employed_on);
	char b1[YMD_BUFLEN], b2[YMD_BUFLEN], b3[YMD_BUFLEN];
	int64_t months;
	ymd_t last;

	trace_input(&tc->t, "completed_on", "%s", ymd_format(done, b1));
	trace_input(&tc->t, "employed_on", "%s", ymd_format(job, b2));
	months = trace_param(&tc->t, tc->ps, "training.vocational.window_months", tc->date);
	if (done == YMD_NONE || job == YMD_NONE) {
		snprintf(tc->why, sizeof(tc->why), "no completion or employment date");
		return -1;
	}
	last = ymd_add_months(done, (int)months);
	if (job < done || job > last) {
		snprintf(tc->why, sizeof(tc->why), "employed on %s, not between %s and %s", b2, b1,
			 ymd_format(last, b3));
		return -1;
	}
	return tr_by_locality(tc, "training.vocational");
}

static fen_t tr_entrepreneurship(struct tr_claim *tc)
{
	int64_t min = trace_param(&tc->t, tc->ps, "training.entrepreneurship.min_days", tc->date);

	if (tc->tr->days < min) {
		snprintf(tc->why, sizeof(tc->why), "%d days, under %" PRId64, tc->tr->days, min);
		return -1;
	}
	return tr_by_locality(tc, "training.entrepreneurship");
}

/* Age on the first day of training within [min, max] of prefix. */
static bool tr_age_ok(struct tr_claim *tc, const char *prefix)
{
	ymd_t start = parse_or_none(tc->tr->started_on);
	char name[64], buf[YMD_BUFLEN];
	int64_t min, max;
	int age;

	if (start == YMD_NONE)
		start = tc->date;
	age = idnum_age_on(tc->p->id, start);
	trace_input(&tc->t, "age", "%d on %s", age, ymd_format(start, buf));
	snprintf(name, sizeof(name), "%s.age_min", prefix);
	min = trace_param(&tc->t, tc->ps, name, tc->date);
	snprintf(name, sizeof(name), "%s.age_max", prefix);
	max = trace_param(&tc->t, tc->ps, name, tc->date);
	if (age >= min && age <= max)
		return true;
	snprintf(tc->why, sizeof(tc->why), "aged %d, not %" PRId64 "-%" PRId64, age, min, max);
	return false;
}

static fen_t tr_poverty(struct tr_claim *tc)
{
	if (!tr_age_ok(tc, "training.poverty"))
		return -1;
	return trace_param(&tc->t, tc->ps, "training.poverty.amount", tc->date);
}

/* Rural hukou, 16-45, and the amount of the band the days fall in. */
static fen_t tr_sunshine(struct tr_claim *tc)
{
	const struct params *ps = tc->ps;
	int32_t days = tc->tr->days;
	int64_t min, short_max, medium_max;

	trace_input(&tc->t, "hukou", "%s",
		    tc->p->hukou == ASSIST__HUKOU__HUKOU_RURAL ? "rural" : "not rural");
	if (tc->p->hukou != ASSIST__HUKOU__HUKOU_RURAL) {
		snprintf(tc->why, sizeof(tc->why), "hukou is not rural");
		return -1;
	}
	if (!tr_age_ok(tc, "training.sunshine"))
		return -1;
	min = trace_param(&tc->t, ps, "training.sunshine.min_days", tc->date);
	short_max = trace_param(&tc->t, ps, "training.sunshine.short_max_days", tc->date);
	medium_max = trace_param(&tc->t, ps, "training.sunshine.medium_max_days", tc->date);
	if (days < min) {
		snprintf(tc->why, sizeof(tc->why), "%d days, under %" PRId64, days, min);
		return -1;
	}
	if (days <= short_max)
		return trace_param(&tc->t, ps, "training.sunshine.short", tc->date);
	if (days <= medium_max)
		return trace_param(&tc->t, ps, "training.sunshine.medium", tc->date);
	return trace_param(&tc->t, ps, "training.sunshine.long", tc->date);
}

static int tr_ledger(struct tr_claim *tc, fen_t amount, const char *reason)
{
	struct decision *d = decisions_add(tc->out, DEC_LEDGER, tc->p);
	struct ledger_entry *le;

	if (d == NULL)
		return -ENOMEM;
	le = &d->u.ledger;
	snprintf(le->ref, sizeof(le->ref), "%s", tc->tr->claim_id);
	le->scheme = tc->scheme;
	le->date = tc->date;
	le->requested = amount;
	le->amount = amount;
	snprintf(le->reason, sizeof(le->reason), "%s", reason);
	d->has_trace = true;
	d->trace = tc->t;
	return 0;
}

/* Nothing paid: a ledger line of 0 and the alert, both saying why. */
static int tr_refuse(struct tr_claim *tc, const char *code)
{
	trace_result(&tc->t, "%s: 0", tc->why);
	if (tr_ledger(tc, 0, tc->why) < 0)
		return -ENOMEM;
	return rules_alert(tc->out, tc->p, code, tc->scheme, tc->tr->claim_id, "%s training: %s",
			   tc->program, tc->why);
}

static bool tr_program(struct tr_claim *tc)
{
	switch (tc->tr->program) {
	case ASSIST__PROGRAM__PROGRAM_VOCATIONAL:
		tc->scheme = ASSIST__SCHEME__SCHEME_VOCATIONAL_TRAINING;
		tc->program = "vocational";
		return true;
	case ASSIST__PROGRAM__PROGRAM_ENTREPRENEURSHIP:
		tc->scheme = ASSIST__SCHEME__SCHEME_ENTREPRENEURSHIP_TRAINING;
		tc->program = "entrepreneurship";
		return true;
	case ASSIST__PROGRAM__PROGRAM_POVERTY_ALLEVIATION:
		tc->scheme = ASSIST__SCHEME__SCHEME_POVERTY_TRAINING;
		tc->program = "poverty_alleviation";
		return true;
	case ASSIST__PROGRAM__PROGRAM_SUNSHINE:
		tc->scheme = ASSIST__SCHEME__SCHEME_SUNSHINE_TRAINING;
		tc->program = "sunshine";
		return true;
	default:
		return false;
	}
}

static fen_t tr_amount(struct tr_claim *tc)
{
	switch (tc->tr->program) {
	case ASSIST__PROGRAM__PROGRAM_VOCATIONAL:
		return tr_vocational(tc);
	case ASSIST__PROGRAM__PROGRAM_ENTREPRENEURSHIP:
		return tr_entrepreneurship(tc);
	case ASSIST__PROGRAM__PROGRAM_POVERTY_ALLEVIATION:
		return tr_poverty(tc);
	default:
		return tr_sunshine(tc);
	}
}

int training_claim(const struct policy_ctx *ctx, const Assist__Training *t, ymd_t date,
		   struct person *p, struct decisions *out)
{
	struct tr_claim tc = {.ps = ctx->params, .tr = t, .p = p, .out = out};
	struct decision *d;
	char key[64], buf[YMD_BUFLEN];
	fen_t amount;
	int rc;

	if (!tr_program(&tc))
		return rules_alert(out, p, "not_eligible", ASSIST__SCHEME__SCHEME_UNSPECIFIED,
				   t->claim_id, "training program %d is not known", t->program);
	/* A training with no date at all is dated like the person's latest event. */
	tc.date = date;
	if (tc.date == YMD_NONE)
		tc.date = p->latest_date != YMD_NONE ? p->latest_date : ymd_today();
	trace_init(&tc.t, "training");
	trace_input(&tc.t, "claim", "%s", t->claim_id);
	trace_input(&tc.t, "program", "%s", tc.program);
	trace_input(&tc.t, "date", "%s", ymd_format(tc.date, buf));
	trace_input(&tc.t, "days", "%d", t->days);
	snprintf(key, sizeof(key), "training/%s", tc.program);
	if (person_has_once_key(p, key)) {
		snprintf(tc.why, sizeof(tc.why), "already paid (%s)", key);
		return tr_refuse(&tc, "duplicate_one_time");
	}
	amount = tr_amount(&tc);
	if (amount < 0)
		return tr_refuse(&tc, "not_eligible");
	trace_result(&tc.t, "%s training: one-time %" PRId64, tc.program, amount);
	rc = tr_ledger(&tc, amount, tc.program);
	if (rc < 0)
		return rc;
	d = decisions_add(out, DEC_ONCE_KEY, p);
	if (d == NULL)
		return -ENOMEM;
	snprintf(d->u.once_key, sizeof(d->u.once_key), "%s", key);
	return 0;
}

int training_decide(const struct policy_ctx *ctx, const Assist__Event *ev, struct person *p,
		    struct household *hh, struct decisions *out)
{
	struct tr_claim tc = {.tr = ev->training};
	ymd_t date = event_date(ev);

	if (date == YMD_NONE)
		date = parse_or_none(tc.tr->started_on);
	if (rules_deceased_on(p, date)) {
		tr_program(&tc); /* an unknown program leaves the scheme unspecified */
		return rules_deceased_claim(p, tc.tr->claim_id, tc.scheme, date, 0, out);
	}
	return training_claim(ctx, tc.tr, date, p, out);
}
