/* assist-gen: fills the five department databases with a synthetic city
 * (households across the urban area and three districts, valid GB 11643 ID
 * numbers, incomes, categories, dibao, patients, students, the unemployed,
 * trainees, housing aid), deterministic for a seed; then, with --rate, keeps
 * making live changes for the adapters to stream. A tool: blocking libpq. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "cli.h"
#include "idnum.h"
#include "money.h"
#include "ymd.h"

#define EXIT_USAGE 64

enum dept { CIVIL, HEALTH, EDUCATION, LABOR, HOUSING, NDEPT };

static const char *const dept_names[NDEPT] = {
	"civil_affairs", "health", "education", "labor", "housing",
};

struct district {
	const char *code;
	int share;     /* percent of households */
	int urban;     /* percent of households with urban hukou */
	fen_t dibao;   /* urban dibao standard per person and month */
	const char *towns[4];
	const char *villages[4];
};

/* The city's urban area ("City") and its three districts. */
static const struct district districts[] = {
	{"420701", 35, 85, 18500,
	 {"Gulou Street", "Fenghuang Street", "Xishan Street", "Nanpu Street"},
	 {"Wenxing Community", "Minxin Community", "Shouchang Community", "Yingbin Community"}},
	{"420702", 20, 20, 16500,
	 {"Liangzi Town", "Taihe Town", "Donggou Town", "Tujianao Town"},
	 {"Gaotang Village", "Qiaotou Village", "Xinhe Village", "Wangfan Village"}},
	{"420703", 20, 30, 16500,
	 {"Huarong Town", "Gedian Town", "Duandian Town", "Linjiang Township"},
	 {"Puhu Village", "Liangdian Village", "Pangang Village", "Xinmiao Village"}},
	{"420704", 25, 40, 16500,
	 {"Yanji Town", "Huahu Town", "Shawo Township", "Zeling Township"},
	 {"Hongxing Village", "Baijia Village", "Shuanglong Village", "Changgang Village"}},
};
#define NDISTRICTS (int)(sizeof(districts) / sizeof(districts[0]))
#define CITY 0

static const char *const surnames[] = {
	"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
	"Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Gao", "Lin", "Luo", "Cheng", "Xiong",
};
static const char *const male_names[] = {
	"Wei", "Qiang", "Lei", "Jun", "Yong", "Jie", "Tao", "Ming", "Chao", "Gang",
	"Jianguo", "Zhiqiang", "Haoran", "Bin", "Hao", "Jianhua", "Deming", "Yuxuan",
};
static const char *const female_names[] = {
	"Fang", "Na", "Min", "Jing", "Li", "Yan", "Juan", "Xiuying", "Guiying", "Hua",
	"Ping", "Xia", "Dan", "Hong", "Guilan", "Yumei", "Zihan", "Xinyi",
};
#define NELEM(a) (int)(sizeof(a) / sizeof((a)[0]))

enum {
	P_STUDENT = 1 << 0,
	P_INSURED = 1 << 1,
	P_UNEMPLOYED = 1 << 2,
	P_DIALYSIS = 1 << 3,
	P_CANCER = 1 << 4,
	P_CHRONIC = 1 << 5,
	P_DEAD = 1 << 6,
	P_ORPHAN = 1 << 7,
	P_FIVE_GUARANTEE = 1 << 8,
	P_THREE_NOES = 1 << 9,
	P_DISABLED = 1 << 10,
	P_ENTITLED = 1 << 11,
	P_INPATIENT = 1 << 12,
	P_TRAINEE = 1 << 13,
};

struct person {
	char id[IDNUM_BUFLEN];
	char name[32];
	int gender; /* 1 male, 2 female */
	ymd_t birth;
	ymd_t died;
	int relation; /* GB/T 4761 */
	int hh;
	unsigned flags;
};

struct household {
	char no[16];
	int district, town, village;
	bool urban;
	int first, members;
	fen_t income;
	int64_t area; /* hundredths of m2 */
	char dibao;   /* 'C' urban, 'N' rural, 0 none */
	int dclass;
	bool marginal;
};

struct gen {
	uint64_t rng;
	int year;
	int nhh;
	struct household *hh;
	struct person *pp;
	int npp, cap;
	uint64_t *ids; /* open-addressing set of ID hashes */
	size_t nids;
	PGconn *db[NDEPT];
	unsigned counter; /* key numbers */
	char stamp[16];   /* live keys: distinct from any earlier run's */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/* ---- randomness (splitmix64: small, and the same on every platform) -------- */

static uint64_t rnd(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static int64_t rnd_range(struct gen *g, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rnd(g) % (uint64_t)(hi - lo + 1));
}

/* True with probability per_mille / 1000. */
static bool chance(struct gen *g, int per_mille)
{
	return (int)(rnd(g) % 1000) < per_mille;
}

static ymd_t rnd_date(struct gen *g, ymd_t from, ymd_t to)
{
	return ymd_from_days(rnd_range(g, ymd_to_days(from), ymd_to_days(to)));
}

/* ---- formatting into a ring of buffers, for COPY rows ---------------------- */

static char *ring(void)
{
	static char bufs[32][64];
	static int next;

	next = (next + 1) % 32;
	return bufs[next];
}

static const char *yuan(fen_t f)
{
	char *b = ring();

	snprintf(b, 64, "%lld.%02lld", (long long)(f / 100), (long long)(f % 100));
	return b;
}

static const char *date(ymd_t d)
{
	char *b = ring();

	if (d == YMD_NONE)
		return "\\N";
	return ymd_format(d, b);
}

static const char *num(long long n)
{
	char *b = ring();

	snprintf(b, 64, "%lld", n);
	return b;
}

static const char *key(struct gen *g, const char *prefix)
{
	char *b = ring();

	snprintf(b, 64, "%s%d-%05u", prefix, g->year, ++g->counter);
	return b;
}

/* ---- the city -------------------------------------------------------------- */

static uint64_t id_hash(const char *id)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ULL;
	return h | 1;
}

/* Insert id into the set; false if it was there. */
static bool id_add(struct gen *g, const char *id)
{
	uint64_t h = id_hash(id);
	size_t i = h % g->nids;

	while (g->ids[i] != 0) {
		if (g->ids[i] == h)
			return false;
		i = (i + 1) % g->nids;
	}
	g->ids[i] = h;
	return true;
}

static void make_id(struct gen *g, struct person *p, const char *region)
{
	char s17[18];

	do {
		/* odd sequence numbers for men, even for women */
		int seq = (int)rnd_range(g, 0, 499) * 2 + (p->gender == 1 ? 1 : 0);

		snprintf(s17, sizeof(s17), "%s%04d%02d%02d%03d", region, ymd_year(p->birth),
			 ymd_month(p->birth), ymd_day(p->birth), seq);
		snprintf(p->id, sizeof(p->id), "%s%c", s17, idnum_check_char(s17));
	} while (!id_add(g, p->id));
}

static struct person *add_person(struct gen *g, struct household *h, int relation, int gender,
				 ymd_t birth, const char *surname)
{
	struct person *p = &g->pp[g->npp++];
	const char *given = gender == 1 ? male_names[rnd(g) % NELEM(male_names)]
					: female_names[rnd(g) % NELEM(female_names)];

	memset(p, 0, sizeof(*p));
	p->gender = gender;
	p->birth = birth;
	p->relation = relation;
	p->hh = (int)(h - g->hh);
	snprintf(p->name, sizeof(p->name), "%s %s", surname, given);
	make_id(g, p, districts[h->district].code);
	h->members++;
	return p;
}

static int age_on(const struct person *p, ymd_t d)
{
	return ymd_age(p->birth, d);
}

static ymd_t birth_of_age(struct gen *g, int age)
{
	ymd_t jan1 = ymd_make(g->year - age, 1, 1);

	return rnd_date(g, ymd_add_months(jan1, -12), ymd_make(g->year - age - 1, 12, 31));
}

