/* The whole intake of one request, as assistd runs it: the bytes off the
 * ingest socket unpacked, each event of a batch validated, applied to a world
 * that already holds a few households and persons (loaded from their stored
 * form, as a batch's load does), the rules' decisions explained, and every
 * changed record built and packed as the batch's transaction writes it. What
 * the rules leave in memory must survive the store: a packed person or
 * household unpacks and packs to the same bytes. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "apply.h"
#include "arena.h"
#include "assist.pb-c.h"
#include "log.h"
#include "params.h"
#include "pbjson.h"
#include "policy/policy.h"
#include "record.h"
#include "stored.h"
#include "validate.h"

/* The state loaded before each input: examples/family.jsonl's households, a
 * rural and an urban one, with members enrolled in dibao and categories. */
static const char *const seed_events[] = {
	"{\"source\":\"civil_affairs\",\"seq\":1,\"kind\":\"household\",\"household\":"
	"{\"household_id\":\"H-001\",\"members\":3,\"monthly_income_fen\":30000,\"area\":\"city\"}}",
	"{\"source\":\"civil_affairs\",\"seq\":2,\"kind\":\"person\",\"person\":"
	"{\"id_number\":\"420704198001010015\",\"name\":\"Zhang Wei\",\"household_id\":\"H-001\","
	"\"hukou\":\"urban\",\"area\":\"city\",\"place\":{\"district\":\"Echeng\"}}}",
	"{\"source\":\"civil_affairs\",\"seq\":3,\"kind\":\"person\",\"person\":"
	"{\"id_number\":\"420704198202020025\",\"name\":\"Li Na\",\"household_id\":\"H-001\","
	"\"hukou\":\"urban\",\"area\":\"city\",\"categories\":[\"disabled\"]}}",
	"{\"source\":\"civil_affairs\",\"seq\":4,\"kind\":\"person\",\"person\":"
	"{\"id_number\":\"420704201003030030\",\"name\":\"Zhang Xiaoming\",\"household_id\":\"H-001\","
	"\"hukou\":\"urban\",\"area\":\"city\"}}",
	"{\"source\":\"civil_affairs\",\"seq\":5,\"kind\":\"enrollment\",\"enrollment\":"
	"{\"id_number\":\"420704198001010015\",\"scheme\":\"urban_dibao\",\"start_date\":\"2026-01-01\"}}",
	"{\"source\":\"civil_affairs\",\"seq\":6,\"kind\":\"enrollment\",\"enrollment\":"
	"{\"id_number\":\"420704198202020025\",\"scheme\":\"urban_dibao\",\"start_date\":\"2026-01-01\"}}",
	"{\"source\":\"civil_affairs\",\"seq\":7,\"kind\":\"household\",\"household\":"
	"{\"household_id\":\"R-001\",\"members\":2,\"monthly_income_fen\":20000,\"area\":\"district\","
	"\"housing_area_m2\":12.5}}",
	"{\"source\":\"civil_affairs\",\"seq\":8,\"kind\":\"person\",\"person\":"
	"{\"id_number\":\"42070219600101011X\",\"name\":\"Wang Fang\",\"household_id\":\"R-001\","
	"\"hukou\":\"rural\",\"area\":\"district\",\"place\":{\"district\":\"Liangzihu\"}}}",
	"{\"source\":\"civil_affairs\",\"seq\":9,\"kind\":\"enrollment\",\"enrollment\":"
	"{\"id_number\":\"42070219600101011X\",\"scheme\":\"rural_dibao\",\"class\":\"II\","
	"\"amount_fen\":6500,\"start_date\":\"2026-02-01\"}}",
	"{\"source\":\"civil_affairs\",\"seq\":10,\"kind\":\"person\",\"person\":"
	"{\"id_number\":\"420702201201010126\",\"name\":\"Wang Xiao\",\"household_id\":\"R-001\","
	"\"hukou\":\"rural\",\"area\":\"district\",\"categories\":[\"orphan\"]}}",
	"{\"source\":\"labor\",\"seq\":1,\"kind\":\"status\",\"status\":"
	"{\"id_number\":\"420704198001010015\",\"category\":\"registered_unemployed\","
	"\"since\":\"2025-01-01\"}}",
	"{\"source\":\"health\",\"seq\":1,\"kind\":\"medical_claim\",\"medical_claim\":"
	"{\"claim_id\":\"B-2026-0001\",\"id_number\":\"420704198001010015\",\"date\":\"2026-03-01\","
	"\"setting\":\"inpatient\",\"hospital\":\"huimin\",\"disease\":\"major\","
	"\"total_fen\":1000000,\"insurer\":\"huimin\"}}",
};

