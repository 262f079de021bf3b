#include "eventgen.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"

const char *const eventgen_sources[EG_N] = {"civil_affairs", "health", "education", "labor",
					    "housing"};

int eventgen_per_household(enum eventgen_source s, int h)
{
	switch (s) {
	case EG_CIVIL:
		return 5;
	case EG_HEALTH:
		return h % 25 == 0 ? 3 : 2;
	case EG_LABOR:
		return h % 2 == 0 ? 2 : 1;
	default:
		return 1;
	}
}

/* The three members of household h: two adults, a child. */
static void members(const struct eventgen *g, int h, char ids[3][19])
{
	char birth[9];

	snprintf(birth, sizeof(birth), "19%02d%02d%02d", 50 + h % 40, 1 + h / 40 % 12,
		 1 + h / 480 % 28);
	fixture_id(ids[0], g->region, birth, h / 13440 * 2 % 1000);
	fixture_id(ids[1], g->region, birth, (h / 13440 * 2 + 1) % 1000);
	snprintf(birth, sizeof(birth), "20%02d%02d%02d", 5 + h % 15, 1 + h / 15 % 12,
		 1 + h / 180 % 28);
	fixture_id(ids[2], g->region, birth, h / 5040 % 1000);
}

static void civil(FILE *f, const struct eventgen *g, int h, const char ids[3][19],
		  uint64_t *seq)
{
	const char *src = eventgen_sources[EG_CIVIL];
	bool city = h % 2 == 0;
	const char *area = city ? "city" : "district";

	fprintf(f, "{\"source\":\"%s\",\"seq\":%llu,\"kind\":\"household\",\"household\":"
		"{\"household_id\":\"%s%d\",\"members\":3,\"monthly_income_fen\":%d,"
		"\"housing_area_m2\":%d.5,\"area\":\"%s\"}}\n",
		src, (unsigned long long)(*seq)++, g->prefix, h, 20000 + h % 7 * 5000, 20 + h % 30,
		area);
	for (int m = 0; m < 3; m++)
		fprintf(f, "{\"source\":\"%s\",\"seq\":%llu,\"kind\":\"person\",\"person\":"
			"{\"id_number\":\"%s\",\"name\":\"P%d-%d\",\"household_id\":\"%s%d\","
			"\"hukou\":\"%s\",\"area\":\"%s\",\"place\":{\"district\":\"D%d\","
			"\"town\":\"T%d\"}}}\n",
			src, (unsigned long long)(*seq)++, ids[m], h, m, g->prefix, h,
			city ? "urban" : "rural", area, h % 5, h % 11);
	if (city)
		fprintf(f, "{\"source\":\"%s\",\"seq\":%llu,\"kind\":\"enrollment\",\"enrollment\":"
			"{\"id_number\":\"%s\",\"scheme\":\"urban_dibao\","
			"\"start_date\":\"2026-01-01\"}}\n",
			src, (unsigned long long)(*seq)++, ids[0]);
	else
		fprintf(f, "{\"source\":\"%s\",\"seq\":%llu,\"kind\":\"enrollment\",\"enrollment\":"
			"{\"id_number\":\"%s\",\"scheme\":\"rural_dibao\",\"class\":\"II\","
			"\"start_date\":\"2026-02-01\"}}\n",
			src, (unsigned long long)(*seq)++, ids[0]);
}

static void health(FILE *f, const struct eventgen *g, int h, const char ids[3][19],
		   uint64_t *seq)
{
	const char *src = eventgen_sources[EG_HEALTH];
	const char *insurer = h % 2 == 0 ? "huimin" : "ncms";

	fprintf(f, "{\"source\":\"%s\",\"seq\":%llu,\"kind\":\"medical_claim\",\"medical_claim\":"
		"{\"claim_id\":\"%sM%d\",\"id_number\":\"%s\",\"date\":\"2026-03-%02d\","
		"\"setting\":\"inpatient\",\"hospital\":\"huimin\",\"disease\":\"major\","
		"\"total_fen\":%d,\"insurer\":\"%s\"}}\n",
		src, (unsigned long long)(*seq)++, g->prefix, h, ids[0], 1 + h % 28,
		200000 + h % 50 * 1000, insurer);
	fprintf(f, "{\"source\":\"%s\",\"seq\":%llu,\"kind\":\"medical_claim\",\"medical_claim\":"
		"{\"claim_id\":\"%sC%d\",\"id_number\":\"%s\",\"date\":\"2026-04-%02d\","
		"\"setting\":\"chronic_outpatient\",\"disease\":\"chronic\",\"total_fen\":30000,"
		"\"insurer\":\"%s\",\"months\":1}}\n",
		src, (unsigned long long)(*seq)++, g->prefix, h, ids[1], 1 + h % 28, insurer);
	if (h % 25 == 0)
		fprintf(f, "{\"source\":\"%s\",\"seq\":%llu,\"kind\":\"medical_claim\","
			"\"medical_claim\":{\"claim_id\":\"%sX%d\",\"id_number\":\"%s\","
			"\"date\":\"2026-05-01\",\"setting\":\"inpatient\",\"hospital\":\"huimin\","
			"\"disease\":\"major\",\"total_fen\":-5,\"insurer\":\"%s\"}}\n",
			src, (unsigned long long)(*seq)++, g->prefix, h, ids[0], insurer);
}