static int pick_district(struct gen *g)
{
	int r = (int)rnd_range(g, 0, 99), acc = 0;

	for (int i = 0; i < NDISTRICTS; i++) {
		acc += districts[i].share;
		if (r < acc)
			return i;
	}
	return NDISTRICTS - 1;
}

static int pick_size(struct gen *g)
{
	static const int cumulative[] = {12, 37, 67, 85, 95, 100};
	int r = (int)rnd_range(g, 0, 99);

	for (int i = 0; i < NELEM(cumulative); i++) {
		if (r < cumulative[i])
			return i + 1;
	}
	return 6;
}

static void make_members(struct gen *g, struct household *h, int size)
{
	const char *surname = surnames[rnd(g) % NELEM(surnames)];
	int head_age = size == 1 ? (int)rnd_range(g, 45, 88) : (int)rnd_range(g, 26, 72);
	int head_gender = chance(g, 700) ? 1 : 2;
	ymd_t head_birth = birth_of_age(g, head_age);
	int children = size - 1;

	h->first = g->npp;
	add_person(g, h, 2, head_gender, head_birth, surname);
	if (size >= 2 && chance(g, 880)) {
		add_person(g, h, 10, 3 - head_gender,
			   birth_of_age(g, head_age + (int)rnd_range(g, -4, 4)),
			   surnames[rnd(g) % NELEM(surnames)]);
		children--;
	}
	if (children >= 3 && head_age < 62) {
		add_person(g, h, 50, (int)rnd_range(g, 1, 2),
			   birth_of_age(g, head_age + (int)rnd_range(g, 24, 30)), surname);
		children--;
	}
	for (int i = 0; i < children; i++) {
		int age = head_age - (int)rnd_range(g, 22, 38);

		if (age < 0)
			age = (int)rnd_range(g, 0, 3);
		add_person(g, h, 20, (int)rnd_range(g, 1, 2), birth_of_age(g, age), surname);
	}
}

/* Income, area and the household's place in assistance. */
static void make_means(struct gen *g, struct household *h)
{
	const struct district *d = &districts[h->district];
	struct person *head = &g->pp[h->first];
	ymd_t now = ymd_make(g->year, 1, 1);
	fen_t pc;

	if (h->members == 1 && age_on(head, now) >= 60) {
		if (h->urban && chance(g, 250))
			head->flags |= P_THREE_NOES;
		else if (!h->urban && chance(g, 300))
			head->flags |= P_FIVE_GUARANTEE;
	}
	if (head->flags & P_THREE_NOES) {
		h->dibao = 'C';
		pc = 0;
	} else if (head->flags & P_FIVE_GUARANTEE) {
		pc = rnd_range(g, 0, 3000);
	} else if (h->urban && chance(g, 70)) {
		h->dibao = 'C';
		pc = rnd_range(g, 0, d->dibao - 1000);
	} else if (!h->urban && chance(g, 90)) {
		h->dibao = 'N';
		h->dclass = chance(g, 250) ? 1 : chance(g, 600) ? 2 : 3;
		pc = rnd_range(g, 0, 6000);
	} else if (chance(g, 40)) {
		h->marginal = true;
		pc = rnd_range(g, d->dibao, d->dibao * 3 / 2);
	} else {
		pc = h->urban ? rnd_range(g, 60000, 350000) : rnd_range(g, 25000, 150000);
	}
	h->income = pc * h->members;
	if (h->dibao == 'C')
		h->area = h->members * rnd_range(g, 400, 1400);
	else
		h->area = h->members * (h->urban ? rnd_range(g, 800, 4000) : rnd_range(g, 2000, 6000));
}

/* What each person is to the other departments. */
static void make_roles(struct gen *g, struct household *h)
{
	ymd_t mid = ymd_make(g->year, 7, 1);
	bool poor = h->dibao || h->marginal;

	for (int i = h->first; i < h->first + h->members; i++) {
		struct person *p = &g->pp[i];
		int age = age_on(p, mid);

		if (age >= 6 && age <= 21 && (age <= 17 || chance(g, 500)))
			p->flags |= P_STUDENT;
		if (age < 18 && chance(g, 6))
			p->flags |= P_ORPHAN;
		if (chance(g, 25))
			p->flags |= P_DISABLED;
		if (age >= 50 && chance(g, 10))
			p->flags |= P_ENTITLED;
		if (h->urban && age >= 18 && age < 60 && h->dibao == 0 && chance(g, 550))
			p->flags |= P_INSURED;
		else if (h->urban && age >= 18 && age < 60 && chance(g, h->dibao ? 500 : 300))
			p->flags |= P_UNEMPLOYED;
		/* illness is a common road into poverty: more of it in poor households */
		if (age >= 30 && chance(g, poor ? 30 : 3))
			p->flags |= P_DIALYSIS;
		else if (age >= 30 && chance(g, poor ? 50 : 6))
			p->flags |= P_CANCER;
		else if (age >= 55 && chance(g, 50))
			p->flags |= P_CHRONIC;
		if (chance(g, 40))
			p->flags |= P_INPATIENT;
		if ((p->flags & P_UNEMPLOYED) && chance(g, 300))
			p->flags |= P_TRAINEE;
		else if (!h->urban && age >= 16 && age <= 45 && chance(g, 60))
			p->flags |= P_TRAINEE;
		if (age >= 75 && chance(g, 15)) {
			p->flags |= P_DEAD;
			p->died = rnd_date(g, ymd_make(g->year, 1, 1), ymd_make(g->year, 6, 30));
		}
	}
}

static int build_city(struct gen *g)
{
	g->cap = g->nhh * 6;
	g->hh = calloc(g->nhh, sizeof(*g->hh));
	g->pp = calloc(g->cap, sizeof(*g->pp));
	g->nids = (size_t)g->cap * 2 + 1;
	g->ids = calloc(g->nids, sizeof(*g->ids));
	if (g->hh == NULL || g->pp == NULL || g->ids == NULL)
		return -ENOMEM;
	for (int i = 0; i < g->nhh; i++) {
		struct household *h = &g->hh[i];

		h->district = pick_district(g);
		h->town = (int)rnd_range(g, 0, 3);
		h->village = (int)rnd_range(g, 0, 3);
		h->urban = chance(g, districts[h->district].urban * 10);
		snprintf(h->no, sizeof(h->no), "H%s%06d", districts[h->district].code, i + 1);
		make_members(g, h, pick_size(g));
		make_means(g, h);
		make_roles(g, h);
	}
	return 0;
}

static struct household *hh_of(struct gen *g, const struct person *p)
{
	return &g->hh[p->hh];
}

/* ---- COPY ------------------------------------------------------------------ */

struct copy {
	PGconn *db;
	char *buf;
	size_t len, cap;
	int err;
	long rows;
};

static int copy_flush(struct copy *c)
{
	if (c->err == 0 && c->len > 0 && PQputCopyData(c->db, c->buf, (int)c->len) != 1) {
		fprintf(stderr, "assist-gen: COPY: %s", PQerrorMessage(c->db));
		c->err = -EIO;
	}
	c->len = 0;
	return c->err;
}

static int copy_begin(struct copy *c, PGconn *db, const char *table, const char *cols)
{
	char sql[512];
	PGresult *res;

	memset(c, 0, sizeof(*c));
	c->db = db;
	snprintf(sql, sizeof(sql), "COPY %s (%s) FROM STDIN", table, cols);
	res = PQexec(db, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		fprintf(stderr, "assist-gen: %s: %s", table, PQerrorMessage(db));
		c->err = -EIO;
	}
	PQclear(res);
	c->cap = 1 << 16;
	c->buf = malloc(c->cap);
	if (c->buf == NULL)
		c->err = -ENOMEM;
	return c->err;
}

