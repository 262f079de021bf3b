/* Unit-test helper: the shipped policy parameters (config/policy under
 * ASSIST_SOURCE_DIR), so each rule's tests run on the figures that ship. */
#ifndef ASSIST_POLICYTEST_H
#define ASSIST_POLICYTEST_H

#include "params.h"

/* The text of config/policy/<file>, to be freed by the caller; NULL after
 * printing why. */
char *policytest_yaml(const char *file);
/* Load config/policy/<file> alone, or every file of config/policy when file
 * is NULL, into *out. 0, or -1 after printing the loader's error. */
int policytest_params(const char *file, struct params **out);

#endif
