#include "cli.h"

#include <stdio.h>

int cli_usage(int opt, const char *usage, int bad_exit)
{
	if (opt == 'h') {
		fputs(usage, stdout);
		return 0;
	}
	fputs(usage, stderr);
	return bad_exit;
}