/* One row: the columns, tab-separated (\N for NULL). */
static void copy_row(struct copy *c, int n, ...)
{
	va_list ap;

	if (c->err != 0)
		return;
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		const char *v = va_arg(ap, const char *);
		size_t l = strlen(v);

		if (c->len + l + 2 > c->cap && copy_flush(c) != 0)
			break;
		memcpy(c->buf + c->len, v, l);
		c->len += l;
		c->buf[c->len++] = i == n - 1 ? '\n' : '\t';
	}
	va_end(ap);
	c->rows++;
}

static int copy_end(struct copy *c)
{
	PGresult *res;

	copy_flush(c);
	if (PQputCopyEnd(c->db, c->err ? "assist-gen failed" : NULL) != 1)
		c->err = -EIO;
	while ((res = PQgetResult(c->db)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && c->err == 0) {
			fprintf(stderr, "assist-gen: COPY: %s", PQresultErrorMessage(res));
			c->err = -EIO;
		}
		PQclear(res);
	}
	free(c->buf);
	return c->err;
}

/* ---- civil affairs ----------------------------------------------------------- */

/* Persons, households and who lives in which. */
static int civil_people(struct gen *g)
{
	PGconn *db = g->db[CIVIL];
	struct copy c;
	int err = 0;

	copy_begin(&c, db, "persons",
		   "id_card_no, name, gender, hukou_type, district_code, town, village, "
		   "household_no, death_date");
	for (int i = 0; i < g->npp; i++) {
		struct person *p = &g->pp[i];
		struct household *h = hh_of(g, p);
		const struct district *d = &districts[h->district];

		copy_row(&c, 9, p->id, p->name, num(p->gender), h->urban ? "1" : "2", d->code,
			 d->towns[h->town], d->villages[h->village], h->no, date(p->died));
	}
	err |= copy_end(&c);

	copy_begin(&c, db, "households",
		   "household_no, head_id_card_no, district_code, member_count, "
		   "monthly_income_yuan, housing_area_sqm, income_checked_on");
	for (int i = 0; i < g->nhh; i++) {
		struct household *h = &g->hh[i];

		copy_row(&c, 7, h->no, g->pp[h->first].id, districts[h->district].code,
			 num(h->members), yuan(h->income), yuan(h->area),
			 date(rnd_date(g, ymd_make(g->year - 1, 1, 1), ymd_make(g->year - 1, 12, 31))));
	}
	err |= copy_end(&c);

	copy_begin(&c, db, "household_members",
		   "household_no, id_card_no, relation_code, joined_on");
	for (int i = 0; i < g->npp; i++) {
		struct person *p = &g->pp[i];
		char rel[3];

		snprintf(rel, sizeof(rel), "%02d", p->relation);
		copy_row(&c, 4, hh_of(g, p)->no, p->id, rel,
			 date(p->relation == 20 ? p->birth : ymd_make(2000, 1, 1)));
	}
	err |= copy_end(&c);
	return err;
}

/* Category registrations. */
static int civil_categories(struct gen *g)
{
	PGconn *db = g->db[CIVIL];
	struct copy c;
	int err = 0;

	copy_begin(&c, db, "category_registrations",
		   "id_card_no, category_code, grade, valid_from, cert_no");
	for (int i = 0; i < g->npp; i++) {
		struct person *p = &g->pp[i];
		static const struct {
			unsigned flag;
			const char *code;
		} cats[] = {
			{P_THREE_NOES, "11"}, {P_FIVE_GUARANTEE, "12"}, {P_ORPHAN, "13"},
			{P_ENTITLED, "21"},   {P_DISABLED, "51"},
		};
		ymd_t from = rnd_date(g, ymd_make(g->year - 8, 1, 1), ymd_make(g->year - 1, 12, 31));

		for (int k = 0; k < NELEM(cats); k++) {
			const char *grade = "\\N";

			if (!(p->flags & cats[k].flag))
				continue;
			if (cats[k].flag == P_FIVE_GUARANTEE)
				grade = chance(g, 300) ? "1" : "2";
			else if (cats[k].flag == P_DISABLED)
				grade = num(rnd_range(g, 1, 4));
			copy_row(&c, 5, p->id, cats[k].code, grade, date(from), key(g, "MZ"));
		}
		if (p->relation == 2 && hh_of(g, p)->marginal)
			copy_row(&c, 5, p->id, "31", "\\N", date(from), key(g, "BY"));
	}
	err |= copy_end(&c);
	return err;
}

/* Whether urban dibao household i (about one in two) comes in by an
 * application (civil_applications) rather than an enrollment row. */
static bool applies(const struct household *h, int i)
{
	return h->dibao == 'C' && i % 2 == 1;
}

/* Dibao enrollments and deaths. */
static int civil_dibao(struct gen *g)
{
	PGconn *db = g->db[CIVIL];
	unsigned n = 0;
	struct copy c;
	int err = 0;

	copy_begin(&c, db, "dibao_enrollments",
		   "enrollment_no, id_card_no, household_no, scheme, dibao_class, "
		   "monthly_amount_yuan, approved_on");
	for (int i = 0; i < g->nhh; i++) {
		struct household *h = &g->hh[i];
		ymd_t approved = rnd_date(g, ymd_make(g->year - 3, 1, 1), ymd_make(g->year, 3, 31));

		if (h->dibao == 0)
			continue;
		for (int k = h->first; k < h->first + h->members; k++) {
			struct person *p = &g->pp[k];
			char no[24];
			fen_t amount = 0;

			snprintf(no, sizeof(no), "DB%s-%06u", districts[h->district].code, ++n);
			if (h->dclass == 1)
				amount = (p->flags & P_ORPHAN) ? 10000 : 7000;
			else if (h->dclass == 2)
				amount = rnd_range(g, 35, 60) * 100;
			else if (h->dclass == 3)
				amount = rnd_range(g, 15, 30) * 100;
			if (applies(h, i))
				continue; /* enrolled by its application (civil_applications) */
			copy_row(&c, 7, no, p->id, h->no, h->dibao == 'C' ? "C" : "N",
				 h->dclass ? num(h->dclass) : "\\N", amount ? yuan(amount) : "\\N",
				 date(approved));
		}
	}
	err |= copy_end(&c);

	copy_begin(&c, db, "deaths", "id_card_no, death_date, reported_on");
	for (int i = 0; i < g->npp; i++) {
		struct person *p = &g->pp[i];

		if (p->flags & P_DEAD)
			copy_row(&c, 3, p->id, date(p->died),
				 date(ymd_from_days(ymd_to_days(p->died) + rnd_range(g, 1, 10))));
	}
	err |= copy_end(&c);
	return err;
}

/* The steps of one member's application, from submitted on d0 (each step
 * 2 to 12 days after the one before), by the k-th applying household: of
 * every four the city approves the first and the fourth (enrolled from the
 * next month, paid by the demo's runs), the town rejects the second, the
 * third stops at the district (still open: overdue by the wall clock). */
static void application_rows(struct gen *g, struct copy *c, const struct person *p, int k,
			     ymd_t d0)
{
	static const char *const codes[] = {"10", "20", "30", "40", "50"};
	static const char *const officers[] = {"station", "station", "town", "district", "city"};
	const char *no = key(g, "SQ");
	int last = k % 4 == 2 ? 3 : k % 4 == 1 ? 2 : 4;
	ymd_t d = d0;

	for (int s = 0; s <= last; s++) {
		bool reject = k % 4 == 1 && s == last;

		copy_row(c, 7, no, p->id, "C", reject ? "90" : codes[s], officers[s], date(d),
			 reject ? "income above the urban standard" : "\\N");
		d = ymd_from_days(ymd_to_days(d) + rnd_range(g, 2, 12));
	}
}

/* Dibao applications of the households that apply(): submitted between
 * December and February, so the approvals fall early in the demo's year. */
