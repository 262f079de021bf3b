/* A policy parameter file as assistd loads it at start and on reload. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"dibao.urban.standard.city", "medical.huimin.cap",
					    "medical.assistance.cap", "a", ""};
	static const ymd_t dates[] = {0, 19000101, 20080101, 20260615, 99991231};
	struct params *p = NULL;
	struct param_value pv;
	char err[256];
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (params_load_string(text, "fuzz.yaml", &p, err, sizeof(err)) == 0) {
		(void)params_count(p);
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			for (size_t j = 0; j < sizeof(dates) / sizeof(dates[0]); j++) {
				if (params_get(p, names[i], dates[j], &pv) == 0)
					(void)strlen(pv.clause);
			}
		}
		params_free(p);
	}
	free(text);
	return 0;
}
