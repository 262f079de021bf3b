#include "scheme.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "pbjson.h"

#define S(x) ASSIST__SCHEME__SCHEME_##x

/* Indexed by the Scheme value; scheme_check holds it to that. */
static const struct scheme schemes[] = {
	{.scheme = S(UNSPECIFIED), .name = "unspecified", .family = SCHEME_FAMILY_NONE,
	},
	{.scheme = S(URBAN_DIBAO), .name = "urban_dibao", .family = SCHEME_FAMILY_DIBAO,
	 .periodic = true, .fund = "dibao"},
	{.scheme = S(RURAL_DIBAO), .name = "rural_dibao", .family = SCHEME_FAMILY_DIBAO,
	 .periodic = true, .fund = "dibao"},
	{.scheme = S(HUIMIN), .name = "huimin", .family = SCHEME_FAMILY_MEDICAL,
	 .ytd_field = "huimin_paid_fen", .insurer = true, .cap = "medical.huimin.cap",
	 .cap_field = "huimin_cap_fen", .fund = "huimin_insurance"},
	{.scheme = S(NCMS), .name = "ncms", .family = SCHEME_FAMILY_MEDICAL, .ytd_field = "ncms_paid_fen",
	 .insurer = true, .cap = "medical.ncms.cap", .fund = "ncms"},
	{.scheme = S(MEDICAL_ASSISTANCE), .name = "medical_assistance",
	 .family = SCHEME_FAMILY_MEDICAL, .ytd_field = "medical_assistance_paid_fen",
	 .cap = "medical.assistance.cap", .cap_special = "medical.assistance.cap_special",
	 .cap_field = "medical_assistance_cap_fen", .fund = "medical_assistance"},
	{.scheme = S(CHRONIC_QUOTA), .name = "chronic_quota", .family = SCHEME_FAMILY_MEDICAL,
	 .ytd_field = "chronic_quota_paid_fen", .cap = "medical.chronic_quota.other",
	 .cap_special = "medical.chronic_quota.special", .fund = "medical_assistance"},
	{.scheme = S(TEMPORARY_MEDICAL), .name = "temporary_medical",
	 .family = SCHEME_FAMILY_MEDICAL, .ytd_field = "temporary_medical_paid_fen",
	 .cap = "medical.temporary.cap", .fund = "medical_assistance"},
	{.scheme = S(VAGRANT_MEDICAL), .name = "vagrant_medical", .family = SCHEME_FAMILY_MEDICAL,
	 .ytd_field = "vagrant_medical_paid_fen", .cap = "medical.vagrant.cap",
	 .fund = "medical_assistance"},
	{.scheme = S(MISC_FEE_EXEMPTION), .name = "misc_fee_exemption",
	 .family = SCHEME_FAMILY_EDUCATION, .fund = "education_assistance"},
	{.scheme = S(TEXTBOOK_EXEMPTION), .name = "textbook_exemption",
	 .family = SCHEME_FAMILY_EDUCATION, .fund = "education_assistance"},
	{.scheme = S(TUITION_EXEMPTION), .name = "tuition_exemption",
	 .family = SCHEME_FAMILY_EDUCATION, .fund = "education_assistance"},
	{.scheme = S(BOARDING_ALLOWANCE), .name = "boarding_allowance",
	 .family = SCHEME_FAMILY_EDUCATION, .fund = "education_assistance"},
	{.scheme = S(KEY_HIGH_SCHOOL), .name = "key_high_school", .family = SCHEME_FAMILY_EDUCATION,
	 .fund = "education_assistance"},
	{.scheme = S(UNIVERSITY_ENTRY), .name = "university_entry",
	 .family = SCHEME_FAMILY_EDUCATION, .fund = "education_assistance"},
	{.scheme = S(UNIVERSITY_MONTHLY), .name = "university_monthly",
	 .family = SCHEME_FAMILY_EDUCATION, .fund = "education_assistance"},
	{.scheme = S(VOCATIONAL), .name = "vocational", .family = SCHEME_FAMILY_EDUCATION,
	 .fund = "education_assistance"},
	{.scheme = S(URBAN_RENTAL), .name = "urban_rental", .family = SCHEME_FAMILY_HOUSING,
	 .fund = "housing_assistance"},
	{.scheme = S(RENT_REDUCTION), .name = "rent_reduction", .family = SCHEME_FAMILY_HOUSING,
	 .fund = "housing_assistance"},
	{.scheme = S(RURAL_NEW_BUILD), .name = "rural_new_build", .family = SCHEME_FAMILY_HOUSING,
	 .fund = "housing_assistance"},
	{.scheme = S(RURAL_REPAIR), .name = "rural_repair", .family = SCHEME_FAMILY_HOUSING,
	 .fund = "housing_assistance"},
	{.scheme = S(AFFORDABLE), .name = "affordable", .family = SCHEME_FAMILY_HOUSING,
	 .fund = "housing_assistance"},
	{.scheme = S(VOCATIONAL_TRAINING), .name = "vocational_training",
	 .family = SCHEME_FAMILY_TRAINING, .fund = "employment"},
	{.scheme = S(ENTREPRENEURSHIP_TRAINING), .name = "entrepreneurship_training",
	 .family = SCHEME_FAMILY_TRAINING, .fund = "employment"},
	{.scheme = S(POVERTY_TRAINING), .name = "poverty_training",
	 .family = SCHEME_FAMILY_TRAINING, .fund = "poverty_alleviation"},
	{.scheme = S(SUNSHINE_TRAINING), .name = "sunshine_training",
	 .family = SCHEME_FAMILY_TRAINING, .fund = "sunshine_project"},
	{.scheme = S(PUBLIC_WELFARE_POST), .name = "public_welfare_post",
	 .family = SCHEME_FAMILY_ENTITLEMENT, .fund = "employment"},
	{.scheme = S(UTILITIES), .name = "utilities", .family = SCHEME_FAMILY_ENTITLEMENT,
	},
	{.scheme = S(DISASTER_RELIEF), .name = "disaster_relief", .family = SCHEME_FAMILY_RELIEF,
	 .fund = "disaster_relief"},
	{.scheme = S(LEGAL_AID), .name = "legal_aid", .family = SCHEME_FAMILY_ENTITLEMENT,
	},
	{.scheme = S(CENTRAL_SUPPORT), .name = "central_support",
	 .family = SCHEME_FAMILY_ENTITLEMENT,},
	{.scheme = S(EDUCATION), .name = "education", .family = SCHEME_FAMILY_ENTITLEMENT,
	},
	{.scheme = S(WORKER_INSURANCE), .name = "worker_insurance", .family = SCHEME_FAMILY_MEDICAL,
	 .insurer = true, .fund = "workers_insurance"},
};