static int civil_applications(struct gen *g)
{
	struct copy c;
	int k = 0;

	copy_begin(&c, g->db[CIVIL], "application_step",
		   "application_no, id_card_no, scheme, step_code, officer, step_date, remark");
	for (int i = 0; i < g->nhh; i++) {
		struct household *h = &g->hh[i];
		ymd_t d0 = rnd_date(g, ymd_make(g->year - 1, 12, 1), ymd_make(g->year, 2, 15));

		if (!applies(h, i))
			continue;
		for (int m = h->first; m < h->first + h->members; m++)
			application_rows(g, &c, &g->pp[m], k, d0);
		k++;
	}
	return copy_end(&c);
}

static int fill_civil_affairs(struct gen *g)
{
	int err = civil_people(g);

	err |= civil_categories(g);
	err |= civil_dibao(g);
	err |= civil_applications(g);
	return err ? -EIO : 0;
}

/* ---- health ------------------------------------------------------------------ */

/* Who pays first for p: Huimin for urban dibao without workers' insurance,
 * NCMS for rural hukou, workers' insurance for the insured, else nobody. */
static char insurer_of(struct gen *g, const struct person *p)
{
	const struct household *h = hh_of(g, p);

	if (p->flags & P_INSURED)
		return 'Z';
	if (h->dibao == 'C')
		return 'H';
	if (!h->urban)
		return 'N';
	return 'W';
}

static const char *hosp_level(struct gen *g, char insurer)
{
	int r = (int)rnd_range(g, 0, 99);

	if (insurer == 'H')
		return r < 55 ? "HM" : r < 85 ? "SZ" : "SJ";
	return r < 10 ? "HM" : r < 50 ? "SZ" : r < 70 ? "SJ" : "QT";
}

/* One bill row; total in fen. */
static void bill_row(struct gen *g, struct copy *c, const struct person *p, const char *no,
		     const char *type, const char *diag, ymd_t day, fen_t total)
{
	char ins = insurer_of(g, p);
	fen_t eligible = money_mul_bp(total, rnd_range(g, 8000, 9500));
	fen_t paid = -1;
	const char *level = hosp_level(g, ins);
	int stay = strcmp(type, "21") == 0 ? (int)rnd_range(g, 3, 20) : 0;
	char insurer[2] = {ins, '\0'};

	if (ins == 'N')
		paid = money_mul_bp(eligible, rnd_range(g, 4000, 6000));
	else if (ins == 'Z')
		paid = money_mul_bp(eligible, 7000);
	copy_row(c, 14, no, p->id, level, type, diag, date(day),
		 stay ? date(ymd_from_days(ymd_to_days(day) + stay)) : "\\N", yuan(total),
		 yuan(eligible), insurer, paid >= 0 ? yuan(paid) : "\\N",
		 strcmp(type, "14") == 0 ? "1" : "\\N", "f", "H42070001");
}

#define BILL_COLS                                                                            \
	"bill_no, patient_idno, hosp_level, settle_type, diag_group, service_date, "        \
	"discharge_date, total_yuan, eligible_yuan, insurer, insurer_paid_yuan, "           \
	"chronic_months, special_approval, hospital_code"

static int fill_health(struct gen *g)
{
	PGconn *db = g->db[HEALTH];
	ymd_t jan1 = ymd_make(g->year, 1, 1), jun30 = ymd_make(g->year, 6, 30);
	struct copy c;
	int err = 0;

	copy_begin(&c, db, "ncms_enrollment",
		   "family_card_no, member_seq, enrol_year, patient_idno, patient_name, "
		   "premium_yuan, premium_payer, enrolled_on");
	for (int i = 0; i < g->nhh; i++) {
		struct household *h = &g->hh[i];

		if (h->urban)
			continue;
		for (int k = 0; k < h->members; k++) {
			struct person *p = &g->pp[h->first + k];
			bool paid_for = h->dibao || (p->flags & P_FIVE_GUARANTEE);

			copy_row(&c, 8, h->no + 1, num(k + 1), num(g->year), p->id, p->name, "60.00",
				 paid_for ? "2" : "1", date(jan1));
		}
	}
	err |= copy_end(&c);

	copy_begin(&c, db, "hosp_bill", BILL_COLS);
	for (int i = 0; i < g->npp; i++) {
		struct person *p = &g->pp[i];
		ymd_t until = p->died ? p->died : jun30;

		if (p->flags & P_DIALYSIS) {
			for (int m = 1; m <= 6 && ymd_make(g->year, m, 28) <= until; m++)
				bill_row(g, &c, p, key(g, "MZ"), "14", "TX", ymd_make(g->year, m, 28),
					 rnd_range(g, 4500, 7500) * 100);
		}
		if (p->flags & P_CANCER) {
			for (int k = (int)rnd_range(g, 1, 3); k > 0; k--)
				bill_row(g, &c, p, key(g, "ZY"), "21", "ZL", rnd_date(g, jan1, until),
					 rnd_range(g, 20000, 150000) * 100 + rnd_range(g, 0, 99));
		}
		if (p->flags & P_CHRONIC)
			bill_row(g, &c, p, key(g, "MZ"), "14", "MB", rnd_date(g, jan1, until),
				 rnd_range(g, 30000, 120000));
		if (p->flags & P_INPATIENT)
			bill_row(g, &c, p, key(g, "ZY"), "21", chance(g, 200) ? "ZB" : "PT",
				 rnd_date(g, jan1, until),
				 rnd_range(g, 3000, 60000) * 100 + rnd_range(g, 0, 99));
	}
	err |= copy_end(&c);

	copy_begin(&c, db, "chronic_subsidy",
		   "subsidy_no, patient_idno, disease_code, hosp_level, period_start, months, "
		   "expense_yuan, insurer");
	for (int i = 0; i < g->npp; i++) {
		struct person *p = &g->pp[i];

		if (!(p->flags & (P_DIALYSIS | P_CANCER)) || insurer_of(g, p) != 'H')
			continue;
		for (int q = 0; q < 2; q++) {
			ymd_t start = ymd_make(g->year, 1 + 3 * q, 1);

			if (p->died && p->died < start)
				break;
			copy_row(&c, 8, key(g, "CS"), p->id, p->flags & P_DIALYSIS ? "TX" : "ZL",
				 hosp_level(g, 'H'), date(start), "3",
				 yuan(rnd_range(g, 1500, 6000) * 300), "H");
		}
	}
	err |= copy_end(&c);
	return err ? -EIO : 0;
}

/* ---- education --------------------------------------------------------------- */

static const char *stage_of(int age, bool vocational)
{
	if (age <= 11)
		return "XX";
	if (age <= 14)
		return "CZ";
	if (age <= 17)
		return vocational ? "ZZ" : "GZ";
	return "DX";
}

/* The school stages in the order of their codes. */
static int stage_index(const char *stage)
{
	static const char *const stages[] = {"XX", "CZ", "GZ", "ZZ", "DX"};

	for (int i = 0; i < NELEM(stages); i++) {
		if (strcmp(stages[i], stage) == 0)
			return i;
	}
	return 0;
}

/* Boarding and vocational school follow from the ID number, so the student
 * register and the grants agree without sharing state. */
static bool boards(const struct gen *g, const struct person *p, const char *stage)
{
	return !g->hh[p->hh].urban && strcmp(stage, "CZ") == 0 && (p->id[15] - '0') % 2 == 0;
}

static bool vocational(const struct person *p)
{
	return (p->id[16] - '0') % 4 == 0;
}

static bool poor_family(const struct gen *g, const struct person *p)
{
	const struct household *h = &g->hh[p->hh];

	return h->dibao || (p->flags & (P_ORPHAN | P_FIVE_GUARANTEE));
}

static void grant_row(struct gen *g, struct copy *c, const struct person *p, const char *term,
		      const char *type, const char *stage, fen_t amount, ymd_t day)
{
	char sno[20];

	snprintf(sno, sizeof(sno), "G%s", p->id);
	copy_row(c, 7, key(g, "JY"), sno, term, type, stage, yuan(amount), date(day));
}