struct blob {
	uint8_t *data;
	size_t len;
};

static struct params *params;
static struct blob *seed_households, *seed_persons;
static size_t n_seed_households, n_seed_persons;

static void die(const char *what)
{
	fprintf(stderr, "fuzz_intake: %s\n", what);
	abort();
}

/* config/policy of the source tree: ASSIST_SOURCE_DIR (ctest sets it), else
 * found from this file's own path. */
static void load_params(void)
{
	const char *src = getenv("ASSIST_SOURCE_DIR");
	char dir[4096], err[512];
	const char *slash;

	if (src != NULL) {
		snprintf(dir, sizeof(dir), "%s/config/policy", src);
	} else {
		slash = strstr(__FILE__, "/tests/fuzz/");
		if (slash == NULL)
			die("set ASSIST_SOURCE_DIR to the source tree");
		snprintf(dir, sizeof(dir), "%.*s/config/policy", (int)(slash - __FILE__), __FILE__);
	}
	if (params_load_dir(dir, &params, err, sizeof(err)) < 0)
		die(err);
}

static void keep(struct blob **list, size_t *n, uint8_t *data, size_t len)
{
	struct blob *b = realloc(*list, (*n + 1) * sizeof(**list));

	if (b == NULL || data == NULL)
		die("out of memory");
	b[*n].data = data;
	b[*n].len = len;
	*list = b;
	(*n)++;
}

/* Apply the seed events once and keep the stored form of what they built. */
static void build_seed(void)
{
	struct world w = {0};
	struct decisions d = {0};
	struct verdict v, reject;
	char err[256];
	size_t len;

	for (size_t i = 0; i < sizeof(seed_events) / sizeof(seed_events[0]); i++) {
		json_t *j = json_loads(seed_events[i], 0, NULL);
		ProtobufCMessage *m = NULL;
		Assist__Event *ev;
		struct policy_ctx ctx = {params, NULL, 1, i};

		if (j == NULL || pbjson_decode(&assist__event__descriptor, j, &m, err,
					       sizeof(err)) < 0)
			die(seed_events[i]);
		ev = (Assist__Event *)m;
		ctx.source = ev->source;
		if (validate_event(ev, &v) < 0 ||
		    apply_event(&w, &ctx, ev, &v, &d, &reject) < 0)
			die(seed_events[i]);
		decisions_clear(&d);
		protobuf_c_message_free_unpacked(m, NULL);
		json_decref(j);
	}
	for (size_t i = 0; i < w.households.cap; i++) {
		const struct household *hh = w.households.slots[i].value;
		if (hh != NULL) {
			uint8_t *packed = stored_pack_household(hh, &len);
			keep(&seed_households, &n_seed_households, packed, len);
		}
	}
	for (size_t i = 0; i < w.persons.cap; i++) {
		const struct person *p = w.persons.slots[i].value;
		if (p != NULL) {
			uint8_t *packed = stored_pack_person(p, &len);
			keep(&seed_persons, &n_seed_persons, packed, len);
		}
	}
	decisions_free(&d);
	world_free(&w);
}

