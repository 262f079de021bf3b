#include "record.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pbjson.h"
#include "state.pb-c.h"

/* One key for the life of the process: a pseudonym that changed while assistd
 * runs would split a person in two for every consumer. */
static uint8_t subject_key[SUBJECT_KEY_BYTES];
static bool have_subject_key;

void record_set_subject_key(const uint8_t key[SUBJECT_KEY_BYTES])
{
	have_subject_key = key != NULL;
	if (key != NULL)
		memcpy(subject_key, key, SUBJECT_KEY_BYTES);
	else
		memset(subject_key, 0, SUBJECT_KEY_BYTES);
}

const char *record_subject_key(const char *id, char out[SUBJECT_HEX_LEN + 1])
{
	return have_subject_key ? subject_of(subject_key, id, out) : NULL;
}

int64_t record_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *record_time(int64_t ms, char *buf, size_t len)
{
	time_t s = (time_t)(ms / 1000);
	int frac = (int)(ms % 1000);
	struct tm tm;

	/* Floored, so that a time before 1970 keeps its milliseconds positive. */
	if (frac < 0) {
		s--;
		frac += 1000;
	}
	gmtime_r(&s, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
	return buf;
}

static char *adate(struct arena *a, ymd_t d)
{
	char buf[YMD_BUFLEN];

	return arena_strdup(a, ymd_format(d, buf));
}

/* A pointer array of n messages of the given size, each initialized. */
static void **alloc_messages(struct arena *a, size_t n, size_t size,
			     const ProtobufCMessageDescriptor *desc)
{
	void **arr = arena_alloc(a, (n ? n : 1) * sizeof(void *));

	if (arr == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		arr[i] = arena_alloc(a, size);
		if (arr[i] == NULL)
			return NULL;
		protobuf_c_message_init(desc, arr[i]);
	}
	return arr;
}

int record_default_year(const struct person *p)
{
	return p->latest_date != YMD_NONE ? ymd_year(p->latest_date) : ymd_year(ymd_today());
}

static bool build_lists(struct arena *a, const struct person *p, Assist__RecipientRecord *r)
{
	r->benefits = (Assist__Benefit **)alloc_messages(a, p->n_benefits, sizeof(Assist__Benefit),
							 &assist__benefit__descriptor);
	r->entitlements = (Assist__Entitlement **)alloc_messages(
		a, p->n_entitlements, sizeof(Assist__Entitlement), &assist__entitlement__descriptor);
	r->ledger = (Assist__LedgerEntry **)alloc_messages(a, p->n_ledger, sizeof(Assist__LedgerEntry),
							   &assist__ledger_entry__descriptor);
	r->alerts = (Assist__Alert **)alloc_messages(a, p->n_alerts, sizeof(Assist__Alert),
						     &assist__alert__descriptor);
	if (!r->benefits || !r->entitlements || !r->ledger || !r->alerts)
		return false;
	r->n_benefits = p->n_benefits;
	for (size_t i = 0; i < p->n_benefits; i++) {
		const struct benefit *b = &p->benefits[i];
		Assist__Benefit *o = r->benefits[i];
		o->scheme = b->scheme;
		o->class_ = (char *)b->class_;
		o->monthly_fen = b->monthly;
		o->status = b->active ? ASSIST__BENEFIT_STATUS__BENEFIT_STATUS_ACTIVE
				      : ASSIST__BENEFIT_STATUS__BENEFIT_STATUS_ENDED;
		o->since = adate(a, b->since);
		o->until = adate(a, b->until);
		o->reason = (char *)b->reason;
	}
	r->n_entitlements = p->n_entitlements;
	for (size_t i = 0; i < p->n_entitlements; i++) {
		r->entitlements[i]->scheme = p->entitlements[i].scheme;
		r->entitlements[i]->eligible = p->entitlements[i].eligible;
		r->entitlements[i]->reason = (char *)p->entitlements[i].reason;
	}
	r->n_ledger = p->n_ledger;
	for (size_t i = 0; i < p->n_ledger; i++) {
		const struct ledger_entry *l = &p->ledger[i];
		Assist__LedgerEntry *o = r->ledger[i];
		o->ref = (char *)l->ref;
		o->scheme = l->scheme;
		o->date = adate(a, l->date);
		o->requested_fen = l->requested;
		o->amount_fen = l->amount;
		o->clipped = l->clipped;
		o->reason = (char *)l->reason;
	}
	r->n_alerts = p->n_alerts;
	for (size_t i = 0; i < p->n_alerts; i++) {
		r->alerts[i]->code = (char *)p->alerts[i].code;
		r->alerts[i]->scheme = p->alerts[i].scheme;
		r->alerts[i]->ref = (char *)p->alerts[i].ref;
		r->alerts[i]->message = (char *)p->alerts[i].message;
	}
	return true;
}

/* The fields every form shares (stored state and published record). */
static Assist__RecipientRecord *build_base(struct arena *a, const struct person *p, bool full_id)
{
	Assist__RecipientRecord *r = arena_alloc(a, sizeof(*r));
	Assist__Place *place = arena_alloc(a, sizeof(*place));
	Assist__Category *cats = arena_alloc(a, STATE_CATEGORY_MAX * sizeof(*cats));
	char masked[IDNUM_BUFLEN], when[40];

	if (r == NULL || place == NULL || cats == NULL)
		return NULL;
	assist__recipient_record__init(r);
	assist__place__init(place);
	r->id_number = full_id ? (char *)p->id : arena_strdup(a, idnum_mask(p->id, masked));
	r->name = (char *)p->name;
	r->household_id = (char *)p->household_id;
	r->hukou = p->hukou;
	r->area = p->area;
	place->district = (char *)p->place.district;
	place->town = (char *)p->place.town;
	place->community = (char *)p->place.community;
	r->place = place;
	r->deceased_on = adate(a, p->deceased_on);
	for (int c = 1; c < STATE_CATEGORY_MAX; c++) {
		if (p->cat[c].active)
			cats[r->n_categories++] = c;
	}
	r->categories = cats;
	r->version = p->version;
	r->feed_seq = p->feed_seq;
	r->updated_at = arena_strdup(a, record_time(p->updated_at_ms, when, sizeof(when)));
	if (r->id_number == NULL || r->deceased_on == NULL || r->updated_at == NULL ||
	    !build_lists(a, p, r))
		return NULL;
	return r;
}

/* Each counter into the Ytd field the scheme table names for it. */
static void fill_ytd(Assist__Ytd *o, const struct ytd *y)
{
	for (int c = 0; c < scheme_ytd_count(); c++)
		*scheme_ytd_slot(o, scheme_ytd_field(c)) = y->totals[c];
}

/* The reverse of fill_ytd. */
static void read_ytd(struct ytd *y, const Assist__Ytd *o)
{
	for (int c = 0; c < scheme_ytd_count(); c++)
		y->totals[c] = scheme_ytd_get(o, scheme_ytd_field(c));
}

Assist__RecipientRecord *record_build(struct arena *a, const struct person *p, int year,
				      const struct params *params, bool full_id)
{
	Assist__RecipientRecord *r = build_base(a, p, full_id);
	Assist__HouseholdSummary *hs = arena_alloc(a, sizeof(*hs));
	Assist__Ytd *ytd = arena_alloc(a, sizeof(*ytd));
	char subject[SUBJECT_HEX_LEN + 1];
	const struct ytd *y;

	if (r == NULL || hs == NULL || ytd == NULL)
		return NULL;
	if (record_subject_key(p->id, subject) != NULL &&
	    (r->subject_key = arena_strdup(a, subject)) == NULL)
		return NULL;
	assist__household_summary__init(hs);
	if (p->hh != NULL) {
		hs->members = household_size(p->hh);
		hs->monthly_income_fen = p->hh->monthly_income;
		hs->housing_area_m2 = p->hh->housing_area_m2;
	}
	r->household = hs;
	r->year = year ? year : record_default_year(p);
	assist__ytd__init(ytd);
	if ((y = person_ytd_find(p, r->year)) != NULL)
		fill_ytd(ytd, y);
	policy_caps(params, p, r->year, ytd);
	r->ytd = ytd;
	return r;
}

static uint8_t *pack(const ProtobufCMessage *m, size_t *len)
{
	uint8_t *buf;

	*len = protobuf_c_message_get_packed_size(m);
	buf = malloc(*len ? *len : 1);
	if (buf != NULL)
		protobuf_c_message_pack(m, buf);
	return buf;
}

uint8_t *record_pack_person(const struct person *p, size_t *len)
{
	struct arena a = {0};
	Assist__PersonState st = ASSIST__PERSON_STATE__INIT;
	uint8_t *out = NULL;
	size_t n_cats = 0;

	st.record = build_base(&a, p, true);
	st.years = (Assist__YtdYear **)alloc_messages(&a, p->n_years, sizeof(Assist__YtdYear),
						      &assist__ytd_year__descriptor);
	st.statuses = (Assist__CategoryState **)alloc_messages(
		&a, STATE_CATEGORY_MAX, sizeof(Assist__CategoryState),
		&assist__category_state__descriptor);
	st.enrollments = (Assist__EnrollmentState **)alloc_messages(
		&a, p->n_enrollments, sizeof(Assist__EnrollmentState),
		&assist__enrollment_state__descriptor);
	if (st.record == NULL || st.years == NULL || st.statuses == NULL || st.enrollments == NULL)
		goto cleanup;
	st.n_years = p->n_years;
	for (size_t i = 0; i < p->n_years; i++) {
		Assist__Ytd *y = arena_alloc(&a, sizeof(*y));
		if (y == NULL)
			goto cleanup;
		assist__ytd__init(y);
		fill_ytd(y, &p->years[i]);
		st.years[i]->year = p->years[i].year;
		st.years[i]->ytd = y;
	}
	for (int c = 1; c < STATE_CATEGORY_MAX; c++) {
		const struct category_state *cs = &p->cat[c];
		Assist__CategoryState *o;
		if (!cs->active && cs->since == YMD_NONE && cs->class_[0] == '\0')
			continue;
		o = st.statuses[n_cats++];
		o->category = c;
		o->active = cs->active;
		o->since = adate(&a, cs->since);
		o->class_ = (char *)cs->class_;
		o->months = cs->months;
	}
	st.n_statuses = n_cats;
	st.n_enrollments = p->n_enrollments;
	for (size_t i = 0; i < p->n_enrollments; i++) {
		const struct enrollment *e = &p->enrollments[i];
		Assist__EnrollmentState *o = st.enrollments[i];
		Assist__Position *pos = arena_alloc(&a, sizeof(*pos));
		if (pos == NULL)
			goto cleanup;
		assist__position__init(pos);
		pos->major = e->major;
		pos->minor = e->minor;
		o->scheme = e->scheme;
		o->class_ = (char *)e->class_;
		o->has_amount = e->has_amount;
		o->amount_fen = e->amount;
		o->start_date = adate(&a, e->start);
		o->end_date = adate(&a, e->end);
		o->granted = e->granted;
		o->source = (char *)e->source;
		o->position = pos;
	}
	st.once_keys = p->once_keys;
	st.n_once_keys = p->n_once_keys;
	st.claim_keys = p->claim_keys;
	st.n_claim_keys = p->n_claim_keys;
	st.latest_date = p->latest_date;
	st.updated_at_ms = p->updated_at_ms;
	out = pack(&st.base, len);
cleanup:
	arena_free(&a);
	return out;
}

static ymd_t pdate(const char *s)
{
	ymd_t d = YMD_NONE;

	if (s != NULL && *s != '\0' && ymd_parse(s, &d) < 0)
		d = YMD_NONE;
	return d;
}

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static bool unpack_lists(struct person *p, const Assist__RecipientRecord *r)
{
	for (size_t i = 0; i < r->n_benefits; i++) {
		const Assist__Benefit *o = r->benefits[i];
		struct benefit *b = vec_grow((void **)&p->benefits, &p->n_benefits,
					       &p->cap_benefits, sizeof(*b));
		if (b == NULL)
			return false;
		b->scheme = o->scheme;
		copy_str(b->class_, sizeof(b->class_), o->class_);
		b->monthly = o->monthly_fen;
		b->active = o->status == ASSIST__BENEFIT_STATUS__BENEFIT_STATUS_ACTIVE;
		b->since = pdate(o->since);
		b->until = pdate(o->until);
		copy_str(b->reason, sizeof(b->reason), o->reason);
	}
	for (size_t i = 0; i < r->n_entitlements; i++) {
		struct entitlement *e = vec_grow((void **)&p->entitlements, &p->n_entitlements,
						   &p->cap_entitlements, sizeof(*e));
		if (e == NULL)
			return false;
		e->scheme = r->entitlements[i]->scheme;
		e->eligible = r->entitlements[i]->eligible;
		copy_str(e->reason, sizeof(e->reason), r->entitlements[i]->reason);
	}
	for (size_t i = 0; i < r->n_ledger; i++) {
		const Assist__LedgerEntry *o = r->ledger[i];
		struct ledger_entry *l = vec_grow((void **)&p->ledger, &p->n_ledger,
						    &p->cap_ledger, sizeof(*l));
		if (l == NULL)
			return false;
		copy_str(l->ref, sizeof(l->ref), o->ref);
		l->scheme = o->scheme;
		l->date = pdate(o->date);
		l->requested = o->requested_fen;
		l->amount = o->amount_fen;
		l->clipped = o->clipped;
		copy_str(l->reason, sizeof(l->reason), o->reason);
	}
	for (size_t i = 0; i < r->n_alerts; i++) {
		struct alert *al = vec_grow((void **)&p->alerts, &p->n_alerts, &p->cap_alerts,
					      sizeof(*al));
		if (al == NULL)
			return false;
		copy_str(al->code, sizeof(al->code), r->alerts[i]->code);
		al->scheme = r->alerts[i]->scheme;
		copy_str(al->ref, sizeof(al->ref), r->alerts[i]->ref);
		copy_str(al->message, sizeof(al->message), r->alerts[i]->message);
	}
	return true;
}

static bool unpack_state(struct person *p, const Assist__PersonState *st)
{
	const Assist__RecipientRecord *r = st->record;

	copy_str(p->name, sizeof(p->name), r->name);
	copy_str(p->household_id, sizeof(p->household_id), r->household_id);
	p->hukou = r->hukou;
	p->area = r->area;
	if (r->place != NULL) {
		copy_str(p->place.district, sizeof(p->place.district), r->place->district);
		copy_str(p->place.town, sizeof(p->place.town), r->place->town);
		copy_str(p->place.community, sizeof(p->place.community), r->place->community);
	}
	p->deceased_on = pdate(r->deceased_on);
	p->version = r->version;
	p->feed_seq = r->feed_seq;
	for (size_t i = 0; i < st->n_statuses; i++) {
		const Assist__CategoryState *o = st->statuses[i];
		if (o->category <= 0 || o->category >= STATE_CATEGORY_MAX)
			continue;
		p->cat[o->category].active = o->active;
		p->cat[o->category].since = pdate(o->since);
		copy_str(p->cat[o->category].class_, sizeof(p->cat[0].class_), o->class_);
		p->cat[o->category].months = o->months;
	}
	for (size_t i = 0; i < st->n_enrollments; i++) {
		const Assist__EnrollmentState *o = st->enrollments[i];
		struct enrollment *e = vec_grow((void **)&p->enrollments, &p->n_enrollments,
						  &p->cap_enrollments, sizeof(*e));
		if (e == NULL)
			return false;
		e->scheme = o->scheme;
		copy_str(e->class_, sizeof(e->class_), o->class_);
		e->has_amount = o->has_amount;
		e->amount = o->amount_fen;
		e->start = pdate(o->start_date);
		e->end = pdate(o->end_date);
		e->granted = o->granted;
		copy_str(e->source, sizeof(e->source), o->source);
		if (o->position != NULL) {
			e->major = o->position->major;
			e->minor = o->position->minor;
		}
	}
	for (size_t i = 0; i < st->n_years; i++) {
		struct ytd *y = person_ytd(p, st->years[i]->year);
		const Assist__Ytd *o = st->years[i]->ytd;
		if (y == NULL)
			return false;
		if (o == NULL)
			continue;
		read_ytd(y, o);
	}
	for (size_t i = 0; i < st->n_once_keys; i++) {
		if (person_add_once_key(p, st->once_keys[i]) < 0)
			return false;
	}
	for (size_t i = 0; i < st->n_claim_keys; i++) {
		if (person_add_claim_key(p, st->claim_keys[i]) < 0)
			return false;
	}
	p->latest_date = st->latest_date;
	p->updated_at_ms = st->updated_at_ms;
	return unpack_lists(p, r);
}

struct person *record_unpack_person(const uint8_t *data, size_t len)
{
	Assist__PersonState *st = assist__person_state__unpack(NULL, len, data);
	struct person *p = NULL;

	if (st == NULL || st->record == NULL || st->record->id_number == NULL)
		goto cleanup;
	p = person_new(st->record->id_number);
	if (p != NULL && !unpack_state(p, st)) {
		person_free(p);
		p = NULL;
	}
	if (p != NULL)
		p->stored = true;
cleanup:
	if (st != NULL)
		assist__person_state__free_unpacked(st, NULL);
	return p;
}

uint8_t *record_pack_household(const struct household *hh, size_t *len)
{
	Assist__HouseholdState st = ASSIST__HOUSEHOLD_STATE__INIT;

	st.household_id = (char *)hh->id;
	st.has_members = hh->has_members;
	st.members = hh->members;
	st.has_income = hh->has_income;
	st.monthly_income_fen = hh->monthly_income;
	st.has_area = hh->has_area;
	st.housing_area_m2 = hh->housing_area_m2;
	st.area = hh->area;
	return pack(&st.base, len);
}

struct household *record_unpack_household(const uint8_t *data, size_t len)
{
	Assist__HouseholdState *st = assist__household_state__unpack(NULL, len, data);
	struct household *hh = NULL;

	if (st == NULL)
		return NULL;
	hh = household_new(st->household_id);
	if (hh != NULL) {
		hh->has_members = st->has_members;
		hh->members = st->members;
		hh->has_income = st->has_income;
		hh->monthly_income = st->monthly_income_fen;
		hh->has_area = st->has_area;
		hh->housing_area_m2 = st->housing_area_m2;
		hh->area = st->area;
		hh->stored = true;
	}
	assist__household_state__free_unpacked(st, NULL);
	return hh;
}

char *record_explanation_json(const struct decision *d, const char *subject, const char *source,
			      uint64_t major, uint64_t minor)
{
	struct arena a = {0};
	Assist__Explanation ex = ASSIST__EXPLANATION__INIT;
	Assist__Position pos = ASSIST__POSITION__INIT;
	Assist__Position *posp = &pos;
	const struct trace *t = &d->trace;
	char *text = NULL;
	json_t *j;

	ex.subject = (char *)subject;
	ex.rule = (char *)(t->rule ? t->rule : "");
	ex.result = (char *)t->result;
	ex.source = (char *)source;
	pos.major = major;
	pos.minor = minor;
	ex.sources = &posp;
	ex.n_sources = 1;
	if (d->type == DEC_LEDGER) {
		ex.scheme = d->u.ledger.scheme;
		ex.ref = (char *)d->u.ledger.ref;
	} else if (d->type == DEC_BENEFIT) {
		ex.scheme = d->u.benefit.scheme;
	}
	ex.params = (Assist__TraceParam **)alloc_messages(&a, (size_t)t->n_params,
							  sizeof(Assist__TraceParam),
							  &assist__trace_param__descriptor);
	ex.inputs = (Assist__TraceInput **)alloc_messages(&a, (size_t)t->n_inputs,
							  sizeof(Assist__TraceInput),
							  &assist__trace_input__descriptor);
	if (ex.params == NULL || ex.inputs == NULL)
		goto cleanup;
	ex.n_params = (size_t)t->n_params;
	for (int i = 0; i < t->n_params; i++) {
		Assist__TraceParam *o = ex.params[i];
		o->name = (char *)t->params[i].name;
		o->value = t->params[i].value;
		o->unit = (char *)(t->params[i].unit ? t->params[i].unit : "");
		o->effective = adate(&a, t->params[i].effective);
		o->clause = (char *)(t->params[i].clause ? t->params[i].clause : "");
	}
	ex.n_inputs = (size_t)t->n_inputs;
	for (int i = 0; i < t->n_inputs; i++) {
		ex.inputs[i]->name = (char *)t->inputs[i].name;
		ex.inputs[i]->value = (char *)t->inputs[i].value;
	}
	j = pbjson_encode(&ex.base, 0);
	if (j != NULL) {
		text = json_dumps(j, JSON_COMPACT);
		json_decref(j);
	}
cleanup:
	arena_free(&a);
	return text;
}
