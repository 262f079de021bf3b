#include "application.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "apply.h"
#include "idnum.h"
#include "params.h"
#include "policy/appstep.h"
#include "scheme.h"
#include "statemap.h"
#include "utf8.h"
#include "vec.h"

static int fail(struct verdict *v, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct verdict *v, const char *field, const char *fmt, ...)
{
	va_list ap;

	memset(v->field, 0, sizeof(v->field));
	snprintf(v->field, sizeof(v->field), "application.%s", field);
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
	utf8_trim(v->reason);
	return -EINVAL;
}

/* Whether scheme s is applied for by a household (housing) rather than a person. */
static bool household_scheme(Assist__Scheme s)
{
	return scheme_family(s) == SCHEME_FAMILY_HOUSING;
}

static bool dibao_scheme(Assist__Scheme s)
{
	return scheme_family(s) == SCHEME_FAMILY_DIBAO;
}

/* Who applies: an ID number (normalized in place) for a personal scheme,
 * a household for a housing one. */
static int check_applicant(Assist__Application *a, struct verdict *v)
{
	char norm[IDNUM_BUFLEN];
	int rc;

	/* An overdue mark names whoever keeps the application (appdue.c). */
	if (household_scheme(a->scheme) && !a->overdue) {
		if (a->household_id[0] == '\0')
			return fail(v, "household_id", "is required for a housing scheme");
		if (a->id_number[0] != '\0')
			return fail(v, "id_number",
				    "is not sent for a housing scheme: the household applies");
		return 0;
	}
	if (a->household_id[0] != '\0')
		return fail(v, "household_id", "is sent only for a housing scheme");
	if (a->id_number[0] == '\0')
		return fail(v, "id_number", "is required");
	if ((rc = idnum_validate(a->id_number, norm, NULL)) != IDNUM_OK)
		return fail(v, "id_number", "%s", idnum_strerror(rc));
	memcpy(a->id_number, norm, IDNUM_LEN);
	return 0;
}

int application_check(ProtobufCMessage *m, struct verdict *v)
{
	Assist__Application *a = (Assist__Application *)m;
	enum scheme_family f = scheme_family(a->scheme);
	bool approval = a->step == ASSIST__APPLICATION_STEP__APPLICATION_STEP_CITY_APPROVED &&
			dibao_scheme(a->scheme);
	int rc;

	if (f != SCHEME_FAMILY_DIBAO && f != SCHEME_FAMILY_EDUCATION &&
	    f != SCHEME_FAMILY_TRAINING && f != SCHEME_FAMILY_HOUSING)
		return fail(v, "scheme", "is not applied for (dibao, education, training and "
					 "housing schemes are)");
	if ((rc = check_applicant(a, v)) < 0)
		return rc;
	if (a->step == ASSIST__APPLICATION_STEP__APPLICATION_STEP_REJECTED && a->note[0] == '\0')
		return fail(v, "note", "is required for rejected (the reason)");
	if (!approval && a->class_[0] != '\0')
		return fail(v, "class", "is sent only with city_approved of a dibao scheme");
	if (!approval && a->amount_fen != 0)
		return fail(v, "amount_fen", "is sent only with city_approved of a dibao scheme");
	if (!approval && a->start_date[0] != '\0')
		return fail(v, "start_date", "is sent only with city_approved of a dibao scheme");
	return 0;
}

const struct application *application_find(const struct person *p, const char *id)
{
	for (size_t i = 0; p != NULL && i < p->n_applications; i++) {
		if (strcmp(p->applications[i].id, id) == 0)
			return &p->applications[i];
	}
	return NULL;
}

/* Whom the application is kept by: the applicant, or every known member of
 * the household; *n of them in *out (borrowed from the world). A new
 * applicant is made only when create: an event refused leaves no one behind. */
static void applicants(struct world *w, const Assist__Application *a, bool create,
		       struct person ***out, size_t *n, struct person **one)
{
	struct household *hh;

	if (a->id_number[0] == '\0')
		*one = NULL;
	else if (create)
		*one = world_person(w, a->id_number);
	else
		*one = strmap_get(&w->persons, a->id_number);
	/* An overdue mark of a household's application names one member. */
	hh = !household_scheme(a->scheme) ? NULL
	     : *one != NULL		   ? (*one)->hh
					   : strmap_get(&w->households, a->household_id);
	*out = hh != NULL ? hh->m : one;
	*n = hh != NULL ? hh->n_m : *one != NULL;
}

/* Whether app already holds the step a carries, as sent (an adapter's
 * snapshot sends every step again): acknowledged with no effect. */
static bool already_taken(const struct application *app, const Assist__Application *a)
{
	ymd_t on;

	if (app == NULL || ymd_parse(a->on, &on) < 0)
		return false;
	for (size_t i = 0; i < app->n_steps; i++) {
		const struct application_step *s = &app->steps[i];

		if (s->step == a->step && s->on == on && strcmp(s->officer, a->officer) == 0 &&
		    strcmp(s->note, a->note) == 0)
			return true;
	}
	return false;
}

/* The enrollment a dibao approval makes, as the enrollment event of its
 * scheme would carry it: e and ev are filled, start holds the default date. */
