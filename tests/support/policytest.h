/* Unit-test helper: the shipped policy parameters (config/policy under
 * ASSIST_SOURCE_DIR), so each rule's tests run on the figures that ship. */
#ifndef ASSIST_POLICYTEST_H
#define ASSIST_POLICYTEST_H

#include <stddef.h>

#include "params.h"

/* The text of config/policy/<file>, to be freed by the caller; NULL after
 * printing why. */
char *policytest_yaml(const char *file);
/* Load config/policy/<file> alone, or every file of config/policy when file
 * is NULL, into *out. 0, or -1 after printing the loader's error. */
int policytest_params(const char *file, struct params **out);

/* Fail the test unless every name (NULL-terminated) has a value in force on
 * day; returns how many names there are. */
size_t policytest_names_in_force(const struct params *p, const char *const *names, ymd_t day);

#endif
