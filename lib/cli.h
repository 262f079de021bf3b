/* What the programs' command lines share (assistd, assist-adapter, assistctl,
 * assist-audit, assist-gen). */
#ifndef ASSIST_CLI_H
#define ASSIST_CLI_H

/* The last cases of a getopt switch: for -h/--help (opt 'h') print usage on
 * standard output and return 0; for anything else print it on standard error
 * and return bad_exit (the program's exit status for bad usage). */
int cli_usage(int opt, const char *usage, int bad_exit);

#endif