/* The grants of one poor student for the school year starting in `year`. */
static void grants_of(struct gen *g, struct copy *c, const struct person *p, int age,
		      const char *stage, bool boarder)
{
	char terms[2][12];
	ymd_t starts[2] = {ymd_make(g->year, 3, 15), ymd_make(g->year, 9, 20)};
	bool city = g->hh[p->hh].district == CITY;
	bool primary = strcmp(stage, "XX") == 0;

	snprintf(terms[0], sizeof(terms[0]), "%d-%d-2", g->year - 1, g->year);
	snprintf(terms[1], sizeof(terms[1]), "%d-%d-1", g->year, g->year + 1);
	for (int t = 0; t < 2; t++) {
		if (primary || strcmp(stage, "CZ") == 0) {
			if (city) {
				grant_row(g, c, p, terms[t], "03", stage, primary ? 10500 : 17000,
					  starts[t]);
			} else {
				grant_row(g, c, p, terms[t], "01", stage, primary ? 8500 : 13500,
					  starts[t]);
				grant_row(g, c, p, terms[t], "02", stage, primary ? 3500 : 7000,
					  starts[t]);
			}
		} else if (strcmp(stage, "DX") == 0) {
			grant_row(g, c, p, terms[t], "07", stage, rnd_range(g, 80, 150) * 100,
				  starts[t]);
		}
	}
	if (boarder)
		grant_row(g, c, p, terms[1], "04", stage, rnd_range(g, 150, 300) * 100, starts[1]);
	if (strcmp(stage, "GZ") == 0 && chance(g, 200))
		grant_row(g, c, p, terms[1], "05", stage, 200000, starts[1]);
	if (strcmp(stage, "ZZ") == 0)
		grant_row(g, c, p, terms[1], "08", stage, 150000, starts[1]);
	if (strcmp(stage, "DX") == 0 && age == 18)
		grant_row(g, c, p, terms[1], "06", stage, rnd_range(g, 10, 30) * 10000, starts[1]);
}

static int fill_education(struct gen *g)
{
	PGconn *db = g->db[EDUCATION];
	ymd_t sep1 = ymd_make(g->year, 9, 1);
	struct copy c, cg;
	char buf[160];
	int err = 0;

	copy_begin(&c, db, "term", "term_code, starts_on, ends_on");
	snprintf(buf, sizeof(buf), "%d-%d-2", g->year - 1, g->year);
	copy_row(&c, 3, buf, date(ymd_make(g->year, 2, 26)), date(ymd_make(g->year, 7, 5)));
	snprintf(buf, sizeof(buf), "%d-%d-1", g->year, g->year + 1);
	copy_row(&c, 3, buf, date(sep1), date(ymd_make(g->year + 1, 1, 17)));
	err |= copy_end(&c);

	copy_begin(&c, db, "student",
		   "student_no, id_no, name, school_code, school_name, stage_code, grade, "
		   "boarder, hardship_level, hardship_since, enrolled_on");
	for (int i = 0; i < g->npp; i++) {
		struct person *p = &g->pp[i];
		const struct household *h = &g->hh[p->hh];
		int age = age_on(p, sep1);
		const char *stage = stage_of(age, vocational(p));
		bool boarder = boards(g, p, stage);
		const char *level = "0";
		char sno[20], school[12];

		if (!(p->flags & P_STUDENT) || (p->flags & P_DEAD))
			continue;
		if (poor_family(g, p))
			level = chance(g, 400) ? "2" : "1";
		else if (!h->urban && chance(g, 40))
			level = "1";
		snprintf(sno, sizeof(sno), "G%s", p->id);
		snprintf(school, sizeof(school), "%s%04d", districts[h->district].code,
			 h->town * 10 + stage_index(stage));
		snprintf(buf, sizeof(buf), "%s %s", districts[h->district].towns[h->town],
			 strcmp(stage, "XX") == 0   ? "Central Primary School"
			 : strcmp(stage, "CZ") == 0 ? "Middle School"
			 : strcmp(stage, "GZ") == 0 ? "High School"
			 : strcmp(stage, "ZZ") == 0 ? "Vocational School"
						    : "Student (university)");
		copy_row(&c, 11, sno, p->id, p->name, school, buf, stage,
			 num(age <= 11 ? age - 5 : age <= 14 ? age - 11 : age <= 17 ? age - 14 : age - 17),
			 boarder ? "t" : "f", level,
			 strcmp(level, "0") == 0 ? "\\N" : date(ymd_make(g->year - 1, 9, 1)),
			 date(ymd_make(g->year - (age - 5), 9, 1)));
	}
	err |= copy_end(&c);

	copy_begin(&cg, db, "aid_grant",
		   "grant_no, student_no, term_code, aid_type, stage_code, amount_yuan, granted_on");
	for (int i = 0; i < g->npp; i++) {
		struct person *p = &g->pp[i];
		int age = age_on(p, sep1);

		if (!(p->flags & P_STUDENT) || (p->flags & P_DEAD) || !poor_family(g, p))
			continue;
		const char *stage = stage_of(age, vocational(p));

		grants_of(g, &cg, p, age, stage, boards(g, p, stage));
	}
	err |= copy_end(&cg);
	return err ? -EIO : 0;
}

/* ---- labor ------------------------------------------------------------------- */

static bool is_4050(const struct person *p)
{
	return p->birth <= (p->gender == 2 ? ymd_make(1967, 12, 31) : ymd_make(1957, 12, 31));
}

/* A household with a working-age member in work (or not registered as
 * unemployed, so presumably working). */
static bool household_works(const struct gen *g, const struct household *h)
{
	ymd_t mid = ymd_make(g->year, 7, 1);

	for (int k = h->first; k < h->first + h->members; k++) {
		const struct person *p = &g->pp[k];
		int age = age_on(p, mid);

		if ((p->flags & P_INSURED) ||
		    (age >= 18 && age < 60 && !(p->flags & (P_UNEMPLOYED | P_STUDENT))))
			return true;
	}
	return false;
}

struct course {
	const char *code, *title, *program, *run_by;
	int month, days;
};

static const struct course courses[] = {
	{"ZY01", "Electrician", "ZY", "S", 3, 40},
	{"ZY02", "Home care and nursing", "ZY", "Q", 4, 30},
	{"ZY03", "Chinese cooking", "ZY", "S", 5, 45},
	{"CY01", "SYB start your business", "CY", "S", 2, 90},
	{"CY02", "Rural e-commerce start-up", "CY", "Q", 4, 95},
	{"FP01", "Aquaculture for poor households", "FP", "Q", 3, 15},
	{"YG01", "Sunshine: welding", "YG", "Q", 3, 28},
	{"YG02", "Sunshine: garment making", "YG", "Q", 4, 55},
	{"YG03", "Sunshine: construction crafts", "YG", "Q", 5, 75},
};

static void completion_row(struct gen *g, struct copy *c, const char *cert,
			   const struct person *p, const struct course *k, bool employed)
{
	char code[24];
	ymd_t start = ymd_make(g->year, k->month, 1);
	ymd_t end = ymd_from_days(ymd_to_days(start) + k->days * 7 / 5);
	ymd_t job = employed ? ymd_from_days(ymd_to_days(end) + rnd_range(g, 10, 150)) : YMD_NONE;

	snprintf(code, sizeof(code), "%s-%d", k->code, g->year);
	copy_row(c, 10, cert, code, p->id, k->program, k->run_by, date(start), date(end),
		 num(k->days), date(job), job ? "Ezhou Hengtai Logistics" : "\\N");
}

