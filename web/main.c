/* assist-web: the dashboard's gateway on assistd's feed and query endpoint
 * (man assist-web(8)). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <systemd/sd-daemon.h>
#include <zmq.h>

#include "cli.h"
#include "conf.h"
#include "gateway.h"
#include "log.h"

#define DEFAULT_CONFIG "/etc/assist/assist-web.conf"
#define TOKEN_MIN 16

static const char usage[] =
	"usage: assist-web [-c CONFIG]\n"
	"  -c, --config CONFIG   configuration file (default " DEFAULT_CONFIG ")\n"
	"  --version             print the version and exit\n"
	"Serves the dashboard, its JSON API and the feed as Server-Sent Events on\n"
	"listen (default 127.0.0.1:8080) until SIGTERM or SIGINT.\n"
	"example:\n"
	"  assist-web -c /etc/assist/assist-web.conf\n"
	"exit: 0 stopped, 1 failed, 64 bad usage\n";

/* The token of token_file, if any: one line of at least TOKEN_MIN characters. */
static int load_token(struct web *w)
{
	char err[512], *text;
	size_t n;
	int rc;

	if (w->conf.token_file[0] == '\0')
		return 0;
	if ((rc = conf_read_text(w->conf.token_file, sizeof(w->token), &text, err,
				 sizeof(err))) < 0) {
		log_error("token_file: %s", err);
		return rc;
	}
	n = strcspn(text, "\r\n");
	text[n] = '\0';
	if (n < TOKEN_MIN || strspn(text, " \t") > 0) {
		log_error("token_file %s: one line of at least %d characters", w->conf.token_file,
			  TOKEN_MIN);
		free(text);
		return -EINVAL;
	}
	snprintf(w->token, sizeof(w->token), "%s", text);
	sodium_memzero(text, n);
	free(text);
	return 0;
}

/* The endpoints in the form to connect to; the feed's as configured, else
 * the one assistd's status names. */
static int resolve_endpoints(struct web *w)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__StatusRequest st = ASSIST__STATUS_REQUEST__INIT;
	Assist__Reply *reply = NULL;
	int rc;

	conf_connect_endpoint(w->conf.query_endpoint, w->query_endpoint,
			      sizeof(w->query_endpoint));
	if (w->conf.feed_endpoint[0] != '\0') {
		conf_connect_endpoint(w->conf.feed_endpoint, w->feed_endpoint,
				      sizeof(w->feed_endpoint));
		return 0;
	}
	req.body_case = ASSIST__REQUEST__BODY_STATUS;
	req.status = &st;
	rc = gateway_ask(w, &req, &reply);
	if (rc == 0 && reply->body_case == ASSIST__REPLY__BODY_STATUS &&
	    reply->status->feed_endpoint[0] != '\0')
		conf_connect_endpoint(reply->status->feed_endpoint, w->feed_endpoint,
				      sizeof(w->feed_endpoint));
	else
		log_error("no feed_endpoint configured, and assistd at %s did not name one",
			  w->query_endpoint);
	if (rc == 0)
		assist__reply__free_unpacked(reply, NULL);
	return w->feed_endpoint[0] != '\0' ? 0 : -ENOENT;
}

static int setup(struct web *w, const char *config)
{
	char err[512];
	int rc;

	if ((rc = webconf_load(config, &w->conf, err, sizeof(err))) < 0) {
		log_error("%s", err);
		return rc;
	}
	snprintf(w->keys.server, sizeof(w->keys.server), "%s", w->conf.curve_server_key);
	snprintf(w->keys.public, sizeof(w->keys.public), "%s", w->conf.curve_client_public_key);
	snprintf(w->keys.secret, sizeof(w->keys.secret), "%s", w->conf.curve_client_secret_key);
	if (sodium_init() < 0 || (w->zmq = zmq_ctx_new()) == NULL) {
		log_error("cannot start libsodium or ZeroMQ");
		return -ENOMEM;
	}
	if ((rc = load_token(w)) < 0)
		return rc;
	if ((rc = assets_load(&w->assets, w->conf.assets_dir, err, sizeof(err))) < 0) {
		log_error("%s", err);
		return rc;
	}
	if ((rc = resolve_endpoints(w)) < 0 || (rc = gateway_start(w)) < 0)
		return rc;
	return 0;
}

static void teardown(struct web *w)
{
	gateway_stop(w);
	assets_free(&w->assets);
	if (w->zmq != NULL)
		zmq_ctx_term(w->zmq);
	sodium_memzero(w->token, sizeof(w->token));
	webconf_free(&w->conf);
}

/* Block until SIGTERM or SIGINT (blocked in every thread, so taken here). */
static void wait_for_stop(const sigset_t *set)
{
	int sig;

	while (sigwait(set, &sig) != 0 || (sig != SIGTERM && sig != SIGINT))
		;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
					     {"help", no_argument, NULL, 'h'},
					     CLI_VERSION_OPTION,
					     {NULL, 0, NULL, 0}};
	const char *config = DEFAULT_CONFIG;
	struct web w = {0};
	sigset_t set;
	int c, rc;

	log_set_ident("assist-web");
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		if (c != 'c')
			return cli_usage(c, usage, 64);
		config = optarg;
	}
	if (optind != argc)
		return cli_usage('?', usage, 64);
	/* Before any thread starts, so that they all inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sigdelset(&set, SIGPIPE);
	rc = setup(&w, config);
	if (rc == 0) {
		log_info("serving http://%s/ (assistd at %s, feed at %s)", w.conf.listen,
			 w.query_endpoint, w.feed_endpoint);
		sd_notify(0, "READY=1");
		wait_for_stop(&set);
		sd_notify(0, "STOPPING=1");
		log_info("stopping");
	}
	teardown(&w);
	return rc == 0 ? 0 : 1;
}
