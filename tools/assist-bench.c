/* assist-bench: the load and the ceilings of scripts/bench
 * (docs/performance.md). One generator of a city's events, deterministic,
 * and three ways to spend them:
 *   send  K senders (each its own source) and finance speak the ingest
 *         protocol to assistd or to the sink: batches, acks, the window,
 *         BUSY and gaps; closed loop (as fast as the window lets) or open
 *         loop (a fixed schedule of send times), latencies to the ack and
 *         to the feed;
 *   sink  the bare pipe: a ROUTER that unpacks every request and
 *         acknowledges it at once, no database;
 *   copy  the cheapest durable write: the events' journal rows (the bytes
 *         assistd writes) by binary COPY, a batch a transaction.
 * Each prints one line of key=value figures on standard output. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <libpq-fe.h>
#include <zmq.h>

#include "assist.pb-c.h"
#include "cli.h"
#include "idnum.h"
#include "journal.h"
#include "pbjson.h"
#include "qclient.h"
#include "ymd.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 64

#define FULL_TEMPLATES 12   /* events a household brings: creation, then claims */
#define GROWTH_TEMPLATES 5  /* --growth: the household, its members, template 4 */
#define CLAIM_FIRST 6       /* templates from here on are claims, sent again each round */
#define CLAIM_TEMPLATES (FULL_TEMPLATES - CLAIM_FIRST)
#define BLOCK 1000          /* households a sender goes through a template at a time */
#define MEMBERS 3
#define BATCH_MAX 5000
#define PENDING_MAX 4       /* events of one person waiting for its feed record */
#define BUSY_PAUSE_NS 200000000LL
#define RESEND_NS 3000000000LL
#define GIVE_UP_NS 60000000000LL
#define BASE_TIMEOUT_MS 10000
#define PAY_SOURCE "finance"
#define NS 1000000000LL


static const char usage[] =
	"usage: assist-bench COMMAND [OPTIONS]\n"
	"The load and the ceilings of scripts/bench (docs/performance.md).\n"
	"  send --endpoint EP [EVENTS] [--rate R] [--window N] [--feed EP]\n"
	"       [--latency-log FILE]\n"
	"      K senders (sources bench1..benchK) and finance push the events to EP\n"
	"      (assistd's ingest endpoint, or a sink); closed loop, or with --rate an\n"
	"      open loop at R events/s; --feed EP also times each person's record on\n"
	"      assistd's feed (feed_full_ids = true); --latency-log FILE writes, on\n"
	"      the open loop, a line an event in the order acknowledged: when it was\n"
	"      due (s since the start) and its latency to the ack (ms)\n"
	"  sink --bind EP      acknowledge every batch at once after unpacking it, until\n"
	"                      SIGTERM\n"
	"  copy --database CONNINFO [EVENTS] [--create] [--source NAME] [--pages]\n"
	"      the events' journal rows by binary COPY into event_journal, a batch a\n"
	"      transaction (--create: the table first; --source: every row of NAME,\n"
	"      following its rows there, as a preload; --pages: into assistd's\n"
	"      journal, in pages of 500 events as assistd writes it)\n"
	"EVENTS (the same in every command, so the same events go each way):\n"
	"  --senders K         senders (default 4); sender k owns every Kth household\n"
	"  --households H      households (3 recipients each; default 1000)\n"
	"  --first F           the first household's number (default 0)\n"
	"  --events N          events of the senders (default: every template of every\n"
	"                      household; more: claims again, round after round)\n"
	"  --growth            only the households and their members (5 events each)\n"
	"  --claims R          only the claims, of households already sent, round R\n"
	"                      (6 events each) and on with --events\n"
	"  --pay-month M       finance sends the payment run of M (YYYY-MM) in parts\n"
	"  --pay-parts P       its parts (default 1 for each 5,000 recipients)\n"
	"  --batch B           events a batch (default 500)\n"
	"  --version           print the version\n"
	"Each command prints one line of key=value figures on standard output.\n"
	"example:\n"
	"  assist-bench send --endpoint ipc:///tmp/b/ingest.sock --households 10000\n"
	"exit: 0 done, 1 failed (a refusal, an unreachable peer, a database error),\n"
	"64 bad usage\n";

/* ---- time and figures ------------------------------------------------------------- */

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

/* The CPU this process used so far (user and system), in microseconds. */
static int64_t cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_usec;
}

/* qsort order of latencies, for the percentiles. */
static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

/* Latencies (ms), sorted in place, as "NAME_p50_ms=… NAME_p99_ms=…
 * NAME_p999_ms=… NAME_max_ms=…" (nearest rank); "NAME_n=0" when none. */
static void print_percentiles(const char *name, float *v, size_t n)
{
	static const struct { const char *key; double q; } qs[] = {
		{ "p50", 0.50 }, { "p99", 0.99 }, { "p999", 0.999 }, { "max", 1.0 } };

	printf(" %s_n=%zu", name, n);
	if (n == 0)
		return;
	qsort(v, n, sizeof(*v), cmp_float);
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		size_t k = (size_t)ceil(qs[i].q * (double)n);
		printf(" %s_%s_ms=%.2f", name, qs[i].key, v[k > 0 ? k - 1 : 0]);
	}
}

/* ---- the events ------------------------------------------------------------------- */

/* What the events are: households first .. first + households - 1, sender
 * k owning those whose number less first is k modulo senders; finance's
 * payment run parts, if any, besides. */
struct gen {
	uint64_t first, households, events; /* events 0: every template once */
	unsigned senders, batch, pay_parts;
	unsigned claims; /* the round of claims it starts from; 0: the households' creation */
	bool growth;
	const char *pay_month;
};

/* One event being built: the message and everything it points to. */
struct slot {
	Assist__Event ev;
	Assist__Position pos;
	Assist__HouseholdChange household;
	Assist__Int64Value income;
	Assist__DoubleValue area_m2;
	Assist__PersonChange person;
	Assist__Place place;
	Assist__Enrollment enrollment;
	Assist__StatusChange status;
	Assist__MedicalClaim medical;
	Assist__EducationAid education;
	Assist__Training training;
	Assist__HousingAid housing;
	Assist__PaymentRun run;
	char id[IDNUM_BUFLEN], household_id[24], claim_id[40], name[32], district[8], town[8];
	char date[YMD_BUFLEN], month[8];
};

/* Where a sender's event lies: household, template, round of claims. */
struct where {
	uint64_t household;
	unsigned tmpl, round;
};

static const char *const regions[] = { "420702", "420703", "420704" };

/* Households sender k owns. */
static uint64_t owned(const struct gen *g, unsigned k)
{
	return g->households > k ? (g->households - k + g->senders - 1) / g->senders : 0;
}

/* Events a household brings in this event set. */
static unsigned templates(const struct gen *g)
{
	if (g->claims > 0)
		return CLAIM_TEMPLATES;
	return g->growth ? GROWTH_TEMPLATES : FULL_TEMPLATES;
}

/* Events sender k sends: its share of --events, at most every template of
 * its households when growing. */
static uint64_t sender_events(const struct gen *g, unsigned k)
{
	uint64_t all = owned(g, k) * templates(g), n;

	if (g->events == 0)
		return all;
	n = g->events / g->senders + (k < g->events % g->senders ? 1 : 0);
	return g->growth && n > all ? all : n;
}

/* Offset o of a stream going through n households tmpls templates at a
 * time, BLOCK households a block: a template for every household of the
 * block, then the next template, so that a person's events are far apart. */
static void block_locate(uint64_t o, uint64_t n, unsigned tmpls, uint64_t *i, unsigned *t)
{
	uint64_t b = o / ((uint64_t)BLOCK * tmpls), rem = o - b * BLOCK * tmpls;
	uint64_t nb = n - b * BLOCK < BLOCK ? n - b * BLOCK : BLOCK;

	*t = (unsigned)(rem / nb);
	*i = b * BLOCK + rem % nb;
}

/* Sender k's event j: the templates of every household, then rounds of
 * claims again. */
static struct where locate(const struct gen *g, unsigned k, uint64_t j)
{
	uint64_t n = owned(g, k), all = n * templates(g), i;
	struct where w = { 0, 0, 0 };