static void approval_event(const Assist__Event *src, const Assist__Application *a,
			   Assist__Enrollment *e, Assist__Event *ev, char start[YMD_BUFLEN])
{
	ymd_t on = YMD_NONE;

	assist__enrollment__init(e);
	assist__event__init(ev);
	e->id_number = a->id_number;
	e->scheme = a->scheme;
	e->class_ = a->class_;
	e->amount_fen = a->amount_fen;
	if (a->start_date[0] != '\0') {
		e->start_date = a->start_date;
	} else {
		if (ymd_parse(a->on, &on) < 0)
			on = ymd_today(); /* validated before: cannot happen */
		e->start_date = ymd_format(appstep_default_start(on), start);
	}
	ev->source = src->source;
	ev->occurred_at = src->occurred_at;
	ev->kind = ASSIST__KIND__KIND_ENROLLMENT;
	ev->payload_case = ASSIST__EVENT__PAYLOAD_ENROLLMENT;
	ev->enrollment = e;
}

/* An overdue mark is assistd's own: a department cannot raise one. */
static int admit_overdue(const struct policy_ctx *ctx, struct verdict *reject)
{
	if (strcmp(ctx->source, APPLICATION_SOURCE) != 0)
		return fail(reject, "overdue", "is set by assistd only");
	return 0;
}

int application_admit(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		      struct verdict *reject)
{
	const Assist__Application *a = ev->application;
	const struct application *app;
	struct person **who, *one;
	Assist__Enrollment e;
	Assist__Event en;
	char start[YMD_BUFLEN];
	const char *why;
	size_t n;

	memset(reject, 0, sizeof(*reject));
	if (a->overdue)
		return admit_overdue(ctx, reject);
	applicants(w, a, false, &who, &n, &one);
	if (n == 0 && household_scheme(a->scheme))
		return fail(reject, "household_id", "names a household with no known members");
	app = n > 0 ? application_find(who[0], a->application_id) : NULL;
	if (already_taken(app, a))
		return 0;
	if (app != NULL && app->scheme != a->scheme)
		return fail(reject, "scheme", "is not the application's (%s)",
			    scheme_get(app->scheme) ? scheme_get(app->scheme)->name : "unknown");
	if (appstep_next(app ? app->state : ASSIST__APPLICATION_STEP__APPLICATION_STEP_UNSPECIFIED,
			 a->step, &why) < 0)
		return fail(reject, "step", "out_of_order_step: %s of application %s %s",
			    appstep_name(a->step), a->application_id, why);
	if (a->step != ASSIST__APPLICATION_STEP__APPLICATION_STEP_CITY_APPROVED ||
	    !dibao_scheme(a->scheme))
		return 0;
	/* The enrollment it makes is checked as an enrollment event would be. */
	approval_event(ev, a, &e, &en, start);
	return validate_event(&en, reject);
}

/* p's application called id, created empty when new; NULL when out of memory. */
static struct application *application_get(struct person *p, const Assist__Application *a)
{
	struct application *app = (struct application *)application_find(p, a->application_id);

	if (app != NULL)
		return app;
	app = vec_grow((void **)&p->applications, &p->n_applications, &p->cap_applications,
		       sizeof(*app));
	if (app == NULL)
		return NULL;
	snprintf(app->id, sizeof(app->id), "%s", a->application_id);
	snprintf(app->household_id, sizeof(app->household_id), "%s", a->household_id);
	app->scheme = a->scheme;
	return app;
}

/* The step a on p's application (admitted: it follows the latest one). */
static int record_step(struct person *p, const Assist__Application *a, ymd_t on)
{
	struct application *app = application_get(p, a);
	struct application_step *s;

	if (app == NULL)
		return -ENOMEM;
	if (app->n_steps >= STATE_APPLICATION_STEPS)
		return 0; /* admitted steps are at most five: cannot happen */
	s = &app->steps[app->n_steps++];
	s->step = a->step;
	s->on = on;
	snprintf(s->officer, sizeof(s->officer), "%s", a->officer);
	snprintf(s->note, sizeof(s->note), "%s", a->note);
	app->state = a->step;
	p->dirty = true;
	return 0;
}

/* Whether p holds the alert code with ref. */
static bool has_alert(const struct person *p, const char *code, const char *ref)
{
	for (size_t i = 0; i < p->n_alerts; i++) {
		if (strcmp(p->alerts[i].code, code) == 0 && strcmp(p->alerts[i].ref, ref) == 0)
			return true;
	}
	return false;
}

/* The ref of application_overdue for app's latest step: "<id>/<step>". */
static void overdue_ref(const struct application *app, char ref[STATE_CLAIM_ID_MAX + 1])
{
	snprintf(ref, STATE_CLAIM_ID_MAX + 1, "%s/%s", app->id, appstep_name(app->state));
}

bool application_raised(const struct person *p, const struct application *app)
{
	char ref[STATE_CLAIM_ID_MAX + 1];

	overdue_ref(app, ref);
	return has_alert(p, APPLICATION_OVERDUE, ref);
}