/* Insurance, unemployment, re-employment cards and Huimin. */
static int labor_people(struct gen *g)
{
	PGconn *db = g->db[LABOR];
	ymd_t jan1 = ymd_make(g->year, 1, 1);
	struct copy c;
	int err = 0;
	char buf[32];

	copy_begin(&c, db, "insurance_enrolment",
		   "insured_no, insurance_type, citizen_id, employer_code, start_date");
	for (int i = 0; i < g->npp; i++) {
		struct person *p = &g->pp[i];
		ymd_t start = rnd_date(g, ymd_make(g->year - 15, 1, 1), ymd_make(g->year - 1, 12, 1));

		if (!(p->flags & P_INSURED))
			continue;
		snprintf(buf, sizeof(buf), "S%s%07d", districts[hh_of(g, p)->district].code + 4, i);
		copy_row(&c, 5, buf, "110", p->id, num(914207000 + i % 500), date(start));
		copy_row(&c, 5, buf, "310", p->id, num(914207000 + i % 500), date(start));
	}
	err |= copy_end(&c);

	copy_begin(&c, db, "unemployment_registration",
		   "reg_no, citizen_id, registered_since, zero_employment_family");
	for (int i = 0; i < g->npp; i++) {
		struct person *p = &g->pp[i];

		if (p->flags & P_UNEMPLOYED)
			copy_row(&c, 4, key(g, "SY"), p->id,
				 date(rnd_date(g, ymd_make(g->year - 3, 1, 1), ymd_make(g->year, 3, 1))),
				 household_works(g, hh_of(g, p)) ? "f" : "t");
	}
	err |= copy_end(&c);

	copy_begin(&c, db, "reemployment_card",
		   "card_no, citizen_id, card_class, is_4050, issued_on, issuing_office");
	for (int i = 0; i < g->npp; i++) {
		struct person *p = &g->pp[i];
		bool a = hh_of(g, p)->dibao || !household_works(g, hh_of(g, p));

		if ((p->flags & P_UNEMPLOYED) && chance(g, 500))
			copy_row(&c, 6, key(g, "ZJ"), p->id, a ? "A" : "B", is_4050(p) ? "t" : "f",
				 date(rnd_date(g, ymd_make(2006, 1, 1), ymd_make(g->year - 1, 12, 31))),
				 "Ezhou Labor Bureau");
	}
	err |= copy_end(&c);

	copy_begin(&c, db, "huimin_enrolment",
		   "huimin_no, citizen_id, premium_yuan, enrolled_on");
	for (int i = 0; i < g->npp; i++) {
		struct person *p = &g->pp[i];

		if (insurer_of(g, p) == 'H')
			copy_row(&c, 4, key(g, "HM"), p->id, "0.00", date(jan1));
	}
	err |= copy_end(&c);
	return err;
}

/* The courses and who completed one. */
static int labor_training(struct gen *g)
{
	PGconn *db = g->db[LABOR];
	struct copy c;
	int err = 0;
	char buf[32];

	copy_begin(&c, db, "training_course",
		   "course_code, title, program_type, run_by, start_date, end_date, days");
	for (int k = 0; k < NELEM(courses); k++) {
		ymd_t start = ymd_make(g->year, courses[k].month, 1);

		snprintf(buf, sizeof(buf), "%s-%d", courses[k].code, g->year);
		copy_row(&c, 7, buf, courses[k].title, courses[k].program, courses[k].run_by,
			 date(start), date(ymd_from_days(ymd_to_days(start) + courses[k].days * 7 / 5)),
			 num(courses[k].days));
	}
	err |= copy_end(&c);

	copy_begin(&c, db, "training_completion",
		   "cert_no, course_code, citizen_id, program_type, run_by, start_date, end_date, "
		   "days, employed_on, employer_name");
	for (int i = 0; i < g->npp; i++) {
		struct person *p = &g->pp[i];
		const struct course *k;

		if (!(p->flags & P_TRAINEE))
			continue;
		if (p->flags & P_UNEMPLOYED)
			k = &courses[rnd_range(g, 0, 4)];
		else if (poor_family(g, p) && chance(g, 300))
			k = &courses[5];
		else
			k = &courses[rnd_range(g, 6, 8)];
		completion_row(g, &c, key(g, "PX"), p, k, chance(g, 650));
	}
	err |= copy_end(&c);
	return err;
}

static int fill_labor(struct gen *g)
{
	int err = labor_people(g);

	err |= labor_training(g);
	return err ? -EIO : 0;
}

/* ---- housing ----------------------------------------------------------------- */

#define MARKET_RENT_FEN 1000 /* per m2 and month */
#define LOW_RENT_FEN 120

static int fill_housing(struct gen *g)
{
	PGconn *db = g->db[HOUSING];
	struct copy ca, cr, cd, cp;
	int err = 0;

	copy_begin(&ca, db, "housing_area_record",
		   "record_no, hh_code, applicant_id, total_area_m2, resident_count, "
		   "low_income_cert, surveyed_on");
	for (int i = 0; i < g->nhh; i++) {
		struct household *h = &g->hh[i];
		bool below = h->area < h->members * 1000;

		if (h->dibao != 'C')
			continue;
		copy_row(&ca, 7, key(g, "FC"), h->no, g->pp[h->first].id, yuan(h->area),
			 num(h->members), below ? key(g, "ZD") : "\\N",
			 date(rnd_date(g, ymd_make(g->year - 1, 3, 1), ymd_make(g->year, 2, 28))));
	}
	err |= copy_end(&ca);

	copy_begin(&cr, db, "rental_subsidy_app",
		   "app_no, hh_code, applicant_id, status, subsidised_m2, monthly_fen, "
		   "submitted_on, approved_on");
	for (int i = 0; i < g->nhh; i++) {
		struct household *h = &g->hh[i];
		int64_t short_h = h->members * 1000 - h->area; /* hundredths of m2 */
		ymd_t sub = rnd_date(g, ymd_make(g->year, 1, 5), ymd_make(g->year, 4, 30));
		bool approved = chance(g, 800);

		if (h->dibao != 'C' || short_h <= 0 || (g->pp[h->first].flags & P_THREE_NOES))
			continue;
		copy_row(&cr, 8, key(g, "ZL"), h->no, g->pp[h->first].id, approved ? "02" : "01",
			 yuan(short_h), approved ? num(money_div(short_h * (MARKET_RENT_FEN - LOW_RENT_FEN), 100)) : "\\N",
			 date(sub), approved ? date(ymd_from_days(ymd_to_days(sub) + 20)) : "\\N");
	}
	err |= copy_end(&cr);

	copy_begin(&cd, db, "rent_reduction",
		   "rr_no, hh_code, flat_code, public_rent_fen, effective_from, approved");
	for (int i = 0; i < g->nhh; i++) {
		struct household *h = &g->hh[i];
		char flat[24];

		if (h->dibao != 'C' || !chance(g, 200))
			continue;
		snprintf(flat, sizeof(flat), "GF-%d-%d", (int)rnd_range(g, 1, 40),
			 (int)rnd_range(g, 101, 602));
		copy_row(&cd, 6, key(g, "JZ"), h->no, flat, num(rnd_range(g, 60, 150) * 100),
			 date(ymd_make(g->year, (int)rnd_range(g, 1, 6), 1)), "t");
	}
	err |= copy_end(&cd);

	copy_begin(&cp, db, "rural_house_project",
		   "project_no, hh_code, project_type, house_state, approved_on, subsidy_fen");
	for (int i = 0; i < g->nhh; i++) {
		struct household *h = &g->hh[i];
		bool build = chance(g, 400);
		ymd_t approved = chance(g, 800) ? rnd_date(g, ymd_make(g->year, 2, 1),
							     ymd_make(g->year, 6, 30))
						: YMD_NONE;

		if (h->dibao != 'N' || !chance(g, 150))
			continue;
		copy_row(&cp, 6, key(g, "NF"), h->no, build ? "XJ" : "WG", build ? "0" : "2",
			 date(approved), build ? "\\N" : "400000");
	}
	err |= copy_end(&cp);
	return err ? -EIO : 0;
}

/* ---- live changes ------------------------------------------------------------ */

static int exec(struct gen *g, enum dept d, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int exec(struct gen *g, enum dept d, const char *fmt, ...)
{
	char sql[1024];
	PGresult *res;
	va_list ap;
	int err = 0;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	res = PQexec(g->db[d], sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "assist-gen: %s: %s", dept_names[d], PQerrorMessage(g->db[d]));
		err = -EIO;
	}
	PQclear(res);
	return err;
}