static void education(FILE *f, const struct eventgen *g, int h, const char ids[3][19],
		      uint64_t *seq)
{
	fprintf(f, "{\"source\":\"%s\",\"seq\":%llu,\"kind\":\"education_aid\",\"education_aid\":"
		"{\"claim_id\":\"%sE%d\",\"id_number\":\"%s\",\"scheme\":\"misc_fee_exemption\","
		"\"stage\":\"primary\",\"term\":\"2026-spring\",\"amount_fen\":20000}}\n",
		eventgen_sources[EG_EDUCATION], (unsigned long long)(*seq)++, g->prefix, h, ids[2]);
}

static void labor(FILE *f, const struct eventgen *g, int h, const char ids[3][19],
		  uint64_t *seq)
{
	const char *src = eventgen_sources[EG_LABOR];

	if (h % 2 == 0)
		fprintf(f, "{\"source\":\"%s\",\"seq\":%llu,\"kind\":\"status\",\"status\":"
			"{\"id_number\":\"%s\",\"category\":\"registered_unemployed\","
			"\"since\":\"2026-01-15\"}}\n",
			src, (unsigned long long)(*seq)++, ids[1]);
	fprintf(f, "{\"source\":\"%s\",\"seq\":%llu,\"kind\":\"training\",\"training\":"
		"{\"claim_id\":\"%sT%d\",\"id_number\":\"%s\",\"program\":\"vocational\","
		"\"locality\":\"city\",\"started_on\":\"2026-03-01\","
		"\"completed_on\":\"2026-04-15\",\"days\":45}}\n",
		src, (unsigned long long)(*seq)++, g->prefix, h, ids[1]);
}

static void housing(FILE *f, const struct eventgen *g, int h, uint64_t *seq)
{
	fprintf(f, "{\"source\":\"%s\",\"seq\":%llu,\"kind\":\"housing_aid\",\"housing_aid\":"
		"{\"claim_id\":\"%sH%d\",\"household_id\":\"%s%d\",\"scheme\":\"urban_rental\","
		"\"date\":\"2026-05-01\",\"amount_fen\":30000,\"rent_fen\":60000}}\n",
		eventgen_sources[EG_HOUSING], (unsigned long long)(*seq)++, g->prefix, h, g->prefix,
		h);
}

int eventgen_write(const struct eventgen *g, long counts[EG_N])
{
	FILE *f[EG_N] = {NULL};
	uint64_t seq[EG_N];
	char path[512], ids[3][19];
	int rc = 0;

	for (int s = 0; s < EG_N; s++) {
		counts[s] = 0;
		seq[s] = g->first_seq;
		if (!(g->sources & (1u << s)))
			continue;
		snprintf(path, sizeof(path), "%s/%s-%s.jsonl", g->dir, g->prefix,
			 eventgen_sources[s]);
		if ((f[s] = fopen(path, "w")) == NULL)
			rc = -1;
	}
	for (int h = g->first_household; rc == 0 && h < g->first_household + g->n_households;
	     h++) {
		members(g, h, ids);
		if (f[EG_CIVIL])
			civil(f[EG_CIVIL], g, h, ids, &seq[EG_CIVIL]);
		if (f[EG_HEALTH])
			health(f[EG_HEALTH], g, h, ids, &seq[EG_HEALTH]);
		if (f[EG_EDUCATION])
			education(f[EG_EDUCATION], g, h, ids, &seq[EG_EDUCATION]);
		if (f[EG_LABOR])
			labor(f[EG_LABOR], g, h, ids, &seq[EG_LABOR]);
		if (f[EG_HOUSING])
			housing(f[EG_HOUSING], g, h, &seq[EG_HOUSING]);
	}
	for (int s = 0; s < EG_N; s++) {
		if (f[s] != NULL && fclose(f[s]) != 0)
			rc = -1;
		if (f[s] != NULL)
			counts[s] = (long)(seq[s] - g->first_seq);
	}
	return rc;
}
