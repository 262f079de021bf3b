#include "rules.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define P_URBAN_CITY "dibao.urban.standard.city"
#define P_URBAN_DISTRICT "dibao.urban.standard.district"
#define P_RURAL_I "dibao.rural.class_i"
#define P_RURAL_I_ORPHAN "dibao.rural.class_i.orphan"
#define P_RURAL_II_MIN "dibao.rural.class_ii.min"
#define P_RURAL_II_MAX "dibao.rural.class_ii.max"
#define P_RURAL_III_MIN "dibao.rural.class_iii.min"
#define P_RURAL_III_MAX "dibao.rural.class_iii.max"

const char *const dibao_param_names[] = {
	P_URBAN_CITY,	P_URBAN_DISTRICT, P_RURAL_I,	   P_RURAL_I_ORPHAN, P_RURAL_II_MIN,
	P_RURAL_II_MAX, P_RURAL_III_MIN,  P_RURAL_III_MAX, NULL,
};

/* What one member's dibao row should say, with the trace behind it. */
struct dibao_calc {
	struct benefit b;
	struct trace t;
	bool eligible;     /* urban: income below the line; rural: a known class */
	bool clipped;      /* rural: the asked amount was outside the class range */
	char problem[192]; /* why not eligible, or what was clipped */
};

static bool is_urban(Assist__Scheme s)
{
	return s == ASSIST__SCHEME__SCHEME_URBAN_DIBAO;
}

static Assist__Hukou scheme_hukou(Assist__Scheme s)
{
	return is_urban(s) ? ASSIST__HUKOU__HUKOU_URBAN : ASSIST__HUKOU__HUKOU_RURAL;
}

static const char *hukou_name(Assist__Hukou h)
{
	switch (h) {
	case ASSIST__HUKOU__HUKOU_URBAN:
		return "urban";
	case ASSIST__HUKOU__HUKOU_RURAL:
		return "rural";
	default:
		return "unknown";
	}
}

static const char *scheme_name(Assist__Scheme s)
{
	return is_urban(s) ? "urban dibao" : "rural dibao";
}

/* Urban: members x standard - household income, shared per member, from
 * the household's facts hh. The area is the household's, else the
 * person's; with neither, the urban area ("city") the scheme is written for. */
static void urban_calc(const struct policy_ctx *ctx, const struct person *p,
		       const struct household *hh, ymd_t d, struct dibao_calc *c)
{
	int32_t members = hh != NULL ? household_size(hh) : 1;
	fen_t income = hh != NULL && hh->has_income ? hh->monthly_income : 0;
	Assist__Area area = hh != NULL && hh->area != ASSIST__AREA__AREA_UNSPECIFIED ? hh->area :
										       p->area;
	bool district = area == ASSIST__AREA__AREA_DISTRICT;
	fen_t standard, line;

	if (members < 1)
		members = 1;
	standard = trace_param(&c->t, ctx->params, district ? P_URBAN_DISTRICT : P_URBAN_CITY, d);
	line = members * standard;
	trace_input(&c->t, "members", "%d", members);
	trace_input(&c->t, "monthly_income_fen", "%lld%s", (long long)income,
		    hh != NULL && hh->has_income ? "" : " (not reported)");
	trace_input(&c->t, "area", "%s%s", district ? "district" : "city",
		    area == ASSIST__AREA__AREA_UNSPECIFIED ? " (not reported)" : "");
	c->eligible = income < line;
	if (!c->eligible) {
		snprintf(c->problem, sizeof(c->problem),
			 "household income %lld at or above %d x %lld = %lld", (long long)income,
			 members, (long long)standard, (long long)line);
		trace_result(&c->t, "not eligible: %s", c->problem);
		return;
	}
	c->b.monthly = money_div(line - income, members);
	trace_result(&c->t, "household %d x %lld - %lld = %lld; %lld per member", members,
		     (long long)standard, (long long)income, (long long)(line - income),
		     (long long)c->b.monthly);
}

/* Rural: a fixed amount for class I (an orphan's on d), the enrolled
 * amount inside the class range for II and III. */
static void rural_calc(const struct policy_ctx *ctx, const struct person *p,
		       const char *class_, bool has_amount, fen_t asked, ymd_t d,
		       struct dibao_calc *c)
{
	bool orphan = rules_category_on(p, ASSIST__CATEGORY__CATEGORY_ORPHAN, d);
	const char *lo_name = NULL, *hi_name = NULL;
	fen_t lo, hi;