static const char *live_key(struct gen *g, const char *prefix)
{
	char *b = ring();

	snprintf(b, 64, "%s%s%05u", prefix, g->stamp, ++g->counter);
	return b;
}

static struct person *live_person(struct gen *g, unsigned want, unsigned avoid)
{
	for (int tries = 0; tries < 200; tries++) {
		struct person *p = &g->pp[rnd_range(g, 0, g->npp - 1)];

		if ((p->flags & avoid) == 0 && (want == 0 || (p->flags & want)))
			return p;
	}
	return NULL;
}

static int live_bill(struct gen *g, ymd_t today)
{
	struct person *p = live_person(g, chance(g, 500) ? P_DIALYSIS | P_CANCER | P_CHRONIC : 0,
				       P_DEAD);
	struct copy c;
	bool dialysis;

	if (p == NULL)
		return 0;
	dialysis = p->flags & P_DIALYSIS;
	copy_begin(&c, g->db[HEALTH], "hosp_bill", BILL_COLS);
	if (dialysis)
		bill_row(g, &c, p, live_key(g, "MZ"), "14", "TX", today, rnd_range(g, 4500, 7500) * 100);
	else
		bill_row(g, &c, p, live_key(g, "ZY"), "21", p->flags & P_CANCER ? "ZL" : "PT", today,
			 rnd_range(g, 3000, 90000) * 100 + rnd_range(g, 0, 99));
	return copy_end(&c);
}

static int live_income(struct gen *g, ymd_t today)
{
	struct household *h = &g->hh[rnd_range(g, 0, g->nhh - 1)];

	h->income = money_mul_bp(h->income, rnd_range(g, 8000, 12500));
	return exec(g, CIVIL,
		    "UPDATE households SET monthly_income_yuan = %s, income_checked_on = '%s', "
		    "updated_at = now() WHERE household_no = '%s'",
		    yuan(h->income), date(today), h->no);
}

/* A household falls below the line and is enrolled, or an enrollment ends. */
static int live_dibao(struct gen *g, ymd_t today)
{
	struct household *h = &g->hh[rnd_range(g, 0, g->nhh - 1)];
	int err;

	if (h->dibao) {
		h->dibao = 0;
		return exec(g, CIVIL,
			    "UPDATE dibao_enrollments SET terminated_on = '%s', termination_reason = "
			    "'income above the line' WHERE household_no = '%s' AND terminated_on IS NULL",
			    date(today), h->no);
	}
	h->dibao = h->urban ? 'C' : 'N';
	h->dclass = h->urban ? 0 : (int)rnd_range(g, 1, 3);
	h->income = h->urban ? rnd_range(g, 0, 15000) * h->members : rnd_range(g, 0, 6000) * h->members;
	err = exec(g, CIVIL, "UPDATE households SET monthly_income_yuan = %s, updated_at = now() "
			     "WHERE household_no = '%s'", yuan(h->income), h->no);
	for (int k = h->first; k < h->first + h->members && err == 0; k++) {
		struct person *p = &g->pp[k];
		fen_t amount = h->dclass == 1 ? 7000 : h->dclass == 2 ? rnd_range(g, 35, 60) * 100
				: h->dclass == 3 ? rnd_range(g, 15, 30) * 100 : 0;

		if (p->flags & P_DEAD)
			continue;
		err = exec(g, CIVIL,
			   "INSERT INTO dibao_enrollments (enrollment_no, id_card_no, household_no, "
			   "scheme, dibao_class, monthly_amount_yuan, approved_on) VALUES ('%s', '%s', "
			   "'%s', '%c', %s, %s, '%s')",
			   live_key(g, "DB"), p->id, h->no, h->dibao, h->dclass ? num(h->dclass) : "NULL",
			   amount ? yuan(amount) : "NULL", date(today));
	}
	return err;
}

static int live_death(struct gen *g, ymd_t today)
{
	struct person *p = live_person(g, 0, P_DEAD | P_STUDENT);
	int err;

	if (p == NULL || age_on(p, today) < 70)
		return 0;
	p->flags |= P_DEAD;
	p->died = today;
	err = exec(g, CIVIL, "INSERT INTO deaths (id_card_no, death_date, reported_on) "
			     "VALUES ('%s', '%s', '%s') ON CONFLICT DO NOTHING",
		   p->id, date(today), date(today));
	if (err == 0)
		err = exec(g, CIVIL, "UPDATE persons SET death_date = '%s', updated_at = now() "
				     "WHERE id_card_no = '%s'", date(today), p->id);
	return err;
}

/* A trainee finds work, or a new course completes. */
static int live_training(struct gen *g, ymd_t today)
{
	struct person *p;
	struct copy c;

	if (chance(g, 500))
		return exec(g, LABOR,
			    "UPDATE training_completion SET employed_on = '%s', employer_name = "
			    "'Ezhou Airport Logistics' WHERE cert_no = (SELECT cert_no FROM "
			    "training_completion WHERE employed_on IS NULL AND program_type = 'ZY' "
			    "AND end_date <= '%s' LIMIT 1)", date(today), date(today));
	p = live_person(g, P_UNEMPLOYED, P_DEAD | P_TRAINEE);
	if (p == NULL)
		return 0;
	p->flags |= P_TRAINEE;
	copy_begin(&c, g->db[LABOR], "training_completion",
		   "cert_no, course_code, citizen_id, program_type, run_by, start_date, end_date, "
		   "days, employed_on, employer_name");
	completion_row(g, &c, live_key(g, "PX"), p, &courses[rnd_range(g, 0, 4)], false);
	return copy_end(&c);
}

static int live_grant(struct gen *g, ymd_t today)
{
	struct person *p = live_person(g, P_STUDENT, P_DEAD);
	char term[12], sno[20];

	if (p == NULL)
		return 0;
	snprintf(term, sizeof(term), "%d-%d-1", g->year, g->year + 1);
	snprintf(sno, sizeof(sno), "G%s", p->id);
	return exec(g, EDUCATION,
		    "INSERT INTO aid_grant (grant_no, student_no, term_code, aid_type, stage_code, "
		    "amount_yuan, granted_on) VALUES ('%s', '%s', '%s', '04', '%s', %s, '%s')",
		    live_key(g, "JY"), sno, term, stage_of(age_on(p, today), false),
		    yuan(rnd_range(g, 150, 300) * 100), date(today));
}

/* Approve one submitted rental subsidy application: 1, 0 if none waits, or -EIO. */
static int approve_rental(struct gen *g, ymd_t today)
{
	char sql[512];
	PGresult *res;
	int ret;

	snprintf(sql, sizeof(sql),
		 "UPDATE rental_subsidy_app SET status = '02', approved_on = '%s', monthly_fen = "
		 "(subsidised_m2 * %d)::bigint WHERE app_no = (SELECT app_no FROM "
		 "rental_subsidy_app WHERE status = '01' LIMIT 1)",
		 date(today), MARKET_RENT_FEN - LOW_RENT_FEN);
	res = PQexec(g->db[HOUSING], sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "assist-gen: housing: %s", PQerrorMessage(g->db[HOUSING]));
		ret = -EIO;
	} else {
		ret = strcmp(PQcmdTuples(res), "0") != 0;
	}
	PQclear(res);
	return ret;
}

/* An urban dibao household short of space (hundredths of m2 in *short_h),
 * picked at random; NULL if none turns up. */
static struct household *live_short_household(struct gen *g, int64_t *short_h)
{
	for (int tries = 0; tries < 200; tries++) {
		struct household *h = &g->hh[rnd_range(g, 0, g->nhh - 1)];

		*short_h = h->members * 1000 - h->area;
		if (h->dibao == 'C' && *short_h > 0 && !(g->pp[h->first].flags & P_THREE_NOES))
			return h;
	}
	return NULL;
}

