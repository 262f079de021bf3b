/* The world (daemon/world.c) as apply_event changes it: households a person
 * moves between, the change lists, claims applied twice, and a payment
 * run's payees in parts. The rules run
 * on the shipped parameters (config/policy). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policytest.h"
#include "worldtest.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define ID_1 "420704198001010015"
#define ID_2 "420704198002020020"
#define ID_3 "420704198003030036"

static struct params *params;

static int load_params(void **state)
{
	return policytest_params(NULL, &params);
}

static int free_params(void **state)
{
	params_free(params);
	return 0;
}

static int setup(void **state)
{
	static struct worldtest f;

	worldtest_init(&f, params, "civil");
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	worldtest_free(*state);
	return 0;
}

static int move_to(struct worldtest *f, const char *id, const char *household)
{
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__PersonChange pc = ASSIST__PERSON_CHANGE__INIT;
	char idbuf[IDNUM_BUFLEN];
	struct verdict reject;

	snprintf(idbuf, sizeof(idbuf), "%s", id);
	pc.id_number = idbuf;
	pc.household_id = (char *)household;
	ev.kind = ASSIST__KIND__KIND_PERSON;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_PERSON;
	ev.person = &pc;
	return worldtest_apply(f, &ev, &reject);
}

static int household_event(struct worldtest *f, const char *id, int32_t members)
{
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__HouseholdChange hc = ASSIST__HOUSEHOLD_CHANGE__INIT;
	struct verdict reject;

	hc.household_id = (char *)id;
	hc.members = members;
	ev.kind = ASSIST__KIND__KIND_HOUSEHOLD;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_HOUSEHOLD;
	ev.household = &hc;
	return worldtest_apply(f, &ev, &reject);
}

static struct person *person(struct worldtest *f, const char *id)
{
	struct person *p = strmap_get(&f->w.persons, id);

	assert_non_null(p);
	return p;
}

static struct household *household(struct worldtest *f, const char *id)
{
	struct household *hh = strmap_get(&f->w.households, id);

	assert_non_null(hh);
	return hh;
}

static bool changed_person(const struct world *w, const struct person *p)
{
	for (size_t i = 0; i < w->n_changed_p; i++) {
		if (w->changed_p[i] == p)
			return true;
	}
	return false;
}

static bool changed_household(const struct world *w, const struct household *hh)
{
	for (size_t i = 0; i < w->n_changed_h; i++) {
		if (w->changed_h[i] == hh)
			return true;
	}
	return false;
}

/* The rules ran for p: its entitlements were recomputed. */
static bool refreshed(const struct decisions *out, const struct person *p)
{
	for (size_t i = 0; i < out->n; i++) {
		if (out->items[i].person == p && out->items[i].type == DEC_ENTITLEMENTS)
			return true;
	}
	return false;
}

static void assert_members(const struct household *hh, const struct person *const *want,
			   size_t n)
{
	assert_int_equal(hh->n_m, n);
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(hh->m[i], want[i]);
}