	trace_input(&c->t, "class", "%s", class_);
	if (has_amount)
		trace_input(&c->t, "amount_fen", "%lld", (long long)asked);
	trace_input(&c->t, "orphan", "%s", orphan ? "yes" : "no");
	snprintf(c->b.class_, sizeof(c->b.class_), "%s", class_);
	if (strcmp(class_, "I") == 0) {
		c->eligible = true;
		c->b.monthly = trace_param(&c->t, ctx->params, orphan ? P_RURAL_I_ORPHAN : P_RURAL_I,
					   d);
		trace_result(&c->t, "class I%s: %lld a month", orphan ? " orphan" : "",
			     (long long)c->b.monthly);
		return;
	}
	if (strcmp(class_, "II") == 0) {
		lo_name = P_RURAL_II_MIN;
		hi_name = P_RURAL_II_MAX;
	} else if (strcmp(class_, "III") == 0) {
		lo_name = P_RURAL_III_MIN;
		hi_name = P_RURAL_III_MAX;
	} else {
		snprintf(c->problem, sizeof(c->problem), "unknown rural dibao class \"%s\"", class_);
		trace_result(&c->t, "not granted: %s", c->problem);
		return;
	}
	c->eligible = true;
	lo = trace_param(&c->t, ctx->params, lo_name, d);
	hi = trace_param(&c->t, ctx->params, hi_name, d);
	c->b.monthly = money_clamp(asked, lo, hi);
	c->clipped = c->b.monthly != asked;
	if (c->clipped) {
		snprintf(c->problem, sizeof(c->problem),
			 "class %s amount %lld outside %lld-%lld: clipped to %lld", class_,
			 (long long)asked, (long long)lo, (long long)hi, (long long)c->b.monthly);
		trace_result(&c->t, "%s", c->problem);
	} else {
		trace_result(&c->t, "class %s: %lld a month (range %lld-%lld)", class_,
			     (long long)c->b.monthly, (long long)lo, (long long)hi);
	}
}

/* The row as computed for the enrollment e of scheme on d, active, with
 * the household's facts hh; quiet: its trace keeps the result alone. */
static void dibao_calc(const struct policy_ctx *ctx, const struct person *p,
		       const struct household *hh, Assist__Scheme scheme,
		       const struct enrollment *e, ymd_t d, bool quiet, struct dibao_calc *c)
{
	char day[YMD_BUFLEN];

	memset(&c->b, 0, sizeof(c->b));
	trace_init(&c->t, is_urban(scheme) ? "dibao.urban" : "dibao.rural");
	c->t.quiet = quiet;
	c->eligible = c->clipped = false;
	c->problem[0] = '\0';
	if (is_urban(scheme))
		urban_calc(ctx, p, hh, d, c);
	else
		rural_calc(ctx, p, e->class_, e->has_amount, e->amount, d, c);
	trace_input(&c->t, "hukou", "%s", hukou_name(p->hukou));
	trace_input(&c->t, "start_date", "%s", ymd_format(e->start, day));
	c->b.scheme = scheme;
	c->b.active = true;
	c->b.since = e->start;
	c->b.until = YMD_NONE;
	if (!quiet)
		snprintf(c->b.reason, sizeof(c->b.reason), "%s", c->t.result);
}

static bool benefit_same(const struct benefit *a, const struct benefit *b)
{
	return a->scheme == b->scheme && strcmp(a->class_, b->class_) == 0 &&
	       a->monthly == b->monthly && a->active == b->active && a->since == b->since &&
	       a->until == b->until && strcmp(a->reason, b->reason) == 0;
}

/* Emit c's row for p unless p's current row already says the same.
 * 1 emitted, 0 nothing to do, -ENOMEM. */
static int emit_benefit(struct person *p, const struct dibao_calc *c, struct decisions *out)
{
	const struct benefit *row = person_benefit(p, c->b.scheme);
	struct decision *d;

	if (row != NULL && benefit_same(row, &c->b))
		return 0;
	d = decisions_add(out, DEC_BENEFIT, p);
	if (d == NULL)
		return -ENOMEM;
	d->u.benefit = c->b;
	d->has_trace = true;
	d->trace = c->t;
	return 1;
}

/* The enrollment as a reference in alerts: "urban_dibao 2009-01-01". */
static const char *enrollment_ref(Assist__Scheme scheme, ymd_t start, char *buf, size_t len)
{
	char day[YMD_BUFLEN];

	snprintf(buf, len, "%s %s", is_urban(scheme) ? "urban_dibao" : "rural_dibao",
		 ymd_format(start, day));
	return buf;
}

/* Cross-scheme rule 1, checked before anything else: the other dibao held
 * by the household, then the hukou; the first found is alerted. 1 when the
 * enrollment may go on, 0 when it is refused, -ENOMEM. */