	if (j < all && g->claims == 0) {
		block_locate(j, n, templates(g), &i, &w.tmpl);
	} else {
		uint64_t o = g->claims > 0 ? j : j - all;
		w.round = (unsigned)((g->claims > 0 ? g->claims : 1) + o / (n * CLAIM_TEMPLATES));
		block_locate(o % (n * CLAIM_TEMPLATES), n, CLAIM_TEMPLATES, &i, &w.tmpl);
		w.tmpl += CLAIM_FIRST;
	}
	w.household = g->first + k + i * g->senders;
	return w;
}

/* The ID number of member m (0, 1 adults, 2 a child) of household h: all
 * distinct for h below 6,500,000, each with its check character. */
static void member_id(uint64_t h, unsigned m, char out[IDNUM_BUFLEN])
{
	uint64_t a = m < 2 ? 2 * h + m : h, span = m < 2 ? 20000 : 4380;
	ymd_t base = m < 2 ? ymd_make(1950, 1, 1) : ymd_make(2008, 1, 1);
	ymd_t birth = ymd_from_days(ymd_to_days(base) + (int64_t)((a / 3) % span));

	snprintf(out, IDNUM_BUFLEN, "%s%04d%02d%02d%03u", regions[a % 3], ymd_year(birth),
		 ymd_month(birth), ymd_day(birth), (unsigned)((a / 3 / span) % 1000));
	out[17] = idnum_check_char(out);
	out[18] = '\0';
}

/* Template 0: the household; an even one lives in the city. */
static void fill_household(struct slot *s, uint64_t h)
{
	assist__household_change__init(&s->household);
	assist__int64_value__init(&s->income);
	assist__double_value__init(&s->area_m2);
	s->income.value = 20000 + (int64_t)(h % 7) * 5000;
	s->area_m2.value = 20.5 + (double)(h % 30);
	s->household.household_id = s->household_id;
	s->household.members = MEMBERS;
	s->household.monthly_income_fen = &s->income;
	s->household.housing_area_m2 = &s->area_m2;
	s->household.area = h % 2 == 0 ? ASSIST__AREA__AREA_CITY : ASSIST__AREA__AREA_DISTRICT;
	s->ev.kind = ASSIST__KIND__KIND_HOUSEHOLD;
	s->ev.payload_case = ASSIST__EVENT__PAYLOAD_HOUSEHOLD;
	s->ev.household = &s->household;
}

/* Templates 1-3: the members. */
static void fill_person(struct slot *s, uint64_t h, unsigned m)
{
	bool city = h % 2 == 0;

	assist__person_change__init(&s->person);
	assist__place__init(&s->place);
	member_id(h, m, s->id);
	snprintf(s->name, sizeof(s->name), "P%" PRIu64 "-%u", h, m);
	snprintf(s->district, sizeof(s->district), "D%u", (unsigned)(h % 5));
	snprintf(s->town, sizeof(s->town), "T%u", (unsigned)(h % 11));
	s->place.district = s->district;
	s->place.town = s->town;
	s->person.id_number = s->id;
	s->person.name = s->name;
	s->person.household_id = s->household_id;
	s->person.hukou = city ? ASSIST__HUKOU__HUKOU_URBAN : ASSIST__HUKOU__HUKOU_RURAL;
	s->person.area = city ? ASSIST__AREA__AREA_CITY : ASSIST__AREA__AREA_DISTRICT;
	s->person.place = &s->place;
	s->ev.kind = ASSIST__KIND__KIND_PERSON;
	s->ev.payload_case = ASSIST__EVENT__PAYLOAD_PERSON;
	s->ev.person = &s->person;
}

/* A status of the member whose ID is in s->id (templates 4 and 5). */
static void fill_status(struct slot *s, Assist__Category c, const char *since)
{
	assist__status_change__init(&s->status);
	s->status.id_number = s->id;
	s->status.category = c;
	s->status.since = (char *)since;
	s->ev.kind = ASSIST__KIND__KIND_STATUS;
	s->ev.payload_case = ASSIST__EVENT__PAYLOAD_STATUS;
	s->ev.status = &s->status;
}

/* Template 5: the second member registered unemployed (labor). */
static void fill_unemployed(struct slot *s, uint64_t h)
{
	member_id(h, 1, s->id);
	fill_status(s, ASSIST__CATEGORY__CATEGORY_REGISTERED_UNEMPLOYED, "2026-01-15");
}

/* Template 4: half the households have a dibao (urban in the city, rural
 * in the districts) for their first member, the others a disability. */
static void fill_dibao(struct slot *s, uint64_t h)
{
	member_id(h, 0, s->id);
	if (h % 4 >= 2) {
		fill_status(s, ASSIST__CATEGORY__CATEGORY_DISABLED, "2024-06-01");
		return;
	}
	assist__enrollment__init(&s->enrollment);
	s->enrollment.id_number = s->id;
	s->enrollment.scheme = h % 4 == 0 ? ASSIST__SCHEME__SCHEME_URBAN_DIBAO
					  : ASSIST__SCHEME__SCHEME_RURAL_DIBAO;
	s->enrollment.class_ = h % 4 == 0 ? "" : "II";
	s->enrollment.start_date = h % 4 == 0 ? "2025-01-01" : "2025-02-01";
	s->ev.kind = ASSIST__KIND__KIND_ENROLLMENT;
	s->ev.payload_case = ASSIST__EVENT__PAYLOAD_ENROLLMENT;
	s->ev.enrollment = &s->enrollment;
}

/* Templates 6, 7 and 11: a hospital bill, a chronic outpatient month, an
 * outpatient bill of the child. */
static void fill_medical(struct slot *s, uint64_t h, unsigned tmpl, unsigned round)
{
	static const char prefix[] = "MCO";
	unsigned which = tmpl == 6 ? 0 : tmpl == 7 ? 1 : 2;

	assist__medical_claim__init(&s->medical);
	member_id(h, which, s->id);
	snprintf(s->claim_id, sizeof(s->claim_id), "B%c%" PRIu64 "-%u", prefix[which], h, round);
	snprintf(s->date, sizeof(s->date), "2026-%02u-%02u", 3 + which + round % 6,
		 1 + (unsigned)(h % 28));
	s->medical.claim_id = s->claim_id;
	s->medical.id_number = s->id;
	s->medical.date = s->date;
	s->medical.insurer = h % 2 == 0 ? ASSIST__INSURER__INSURER_HUIMIN : ASSIST__INSURER__INSURER_NCMS;
	if (which == 0) {
		s->medical.setting = ASSIST__SETTING__SETTING_INPATIENT;
		s->medical.hospital = ASSIST__HOSPITAL__HOSPITAL_HUIMIN;
		s->medical.disease = ASSIST__DISEASE__DISEASE_MAJOR;
		s->medical.total_fen = 200000 + (int64_t)(h % 50) * 1000;
	} else if (which == 1) {
		s->medical.setting = ASSIST__SETTING__SETTING_CHRONIC_OUTPATIENT;
		s->medical.disease = ASSIST__DISEASE__DISEASE_CHRONIC;
		s->medical.total_fen = 30000;
		s->medical.months = 1;
	} else {
		s->medical.setting = ASSIST__SETTING__SETTING_OUTPATIENT;
		s->medical.disease = ASSIST__DISEASE__DISEASE_COMMON;
		s->medical.total_fen = 8000 + (int64_t)(h % 20) * 100;
	}
	s->ev.kind = ASSIST__KIND__KIND_MEDICAL_CLAIM;
	s->ev.payload_case = ASSIST__EVENT__PAYLOAD_MEDICAL_CLAIM;
	s->ev.medical_claim = &s->medical;
}

/* Template 8: the child's fees waived for a term. */
static void fill_education(struct slot *s, uint64_t h, unsigned round)
{
	assist__education_aid__init(&s->education);
	member_id(h, 2, s->id);
	snprintf(s->claim_id, sizeof(s->claim_id), "BE%" PRIu64 "-%u", h, round);
	s->education.claim_id = s->claim_id;
	s->education.id_number = s->id;
	s->education.scheme = ASSIST__SCHEME__SCHEME_MISC_FEE_EXEMPTION;
	s->education.stage = ASSIST__STAGE__STAGE_PRIMARY;
	s->education.term = round % 2 == 0 ? "2026-spring" : "2026-autumn";
	s->education.amount_fen = 20000;
	s->ev.kind = ASSIST__KIND__KIND_EDUCATION_AID;
	s->ev.payload_case = ASSIST__EVENT__PAYLOAD_EDUCATION_AID;
	s->ev.education_aid = &s->education;
}