static void test_move(void **state)
{
	struct worldtest *f = *state;
	struct person *p1, *p2, *p3;
	struct household *a, *b;

	assert_int_equal(move_to(f, ID_1, "HH-A"), 0);
	assert_int_equal(move_to(f, ID_2, "HH-A"), 0);
	assert_int_equal(move_to(f, ID_3, "HH-B"), 0);
	p1 = person(f, ID_1), p2 = person(f, ID_2), p3 = person(f, ID_3);
	a = household(f, "HH-A"), b = household(f, "HH-B");
	assert_members(a, (const struct person *[]){p1, p2}, 2);
	assert_members(b, (const struct person *[]){p3}, 1);
	assert_int_equal(f->w.created, 3);
	assert_int_equal(f->w.n_changed_p, 3);
	assert_int_equal(f->w.n_changed_h, 2);
	world_take_changes(&f->w);

	/* p1 moves from A to B. */
	assert_int_equal(move_to(f, ID_1, "HH-B"), 0);
	assert_string_equal(p1->household_id, "HH-B");
	assert_ptr_equal(p1->hh, b);
	assert_members(a, (const struct person *[]){p2}, 1);
	assert_members(b, (const struct person *[]){p3, p1}, 2);
	/* The household left is refreshed through its remaining member, the one
	 * joined through every member. */
	assert_true(refreshed(&f->out, p2));
	assert_true(refreshed(&f->out, p1));
	assert_true(refreshed(&f->out, p3));
	/* Every member's record shows the household's size: the member left in
	 * A and the one already in B change with the mover. Membership is no
	 * part of a household's stored state: neither household is queued. */
	assert_true(changed_person(&f->w, p1));
	assert_true(changed_person(&f->w, p2));
	assert_true(changed_person(&f->w, p3));
	assert_int_equal(f->w.n_changed_p, 3);
	assert_false(a->dirty);
	assert_false(changed_household(&f->w, a));
	assert_false(changed_household(&f->w, b));
	assert_int_equal(f->w.created, 3);

	/* The same household again changes no membership. */
	world_take_changes(&f->w);
	assert_int_equal(move_to(f, ID_1, "HH-B"), 0);
	assert_members(a, (const struct person *[]){p2}, 1);
	assert_members(b, (const struct person *[]){p3, p1}, 2);
	/* The last member leaving empties A. */
	assert_int_equal(move_to(f, ID_2, "HH-B"), 0);
	assert_members(a, NULL, 0);
	assert_members(b, (const struct person *[]){p3, p1, p2}, 3);
	assert_true(changed_person(&f->w, p2));
	world_take_changes(&f->w);
	assert_false(p2->dirty);
	assert_false(p2->queued);
	/* An event naming A queues it. */
	assert_false(a->dirty);
	assert_int_equal(household_event(f, "HH-A", 2), 0);
	assert_true(changed_household(&f->w, a));
	assert_int_equal(a->members, 2);
	world_take_changes(&f->w);
	assert_false(a->dirty);
	assert_false(a->queued);
}

struct claim {
	Assist__Event ev;
	Assist__MedicalClaim mc;
	Assist__HousingAid ha;
	char id[IDNUM_BUFLEN];
};

static Assist__Event *medical(struct claim *c, const char *claim_id, int64_t total)
{
	*c = (struct claim){.ev = ASSIST__EVENT__INIT, .mc = ASSIST__MEDICAL_CLAIM__INIT};
	snprintf(c->id, sizeof(c->id), "%s", ID_1);
	c->mc.claim_id = (char *)claim_id;
	c->mc.id_number = c->id;
	c->mc.date = "2009-03-14";
	c->mc.setting = ASSIST__SETTING__SETTING_OUTPATIENT;
	c->mc.disease = ASSIST__DISEASE__DISEASE_COMMON;
	c->mc.insurer = ASSIST__INSURER__INSURER_NCMS;
	c->mc.total_fen = total;
	c->ev.kind = ASSIST__KIND__KIND_MEDICAL_CLAIM;
	c->ev.payload_case = ASSIST__EVENT__PAYLOAD_MEDICAL_CLAIM;
	c->ev.medical_claim = &c->mc;
	return &c->ev;
}

static Assist__Event *housing(struct claim *c, const char *claim_id, int64_t amount)
{
	*c = (struct claim){.ev = ASSIST__EVENT__INIT, .ha = ASSIST__HOUSING_AID__INIT};
	c->ha.claim_id = (char *)claim_id;
	c->ha.household_id = "HH-A";
	c->ha.scheme = ASSIST__SCHEME__SCHEME_RURAL_REPAIR;
	c->ha.date = "2009-03-14";
	c->ha.amount_fen = amount;
	c->ev.kind = ASSIST__KIND__KIND_HOUSING_AID;
	c->ev.payload_case = ASSIST__EVENT__PAYLOAD_HOUSING_AID;
	c->ev.housing_aid = &c->ha;
	return &c->ev;
}

struct dup_case {
	const char *what;
	Assist__Event *(*make)(struct claim *c, const char *claim_id, int64_t fen);
	const char *field;
	const char *key; /* what the person remembers */
};

/* A claim sent again unchanged is acknowledged with no effect; another claim
 * under the same id is a duplicate_claim; both leave the change lists as the
 * first left them, which world_take_changes() clears. */