/* Load the seed as a batch's load does: households, then their members. */
static void load_seed(struct world *w)
{
	for (size_t i = 0; i < n_seed_households; i++) {
		struct household *hh = stored_unpack_household(seed_households[i].data,
							       seed_households[i].len);
		if (hh == NULL || world_adopt_household(w, hh) < 0)
			die("cannot load a seed household");
	}
	for (size_t i = 0; i < n_seed_persons; i++) {
		struct person *p = stored_unpack_person(seed_persons[i].data, seed_persons[i].len);
		if (p == NULL || world_adopt_person(w, p) < 0)
			die("cannot load a seed person");
	}
}

static void same_again(const uint8_t *packed, size_t len, bool person)
{
	uint8_t *again = NULL;
	size_t len2 = 0;

	if (person) {
		struct person *p = stored_unpack_person(packed, len);
		if (p == NULL)
			die("a packed person does not unpack");
		again = stored_pack_person(p, &len2);
		person_free(p);
	} else {
		struct household *hh = stored_unpack_household(packed, len);
		if (hh == NULL)
			die("a packed household does not unpack");
		again = stored_pack_household(hh, &len2);
		household_free(hh);
	}
	if (again == NULL || len2 != len || memcmp(again, packed, len) != 0)
		die("the stored form is not a fixed point");
	free(again);
}

/* What the batch's transaction writes for the changes of the events so far. */
static void write_changes(struct world *w)
{
	struct arena a = {0};
	uint8_t *packed;
	size_t len;

	for (size_t i = 0; i < w->n_changed_h; i++) {
		if ((packed = stored_pack_household(w->changed_h[i], &len)) == NULL)
			die("out of memory");
		same_again(packed, len, false);
		free(packed);
	}
	for (size_t i = 0; i < w->n_changed_p; i++) {
		const struct person *p = w->changed_p[i];
		if ((packed = stored_pack_person(p, &len)) == NULL)
			die("out of memory");
		same_again(packed, len, true);
		free(packed);
		if (record_build(&a, p, 0, YMD_NONE, params, false) == NULL)
			die("out of memory");
	}
	arena_free(&a);
	world_take_changes(w);
}

/* The explanation rows: ledger and benefit decisions carry a trace. */
static void explain(const struct decisions *d, const Assist__Event *ev, const char *source,
		    uint64_t minor)
{
	const char *subject = validate_subject(ev);

	for (size_t i = 0; i < d->n; i++) {
		uint8_t *packed;
		size_t len;

		if (!d->items[i].has_trace)
			continue;
		packed = trace_pack(&d->items[i], subject ? subject : "", source, 1, minor, &len);
		if (packed == NULL)
			die("out of memory");
		free(packed);
	}
}

static void take_batch(struct world *w, const Assist__Batch *b)
{
	struct decisions d = {0};
	struct verdict v, reject;

	for (size_t i = 0; i < b->n_events; i++) {
		Assist__Event *ev = b->events[i];
		struct policy_ctx ctx = {params, b->source, 1, i};
		int rc;

		/* assistd refuses a batch mixing sources before validating any event. */
		if (ev->source[0] != '\0' && strcmp(ev->source, b->source) != 0)
			break;
		if (validate_event(ev, &v) < 0)
			continue;
		(void)validate_kind_name(ev);
		decisions_clear(&d);
		rc = apply_event(w, &ctx, ev, &v, &d, &reject);
		if (rc == -ENOMEM)
			die("out of memory");
		if (rc == 0)
			explain(&d, ev, b->source, i);
	}
	write_changes(w);
	decisions_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Assist__Request *req;
	struct world w = {0};

	if (params == NULL) {
		log_set_level(LOG_LVL_ERROR);
		load_params();
		build_seed();
	}
	if ((req = assist__request__unpack(NULL, size, data)) == NULL)
		return 0;
	if (req->body_case == ASSIST__REQUEST__BODY_BATCH && req->batch->source[0] != '\0') {
		load_seed(&w);
		world_take_changes(&w);
		take_batch(&w, req->batch);
	}
	world_free(&w);
	assist__request__free_unpacked(req, NULL);
	return 0;
}