/* Template 9: a vocational course of the second member. */
static void fill_training(struct slot *s, uint64_t h, unsigned round)
{
	assist__training__init(&s->training);
	member_id(h, 1, s->id);
	snprintf(s->claim_id, sizeof(s->claim_id), "BT%" PRIu64 "-%u", h, round);
	s->training.claim_id = s->claim_id;
	s->training.id_number = s->id;
	s->training.program = ASSIST__PROGRAM__PROGRAM_VOCATIONAL;
	s->training.locality = ASSIST__AREA__AREA_CITY;
	s->training.started_on = "2026-03-01";
	s->training.completed_on = "2026-04-15";
	s->training.days = 45;
	s->ev.kind = ASSIST__KIND__KIND_TRAINING;
	s->ev.payload_case = ASSIST__EVENT__PAYLOAD_TRAINING;
	s->ev.training = &s->training;
}

/* Template 10: a rent allowance of the household. */
static void fill_housing(struct slot *s, uint64_t h, unsigned round)
{
	assist__housing_aid__init(&s->housing);
	snprintf(s->claim_id, sizeof(s->claim_id), "BH%" PRIu64 "-%u", h, round);
	s->housing.claim_id = s->claim_id;
	s->housing.household_id = s->household_id;
	s->housing.scheme = ASSIST__SCHEME__SCHEME_URBAN_RENTAL;
	s->housing.date = "2026-05-01";
	s->housing.amount_fen = 30000;
	s->housing.rent_fen = 60000;
	s->ev.kind = ASSIST__KIND__KIND_HOUSING_AID;
	s->ev.payload_case = ASSIST__EVENT__PAYLOAD_HOUSING_AID;
	s->ev.housing_aid = &s->housing;
}

/* Sender k's event j into s, at position major; *person: the number of
 * the person it names among the households' (3 a household), or -1 for an
 * event of a household. */
static void fill_event(struct slot *s, const struct gen *g, unsigned k, uint64_t j,
		       const char *source, uint64_t major, int64_t *person)
{
	static const int subject[FULL_TEMPLATES] = { -1, 0, 1, 2, 0, 1, 0, 1, 2, 1, -1, 2 };
	struct where w = locate(g, k, j);

	assist__event__init(&s->ev);
	assist__position__init(&s->pos);
	s->pos.major = major;
	s->ev.source = (char *)source;
	s->ev.position = &s->pos;
	snprintf(s->household_id, sizeof(s->household_id), "B%" PRIu64, w.household);
	if (w.tmpl == 0)
		fill_household(s, w.household);
	else if (w.tmpl <= MEMBERS)
		fill_person(s, w.household, w.tmpl - 1);
	else if (w.tmpl == 4)
		fill_dibao(s, w.household);
	else if (w.tmpl == 5)
		fill_unemployed(s, w.household);
	else if (w.tmpl == 8)
		fill_education(s, w.household, w.round);
	else if (w.tmpl == 9)
		fill_training(s, w.household, w.round);
	else if (w.tmpl == 10)
		fill_housing(s, w.household, w.round);
	else
		fill_medical(s, w.household, w.tmpl, w.round);
	*person = subject[w.tmpl] < 0 ? -1
				      : (int64_t)((w.household - g->first) * MEMBERS) + subject[w.tmpl];
}

/* Finance's part p of the payment run, at position major. */
static void fill_run(struct slot *s, const struct gen *g, uint64_t p, uint64_t major)
{
	assist__event__init(&s->ev);
	assist__position__init(&s->pos);
	assist__payment_run__init(&s->run);
	snprintf(s->month, sizeof(s->month), "%s", g->pay_month);
	s->pos.major = major;
	s->run.month = s->month;
	s->run.bucket = g->pay_parts > 1 ? (int32_t)p : 0;
	s->run.buckets = g->pay_parts > 1 ? (int32_t)g->pay_parts : 0;
	s->ev.source = PAY_SOURCE;
	s->ev.position = &s->pos;
	s->ev.kind = ASSIST__KIND__KIND_PAYMENT_RUN;
	s->ev.payload_case = ASSIST__EVENT__PAYLOAD_PAYMENT_RUN;
	s->ev.payment_run = &s->run;
}

/* ---- options ---------------------------------------------------------------------- */

struct opts {
	struct gen g;
	const char *endpoint, *feed, *bind, *database, *source, *latency_log;
	double rate;
	uint64_t window;
	bool create, pages;
};

/* A number option's value within [min, max] into *out: false if it is not. */
static bool number(const char *arg, uint64_t min, uint64_t max, uint64_t *out)
{
	return cli_parse_u64(arg, out) && *out >= min && *out <= max;
}

/* One option of the event set into g: 1 taken, 0 not one of them, -1 a bad
 * value. */
static int gen_option(struct gen *g, int opt, const char *arg)
{
	uint64_t v = 0;
	bool ok = true;

	if (opt == 'k' && (ok = number(arg, 1, 64, &v)))
		g->senders = (unsigned)v;
	else if (opt == 'H' && (ok = number(arg, 1, 6000000, &v)))
		g->households = v;
	else if (opt == 'f' && (ok = number(arg, 0, 6000000, &v)))
		g->first = v;
	else if (opt == 'n' && (ok = number(arg, 0, UINT32_MAX, &v)))
		g->events = v;
	else if (opt == 'g')
		g->growth = true;
	else if (opt == 'C' && (ok = number(arg, 1, 10000, &v)))
		g->claims = (unsigned)v;
	else if (opt == 'm' && (ok = ymd_parse_month(arg, &(ymd_t){0}) == 0))
		g->pay_month = arg;
	else if (opt == 'p' && (ok = number(arg, 1, 65536, &v)))
		g->pay_parts = (unsigned)v;
	else if (opt == 'b' && (ok = number(arg, 1, BATCH_MAX, &v)))
		g->batch = (unsigned)v;
	else if (ok && strchr("kHfngCmpb", opt) == NULL)
		return 0;
	return ok ? 1 : -1;
}

/* One option of a command (not of the event set) into o: false if bad. */
static bool command_option(struct opts *o, int opt, const char *arg)
{
	switch (opt) {
	case 'e':
		o->endpoint = arg;
		return true;
	case 'F':
		o->feed = arg;
		return true;
	case 'B':
		o->bind = arg;
		return true;
	case 'd':
		o->database = arg;
		return true;
	case 's':
		o->source = arg;
		return true;
	case 'L':
		o->latency_log = arg;
		return true;
	case 'c':
		o->create = true;
		return true;
	case 'P':
		o->pages = true;
		return true;
	case 'r':
		o->rate = strtod(arg, NULL);
		return o->rate > 0;
	case 'w':
		return number(arg, 1, 1000000, &o->window);
	default:
		return false;
	}
}

