/* assistd: the daemon of the urban-rural integrated social assistance system. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "event.h"
#include "log.h"
#include "rebuild.h"
#include "server.h"

#define DEFAULT_CONFIG "/etc/assist/assistd.conf"

static const char usage[] =
	"usage: assistd [-c CONFIG] [--check | --rebuild]\n"
	"  -c, --config CONFIG   configuration file (default " DEFAULT_CONFIG ")\n"
	"  --check               load the configuration and policy, then exit\n"
	"  --rebuild             rebuild the store's state from its journal, then exit\n"
	"  --version             print the version and exit\n"
	"Runs until SIGTERM or SIGINT; SIGHUP reloads the policy, roles and clients.\n"
	"example:\n"
	"  assistd -c /etc/assist/assistd.conf --check\n"
	"exit: 0 stopped (or checked, or rebuilt), 1 failed, 64 bad usage,\n"
	"73 another assistd runs on this configuration\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
					     {"check", no_argument, NULL, 'k'},
					     {"rebuild", no_argument, NULL, 'r'},
					     {"help", no_argument, NULL, 'h'},
					     CLI_VERSION_OPTION,
					     {NULL, 0, NULL, 0}};
	const char *config = DEFAULT_CONFIG;
	bool check = false, rebuild = false;
	struct server srv;
	char err[160];
	int c, rc;

	log_set_ident("assistd");
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'k':
			check = true;
			break;
		case 'r':
			rebuild = true;
			break;
		default:
			return cli_usage(c, usage, 64);
		}
	}
	if (optind != argc)
		return cli_usage('?', usage, 64);
	if (event_registry_check(event_kinds, event_n_kinds, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return 1;
	}
	if (server_init(&srv, config) < 0) {
		server_free(&srv);
		return 1;
	}
	rc = check ? 0 : rebuild ? rebuild_run(&srv) : server_run(&srv);
	if (check)
		uv_loop_close(&srv.loop);
	server_free(&srv);
	return rc;
}
