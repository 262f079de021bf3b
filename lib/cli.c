#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int cli_usage(int opt, const char *usage, int bad_exit)
{
	if (opt == 'h') {
		fputs(usage, stdout);
		return 0;
	}
	if (opt == 'V') {
		/* ASSIST_VERSION: the CMake project's version (CMakeLists.txt). */
		printf("%s %s\n", program_invocation_short_name, ASSIST_VERSION);
		return 0;
	}
	fputs(usage, stderr);
	return bad_exit;
}

bool cli_asks_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	}
	return false;
}