/* The command's options into o: 0, or EXIT_USAGE (reported). */
static int parse_options(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "senders", required_argument, NULL, 'k' },
		{ "households", required_argument, NULL, 'H' },
		{ "first", required_argument, NULL, 'f' },
		{ "events", required_argument, NULL, 'n' },
		{ "growth", no_argument, NULL, 'g' },
		{ "claims", required_argument, NULL, 'C' },
		{ "pay-month", required_argument, NULL, 'm' },
		{ "pay-parts", required_argument, NULL, 'p' },
		{ "batch", required_argument, NULL, 'b' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "feed", required_argument, NULL, 'F' },
		{ "rate", required_argument, NULL, 'r' },
		{ "window", required_argument, NULL, 'w' },
		{ "bind", required_argument, NULL, 'B' },
		{ "database", required_argument, NULL, 'd' },
		{ "source", required_argument, NULL, 's' },
		{ "create", no_argument, NULL, 'c' },
		{ "pages", no_argument, NULL, 'P' },
		{ "latency-log", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc = 0;

	while (rc >= 0 && (opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		rc = gen_option(&o->g, opt, optarg);
		if (rc == 0)
			rc = command_option(o, opt, optarg) ? 1 : -1;
	}
	if (rc < 0 || optind < argc) {
		fprintf(stderr, "assist-bench: %s: bad option or argument\n", argv[0]);
		return cli_usage('?', usage, EXIT_USAGE);
	}
	if (o->g.pay_month != NULL && o->g.pay_parts == 0)
		o->g.pay_parts = (unsigned)((o->g.households * MEMBERS + 4999) / 5000);
	if (o->g.pay_month == NULL)
		o->g.pay_parts = 0;
	return 0;
}

/* ---- send ------------------------------------------------------------------------- */

/* One source's stream: its events are base + 1 .. base + n; [0, acked)
 * acknowledged, [acked, sent) in flight; high: the most ever sent. */
struct sender {
	char source[32];
	unsigned k;
	bool finance, blocked;
	uint64_t n, base, sent, acked, high, rejected;
	int64_t progress_ns, pause_until_ns;
	struct qclient cli;
};

/* A person's events sent and not yet seen on the feed: their send times. */
struct pending {
	int64_t t[PENDING_MAX];
	uint8_t n;
};

struct run {
	const struct opts *o;
	struct sender *s;
	unsigned n_s;
	struct slot *slots;
	Assist__Event **evs;
	int64_t *person; /* of each event of the batch being sent */
	void *ctx, *sub;
	int64_t t0, end, span_ns;
	uint64_t total;
	double sender_rate;
	float *ack_ms, *feed_ms;
	FILE *latency_log; /* --latency-log, or NULL */
	size_t n_ack, n_feed;
	struct pending *pend;
	uint64_t person_events, overlapped, overflow, busy, gaps, resends, batches, feed_msgs;
};

/* When event j of s is meant to go: at once in a closed loop; on the open
 * loop's schedule otherwise (finance's parts spread over the run). */
static int64_t due_ns(const struct run *r, const struct sender *s, uint64_t j)
{
	if (r->o->rate <= 0)
		return r->t0;
	if (s->finance)
		return r->t0 + (int64_t)((double)(j + 1) * (double)r->span_ns / (double)(s->n + 1));
	return r->t0 + (int64_t)((double)(j * r->o->g.senders + s->k) * NS / r->sender_rate);
}

/* Note that the events of the batch just sent name their persons, each now
 * waiting for its record on the feed (the first time an event goes only). */
static void pend_batch(struct run *r, struct sender *s, const int64_t *person, uint64_t count)
{
	for (uint64_t i = 0; i < count; i++) {
		uint64_t j = s->sent + i;
		struct pending *p;
		if (r->pend == NULL || j < s->high || person[i] < 0)
			continue;
		p = &r->pend[person[i]];
		r->person_events++;
		if (p->n == PENDING_MAX)
			r->overflow++;
		else
			p->t[p->n++] = due_ns(r, s, j);
	}
}

/* Build and send s's next count events as one batch: 0, -EAGAIN (the
 * socket has no room: later) or -errno. */
static int send_batch(struct run *r, struct sender *s, uint64_t count)
{
	int64_t *person = r->person;
	Assist__Batch batch = ASSIST__BATCH__INIT;
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__Position prev = ASSIST__POSITION__INIT;
	int rc;

	for (uint64_t i = 0; i < count; i++) {
		uint64_t j = s->sent + i;
		person[i] = -1;
		if (s->finance)
			fill_run(&r->slots[i], &r->o->g, j, s->base + 1 + j);
		else
			fill_event(&r->slots[i], &r->o->g, s->k, j, s->source, s->base + 1 + j,
				   &person[i]);
		r->evs[i] = &r->slots[i].ev;
	}
	prev.major = s->base + s->sent;
	batch.source = s->source;
	batch.prev = prev.major > 0 ? &prev : NULL;
	batch.n_events = count;
	batch.events = r->evs;
	req.request_id = s->cli.next_id;
	req.body_case = ASSIST__REQUEST__BODY_BATCH;
	req.batch = &batch;
	if ((rc = qclient_send(&s->cli, &req)) < 0)
		return rc;
	s->cli.next_id++;
	r->batches++;
	if (s->sent == s->acked)
		s->progress_ns = now_ns();
	pend_batch(r, s, person, count);
	s->sent += count;
	if (s->sent > s->high)
		s->high = s->sent;
	return 0;
}

/* On the closed loop, finance's part j goes once the senders have sent
 * their share of the events before it, as on the open loop's schedule. */
static bool finance_ready(const struct run *r, uint64_t j)
{
	uint64_t sent = 0, before = (r->total - r->o->g.pay_parts) * (j + 1) / (r->o->g.pay_parts + 1);

	for (unsigned i = 0; i < r->o->g.senders; i++)
		sent += r->s[i].high;
	return sent >= before;
}

/* Events of s that may go now: those due, within the window and the batch. */
static uint64_t sendable(const struct run *r, const struct sender *s, int64_t now)
{
	uint64_t room = r->o->window - (s->sent - s->acked), n = s->n - s->sent, k = 0;

	if (s->sent - s->acked >= r->o->window || now < s->pause_until_ns)
		return 0;
	if (n > room)
		n = room;
	if (n > r->o->g.batch)
		n = r->o->g.batch;
	while (k < n && due_ns(r, s, s->sent + k) <= now &&
	       (!s->finance || r->o->rate > 0 || finance_ready(r, s->sent + k)))
		k++;
	return k;
}

/* Send what s may send now: 0 or -errno. */
static int pump(struct run *r, struct sender *s, int64_t now)
{
	uint64_t n;
	int rc;

	s->blocked = false;
	while ((n = sendable(r, s, now)) > 0) {
		if ((rc = send_batch(r, s, n)) == -EAGAIN) {
			s->blocked = true;
			return 0;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* An Ack for s: what it covers is acknowledged (each event's latency noted
 * on the open loop), a gap rewinds to what assistd expects. */
static void on_ack(struct run *r, struct sender *s, const Assist__Ack *a, int64_t now)
{
	uint64_t k;

	s->rejected += a->n_rejections;
	if (a->applied != NULL && a->applied->major > s->base + s->acked) {
		k = a->applied->major - s->base;
		k = k > s->sent ? s->sent : k;
		for (uint64_t j = s->acked; r->o->rate > 0 && j < k; j++) {
			int64_t due = due_ns(r, s, j);
			double ms = (double)(now - due) / 1e6;

			r->ack_ms[r->n_ack++] = (float)ms;
			if (r->latency_log != NULL)
				fprintf(r->latency_log, "%.4f %.2f\n", (double)(due - r->t0) / NS, ms);
		}
		s->acked = k;
		s->progress_ns = now;
	}
	if (a->gap) {
		uint64_t e = a->expected != NULL ? a->expected->major : 0;
		r->gaps++;
		s->sent = e > s->base + s->acked ? e - s->base : s->acked;
		if (s->sent > s->n)
			s->sent = s->n;
	}
}

/* A reply on s's socket: 0, or -EPROTO for a refusal (reported). */
static int on_reply(struct run *r, struct sender *s, const Assist__Reply *rp, int64_t now)
{
	if (rp->body_case == ASSIST__REPLY__BODY_ACK) {
		on_ack(r, s, rp->ack, now);
		return 0;
	}
	if (rp->body_case != ASSIST__REPLY__BODY_ERROR)
		return 0;
	if (rp->error->code == ASSIST__ERROR_CODE__ERROR_CODE_BUSY) {
		r->busy++;
		s->sent = s->acked;
		s->pause_until_ns = now + BUSY_PAUSE_NS;
		return 0;
	}
	fprintf(stderr, "assist-bench: %s refused a batch of %s: %s (code %d)\n", s->cli.endpoint,
		s->source, rp->error->message, rp->error->code);
	return -EPROTO;
}

/* Every reply queued on s's socket: 0 or -EPROTO. */
static int drain_replies(struct run *r, struct sender *s)
{
	Assist__Reply *rp;
	int rc, err = 0;

	while ((rc = qclient_recv(&s->cli, &rp)) == 0 || rc == -EBADMSG) {
		if (rc == 0 && err == 0)
			err = on_reply(r, s, rp, now_ns());
		if (rc == 0)
			assist__reply__free_unpacked(rp, NULL);
	}
	return err;
}

/* The person a feed record is of, among the run's households: its number,
 * or -1. */
static int64_t record_person(const struct run *r, const Assist__RecipientRecord *rec)
{
	char id[IDNUM_BUFLEN];
	uint64_t h;

	if (rec->household_id == NULL || rec->household_id[0] != 'B' ||
	    !cli_parse_u64(rec->household_id + 1, &h) || h < r->o->g.first ||
	    h >= r->o->g.first + r->o->g.households || rec->id_number == NULL)
		return -1;
	for (unsigned m = 0; m < MEMBERS; m++) {
		member_id(h, m, id);
		if (strcmp(id, rec->id_number) == 0)
			return (int64_t)((h - r->o->g.first) * MEMBERS + m);
	}
	return -1;
}

/* A record on the feed: every event of its person sent before it has
 * reached the feed now (more than one: they overlapped, and the earlier
 * ones' latency is the later record's). */
static void on_record(struct run *r, const Assist__RecipientRecord *rec, int64_t now)
{
	int64_t p = record_person(r, rec);
	struct pending *pd;

	if (p < 0)
		return;
	pd = &r->pend[p];
	for (uint8_t i = 0; i < pd->n; i++)
		r->feed_ms[r->n_feed++] = (float)(now - pd->t[i]) / 1e6f;
	if (pd->n > 1)
		r->overlapped += pd->n - 1;
	pd->n = 0;
}

/* Every message queued on the feed socket ([topic][FeedMessage]). */
static void drain_feed(struct run *r)
{
	zmq_msg_t msg;

	zmq_msg_init(&msg);
	while (zmq_msg_recv(&msg, r->sub, ZMQ_DONTWAIT) >= 0) {
		Assist__FeedMessage *m;
		if (!zmq_msg_more(&msg))
			continue; /* the topic frame; the message follows */
		if (zmq_msg_recv(&msg, r->sub, ZMQ_DONTWAIT) < 0)
			break;
		m = assist__feed_message__unpack(NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
		r->feed_msgs++;
		if (m != NULL && m->record != NULL)
			on_record(r, m->record, now_ns());
		if (m != NULL)
			assist__feed_message__free_unpacked(m, NULL);
	}
	zmq_msg_close(&msg);
}

/* Where s stands (a Heartbeat's Ack): 0, or -errno (reported). */
static int ask_base(struct sender *s)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__Heartbeat hb = ASSIST__HEARTBEAT__INIT;
	Assist__Reply *rp;
	int rc;

	hb.source = s->source;
	req.body_case = ASSIST__REQUEST__BODY_HEARTBEAT;
	req.heartbeat = &hb;
	if ((rc = qclient_call(&s->cli, &req, BASE_TIMEOUT_MS, &rp)) < 0) {
		fprintf(stderr, "assist-bench: no answer from %s for %s: %s\n", s->cli.endpoint,
			s->source, rc == -ETIMEDOUT ? "timed out" : zmq_strerror(-rc));
		return rc;
	}
	if (rp->body_case == ASSIST__REPLY__BODY_ACK && rp->ack->applied != NULL)
		s->base = rp->ack->applied->major;
	else if (rp->body_case == ASSIST__REPLY__BODY_ERROR)
		fprintf(stderr, "assist-bench: %s refused %s: %s\n", s->cli.endpoint, s->source,
			rp->error->message);
	rc = rp->body_case == ASSIST__REPLY__BODY_ACK ? 0 : -EPROTO;
	assist__reply__free_unpacked(rp, NULL);
	return rc;
}

/* Nothing acknowledged for a while: send s's unacknowledged events again;
 * after GIVE_UP_NS, -ETIMEDOUT (reported). */
static int check_silence(struct run *r, struct sender *s, int64_t now)
{
	if (s->sent == s->acked || now - s->progress_ns < RESEND_NS)
		return 0;
	if (now - s->progress_ns >= GIVE_UP_NS) {
		fprintf(stderr, "assist-bench: no acknowledgement from %s for %s in 60 s\n",
			s->cli.endpoint, s->source);
		return -ETIMEDOUT;
	}
	r->resends++;
	s->sent = s->acked;
	s->progress_ns = now;
	return 0;
}

/* How long to wait for the sockets: until the next event due on the open
 * loop or the end of a pause, at most 100 ms (an ack, room in a socket, the
 * senders' progress that lets finance's next part go). */
static long wait_ms(const struct run *r, int64_t now)
{
	int64_t next = now + 100000000LL;

	for (unsigned i = 0; i < r->n_s; i++) {
		const struct sender *s = &r->s[i];
		int64_t d;
		if (s->sent >= s->n || s->sent - s->acked >= r->o->window || s->blocked)
			continue;
		/* On the closed loop pump sent all it could: only a pause ends. */
		if (now < s->pause_until_ns)
			d = s->pause_until_ns;
		else if (r->o->rate > 0)
			d = due_ns(r, s, s->sent);
		else
			continue;
		next = d < next ? d : next;
	}
	return next <= now ? 0 : (long)((next - now + 999999) / 1000000);
}

/* Whether the run is over: every event of every sender acknowledged. */
static bool all_acked(const struct run *r)
{
	for (unsigned i = 0; i < r->n_s; i++) {
		if (r->s[i].acked < r->s[i].n)
			return false;
	}
	return true;
}

/* Wait for the sockets and take what came: 0 or -errno. */
static int poll_once(struct run *r, int64_t now)
{
	zmq_pollitem_t items[64 + 2];
	unsigned n = 0;
	int rc;

	for (unsigned i = 0; i < r->n_s; i++)
		items[n++] = (zmq_pollitem_t){ .socket = r->s[i].cli.sock,
					       .events = ZMQ_POLLIN |
							 (r->s[i].blocked ? ZMQ_POLLOUT : 0) };
	if (r->sub != NULL)
		items[n++] = (zmq_pollitem_t){ .socket = r->sub, .events = ZMQ_POLLIN };
	if (zmq_poll(items, (int)n, wait_ms(r, now)) < 0 && errno != EINTR)
		return -errno;
	for (unsigned i = 0; i < r->n_s; i++) {
		if ((rc = drain_replies(r, &r->s[i])) < 0)
			return rc;
	}
	if (r->sub != NULL)
		drain_feed(r);
	return 0;
}

/* Send, take acks and feed records until every event is acknowledged:
 * 0 or -errno. */
static int send_loop(struct run *r)
{
	int rc = 0;

	while (rc == 0 && !all_acked(r)) {
		int64_t now = now_ns();
		if (cli_stopped)
			return -EINTR;
		for (unsigned i = 0; rc == 0 && i < r->n_s; i++) {
			rc = check_silence(r, &r->s[i], now);
			if (rc == 0)
				rc = pump(r, &r->s[i], now);
		}
		if (rc == 0)
			rc = poll_once(r, now);
	}
	r->end = now_ns();
	return rc;
}

/* The feed's last records: up to a second after the last ack (a record is
 * published after the commit, as the ack is sent). */
static void feed_linger(struct run *r)
{
	int64_t until = now_ns() + NS;

	while (r->sub != NULL && now_ns() < until && r->n_feed + r->overflow < r->person_events) {
		zmq_pollitem_t item = { .socket = r->sub, .events = ZMQ_POLLIN };
		zmq_poll(&item, 1, 50);
		drain_feed(r);
	}
}

/* The senders, their sockets and what the run notes: 0 or -errno. */
static int run_open(struct run *r, const struct opts *o)
{
	r->o = o;
	r->n_s = o->g.senders + (o->g.pay_parts > 0 ? 1 : 0);
	r->s = calloc(r->n_s, sizeof(*r->s));
	r->slots = calloc(BATCH_MAX, sizeof(*r->slots));
	r->evs = calloc(BATCH_MAX, sizeof(*r->evs));
	r->person = calloc(BATCH_MAX, sizeof(*r->person));
	if ((r->ctx = zmq_ctx_new()) == NULL || r->s == NULL || r->slots == NULL || r->evs == NULL ||
	    r->person == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < r->n_s; i++) {
		struct sender *s = &r->s[i];
		s->finance = i == o->g.senders;
		s->k = i;
		s->n = s->finance ? o->g.pay_parts : sender_events(&o->g, i);
		if (s->finance)
			snprintf(s->source, sizeof(s->source), "%s", PAY_SOURCE);
		else
			snprintf(s->source, sizeof(s->source), "bench%u", i + 1);
		if (qclient_open(&s->cli, r->ctx, o->endpoint, NULL) < 0)
			return -errno;
		r->total += s->n;
	}
	if (o->rate > 0) {
		r->sender_rate = o->rate * (double)(r->total - o->g.pay_parts) / (double)r->total;
		r->span_ns = (int64_t)((double)r->total / o->rate * NS);
		if ((r->ack_ms = calloc(r->total + 1, sizeof(*r->ack_ms))) == NULL)
			return -ENOMEM;
		if (o->latency_log != NULL && (r->latency_log = fopen(o->latency_log, "w")) == NULL)
			return -errno;
	}
	return 0;
}

/* The feed's subscriber, given time to join before anything is sent (a
 * PUB drops what comes before): 0 or -errno. */
static int feed_open(struct run *r)
{
	int zero = 0;

	r->pend = calloc(r->o->g.households * MEMBERS, sizeof(*r->pend));
	r->feed_ms = calloc(r->total + 1, sizeof(*r->feed_ms));
	if (r->pend == NULL || r->feed_ms == NULL)
		return -ENOMEM;
	if ((r->sub = qclient_socket(r->ctx, ZMQ_SUB)) == NULL ||
	    zmq_setsockopt(r->sub, ZMQ_RCVHWM, &zero, sizeof(zero)) != 0 ||
	    zmq_setsockopt(r->sub, ZMQ_SUBSCRIBE, "record/", 7) != 0 ||
	    zmq_connect(r->sub, r->o->feed) != 0)
		return -errno;
	nanosleep(&(struct timespec){ 0, 300000000L }, NULL);
	return 0;
}

/* Close the sockets (no linger: all was acknowledged) and free the run. */
static void run_close(struct run *r)
{
	for (unsigned i = 0; r->s != NULL && i < r->n_s; i++)
		qclient_close(&r->s[i].cli);
	if (r->sub != NULL)
		zmq_close(r->sub);
	if (r->ctx != NULL)
		zmq_ctx_term(r->ctx);
	free(r->s);
	free(r->slots);
	free(r->evs);
	free(r->person);
	free(r->ack_ms);
	free(r->feed_ms);
	free(r->pend);
	if (r->latency_log != NULL && fclose(r->latency_log) != 0)
		fprintf(stderr, "assist-bench: %s: %s\n", r->o->latency_log, strerror(errno));
}

/* The result line scripts/bench reads (its keys are its contract). */
static void print_send(struct run *r, int64_t cpu)
{
	double secs = (double)(r->end - r->t0) / NS;
	uint64_t rejected = 0;

	for (unsigned i = 0; i < r->n_s; i++)
		rejected += r->s[i].rejected;
	printf("send events=%" PRIu64 " secs=%.3f eps=%.0f senders=%u batches=%" PRIu64
	       " rejected=%" PRIu64 " busy=%" PRIu64 " gaps=%" PRIu64 " resends=%" PRIu64
	       " cpu_us=%" PRId64,
	       r->total, secs, secs > 0 ? (double)r->total / secs : 0.0, r->o->g.senders,
	       r->batches, rejected, r->busy, r->gaps, r->resends, cpu);
	if (r->o->rate > 0) {
		printf(" rate=%.0f", r->o->rate);
		print_percentiles("ack", r->ack_ms, r->n_ack);
	}
	if (r->sub != NULL) {
		print_percentiles("feed", r->feed_ms, r->n_feed);
		printf(" feed_events=%" PRIu64 " feed_unmatched=%" PRIu64 " feed_overlapped=%" PRIu64
		       " feed_messages=%" PRIu64,
		       r->person_events, r->person_events - r->n_feed - r->overflow, r->overlapped,
		       r->feed_msgs);
	}
	putchar('\n');
}

/* send: the bases first (Heartbeats), then the timed loop; CPU counted
 * from the first send to the last ack. */
static int cmd_send(const struct opts *o)
{
	struct run r = { 0 };
	int64_t c0, cpu;
	int rc;

	if (o->endpoint == NULL) {
		fprintf(stderr, "assist-bench: send: --endpoint is required\n");
		return cli_usage('?', usage, EXIT_USAGE);
	}
	rc = run_open(&r, o);
	if (rc == 0 && o->feed != NULL)
		rc = feed_open(&r);
	for (unsigned i = 0; rc == 0 && i < r.n_s; i++)
		rc = ask_base(&r.s[i]);
	c0 = cpu_us();
	r.t0 = now_ns();
	if (rc == 0)
		rc = send_loop(&r);
	cpu = cpu_us() - c0;
	if (rc == 0) {
		feed_linger(&r);
		print_send(&r, cpu);
	} else if (rc != -EPROTO && rc != -ETIMEDOUT) {
		fprintf(stderr, "assist-bench: send: %s\n", strerror(-rc));
	}
	run_close(&r);
	return rc == 0 && fflush(stdout) == 0 ? 0 : EXIT_FAIL;
}

/* ---- sink ------------------------------------------------------------------------- */

#define SINK_SOURCES 80

/* What the sink holds: each source's last position, and its counts. */
struct sink {
	char names[SINK_SOURCES][32];
	uint64_t major[SINK_SOURCES];
	unsigned n_sources;
	uint64_t requests, batches, events;
};

/* The slot of source name (added when new; the last one when full). */
static unsigned sink_source(struct sink *k, const char *name)
{
	for (unsigned i = 0; i < k->n_sources; i++) {
		if (strcmp(k->names[i], name) == 0)
			return i;
	}
	if (k->n_sources == SINK_SOURCES)
		return SINK_SOURCES - 1;
	snprintf(k->names[k->n_sources], sizeof(k->names[0]), "%s", name);
	k->major[k->n_sources] = 0;
	return k->n_sources++;
}

/* The Ack a request gets: a batch is taken whole, at once; a heartbeat
 * learns where its source stands. false: nothing to answer. */
static bool sink_answer(struct sink *k, const Assist__Request *rq, Assist__Ack *ack,
			Assist__Position *applied)
{
	const char *source;
	unsigned i;

	if (rq->body_case == ASSIST__REQUEST__BODY_BATCH && rq->batch->source != NULL) {
		const Assist__Batch *b = rq->batch;
		source = b->source;
		i = sink_source(k, source);
		for (size_t e = 0; e < b->n_events; e++) {
			const Assist__Event *ev = b->events[e];
			k->major[i] = ev->position != NULL ? ev->position->major : ev->seq;
		}
		k->batches++;
		k->events += b->n_events;
	} else if (rq->body_case == ASSIST__REQUEST__BODY_HEARTBEAT && rq->heartbeat->source) {
		source = rq->heartbeat->source;
		i = sink_source(k, source);
	} else {
		return false;
	}
	applied->major = k->major[i];
	ack->source = (char *)source;
	ack->applied = applied;
	return true;
}

/* Answer the request in msg from the peer id: 0 or -errno. */
static int sink_reply(struct sink *k, void *sock, zmq_msg_t *id, zmq_msg_t *msg)
{
	Assist__Request *rq = assist__request__unpack(NULL, zmq_msg_size(msg), zmq_msg_data(msg));
	Assist__Reply rp = ASSIST__REPLY__INIT;
	Assist__Ack ack = ASSIST__ACK__INIT;
	Assist__Position applied = ASSIST__POSITION__INIT;
	uint8_t *buf = NULL;
	size_t len;
	int rc = 0;

	if (rq == NULL)
		return 0;
	k->requests++;
	if (!sink_answer(k, rq, &ack, &applied))
		goto cleanup;
	rp.request_id = rq->request_id;
	rp.body_case = ASSIST__REPLY__BODY_ACK;
	rp.ack = &ack;
	len = assist__reply__get_packed_size(&rp);
	if ((buf = malloc(len ? len : 1)) == NULL) {
		rc = -ENOMEM;
		goto cleanup;
	}
	assist__reply__pack(&rp, buf);
	if (zmq_msg_send(id, sock, ZMQ_SNDMORE) < 0 || zmq_send(sock, buf, len, 0) < 0)
		rc = -errno;
cleanup:
	free(buf);
	assist__request__free_unpacked(rq, NULL);
	return rc;
}

/* Every request queued on the ROUTER: [peer][request]. 0 or -errno. */
static int sink_drain(struct sink *k, void *sock)
{
	zmq_msg_t id, msg;
	int rc = 0;

	zmq_msg_init(&id);
	zmq_msg_init(&msg);
	while (rc == 0 && zmq_msg_recv(&id, sock, ZMQ_DONTWAIT) >= 0) {
		if (!zmq_msg_more(&id) || zmq_msg_recv(&msg, sock, 0) < 0)
			continue;
		while (zmq_msg_more(&msg) && zmq_msg_recv(&msg, sock, 0) >= 0)
			; /* the payload is the last frame */
		rc = sink_reply(k, sock, &id, &msg);
	}
	zmq_msg_close(&id);
	zmq_msg_close(&msg);
	return rc;
}

/* sink: until SIGTERM, then its figures (the script stops it after a send). */
static int cmd_sink(const struct opts *o)
{
	static struct sink k;
	void *ctx = zmq_ctx_new(), *sock = NULL;
	int64_t c0 = cpu_us();
	int rc = 0, zero = 0;

	if (o->bind == NULL) {
		fprintf(stderr, "assist-bench: sink: --bind is required\n");
		zmq_ctx_term(ctx);
		return cli_usage('?', usage, EXIT_USAGE);
	}
	if ((sock = qclient_socket(ctx, ZMQ_ROUTER)) == NULL ||
	    zmq_setsockopt(sock, ZMQ_RCVHWM, &zero, sizeof(zero)) != 0 || zmq_bind(sock, o->bind) != 0)
		rc = -errno;
	while (rc == 0 && !cli_stopped) {
		zmq_pollitem_t item = { .socket = sock, .events = ZMQ_POLLIN };
		if (zmq_poll(&item, 1, 100) < 0 && errno != EINTR)
			rc = -errno;
		if (rc == 0)
			rc = sink_drain(&k, sock);
	}
	if (rc == 0)
		printf("sink requests=%" PRIu64 " batches=%" PRIu64 " events=%" PRIu64
		       " cpu_us=%" PRId64 "\n",
		       k.requests, k.batches, k.events, cpu_us() - c0);
	else
		fprintf(stderr, "assist-bench: sink %s: %s\n", o->bind, zmq_strerror(-rc));
	if (sock != NULL)
		zmq_close(sock);
	zmq_ctx_term(ctx);
	return rc == 0 && fflush(stdout) == 0 ? 0 : EXIT_FAIL;
}

/* ---- copy ------------------------------------------------------------------------- */

/* The journal table as daemon/schema.c leaves it (migration 1, its source
 * compared byte by byte since 15, without the unique position since 19). */
static const char journal_ddl[] =
	"CREATE TABLE IF NOT EXISTS event_journal ("
	"  id bigserial PRIMARY KEY,"
	"  source text COLLATE \"C\" NOT NULL, major numeric(20) NOT NULL,"
	"  minor numeric(20) NOT NULL, kind text NOT NULL, event bytea NOT NULL,"
	"  received_at timestamptz NOT NULL DEFAULT now(),"
	"  prev_digest bytea NOT NULL, digest bytea NOT NULL)";

static const char copy_sql[] =
	"COPY event_journal (source, major, minor, kind, event, prev_digest, digest) "
	"FROM STDIN (FORMAT binary)";

/* --pages: assistd's journal is pages of a batch's events (its migration
 * 24), event_journal their view. A batch is copied into a table of rows
 * like the ceiling's, then made pages of 500 in the same transaction. */
static const char pages_ddl[] =
	"CREATE TEMP TABLE journal_copy (id bigserial, source text COLLATE \"C\","
	"  major numeric(20), minor numeric(20), kind text, event bytea,"
	"  prev_digest bytea, digest bytea)";
static const char pages_copy_sql[] =
	"BEGIN; COPY journal_copy (source, major, minor, kind, event, prev_digest, digest) "
	"FROM STDIN (FORMAT binary)";
static const char pages_sql[] =
	"INSERT INTO journal_page (last_id, first_id, prev_digest, sources, majors, minors, "
	"kinds, events, digests) SELECT b + max(n), b + min(n), "
	"(array_agg(prev_digest ORDER BY n))[1], array_agg(source ORDER BY n), "
	"array_agg(major ORDER BY n), array_agg(minor ORDER BY n), array_agg(kind ORDER BY n), "
	"array_agg(event ORDER BY n), array_agg(digest ORDER BY n) "
	"FROM (SELECT row_number() OVER (ORDER BY id) AS n, * FROM journal_copy) t, "
	"(SELECT coalesce(max(last_id), 0) AS b FROM journal_page) x "
	"GROUP BY (n - 1) / 500, b ORDER BY 1; TRUNCATE journal_copy; COMMIT";

/* A binary COPY stream being built. */
struct copybuf {
	uint8_t *p;
	size_t len, cap;
};

/* Room for n more bytes, doubling: 0 or -ENOMEM. */
static int cb_reserve(struct copybuf *b, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = (b->len + n) * 2;
		uint8_t *p = realloc(b->p, cap);
		if (p == NULL)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	return 0;
}

/* A 16-bit integer in network order (the caller reserved the room). */
static void cb_u16(struct copybuf *b, uint16_t v)
{
	b->p[b->len++] = (uint8_t)(v >> 8);
	b->p[b->len++] = (uint8_t)v;
}

/* A 32-bit integer in network order (the caller reserved the room). */
static void cb_u32(struct copybuf *b, uint32_t v)
{
	cb_u16(b, (uint16_t)(v >> 16));
	cb_u16(b, (uint16_t)v);
}

/* A field: its length, then its bytes (the caller reserved the room). */
static void cb_field(struct copybuf *b, const void *data, size_t len)
{
	cb_u32(b, (uint32_t)len);
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

/* v as PostgreSQL's binary numeric: ndigits, weight, sign, dscale, then
 * base-10000 digits, most significant first, trailing zero digits left out. */
static void cb_numeric(struct copybuf *b, uint64_t v)
{
	uint16_t d[5];
	int n = 0, last;

	for (uint64_t x = v; x > 0; x /= 10000)
		d[n++] = (uint16_t)(x % 10000);
	for (last = 0; last < n && d[last] == 0; last++)
		;
	cb_u32(b, (uint32_t)(8 + 2 * (n - last)));
	cb_u16(b, (uint16_t)(n - last));
	cb_u16(b, (uint16_t)(n > 0 ? n - 1 : 0));
	cb_u16(b, 0);
	cb_u16(b, 0);
	for (int i = n - 1; i >= last; i--)
		cb_u16(b, d[i]);
}

/* What copy writes: the rows' chain and where each stream is. */
struct copyrun {
	const struct opts *o;
	PGconn *pg;
	struct copybuf buf;
	struct slot slot;
	uint8_t digest[JOURNAL_DIGEST_BYTES];
	uint64_t base; /* --source: the last position of that source there */
	uint64_t rows, bytes;
};

/* One journal row of ev at {major, 0}, hash-chained as assistd does
 * (daemon/commit.c write_journal): 0 or -ENOMEM. */
static int copy_row(struct copyrun *c, const Assist__Event *ev, const char *source,
		    uint64_t major)
{
	size_t len = protobuf_c_message_get_packed_size(&ev->base);
	uint8_t prev[JOURNAL_DIGEST_BYTES];
	char kind[32], maj[24];

	if (cb_reserve(&c->buf, len + strlen(source) + 2 * JOURNAL_DIGEST_BYTES + 128) < 0)
		return -ENOMEM;
	if (pbjson_enum_name(&assist__kind__descriptor, ev->kind, kind, sizeof(kind)) == NULL)
		snprintf(kind, sizeof(kind), "unknown");
	cb_u16(&c->buf, 7);
	cb_field(&c->buf, source, strlen(source));
	cb_numeric(&c->buf, major);
	cb_numeric(&c->buf, 0);
	cb_field(&c->buf, kind, strlen(kind));
	cb_u32(&c->buf, (uint32_t)len);
	protobuf_c_message_pack(&ev->base, c->buf.p + c->buf.len);
	snprintf(maj, sizeof(maj), "%" PRIu64, major);
	memcpy(prev, c->digest, sizeof(prev));
	journal_digest(prev, source, maj, "0", c->buf.p + c->buf.len, len, c->digest);
	c->buf.len += len;
	cb_field(&c->buf, prev, sizeof(prev));
	cb_field(&c->buf, c->digest, sizeof(c->digest));
	c->rows++;
	c->bytes += len;
	return 0;
}

/* The rows in c->buf as one COPY, its own transaction: 0 or -EIO (reported). */
static int copy_flush(struct copyrun *c)
{
	PGresult *res = PQexec(c->pg, c->o->pages ? pages_copy_sql : copy_sql);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_COPY_IN) {
		rc = -EIO;
	} else {
		PQclear(res);
		if (cb_reserve(&c->buf, 2) < 0)
			return -ENOMEM;
		cb_u16(&c->buf, 0xffff);
		if (PQputCopyData(c->pg, (const char *)c->buf.p, (int)c->buf.len) != 1 ||
		    PQputCopyEnd(c->pg, NULL) != 1)
			rc = -EIO;
		res = PQgetResult(c->pg);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = -EIO;
	}
	if (rc == 0 && c->o->pages) {
		PQclear(res);
		while ((res = PQgetResult(c->pg)) != NULL)
			PQclear(res);
		res = PQexec(c->pg, pages_sql);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = -EIO;
	}
	if (rc < 0)
		fprintf(stderr, "assist-bench: copy: %s", PQerrorMessage(c->pg));
	PQclear(res);
	while ((res = PQgetResult(c->pg)) != NULL)
		PQclear(res);
	c->buf.len = 0;
	return rc;
}

/* Start a COPY stream's bytes: the signature, flags, no extension. */
static int copy_header(struct copyrun *c)
{
	static const uint8_t signature[11] = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r',
					       '\n', 0 };

	if (cb_reserve(&c->buf, sizeof(signature) + 8) < 0)
		return -ENOMEM;
	memcpy(c->buf.p, signature, sizeof(signature));
	c->buf.len = sizeof(signature);
	cb_u32(&c->buf, 0);
	cb_u32(&c->buf, 0);
	return 0;
}

/* Create the table if asked; the chain's last digest there and, with
 * --source, that source's last position: 0 or -EIO (reported). */
static int copy_start(struct copyrun *c)
{
	const char *param[1] = { c->o->source };
	PGresult *res = NULL;
	int rc = -EIO;

	if (c->o->create || c->o->pages) {
		res = PQexec(c->pg, c->o->pages ? pages_ddl : journal_ddl);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			goto cleanup;
		PQclear(res);
	}
	res = PQexec(c->pg, "SELECT digest FROM event_journal ORDER BY id DESC LIMIT 1");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		goto cleanup;
	if (PQntuples(res) == 1) {
		size_t len;
		uint8_t *d = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 0), &len);
		if (d != NULL && len == sizeof(c->digest))
			memcpy(c->digest, d, len);
		PQfreemem(d);
	}
	PQclear(res);
	res = PQexecParams(c->pg, "SELECT coalesce(max(major), 0)::text FROM event_journal "
			   "WHERE source = $1", 1, NULL, param, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		goto cleanup;
	c->base = c->o->source != NULL ? strtoull(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	rc = 0;
cleanup:
	if (rc < 0)
		fprintf(stderr, "assist-bench: copy: %s", PQerrorMessage(c->pg));
	PQclear(res);
	return rc;
}

/* Rows of stream i (a sender, or finance past the senders) from its event
 * from, count of them, into the buffer: 0 or -ENOMEM. */
static int copy_events(struct copyrun *c, unsigned i, uint64_t from, uint64_t count)
{
	const struct gen *g = &c->o->g;
	char own[32];
	const char *source = c->o->source;
	int64_t person;
	int rc = 0;

	snprintf(own, sizeof(own), "bench%u", i + 1);
	if (source == NULL)
		source = i == g->senders ? PAY_SOURCE : own;
	for (uint64_t j = from; rc == 0 && j < from + count; j++) {
		uint64_t major = c->o->source != NULL ? c->base + c->rows + 1 : j + 1;
		if (i == g->senders)
			fill_run(&c->slot, g, j, major);
		else
			fill_event(&c->slot, g, i, j, source, major, &person);
		c->slot.ev.source = (char *)source;
		rc = copy_row(c, &c->slot.ev, source, major);
	}
	return rc;
}

/* Every stream's rows, a batch at a time in turn, each batch one COPY:
 * 0 or -errno. */
static int copy_all(struct copyrun *c, uint64_t *batches)
{
	const struct gen *g = &c->o->g;
	uint64_t done[64 + 1] = { 0 };
	unsigned n_s = g->senders + (g->pay_parts > 0 ? 1 : 0);
	bool more = true;
	int rc = 0;

	while (rc == 0 && more && !cli_stopped) {
		more = false;
		for (unsigned i = 0; rc == 0 && i < n_s; i++) {
			uint64_t n = i == g->senders ? g->pay_parts : sender_events(g, i);
			uint64_t k = n - done[i] < g->batch ? n - done[i] : g->batch;
			if (k == 0)
				continue;
			if ((rc = copy_header(c)) == 0 && (rc = copy_events(c, i, done[i], k)) == 0)
				rc = copy_flush(c);
			done[i] += k;
			(*batches)++;
			more = true;
		}
	}
	return rc < 0 ? rc : cli_stopped ? -EINTR : 0;
}

/* copy: one connection, one COPY a batch, in autocommit: each its own
 * transaction, durable when it returns (synchronous_commit). */
static int cmd_copy(const struct opts *o)
{
	struct copyrun c = { .o = o };
	uint64_t batches = 0;
	int64_t c0, t0;
	double secs;
	int rc;

	if (o->database == NULL) {
		fprintf(stderr, "assist-bench: copy: --database is required\n");
		return cli_usage('?', usage, EXIT_USAGE);
	}
	c.pg = PQconnectdb(o->database);
	if (PQstatus(c.pg) != CONNECTION_OK) {
		fprintf(stderr, "assist-bench: copy: %s", PQerrorMessage(c.pg));
		rc = -EIO;
	} else {
		rc = copy_start(&c);
	}
	c0 = cpu_us();
	t0 = now_ns();
	if (rc == 0)
		rc = copy_all(&c, &batches);
	secs = (double)(now_ns() - t0) / NS;
	if (rc == 0)
		printf("copy rows=%" PRIu64 " secs=%.3f rows_per_s=%.0f batches=%" PRIu64
		       " event_bytes=%" PRIu64 " cpu_us=%" PRId64 "\n",
		       c.rows, secs, secs > 0 ? (double)c.rows / secs : 0.0, batches, c.bytes,
		       cpu_us() - c0);
	PQfinish(c.pg);
	free(c.buf.p);
	return rc == 0 && fflush(stdout) == 0 ? 0 : EXIT_FAIL;
}

/* ---- main ------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		CLI_VERSION_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .g = { .households = 1000, .senders = 4, .batch = 500 } };
	const char *cmd;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1)
		return cli_usage(opt, usage, EXIT_USAGE);
	if (optind >= argc) {
		fprintf(stderr, "assist-bench: no command\n");
		return cli_usage('?', usage, EXIT_USAGE);
	}
	cmd = argv[optind];
	if (cli_asks_help(argc - optind, argv + optind))
		return cli_usage('h', usage, EXIT_USAGE);
	argc -= optind;
	argv += optind;
	optind = 0;
	if ((rc = parse_options(&o, argc, argv)) != 0)
		return rc;
	if (o.window == 0)
		o.window = 8 * (uint64_t)o.g.batch;
	cli_catch_stop();
	if (strcmp(cmd, "send") == 0)
		return cmd_send(&o);
	if (strcmp(cmd, "sink") == 0)
		return cmd_sink(&o);
	if (strcmp(cmd, "copy") == 0)
		return cmd_copy(&o);
	fprintf(stderr, "assist-bench: unknown command %s\n", cmd);
	return cli_usage('?', usage, EXIT_USAGE);
}