static void test_duplicate_claims(void **state)
{
	static const struct dup_case cases[] = {
		{"medical_claim", medical, "medical_claim.claim_id", "civil/C-1"},
		{"housing_aid", housing, "housing_aid.claim_id", "housing/civil/C-1"},
	};

	for (size_t i = 0; i < N(cases); i++) {
		const struct dup_case *c = &cases[i];
		struct worldtest *f = *state;
		struct claim cl;
		struct verdict reject;
		struct person *p;
		size_t n_keys, n_ledger;

		print_message("%s\n", c->what);
		teardown(state);
		setup(state);
		assert_int_equal(move_to(f, ID_1, "HH-A"), 0);
		p = person(f, ID_1);
		world_take_changes(&f->w);
		assert_false(p->dirty);

		assert_int_equal(worldtest_apply(f, c->make(&cl, "C-1", 100000), &reject), 0);
		assert_true(f->out.n > 0);
		assert_true(person_has_claim_key(p, c->key));
		n_keys = p->n_claim_keys;
		n_ledger = p->n_ledger + p->n_alerts;
		assert_true(changed_person(&f->w, p));

		/* The same claim again. */
		assert_int_equal(worldtest_apply(f, c->make(&cl, "C-1", 100000), &reject), 0);
		assert_int_equal(f->out.n, 0);
		assert_int_equal(p->n_claim_keys, n_keys);
		assert_int_equal(p->n_ledger + p->n_alerts, n_ledger);

		/* Another claim under its id. */
		memset(&reject, 0, sizeof(reject));
		assert_int_equal(worldtest_apply(f, c->make(&cl, "C-1", 200000), &reject), -EINVAL);
		assert_string_equal(reject.field, c->field);
		assert_string_equal(reject.reason,
				    "duplicate_claim: claim C-1 was already applied from civil");
		assert_int_equal(f->out.n, 0);
		assert_int_equal(p->n_claim_keys, n_keys);
		assert_int_equal(p->n_ledger + p->n_alerts, n_ledger);

		/* A new id is a new claim. */
		assert_int_equal(worldtest_apply(f, c->make(&cl, "C-2", 200000), &reject), 0);
		assert_true(f->out.n > 0);
		assert_true(p->n_claim_keys > n_keys);

		assert_true(f->w.n_changed_p > 0);
		world_take_changes(&f->w);
		assert_int_equal(f->w.n_changed_p, 0);
		assert_int_equal(f->w.n_changed_h, 0);
		assert_false(p->dirty);
		assert_false(p->queued);
		assert_false(household(f, "HH-A")->dirty);
		assert_false(household(f, "HH-A")->queued);
	}
}

static int rural_dibao(struct worldtest *f, const char *id, const char *household)
{
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__PersonChange pc = ASSIST__PERSON_CHANGE__INIT;
	Assist__Enrollment en = ASSIST__ENROLLMENT__INIT;
	char idbuf[IDNUM_BUFLEN];
	struct verdict reject;
	int rc;

	snprintf(idbuf, sizeof(idbuf), "%s", id);
	pc.id_number = idbuf;
	pc.household_id = (char *)household;
	pc.hukou = ASSIST__HUKOU__HUKOU_RURAL;
	pc.area = ASSIST__AREA__AREA_DISTRICT;
	ev.kind = ASSIST__KIND__KIND_PERSON;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_PERSON;
	ev.person = &pc;
	if ((rc = worldtest_apply(f, &ev, &reject)) < 0)
		return rc;
	en.id_number = idbuf;
	en.scheme = ASSIST__SCHEME__SCHEME_RURAL_DIBAO;
	en.class_ = "II";
	en.amount_fen = 5000;
	en.start_date = "2008-01-01";
	ev = (Assist__Event)ASSIST__EVENT__INIT;
	ev.kind = ASSIST__KIND__KIND_ENROLLMENT;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_ENROLLMENT;
	ev.enrollment = &en;
	return worldtest_apply(f, &ev, &reject);
}