/* application_overdue on p for the step a names, once per step ("ref":
 * "<application>/<step>"), while that step is still the latest and has
 * waited longer than the limit in force today. */
static int raise_overdue(const struct policy_ctx *ctx, struct person *p,
			 const Assist__Application *a, struct decisions *out)
{
	const struct application *app = application_find(p, a->application_id);
	const struct application_step *last;
	struct param_value limit;
	struct decision *d;
	char ref[STATE_CLAIM_ID_MAX + 1], since[YMD_BUFLEN];
	ymd_t today = ymd_today();

	if (app == NULL || app->state != a->step || appstep_closed(app->state) ||
	    app->n_steps == 0)
		return 0;
	last = &app->steps[app->n_steps - 1];
	overdue_ref(app, ref);
	if (has_alert(p, APPLICATION_OVERDUE, ref) ||
	    params_get(ctx->params, APPSTEP_DAYS_PARAM, today, &limit) < 0 ||
	    !appstep_overdue(last->on, today, limit.value))
		return 0;
	if ((d = decisions_add(out, DEC_ALERT, p)) == NULL)
		return -ENOMEM;
	snprintf(d->u.alert.code, sizeof(d->u.alert.code), "%s", APPLICATION_OVERDUE);
	d->u.alert.scheme = app->scheme;
	snprintf(d->u.alert.ref, sizeof(d->u.alert.ref), "%s", ref);
	snprintf(d->u.alert.message, sizeof(d->u.alert.message),
		 "application %s: %s on %s has waited longer than %" PRId64 " days", app->id,
		 appstep_name(app->state), ymd_format(last->on, since), limit.value);
	decision_apply(d);
	return 0;
}

int application_apply(struct world *w, const struct policy_ctx *ctx, const Assist__Event *ev,
		      const struct verdict *v, struct person *p, struct decisions *out)
{
	const Assist__Application *a = ev->application;
	struct person **who, *one;
	struct verdict ve, reject;
	Assist__Enrollment e;
	Assist__Event en;
	char start[YMD_BUFLEN];
	size_t n;
	int rc = 0;

	applicants(w, a, !a->overdue, &who, &n, &one);
	if (n > 0 && !a->overdue && already_taken(application_find(who[0], a->application_id), a))
		return 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = a->overdue ? raise_overdue(ctx, who[i], a, out) : record_step(who[i], a, v->date);
	if (rc < 0 || a->overdue || !dibao_scheme(a->scheme) ||
	    a->step != ASSIST__APPLICATION_STEP__APPLICATION_STEP_CITY_APPROVED)
		return rc;
	/* The approval enrolls the applicant exactly as the scheme's enrollment
	 * event would: the same rules, benefit and payments follow. */
	approval_event(ev, a, &e, &en, start);
	if (validate_event(&en, &ve) < 0)
		return 0; /* admitted after the same check: cannot happen */
	rc = apply_event(w, ctx, &en, &ve, out, &reject);
	return rc == -EINVAL ? 0 : rc;
}

Assist__ApplicationTrail *application_trail(struct arena *a, const struct application *app)
{
	Assist__ApplicationTrail *t = arena_alloc(a, sizeof(*t));

	if (t == NULL)
		return NULL;
	assist__application_trail__init(t);
	if (pbmap_to_message(statemap_applications.item, app, &t->base, a) < 0 ||
	    pbmap_to_list(&statemap_application_steps, app->steps, app->n_steps, &t->base, a) < 0)
		return NULL;
	/* The level is the step's own, or for a rejection the refused step's. */
	for (size_t i = 0; i < t->n_steps; i++) {
		Assist__ApplicationStep before =
			i > 0 ? app->steps[i - 1].step
			      : ASSIST__APPLICATION_STEP__APPLICATION_STEP_UNSPECIFIED;
		t->steps[i]->level = (char *)appstep_level(app->steps[i].step, before);
	}
	return t;
}

int application_to_record(struct arena *a, const struct person *p, Assist__RecipientRecord *r)
{
	if (p->n_applications == 0)
		return 0;
	r->applications = arena_alloc(a, p->n_applications * sizeof(*r->applications));
	if (r->applications == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_applications; i++) {
		if ((r->applications[i] = application_trail(a, &p->applications[i])) == NULL)
			return -ENOMEM;
	}
	r->n_applications = p->n_applications;
	return 0;
}

int application_from_record(struct person *p, const Assist__RecipientRecord *r)
{
	size_t first = p->n_applications;
	int rc;

	if ((rc = pbmap_from_list(&statemap_applications, &r->base, (void **)&p->applications,
				  &p->n_applications, &p->cap_applications)) < 0)
		return rc;
	for (size_t i = first; i < p->n_applications; i++) {
		const Assist__ApplicationTrail *t = r->applications[i - first];
		struct application *app = &p->applications[i];

		for (size_t j = 0; j < t->n_steps && j < STATE_APPLICATION_STEPS; j++) {
			if ((rc = pbmap_from_message(&statemap_application_step, &t->steps[j]->base,
						     &app->steps[j])) < 0)
				return rc;
			app->n_steps++;
		}
	}
	return 0;
}
