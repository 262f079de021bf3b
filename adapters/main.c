/* assist-adapter --department NAME -c CONFIG [--resnapshot]
 * Exit status: 0 stopped by a signal; 1 failed; 2 bad usage or configuration;
 * 3 (ADAPTER_EXIT_SLOT_LOST) the replication slot is lost; 4
 * (ADAPTER_EXIT_REFUSED) a table's replica identity the role may not set. */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "adapter.h"
#include "cli.h"
#include "log.h"

struct main_ctx {
	uv_signal_t sigterm;
	uv_signal_t sigint;
	struct adapter adapter;
	bool stopping;
};

static void close_signals(struct main_ctx *m)
{
	if (m->stopping)
		return;
	m->stopping = true;
	uv_close((uv_handle_t *)&m->sigterm, NULL);
	uv_close((uv_handle_t *)&m->sigint, NULL);
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct main_ctx *m = h->data;

	if (m->stopping)
		return;
	log_info("signal %d: stopping", signum);
	close_signals(m);
	adapter_stop(&m->adapter, NULL);
}

/* The adapter stopped, by a signal or by itself. */
static void on_adapter_closed(struct adapter *a)
{
	close_signals((struct main_ctx *)((char *)a - offsetof(struct main_ctx, adapter)));
}

static const char usage[] =
	"usage: assist-adapter --department NAME -c CONFIG [--resnapshot]\n"
	"Streams one department's database changes (logical replication) to assistd\n"
	"as events, after a first snapshot of its tables.\n"
	"  -d, --department NAME  civil_affairs, health, education, labor or housing\n"
	"  -c, --config CONFIG    the adapter's configuration (no default)\n"
	"  --resnapshot           send every table whole again, then stream\n"
	"  --version              print the version and exit\n"
	"example:\n"
	"  assist-adapter --department health -c /etc/assist/adapter-health.conf\n"
	"exit: 0 stopped by a signal, 1 failed, 2 bad usage or configuration,\n"
	"3 the replication slot is lost, 4 a table's replica identity cannot be set\n";

/* The command line: -1 to go on, or the exit status. */
static int parse_args(int argc, char **argv, const struct department **dept,
		      const char **config, bool *resnapshot)
{
	static const struct option opts[] = {
		{"department", required_argument, NULL, 'd'},
		{"config", required_argument, NULL, 'c'},
		{"resnapshot", no_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},
		CLI_VERSION_OPTION,
		{NULL, 0, NULL, 0},
	};
	const char *dept_name = NULL;
	int opt;

	while ((opt = getopt_long(argc, argv, "d:c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dept_name = optarg;
			break;
		case 'c':
			*config = optarg;
			break;
		case 'R':
			*resnapshot = true;
			break;
		default:
			return cli_usage(opt, usage, 2);
		}
	}
	if (dept_name == NULL || *config == NULL || optind != argc)
		return cli_usage('?', usage, 2);
	if ((*dept = department_find(dept_name)) == NULL) {
		log_error("unknown department %s", dept_name);
		return 2;
	}
	return -1;
}

int main(int argc, char **argv)
{
	const char *config = NULL;
	const struct department *dept = NULL;
	struct adapter_config cfg;
	struct main_ctx m = {0};
	enum log_level level;
	uv_loop_t loop;
	char err[512];
	bool resnapshot = false;
	int rc, ret = 1;

	log_set_ident("assist-adapter");
	if ((rc = parse_args(argc, argv, &dept, &config, &resnapshot)) >= 0)
		return rc;
	if ((rc = adapter_config_load(&cfg, config, err, sizeof(err))) < 0) {
		log_error("%s", rc == -EINVAL ? err : strerror(-rc));
		return 2;
	}
	if (log_parse_level(cfg.log_level, &level) < 0) {
		log_error("%s: bad log_level %s", config, cfg.log_level);
		ret = 2;
		goto out_config;
	}
	log_set_level(level);
	signal(SIGPIPE, SIG_IGN);
	if ((rc = uv_loop_init(&loop)) < 0) {
		log_error("loop: %s", uv_strerror(rc));
		goto out_config;
	}
	uv_signal_init(&loop, &m.sigterm);
	uv_signal_init(&loop, &m.sigint);
	m.sigterm.data = m.sigint.data = &m;
	uv_signal_start(&m.sigterm, on_signal, SIGTERM);
	uv_signal_start(&m.sigint, on_signal, SIGINT);
	if ((rc = adapter_start(&m.adapter, &loop, dept, &cfg, resnapshot)) < 0) {
		log_error("start: %s", strerror(-rc));
		uv_close((uv_handle_t *)&m.sigterm, NULL);
		uv_close((uv_handle_t *)&m.sigint, NULL);
		uv_run(&loop, UV_RUN_DEFAULT);
		goto out_loop;
	}
	m.adapter.on_close = on_adapter_closed;
	log_info("department %s, assistd at %s%s", dept->name, cfg.ingest_endpoint,
		 resnapshot ? ", re-snapshot asked for" : "");
	uv_run(&loop, UV_RUN_DEFAULT);
	ret = m.adapter.exit_code;
out_loop:
	if ((rc = uv_loop_close(&loop)) != 0) {
		log_error("loop: %s", uv_strerror(rc));
		ret = 1;
	}
out_config:
	adapter_config_free(&cfg);
	return ret;
}