static int enrollment_admissible(struct person *p, Assist__Scheme scheme, ymd_t date,
				 const char *ref, struct decisions *out)
{
	bool other = is_urban(scheme) ? rules_in_rural_dibao(p, date) :
					rules_in_urban_dibao(p, date);
	int rc;

	if (other)
		rc = rules_alert(out, p, "dibao_conflict", scheme, ref,
				 "%s asked while the household is in %s", scheme_name(scheme),
				 scheme_name(is_urban(scheme) ? ASSIST__SCHEME__SCHEME_RURAL_DIBAO :
								ASSIST__SCHEME__SCHEME_URBAN_DIBAO));
	else if (p->hukou != scheme_hukou(scheme))
		rc = rules_alert(out, p, "hukou_mismatch", scheme, ref,
				 "%s needs %s hukou; the person's hukou is %s",
				 scheme_name(scheme), hukou_name(scheme_hukou(scheme)),
				 hukou_name(p->hukou));
	else
		return 1;
	return rc < 0 ? rc : 0;
}

int dibao_enrollment(const struct policy_ctx *ctx, const Assist__Enrollment *e, ymd_t date,
		     struct person *p, struct decisions *out)
{
	struct dibao_calc c;
	struct enrollment asked;
	char ref[64];
	int rc;

	enrollment_ref(e->scheme, date, ref, sizeof(ref));
	rc = enrollment_admissible(p, e->scheme, date, ref, out);
	if (rc <= 0)
		return rc < 0 ? rc : rules_enrollment(out, ctx, e, date, false, p);

	memset(&asked, 0, sizeof(asked));
	snprintf(asked.class_, sizeof(asked.class_), "%s", e->class_ != NULL ? e->class_ : "");
	asked.has_amount = e->amount_fen != 0;
	asked.amount = e->amount_fen;
	asked.start = date;
	dibao_calc(ctx, p, p->hh, e->scheme, &asked, date, false, &c);
	if (!c.eligible) {
		rc = rules_alert(out, p, is_urban(e->scheme) ? "not_eligible" : "out_of_range",
				 e->scheme, ref, "%s", c.problem);
		return rc < 0 ? rc : rules_enrollment(out, ctx, e, date, false, p);
	}
	if (c.clipped && rules_alert(out, p, "out_of_range", e->scheme, ref, "%s", c.problem) < 0)
		return -ENOMEM;
	rc = rules_enrollment(out, ctx, e, date, true, p);
	if (rc < 0)
		return rc;
	rc = emit_benefit(p, &c, out);
	return rc < 0 ? rc : 0;
}

/* The granted enrollment of scheme with the latest start: the one the
 * benefit row follows. */
static const struct enrollment *latest_enrollment(const struct person *m, Assist__Scheme scheme)
{
	const struct enrollment *found = NULL;

	for (size_t i = 0; i < m->n_enrollments; i++) {
		const struct enrollment *e = &m->enrollments[i];

		if (e->scheme == scheme && e->granted && (found == NULL || e->start > found->start))
			found = e;
	}
	return found;
}

/* Turn c into an ended row: ended on until, for reason; keeps the last amount. */
static void end_calc(struct dibao_calc *c, const struct benefit *row, ymd_t until,
		     const char *reason)
{
	c->b.active = false;
	c->b.until = until;
	if (row != NULL) {
		c->b.monthly = row->monthly;
		c->b.since = row->since;
	}
	snprintf(c->b.reason, sizeof(c->b.reason), "%s", reason);
	trace_result(&c->t, "ended: %s", reason);
}

/* Why m's row of scheme must end as of date (writes reason and until), or false. */
static bool ending(const struct person *m, const struct enrollment *e, Assist__Scheme scheme,
		   ymd_t date, char *reason, size_t len, ymd_t *until)
{
	char day[YMD_BUFLEN];

	if (m->deceased_on != YMD_NONE) {
		snprintf(reason, len, "deceased on %s", ymd_format(m->deceased_on, day));
		*until = policy_month_end(m->deceased_on);
		return true;
	}
	if (e->end != YMD_NONE && e->end < date) {
		snprintf(reason, len, "enrollment ended on %s", ymd_format(e->end, day));
		*until = e->end;
		return true;
	}
	if (m->hukou != scheme_hukou(scheme)) {
		snprintf(reason, len, "hukou changed to %s", hukou_name(m->hukou));
		*until = m->hukou_from != YMD_NONE ? policy_day_before(m->hukou_from) : date;
		return true;
	}
	return false;
}