/* A submitted rental subsidy application is approved; with none waiting, an
 * urban dibao household short of space that has not applied yet applies (so
 * housing keeps changing after the few applications of the fill). */
static int live_housing(struct gen *g, ymd_t today)
{
	int approved = approve_rental(g, today);
	struct household *h;
	int64_t short_h;

	if (approved != 0)
		return approved < 0 ? approved : 0;
	if ((h = live_short_household(g, &short_h)) == NULL)
		return 0;
	return exec(g, HOUSING,
		    "INSERT INTO rental_subsidy_app (app_no, hh_code, applicant_id, status, "
		    "subsidised_m2, submitted_on) SELECT '%s', '%s', '%s', '01', %s, '%s' "
		    "WHERE NOT EXISTS (SELECT 1 FROM rental_subsidy_app WHERE hh_code = '%s')",
		    live_key(g, "ZL"), h->no, g->pp[h->first].id, yuan(short_h), date(today), h->no);
}

static int live_change(struct gen *g, ymd_t today)
{
	int r = (int)rnd_range(g, 0, 99);

	if (r < 35)
		return live_bill(g, today);
	if (r < 60)
		return live_income(g, today);
	if (r < 72)
		return live_dibao(g, today);
	if (r < 77)
		return live_death(g, today);
	if (r < 88)
		return live_training(g, today);
	if (r < 95)
		return live_grant(g, today);
	return live_housing(g, today);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Changes at rate per second for duration seconds (0: until a signal); the
 * simulated date moves a day every 50 changes through the second half year. */
static int live(struct gen *g, double rate, double duration)
{
	double start = now_s(), next = start;
	long n = 0;
	int err = 0;

	snprintf(g->stamp, sizeof(g->stamp), "%lx", (unsigned long)time(NULL));
	while (!stop && err == 0 && (duration <= 0 || now_s() - start < duration)) {
		ymd_t today = ymd_from_days(ymd_to_days(ymd_make(g->year, 7, 1)) + (n / 50) % 180);
		double wait = next - now_s();

		if (wait > 0) {
			struct timespec ts = {(time_t)wait, (long)((wait - (time_t)wait) * 1e9)};

			nanosleep(&ts, NULL);
			continue;
		}
		err = live_change(g, today);
		n++;
		next += 1.0 / rate;
	}
	fprintf(stderr, "assist-gen: %ld live changes\n", n);
	return err;
}

/* ---- setup ------------------------------------------------------------------- */

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc(n + 1)) != NULL) {
		if (fread(buf, 1, n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
		}
	}
	fclose(f);
	return buf;
}

static int connect_all(struct gen *g, const char *prefix, const char *schema_dir)
{
	for (int d = 0; d < NDEPT; d++) {
		char conninfo[1024], path[1024];
		char *sql;
		int err;

		snprintf(conninfo, sizeof(conninfo), "%s dbname=%s", prefix, dept_names[d]);
		g->db[d] = PQconnectdb(conninfo);
		if (PQstatus(g->db[d]) != CONNECTION_OK) {
			fprintf(stderr, "assist-gen: %s: %s", dept_names[d], PQerrorMessage(g->db[d]));
			return -EIO;
		}
		snprintf(path, sizeof(path), "%s/%s/schema.sql", schema_dir, dept_names[d]);
		sql = read_file(path);
		if (sql == NULL) {
			fprintf(stderr, "assist-gen: %s: %s\n", path, strerror(errno));
			return -EIO;
		}
		err = exec(g, d, "SET client_min_messages = warning");
		if (err == 0) {
			PGresult *res = PQexec(g->db[d], sql);

			if (PQresultStatus(res) != PGRES_COMMAND_OK) {
				fprintf(stderr, "assist-gen: %s: %s", path, PQerrorMessage(g->db[d]));
				err = -EIO;
			}
			PQclear(res);
		}
		free(sql);
		if (err)
			return err;
	}
	return 0;
}

/* True if the databases already hold a city (a second run keeps it). */
static bool filled(struct gen *g)
{
	PGresult *res = PQexec(g->db[CIVIL], "SELECT EXISTS (SELECT 1 FROM persons)");
	bool yes = PQresultStatus(res) == PGRES_TUPLES_OK && strcmp(PQgetvalue(res, 0, 0), "t") == 0;

	PQclear(res);
	return yes;
}

static int fill(struct gen *g)
{
	int (*const fills[NDEPT])(struct gen *) = {
		fill_civil_affairs, fill_health, fill_education, fill_labor, fill_housing,
	};

	for (int d = 0; d < NDEPT; d++) {
		int err;

		if (exec(g, d, "BEGIN") != 0)
			return -EIO;
		err = fills[d](g);
		if (exec(g, d, "%s", err ? "ROLLBACK" : "COMMIT") != 0 || err)
			return -EIO;
	}
	return 0;
}

static const char usage[] =
	"usage: assist-gen --households N --conninfo-prefix \"host=... user=...\"\n"
	"                  [--seed S] [--year Y] [--schema-dir DIR]\n"
	"                  [--rate EVENTS_PER_S [--duration S]]\n"
	"Fills the department databases civil_affairs, health, education, labor and\n"
	"housing (schemas from DIR/<dept>/schema.sql, default ./adapters) with N\n"
	"households, unless they already hold data; then, with --rate, makes live\n"
	"changes for --duration seconds (default: until SIGTERM).\n"
	"  --households N           households to make (required)\n"
	"  --conninfo-prefix TEXT   libpq conninfo before dbname=<dept> (required)\n"
	"  --seed S                 random seed (default 1)\n"
	"  --year Y                 the year of the data, 2008-2100 (default 2024)\n"
	"  --schema-dir DIR         where the department schemas are (default adapters)\n"
	"  --rate EVENTS_PER_S      live changes a second after filling (default none)\n"
	"  --duration S             for S seconds (default: until SIGTERM)\n"
	"  --version                print the version and exit\n"
	"example:\n"
	"  assist-gen --households 1000 --conninfo-prefix 'host=/tmp user=postgres'\n"
	"exit: 0 done, 1 a database failed, 64 bad usage\n";

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"households", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{"year", required_argument, NULL, 'y'},
		{"conninfo-prefix", required_argument, NULL, 'c'},
		{"schema-dir", required_argument, NULL, 'd'},
		{"rate", required_argument, NULL, 'r'},
		{"duration", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		CLI_VERSION_OPTION,
		{NULL, 0, NULL, 0},
	};
	struct gen g = {.year = 2024};
	const char *prefix = NULL, *schema_dir = "adapters";
	double rate = 0, duration = 0;
	unsigned long long seed = 1;
	int opt, err, nhh = 0;
	double t0;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n': nhh = atoi(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 'y': g.year = atoi(optarg); break;
		case 'c': prefix = optarg; break;
		case 'd': schema_dir = optarg; break;
		case 'r': rate = atof(optarg); break;
		case 't': duration = atof(optarg); break;
		default: return cli_usage(opt, usage, EXIT_USAGE);
		}
	}
	if (nhh <= 0 || prefix == NULL || rate < 0 || g.year < 2008 || g.year > 2100)
		return cli_usage('?', usage, EXIT_USAGE);
	g.nhh = nhh;
	g.rng = seed;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	t0 = now_s();
	err = build_city(&g);
	if (err == 0)
		err = connect_all(&g, prefix, schema_dir);
	if (err == 0 && filled(&g)) {
		fprintf(stderr, "assist-gen: the databases already hold a city; not filling\n");
	} else if (err == 0) {
		err = fill(&g);
		if (err == 0)
			fprintf(stderr, "assist-gen: %d households, %d persons in %.1f s\n", g.nhh,
				g.npp, now_s() - t0);
	}
	if (err == 0 && rate > 0)
		err = live(&g, rate, duration);
	for (int d = 0; d < NDEPT; d++)
		PQfinish(g.db[d]);
	free(g.hh);
	free(g.pp);
	free(g.ids);
	return err ? 1 : 0;
}