#define N_SCHEMES (sizeof(schemes) / sizeof(schemes[0]))

static const char *const fixed_ytd_fields[SCHEME_YTD_ROWS] = {
	[SCHEME_YTD_INSURER] = "insurer_paid_fen",
	[SCHEME_YTD_MEDICAL_TOTAL] = "medical_total_fen",
};

const struct scheme *scheme_get(Assist__Scheme s)
{
	return (int)s >= 0 && (size_t)s < N_SCHEMES ? &schemes[s] : NULL;
}

const char *scheme_text(Assist__Scheme s)
{
	const struct scheme *row = scheme_get(s);

	return row != NULL ? row->name : "unspecified";
}

const struct scheme *scheme_by_name(const char *name)
{
	for (size_t i = 0; i < N_SCHEMES; i++) {
		if (strcmp(schemes[i].name, name) == 0)
			return &schemes[i];
	}
	return NULL;
}

enum scheme_family scheme_family(Assist__Scheme s)
{
	const struct scheme *row = scheme_get(s);

	return row != NULL ? row->family : SCHEME_FAMILY_NONE;
}

/* Counted, not stored: a row's counter follows from the rows before it, and
 * the table is short (a few dozen rows, read per decision). */
int scheme_ytd(Assist__Scheme s)
{
	int c = SCHEME_YTD_ROWS;

	if (scheme_get(s) == NULL || schemes[s].ytd_field == NULL)
		return SCHEME_YTD_NONE;
	for (int i = 0; i < (int)s; i++)
		c += schemes[i].ytd_field != NULL;
	return c;
}

bool scheme_counts(Assist__Scheme s)
{
	const struct scheme *row = scheme_get(s);

	return row != NULL && (row->ytd_field != NULL || row->insurer);
}

void scheme_ytd_add(int64_t *totals, Assist__Scheme s, int64_t amount)
{
	int c = scheme_ytd(s);

	if (c != SCHEME_YTD_NONE)
		totals[c] += amount;
	if (scheme_get(s) != NULL && schemes[s].insurer)
		totals[SCHEME_YTD_INSURER] += amount;
}

static int count_counters(const struct scheme *table, size_t n)
{
	int c = SCHEME_YTD_ROWS;

	for (size_t i = 0; i < n; i++)
		c += table[i].ytd_field != NULL;
	return c;
}

int scheme_ytd_count(void)
{
	return count_counters(schemes, N_SCHEMES);
}

const char *scheme_ytd_field(int c)
{
	if (c >= 0 && c < SCHEME_YTD_ROWS)
		return fixed_ytd_fields[c];
	for (size_t i = 0; i < N_SCHEMES; i++) {
		if (schemes[i].ytd_field != NULL && scheme_ytd(schemes[i].scheme) == c)
			return schemes[i].ytd_field;
	}
	return NULL;
}