static int refresh_member(const struct policy_ctx *ctx, struct person *m, Assist__Scheme scheme,
			  ymd_t date, struct decisions *out)
{
	const struct enrollment *e = latest_enrollment(m, scheme);
	const struct benefit *row = person_benefit(m, scheme);
	struct dibao_calc c;
	char reason[192], ref[64];
	ymd_t until;
	int rc;

	/* An ended row stays ended: only a new enrollment opens it again. */
	if (e == NULL || (row != NULL && !row->active))
		return 0;
	dibao_calc(ctx, m, m->hh, scheme, e, date > e->start ? date : e->start, false, &c);
	if (row != NULL)
		c.b.since = row->since;
	if (ending(m, e, scheme, date, reason, sizeof(reason), &until)) {
		end_calc(&c, row, until, reason);
		rc = emit_benefit(m, &c, out);
		return rc < 0 ? rc : 0;
	}
	if (c.eligible)
		return emit_benefit(m, &c, out) < 0 ? -ENOMEM : 0;
	/* Ended from the day the household change that made it ineligible holds. */
	end_calc(&c, row,
		 m->hh != NULL && m->hh->changed_from != YMD_NONE ?
			 policy_day_before(m->hh->changed_from) :
			 date,
		 c.problem);
	rc = emit_benefit(m, &c, out);
	if (rc <= 0)
		return rc;
	enrollment_ref(scheme, e->start, ref, sizeof(ref));
	return rules_alert(out, m, is_urban(scheme) ? "not_eligible" : "out_of_range", scheme, ref,
			   "%s", c.problem);
}

int dibao_refresh(const struct policy_ctx *ctx, struct person *p, ymd_t date,
		  struct decisions *out)
{
	static const Assist__Scheme schemes[] = {ASSIST__SCHEME__SCHEME_URBAN_DIBAO,
						 ASSIST__SCHEME__SCHEME_RURAL_DIBAO};
	size_t n = p->hh != NULL ? p->hh->n_m : 1;

	for (size_t i = 0; i < n; i++) {
		struct person *m = p->hh != NULL ? p->hh->m[i] : p;

		for (size_t s = 0; s < sizeof(schemes) / sizeof(schemes[0]); s++) {
			int rc = refresh_member(ctx, m, schemes[s], date, out);

			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* The last day of b known now, and why: the ending stored with the row, the
 * enrollment's end_date, the month of death; the earliest of them. */
static ymd_t last_day(const struct person *m, const struct benefit *b, char *why, size_t len)
{
	const struct enrollment *e = latest_enrollment(m, b->scheme);
	char day[YMD_BUFLEN];
	ymd_t last = YMD_NONE;

	if (!b->active && b->until != YMD_NONE) {
		last = b->until;
		snprintf(why, len, "%s", b->reason);
	}
	if (e != NULL && e->end != YMD_NONE && (last == YMD_NONE || e->end < last)) {
		last = e->end;
		snprintf(why, len, "enrollment ended on %s", ymd_format(e->end, day));
	}
	if (m->deceased_on != YMD_NONE &&
	    (last == YMD_NONE || policy_month_end(m->deceased_on) < last)) {
		last = policy_month_end(m->deceased_on);
		snprintf(why, len, "deceased on %s", ymd_format(m->deceased_on, day));
	}
	return last;
}

bool dibao_benefit_as_of(const struct person *m, const struct benefit *b, ymd_t d,
			 struct benefit *out)
{
	char why[sizeof(b->reason)] = "", day[YMD_BUFLEN];
	ymd_t last = last_day(m, b, why, sizeof(why));

	if (b->since != YMD_NONE && d < b->since)
		return false;
	*out = *b;
	out->until = last;
	out->active = last == YMD_NONE || d <= last;
	if (!out->active)
		snprintf(out->reason, sizeof(out->reason), "%s", why);
	else if (!b->active)
		snprintf(out->reason, sizeof(out->reason), "active through %s, then ended: %s",
			 ymd_format(last, day), why);
	return true;
}

fen_t dibao_due(const struct params *ps, const struct person *m, const struct benefit *b,
		ymd_t first, char *why, size_t len)
{
	const struct enrollment *e = rules_enrollment_on(m, b->scheme, b->since);
	const struct policy_ctx ctx = {.params = ps};
	struct household past;
	struct dibao_calc c;

	if (e == NULL) {
		snprintf(why, len, "no enrollment");
		return 0;
	}
	dibao_calc(&ctx, m, household_on(m->hh, first, &past), b->scheme, e, first, true, &c);
	snprintf(why, len, "%s", c.t.result);
	return c.eligible ? c.b.monthly : 0;
}
