/* What the programs' command lines share (assistd, assist-adapter, assistctl,
 * assist-audit, assist-gen): --help, --version and progress lines. */
#ifndef ASSIST_CLI_H
#define ASSIST_CLI_H

#include <stdbool.h>

/* The long option every program takes for --version (getopt value 'V'). */
#define CLI_VERSION_OPTION { "version", no_argument, NULL, 'V' }

/* The last cases of a getopt switch: for -h/--help (opt 'h') print usage on
 * standard output and return 0; for --version (opt 'V') print the program's
 * name and version there and return 0; for anything else print usage on
 * standard error and return bad_exit (the program's exit status for bad
 * usage). */
int cli_usage(int opt, const char *usage, int bad_exit);
/* Whether the arguments after argv[0] ask for --help (or -h), before any "--". */
bool cli_asks_help(int argc, char **argv);

#endif