static const ProtobufCFieldDescriptor *ytd_descriptor_field(const char *field)
{
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field_by_name(&assist__ytd__descriptor, field);

	if (f == NULL || f->type != PROTOBUF_C_TYPE_INT64 || f->label != PROTOBUF_C_LABEL_NONE)
		return NULL;
	return f;
}

/* Each counter's Ytd field, found once: a record's totals are filled and
 * read counter by counter, and a search by name for each was 2 % of
 * assistd's time. */
static struct {
	int n;
	const ProtobufCFieldDescriptor *field[SCHEME_YTD_MAX];
} counters;
static pthread_once_t counters_once = PTHREAD_ONCE_INIT;

static void counters_find(void)
{
	counters.n = count_counters(schemes, N_SCHEMES);
	if (counters.n > SCHEME_YTD_MAX) /* refused by scheme_check */
		counters.n = SCHEME_YTD_MAX;
	for (int c = 0; c < counters.n; c++)
		counters.field[c] = ytd_descriptor_field(scheme_ytd_field(c));
}

int64_t *scheme_ytd_counter(Assist__Ytd *y, int c)
{
	pthread_once(&counters_once, counters_find);
	if (c < 0 || c >= counters.n || counters.field[c] == NULL)
		return NULL;
	return (int64_t *)((char *)y + counters.field[c]->offset);
}

int64_t *scheme_ytd_slot(Assist__Ytd *y, const char *field)
{
	const ProtobufCFieldDescriptor *f = ytd_descriptor_field(field);

	return f != NULL ? (int64_t *)((char *)y + f->offset) : NULL;
}

int64_t scheme_ytd_get(const Assist__Ytd *y, const char *field)
{
	const ProtobufCFieldDescriptor *f = ytd_descriptor_field(field);

	return f != NULL ? *(const int64_t *)((const char *)y + f->offset) : 0;
}

/* One row against the enum value it stands for. */
static int check_row(const struct scheme *row, const ProtobufCEnumValue *v, char *err,
		     size_t errlen)
{
	char name[64];

	if ((int)row->scheme != v->value) {
		snprintf(err, errlen, "scheme table: no row for %s (found %d in its place)",
			 v->name, (int)row->scheme);
		return -EINVAL;
	}
	if (pbjson_enum_name(&assist__scheme__descriptor, v->value, name, sizeof(name)) == NULL ||
	    row->name == NULL || strcmp(row->name, name) != 0) {
		snprintf(err, errlen, "scheme table: %s is named %s", v->name,
			 row->name != NULL ? row->name : "(none)");
		return -EINVAL;
	}
	if ((row->ytd_field != NULL && ytd_descriptor_field(row->ytd_field) == NULL) ||
	    (row->cap_field != NULL && ytd_descriptor_field(row->cap_field) == NULL) ||
	    (row->cap_field != NULL && row->cap == NULL)) {
		snprintf(err, errlen, "scheme table: %s has a bad counter or cap", row->name);
		return -EINVAL;
	}
	return 0;
}

int scheme_check_table(const struct scheme *table, size_t n, char *err, size_t errlen)
{
	const ProtobufCEnumDescriptor *d = &assist__scheme__descriptor;
	int rc;

	for (size_t i = 0; i < d->n_values; i++) {
		if (d->values[i].value != (int)i) {
			snprintf(err, errlen, "scheme table: %s is not numbered %zu",
				 d->values[i].name, i);
			return -EINVAL;
		}
		if (i >= n) {
			snprintf(err, errlen, "scheme table: no row for %s", d->values[i].name);
			return -EINVAL;
		}
		if ((rc = check_row(&table[i], &d->values[i], err, errlen)) < 0)
			return rc;
	}
	if (n != d->n_values) {
		snprintf(err, errlen, "scheme table: %zu rows for %u schemes", n, d->n_values);
		return -EINVAL;
	}
	for (int c = 0; c < SCHEME_YTD_ROWS; c++) {
		if (ytd_descriptor_field(fixed_ytd_fields[c]) == NULL) {
			snprintf(err, errlen, "scheme table: %s is not an int64 Ytd field",
				 fixed_ytd_fields[c]);
			return -EINVAL;
		}
	}
	if ((rc = count_counters(table, n)) > SCHEME_YTD_MAX) {
		snprintf(err, errlen, "scheme table: %d year-to-date counters, room for %d "
			 "(SCHEME_YTD_MAX in lib/scheme.h)", rc, SCHEME_YTD_MAX);
		return -EINVAL;
	}
	return 0;
}

int scheme_check(char *err, size_t errlen)
{
	return scheme_check_table(schemes, N_SCHEMES, err, errlen);
}