static int payment_run(struct worldtest *f, const char *month)
{
	Assist__Event ev = ASSIST__EVENT__INIT;
	Assist__PaymentRun run = ASSIST__PAYMENT_RUN__INIT;
	struct verdict reject;

	run.month = (char *)month;
	ev.kind = ASSIST__KIND__KIND_PAYMENT_RUN;
	ev.payload_case = ASSIST__EVENT__PAYLOAD_PAYMENT_RUN;
	ev.payment_run = &run;
	return worldtest_apply(f, &ev, &reject);
}

/* A payment run pays everyone in memory who holds a periodic benefit, in ID
 * order, and queues them; run again, it books nothing. */
static void test_payment_run(void **state)
{
	struct worldtest *f = *state;
	struct person **payees;
	size_t n;

	assert_int_equal(move_to(f, ID_1, "HH-A"), 0);
	assert_int_equal(rural_dibao(f, ID_3, "HH-R"), 0);
	assert_int_equal(rural_dibao(f, ID_2, "HH-R"), 0);
	assert_int_equal(world_payees(&f->w, 0, 1, &payees, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(payees[0]->id, ID_2);
	assert_string_equal(payees[1]->id, ID_3);
	free(payees);
	world_take_changes(&f->w);

	assert_int_equal(payment_run(f, "2008-03"), 0);
	assert_int_equal(f->out.n, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct decision *d = &f->out.items[i];

		assert_int_equal(d->type, DEC_LEDGER);
		assert_string_equal(d->person->id, i == 0 ? ID_2 : ID_3);
		assert_string_equal(d->u.ledger.ref, "pay/rural_dibao/2008-03");
		assert_int_equal(d->u.ledger.amount, 5000);
		assert_true(changed_person(&f->w, d->person));
	}
	assert_false(changed_person(&f->w, person(f, ID_1)));
	world_take_changes(&f->w);
	assert_int_equal(payment_run(f, "2008-03"), 0);
	assert_int_equal(f->out.n, 0);
	assert_int_equal(f->w.n_changed_p, 0);
}

/* A run in parts: part k of n holds exactly the payees world_bucket_of puts
 * there, the parts together hold them all, and which parts' payees were
 * loaded is kept until the world is cleared. */
static void test_payees_in_parts(void **state)
{
	struct worldtest *f = *state;
	const char *ids[] = {ID_1, ID_2, ID_3};
	const uint32_t parts[] = {2, 3, 7, 65521};
	struct person **all, **some;
	size_t n_all, n;

	for (size_t i = 0; i < N(ids); i++)
		assert_int_equal(rural_dibao(f, ids[i], "HH-R"), 0);
	assert_int_equal(world_payees(&f->w, 0, 1, &all, &n_all), 0);
	assert_int_equal(n_all, N(ids));
	for (size_t i = 0; i < N(parts); i++) {
		size_t seen = 0;

		for (uint32_t k = 0; k < parts[i] && seen < n_all; k++) {
			assert_int_equal(world_payees(&f->w, k, parts[i], &some, &n), 0);
			for (size_t j = 0; j < n; j++)
				assert_int_equal(world_bucket_of(some[j]->id, parts[i]), k);
			seen += n;
			free(some);
		}
		assert_int_equal(seen, n_all);
	}
	free(all);

	assert_false(world_payees_in_memory(&f->w, 1, 3));
	world_payees_loaded(&f->w, 1, 3);
	assert_true(world_payees_in_memory(&f->w, 1, 3));
	assert_false(world_payees_in_memory(&f->w, 0, 3));
	assert_false(world_payees_in_memory(&f->w, 0, 1));
	world_payees_loaded(&f->w, 0, 3);
	world_payees_loaded(&f->w, 2, 3);
	assert_true(world_payees_in_memory(&f->w, 0, 1));
	assert_true(world_payees_in_memory(&f->w, 5, 7));
	world_clear(&f->w);
	assert_false(world_payees_in_memory(&f->w, 1, 3));
	assert_int_equal(world_payees(&f->w, 0, 1, &all, &n_all), 0);
	assert_int_equal(n_all, 0);
	free(all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_move, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_claims, setup, teardown),
		cmocka_unit_test_setup_teardown(test_payment_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_payees_in_parts, setup, teardown),
	};

	return cmocka_run_group_tests(tests, load_params, free_params);
}
