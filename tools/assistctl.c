/* assistctl: the operator's and the departments' command-line client of
 * assistd (docs/interface.md "assistctl"). Short-lived, so it talks to the daemon
 * with plain blocking zmq_poll loops: one DEALER for requests, one SUB for
 * the feed. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <time.h>

#include <jansson.h>
#include <zmq.h>

#include "assist.pb-c.h"
#include "cli.h"
#include "conf.h"
#include "csv.h"
#include "curve.h"
#include "eventline.h"
#include "feedfollow.h"
#include "idnum.h"
#include "money.h"
#include "pbjson.h"
#include "qclient.h"
#include "ymd.h"

#define EXIT_REJECTED 1
#define EXIT_UNREACHABLE 2
#define EXIT_UNKNOWN 3
#define EXIT_USAGE 64
#define EXIT_NOINPUT 66

#define DEFAULT_CONFIG "/etc/assist/assistd.conf"
#define QUERY_TIMEOUT_MS 5000
#define BATCH_MAX_EVENTS 500
#define BATCH_MAX_BYTES (1u << 20)
#define WINDOW_BATCHES 8
#define BUSY_PAUSE_MS 200
#define NOTICE_FIRST_MS 2000
#define NOTICE_EVERY_MS 5000
#define RAW_MAX_BYTES (64u << 10)

struct opts {
	const char *config;
	bool config_given;
	const char *endpoint;
};


static const char usage[] =
	"usage: assistctl [-c CONFIG] [--endpoint EP] COMMAND [ARGS]\n"
	"  push [FILE|-] [--timeout MS] [--wait SECONDS]\n"
	"  get ID [--as-of DATE] [--year Y]\n"
	"  explain ID [--json]\n"
	"  watch [--from SEQ] [--topic PREFIX] [--count N]\n"
	"  status [--json]\n"
	"  dump\n"
	"  pay MONTH\n"
	"  funds [--year Y] [--json]\n"
	"  export ledger --scheme S --year Y [--full-ids]\n"
	"  application APP_ID\n"
	"  roster [--scheme S] [--place CODE] [--as-of DATE] [--json]\n"
	"  report recipients|spending|alerts [--year Y] [--by scheme|place|month|code] [--csv]\n"
	"  keygen\n"
	"  dead-letters [--source S] [--json]\n"
	"  retry ID...\n"
	"  simulate [FILE|-] [--as-of DATE] [--json]\n"
	"  -c CONFIG      assistd's configuration, for its endpoints and keys\n"
	"                 (default /etc/assist/assistd.conf)\n"
	"  --endpoint EP  talk to EP instead of the configuration's endpoint\n"
	"  --version      print the version; COMMAND --help: the command's options\n"
	"tcp:// endpoints use CURVE with ASSIST_SERVER_KEY, ASSIST_CLIENT_PUBLIC and\n"
	"ASSIST_CLIENT_SECRET, or curve_server_key, curve_client_public_key and\n"
	"curve_client_secret_key in CONFIG\n"
	"example:\n"
	"  assistctl -c /etc/assist/assistd.conf status\n"
	"exit: 0 done, 1 rejected, 2 assistd could not be reached, 3 unknown person,\n"
	"64 bad usage, 66 input file missing\n";

static int __attribute__((format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "assistctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return cli_usage('?', usage, EXIT_USAGE);
}

/* ---- endpoints ---------------------------------------------------------- */

/* The endpoint named key in the configuration, or --endpoint. */
static int resolve_endpoint(const struct opts *o, const char *key, char *out, size_t len)
{
	char list[1024];
	int rc;

	if (o->endpoint != NULL) {
		snprintf(out, len, "%s", o->endpoint);
		return 0;
	}
	rc = conf_lookup(o->config, key, list, sizeof(list));
	if (rc < 0) {
		fprintf(stderr, "assistctl: cannot find %s in %s: %s\n", key, o->config,
			strerror(-rc));
		return rc;
	}
	conf_connect_endpoint(list, out, len);
	return 0;
}

/* ---- request/reply client ----------------------------------------------- */

/* One CURVE key: environment variable env, else key in the configuration. */
static void curve_key(const struct opts *o, const char *env, const char *key, char *out,
		      size_t len)
{
	const char *v = getenv(env);

	if (v != NULL && v[0] != '\0')
		snprintf(out, len, "%s", v);
	else if (conf_lookup(o->config, key, out, len) < 0)
		out[0] = '\0';
}

/* The CURVE client keys (none: plaintext, for ipc:// or a daemon with
 * allow_plain_tcp). */
static void client_keys(const struct opts *o, struct qclient_keys *k)
{
	curve_key(o, "ASSIST_SERVER_KEY", "curve_server_key", k->server, sizeof(k->server));
	curve_key(o, "ASSIST_CLIENT_PUBLIC", "curve_client_public_key", k->public,
		  sizeof(k->public));
	curve_key(o, "ASSIST_CLIENT_SECRET", "curve_client_secret_key", k->secret,
		  sizeof(k->secret));
}

static void connect_failed(const struct opts *o, const char *endpoint, int err)
{
	if (err == EINVAL && curve_endpoint_networked(endpoint))
		fprintf(stderr, "assistctl: CURVE needs three 40-character Z85 keys: "
			"ASSIST_SERVER_KEY, ASSIST_CLIENT_PUBLIC and ASSIST_CLIENT_SECRET (or "
			"curve_server_key, curve_client_public_key and curve_client_secret_key "
			"in %s)\n", o->config);
	else
		fprintf(stderr, "assistctl: cannot connect to %s: %s\n", endpoint,
			zmq_strerror(err));
}

/* Connect sock to endpoint, over CURVE if it is networked. 0 or -1 (errno). */
static int connect_socket(const struct opts *o, void *sock, const char *endpoint)
{
	struct qclient_keys k;

	client_keys(o, &k);
	return qclient_connect(sock, endpoint, &k);
}

static int client_open(const struct opts *o, struct qclient *c, void *ctx, const char *endpoint)
{
	struct qclient_keys k;
	int rc;

	client_keys(o, &k);
	rc = qclient_open(c, ctx, endpoint, &k);
	if (rc < 0)
		connect_failed(o, endpoint, -rc);
	return rc;
}

/* One query on the query endpoint with the usual timeout and error reports:
 * 0 and *out, or an exit code. */
static int query(const struct opts *o, Assist__Request *req, Assist__Reply **out)
{
	char ep[512];
	struct qclient c;
	void *ctx;
	int rc;

	if (resolve_endpoint(o, "query_endpoint", ep, sizeof(ep)) < 0)
		return EXIT_UNREACHABLE;
	ctx = zmq_ctx_new();
	if (client_open(o, &c, ctx, ep) < 0) {
		zmq_ctx_term(ctx);
		return EXIT_UNREACHABLE;
	}
	rc = qclient_call(&c, req, QUERY_TIMEOUT_MS, out);
	qclient_close(&c);
	zmq_ctx_term(ctx);
	if (rc == 0 && (*out)->body_case == ASSIST__REPLY__BODY_ERROR) {
		Assist__Error *e = (*out)->error;
		bool unknown = e->code == ASSIST__ERROR_CODE__ERROR_CODE_UNKNOWN_PERSON;
		if (unknown) /* "unknown person", "unknown application" */
			fprintf(stderr, "%s\n", e->message);
		else
			fprintf(stderr, "assistctl: assistd: %s (code %d)\n", e->message, e->code);
		rc = unknown ? EXIT_UNKNOWN : EXIT_REJECTED;
		assist__reply__free_unpacked(*out, NULL);
		return rc;
	}
	if (rc == 0)
		return 0;
	if (rc == -ETIMEDOUT)
		fprintf(stderr, "assistctl: cannot reach assistd at %s\n", ep);
	else if (rc != -EINTR)
		fprintf(stderr, "assistctl: %s: %s\n", ep, zmq_strerror(-rc));
	return EXIT_UNREACHABLE;
}

static int unexpected_reply(void)
{
	fprintf(stderr, "assistctl: unexpected reply from assistd\n");
	return EXIT_REJECTED;
}

/* Print json on stdout (flags as json_dumps) followed by a newline. */
static int print_json(json_t *json, size_t flags)
{
	/* 15 significant digits: 23.64 prints as 23.64, not 23.640000000000001. */
	char *s = json ? json_dumps(json, flags | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))
		       : NULL;

	json_decref(json);
	if (s == NULL) {
		fprintf(stderr, "assistctl: out of memory\n");
		return EXIT_REJECTED;
	}
	puts(s);
	free(s);
	return fflush(stdout) == 0 ? 0 : EXIT_REJECTED;
}

/* ---- push --------------------------------------------------------------- */

struct pos {
	uint64_t major, minor;
};

static int pos_cmp(struct pos a, struct pos b)
{
	if (a.major != b.major)
		return a.major < b.major ? -1 : 1;
	if (a.minor != b.minor)
		return a.minor < b.minor ? -1 : 1;
	return 0;
}

static struct pos pos_of(const Assist__Position *p)
{
	return (struct pos){ p->major, p->minor };
}

static Assist__Position *pb_pos(Assist__Position *out, struct pos p)
{
	assist__position__init(out);
	out->major = p.major;
	out->minor = p.minor;
	return out;
}

struct push_event {
	Assist__Event *msg;
	unsigned line;
	struct pos pos;
	size_t src;        /* index into push.sources */
	size_t local;      /* index into that source's events */
	size_t packed;     /* bytes on the wire */
	bool rejected;
};

/* The input, read as it is sent: whole lines from fd, never blocking when
 * nothing is there yet (a pipe). */
struct push_input {
	int fd;
	char *buf;
	size_t start, len, cap; /* unread bytes: buf[start, len) */
	unsigned line;          /* lines read */
	uint64_t offset;        /* bytes read as lines */
	uint64_t size;          /* a regular file's size; 0: not known */
	const char *name;       /* for messages: the file, or - */
	bool eof;               /* read(2) said so: buf holds the rest */
	bool done;              /* every line taken */
};

/* Events of one source, in position order (those in memory: the
 * acknowledged ones are freed as the input is read on). [0, acked) are acknowledged,
 * [acked, sent) in flight, [sent, n) still to send after prev. */
struct push_source {
	char *name;
	size_t *ev;
	size_t n, cap;
	size_t acked;
	size_t sent;
	bool has_prev;
	struct pos prev;
	bool has_applied;
	struct pos applied;
	/* The position assistd had before this push (a Heartbeat's answer):
	 * events at or below it were applied before, not by this push. */
	bool has_base;
	struct pos base;
	uint64_t base_request; /* the Heartbeat asking for it; 0: not asked */
	/* Its last event read, kept when the event itself is freed. */
	bool has_last;
	struct pos last;
	unsigned last_line;
};

struct push_batch {
	uint64_t request_id;
	size_t src;
	size_t end; /* the source's local index just past the batch's last event */
};

struct push {
	struct qclient cli;
	struct push_input in;
	struct cli_progress progress;
	struct push_event *events; /* in memory, in input order */
	size_t n_events, cap_events;
	size_t freed;      /* acknowledged events freed before events[0] */
	struct push_source *sources;
	size_t n_sources, cap_sources;
	size_t *slots;     /* open-addressing hash of source names -> index + 1 */
	size_t n_slots;
	struct push_batch window[WINDOW_BATCHES];
	size_t n_window;
	size_t cursor;     /* every event before it has been sent */
	size_t done;       /* acknowledged events, all sources */
	size_t n_asked;    /* sources whose base is asked for or known */
	size_t n_based;    /* sources whose base is known */
	unsigned lines;    /* event lines read */
	unsigned unsent;   /* of them, those that could not be sent at all */
	unsigned already;  /* freed events applied before this push */
	unsigned rejected; /* locally and by assistd */
	int64_t timeout_ms, wait_ms;
	int64_t last_reply, last_progress, pause_until;
	int64_t notice_ms; /* silence after which to say so again */
	bool refused;
};

static size_t hash_name(const char *s)
{
	size_t h = 14695981039346656037u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static int push_grow_slots(struct push *p)
{
	size_t n = p->n_slots ? p->n_slots * 2 : 64;
	size_t *slots = calloc(n, sizeof(*slots));

	if (slots == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_sources; i++) {
		size_t h = hash_name(p->sources[i].name) & (n - 1);
		while (slots[h] != 0)
			h = (h + 1) & (n - 1);
		slots[h] = i + 1;
	}
	free(p->slots);
	p->slots = slots;
	p->n_slots = n;
	return 0;
}

/* Index of source name, or -1. */
static ssize_t push_find_source(const struct push *p, const char *name)
{
	if (p->n_slots == 0)
		return -1;
	for (size_t h = hash_name(name) & (p->n_slots - 1); p->slots[h] != 0;
	     h = (h + 1) & (p->n_slots - 1)) {
		if (strcmp(p->sources[p->slots[h] - 1].name, name) == 0)
			return (ssize_t)p->slots[h] - 1;
	}
	return -1;
}

/* Index of source name, added if new; -ENOMEM. */
static ssize_t push_source(struct push *p, const char *name)
{
	ssize_t i = push_find_source(p, name);
	struct push_source *s;

	if (i >= 0)
		return i;
	if ((p->n_sources + 1) * 2 > p->n_slots && push_grow_slots(p) < 0)
		return -ENOMEM;
	if (p->n_sources == p->cap_sources) {
		size_t cap = p->cap_sources ? p->cap_sources * 2 : 8;
		s = realloc(p->sources, cap * sizeof(*s));
		if (s == NULL)
			return -ENOMEM;
		p->sources = s;
		p->cap_sources = cap;
	}
	s = &p->sources[p->n_sources];
	*s = (struct push_source){ .name = strdup(name) };
	if (s->name == NULL)
		return -ENOMEM;
	size_t h = hash_name(name) & (p->n_slots - 1);
	while (p->slots[h] != 0)
		h = (h + 1) & (p->n_slots - 1);
	p->slots[h] = ++p->n_sources;
	return (ssize_t)p->n_sources - 1;
}

static void push_reject_line(struct push *p, unsigned line, const char *reason)
{
	cli_progress_clear(&p->progress);
	fprintf(stderr, "line %u: %s\n", line, reason);
	p->rejected++;
}

/* A line that cannot be sent at all: reported with why, counted rejected.
 * invalid: what was wrong with the line itself, or NULL. */
static int push_unsendable(struct push *p, unsigned line, const char *invalid, const char *why)
{
	char msg[1024];

	if (invalid != NULL)
		snprintf(msg, sizeof(msg), "%s (not sent to assistd: %s)", invalid, why);
	p->unsent++;
	push_reject_line(p, line, invalid != NULL ? msg : why);
	return -EINVAL;
}

/* Check one event and queue it; -EINVAL (reported) if it cannot be sent.
 * invalid: the reason assistctl could not read the line, which goes to
 * assistd as the event's invalid_reason (reported here, counted rejected). */
static int push_add(struct push *p, Assist__Event *msg, unsigned line, const char *invalid)
{
	struct push_event *e;
	struct push_source *s;
	struct pos pos;
	ssize_t src;
	char why[256];

	if (msg->source == NULL || msg->source[0] == '\0')
		return push_unsendable(p, line, invalid, "missing source");
	if (!conf_name_ok(msg->source))
		return push_unsendable(p, line, invalid,
				       "source: must be 1-31 characters of a-z, 0-9, _ or -");
	pos = msg->position ? pos_of(msg->position) : (struct pos){ msg->seq, 0 };
	if (pos.major == 0 && pos.minor == 0)
		return push_unsendable(p, line, invalid, "missing position (seq or position)");
	src = push_source(p, msg->source);
	if (src < 0)
		return (int)src;
	s = &p->sources[src];
	if (s->has_last && pos_cmp(pos, s->last) <= 0) {
		snprintf(why, sizeof(why),
			 "position %" PRIu64 "/%" PRIu64 " of %s does not follow %" PRIu64
			 "/%" PRIu64 " (line %u)",
			 pos.major, pos.minor, s->name, s->last.major, s->last.minor,
			 s->last_line);
		return push_unsendable(p, line, invalid, why);
	}
	if (p->n_events == p->cap_events) {
		size_t cap = p->cap_events ? p->cap_events * 2 : 1024;
		e = realloc(p->events, cap * sizeof(*e));
		if (e == NULL)
			return -ENOMEM;
		p->events = e;
		p->cap_events = cap;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		size_t *ev = realloc(s->ev, cap * sizeof(*ev));
		if (ev == NULL)
			return -ENOMEM;
		s->ev = ev;
		s->cap = cap;
	}
	e = &p->events[p->n_events];
	*e = (struct push_event){ .msg = msg, .line = line, .pos = pos, .src = (size_t)src,
				  .local = s->n,
				  .packed = assist__event__get_packed_size(msg) + 8 };
	s->ev[s->n++] = p->n_events++;
	s->has_last = true;
	s->last = pos;
	s->last_line = line;
	if (invalid != NULL) {
		/* assistd's rejection of it names the same line: printed once. */
		e->rejected = true;
		push_reject_line(p, line, invalid);
	}
	return 0;
}

/* The value after "key": in text (a line that is not valid JSON), past
 * blanks and the colon; NULL if the key is not there. */
static const char *scan_key(const char *text, const char *key)
{
	const char *at = strstr(text, key);

	if (at == NULL)
		return NULL;
	at += strlen(key);
	at += strspn(at, " \t");
	if (*at != ':')
		return NULL;
	return at + 1 + strspn(at + 1, " \t");
}

static bool scan_u64(const char *text, const char *key, uint64_t *out)
{
	const char *v = scan_key(text, key);
	char *end;

	if (v == NULL || *v < '0' || *v > '9')
		return false;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return errno == 0;
}

/* Source and position of a line that is not valid JSON, as far as it still
 * shows them plainly ("source": "x", "seq": N or "major"/"minor"). */
static void scan_place(const char *text, Assist__Event *ev)
{
	const char *v = scan_key(text, "\"source\"");
	uint64_t major, minor = 0;

	if (v != NULL && *v == '"') {
		size_t n = strcspn(v + 1, "\"\\");
		if (v[1 + n] == '"')
			ev->source = strndup(v + 1, n);
	}
	if (scan_u64(text, "\"seq\"", &ev->seq))
		return;
	if (scan_u64(text, "\"major\"", &major)) {
		scan_u64(text, "\"minor\"", &minor);
		if ((ev->position = malloc(sizeof(*ev->position))) != NULL)
			pb_pos(ev->position, (struct pos){ major, minor });
	}
}

/* Source and position of a JSON object that is not a valid event. */
static void json_place(json_t *json, Assist__Event *ev)
{
	json_t *source = json_object_get(json, "source"), *seq = json_object_get(json, "seq");
	json_t *pos = json_object_get(json, "position");
	json_t *major = json_object_get(pos, "major"), *minor = json_object_get(pos, "minor");

	if (json_is_string(source))
		ev->source = strdup(json_string_value(source));
	if (json_is_integer(seq) && json_integer_value(seq) > 0) {
		ev->seq = (uint64_t)json_integer_value(seq);
	} else if (json_is_integer(major) && json_integer_value(major) >= 0 &&
		   (minor == NULL || (json_is_integer(minor) && json_integer_value(minor) >= 0))) {
		if ((ev->position = malloc(sizeof(*ev->position))) != NULL)
			pb_pos(ev->position, (struct pos){ (uint64_t)json_integer_value(major),
							   minor ? (uint64_t)json_integer_value(minor)
								 : 0 });
	}
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f))
			return 0;
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80 ||
		    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

/* The line as raw text for assistd's dead letters: valid UTF-8 (other bytes
 * written as \xNN), at most RAW_MAX_BYTES with a note of the full size. */
static char *raw_text(const char *line)
{
	const unsigned char *s = (const unsigned char *)line;
	char *out = malloc(RAW_MAX_BYTES + 64);
	size_t n = 0;

	if (out == NULL)
		return NULL;
	while (*s != '\0' && n < RAW_MAX_BYTES) {
		size_t k = utf8_len(s);
		if (k == 0) {
			n += (size_t)snprintf(out + n, 5, "\\x%02x", *s++);
			continue;
		}
		if (n + k > RAW_MAX_BYTES)
			break;
		memcpy(out + n, s, k);
		n += k;
		s += k;
	}
	out[n] = '\0';
	if (*s != '\0')
		snprintf(out + n, 64, " [truncated; %zu bytes in all]", strlen(line));
	return out;
}

/* A line assistctl cannot read still goes to assistd, as an event at its
 * position carrying the reason and the line, so it is counted and kept like
 * any other rejection. json: the line parsed, if it is JSON at all. */
static int push_invalid(struct push *p, const char *text, json_t *json, unsigned line,
			const char *reason)
{
	Assist__Event *ev = malloc(sizeof(*ev));
	int rc;

	if (ev == NULL)
		return -ENOMEM;
	assist__event__init(ev);
	if (json_is_object(json))
		json_place(json, ev);
	else
		scan_place(text, ev);
	ev->invalid_reason = strdup(reason);
	ev->raw = raw_text(text);
	if (ev->invalid_reason == NULL || ev->raw == NULL) {
		protobuf_c_message_free_unpacked(&ev->base, NULL);
		return -ENOMEM;
	}
	rc = push_add(p, ev, line, reason);
	if (rc < 0)
		protobuf_c_message_free_unpacked(&ev->base, NULL);
	return rc == -ENOMEM ? rc : 0;
}

/* Decode one non-blank line; a bad line is reported, counted and sent on as
 * an invalid event where its position can be told. */
static int push_line(struct push *p, const char *text, unsigned line)
{
	ProtobufCMessage *msg = NULL;
	json_error_t jerr;
	char err[512];
	json_t *json;
	int rc;

	p->lines++;
	json = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (json == NULL) {
		snprintf(err, sizeof(err), "invalid JSON: %s", jerr.text);
		return push_invalid(p, text, NULL, line, err);
	}
	if (!json_is_object(json)) {
		json_decref(json);
		return push_invalid(p, text, NULL, line, "not a JSON object");
	}
	err[0] = '\0';
	rc = pbjson_decode(&assist__event__descriptor, json, &msg, err, sizeof(err));
	if (rc < 0) {
		rc = push_invalid(p, text, json, line, err[0] ? err : "cannot decode event");
		json_decref(json);
		return rc;
	}
	json_decref(json);
	rc = push_add(p, (Assist__Event *)msg, line, NULL);
	if (rc < 0)
		protobuf_c_message_free_unpacked(msg, NULL);
	return rc == -ENOMEM ? rc : 0;
}

#define PUSH_AHEAD (2 * WINDOW_BATCHES * BATCH_MAX_EVENTS) /* events in memory, at most */
#define PUSH_READ_BYTES (64u << 10)

/* Read more of the input into its buffer if it can be read without waiting:
 * 0, -EAGAIN (nothing there yet), or -errno. */
static int input_fill(struct push_input *in)
{
	struct pollfd pfd = { .fd = in->fd, .events = POLLIN };
	ssize_t n;

	if (in->start > 0) {
		memmove(in->buf, in->buf + in->start, in->len - in->start);
		in->len -= in->start;
		in->start = 0;
	}
	if (in->cap - in->len < PUSH_READ_BYTES) {
		size_t cap = in->cap ? in->cap * 2 : 2 * PUSH_READ_BYTES;
		char *buf = realloc(in->buf, cap);
		if (buf == NULL)
			return -ENOMEM;
		in->buf = buf;
		in->cap = cap;
	}
	if (poll(&pfd, 1, 0) == 0)
		return -EAGAIN;
	/* One byte kept for the NUL that ends a last line without a newline. */
	n = read(in->fd, in->buf + in->len, in->cap - in->len - 1);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? -EAGAIN : -errno;
	in->len += (size_t)n;
	in->eof = n == 0;
	return 0;
}

/* The next whole line, NUL-terminated in place: 1 and *out, 0 when none is
 * there yet, -ENODATA at the end, or -errno. */
static int input_line(struct push_input *in, char **out)
{
	for (;;) {
		char *s = in->buf + in->start;
		char *nl = in->len > in->start ? memchr(s, '\n', in->len - in->start) : NULL;
		int rc;

		if (nl != NULL || (in->eof && in->len > in->start)) {
			size_t n = nl != NULL ? (size_t)(nl - s) : in->len - in->start;
			in->start += n + (nl != NULL);
			in->offset += n + (nl != NULL);
			s[n] = '\0';
			in->line++;
			*out = s;
			return 1;
		}
		if (in->eof)
			return -ENODATA;
		if ((rc = input_fill(in)) < 0)
			return rc == -EAGAIN ? 0 : rc;
	}
}

/* Read and queue lines while fewer than PUSH_AHEAD events wait in memory and
 * more can be read without waiting: 0, or -errno. */
static int push_fill(struct push *p)
{
	int rc = 0;

	while (rc == 0 && !p->in.done && p->n_events - p->done < PUSH_AHEAD) {
		char *buf, *s;
		size_t len;
		if ((rc = input_line(&p->in, &buf)) <= 0) {
			p->in.done = rc == -ENODATA;
			return rc == -ENODATA ? 0 : rc;
		}
		len = strlen(buf);
		while (len > 0 && buf[len - 1] == '\r')
			buf[--len] = '\0';
		s = buf + strspn(buf, " \t");
		rc = *s == '\0' || *s == '#' ? 0 : push_line(p, s, p->in.line);
	}
	return rc;
}

/* First local index in s at or after from whose position is above pos. */
static size_t push_after(const struct push *p, const struct push_source *s, size_t from,
			 struct pos pos)
{
	size_t lo = from, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pos_cmp(p->events[s->ev[mid]].pos, pos) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void push_advance_cursor(struct push *p)
{
	while (p->cursor < p->n_events) {
		const struct push_event *e = &p->events[p->cursor];
		if (e->local < p->sources[e->src].sent)
			p->cursor++;
		else
			break;
	}
}

/* Forget the batches of source src still in the window. */
static void push_drop_window(struct push *p, size_t src)
{
	size_t j = 0;

	for (size_t i = 0; i < p->n_window; i++) {
		if (p->window[i].src != src)
			p->window[j++] = p->window[i];
	}
	p->n_window = j;
}

/* Forget the batches of source src that acknowledgements now cover. Acks are
 * cumulative per source and the one after a commit answers no request in
 * particular, so the window is freed by position, not by request id. */
static void push_release_window(struct push *p, size_t src)
{
	size_t j = 0;

	for (size_t i = 0; i < p->n_window; i++) {
		if (p->window[i].src != src || p->window[i].end > p->sources[src].acked)
			p->window[j++] = p->window[i];
	}
	p->n_window = j;
}

/* Send s's unacknowledged events from local index k again, after prev. */
static void push_rewind(struct push *p, size_t src, size_t k, const Assist__Position *prev)
{
	struct push_source *s = &p->sources[src];

	push_drop_window(p, src);
	s->sent = k;
	s->has_prev = prev != NULL;
	if (prev != NULL)
		s->prev = pos_of(prev);
	if (k < s->n && s->ev[k] < p->cursor)
		p->cursor = s->ev[k];
}

/* Whether the earliest unsent event can go now: the window has room and its
 * source's base is known. */
static bool push_can_send(struct push *p)
{
	push_advance_cursor(p);
	return p->cursor < p->n_events && p->n_window < WINDOW_BATCHES &&
	       p->sources[p->events[p->cursor].src].has_base;
}

/* Ask assistd where each source stands before sending it anything (a
 * Heartbeat): 0, or -EAGAIN/-errno when a request could not go yet. */
static int push_ask_bases(struct push *p)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__Heartbeat hb = ASSIST__HEARTBEAT__INIT;
	int rc;

	req.body_case = ASSIST__REQUEST__BODY_HEARTBEAT;
	req.heartbeat = &hb;
	for (size_t i = 0; i < p->n_sources && p->n_asked < p->n_sources; i++) {
		struct push_source *s = &p->sources[i];
		if (s->has_base || s->base_request != 0)
			continue;
		hb.source = s->name;
		req.request_id = p->cli.next_id;
		if ((rc = qclient_send(&p->cli, &req)) < 0)
			return rc;
		s->base_request = p->cli.next_id++;
		p->n_asked++;
	}
	return 0;
}

/* The answer to a base Heartbeat, if r is one: true. An Error (a source
 * assistd does not take) leaves the base at 0; the batches will say why. */
static bool push_on_base(struct push *p, const Assist__Reply *r)
{
	struct push_source *s = NULL;

	for (size_t i = 0; i < p->n_sources && s == NULL; i++) {
		if (p->sources[i].base_request == r->request_id && !p->sources[i].has_base)
			s = &p->sources[i];
	}
	if (s == NULL)
		return false;
	s->has_base = true;
	p->n_based++;
	if (r->body_case == ASSIST__REPLY__BODY_ACK && r->ack->applied != NULL)
		s->base = pos_of(r->ack->applied);
	return true;
}

/* Whether event e was applied before this push (at or below its source's base). */
static bool push_was_applied(const struct push *p, const struct push_event *e)
{
	const struct push_source *s = &p->sources[e->src];

	return !e->rejected && s->has_base && pos_cmp(e->pos, s->base) <= 0;
}

/* Events in memory at or below their source's base: applied before this push. */
static unsigned push_count_already(const struct push *p)
{
	unsigned n = 0;

	for (size_t i = 0; i < p->n_events; i++)
		n += push_was_applied(p, &p->events[i]);
	return n;
}

/* Build and send the next batch, starting at the earliest unsent event:
 * 0, -EAGAIN (nothing to send or no peer), or -errno. */
static int push_send_batch(struct push *p)
{
	Assist__Event *evs[BATCH_MAX_EVENTS];
	Assist__Batch batch = ASSIST__BATCH__INIT;
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__Position prev;
	struct push_source *s;
	size_t n = 0, bytes = 0, src;
	int rc;

	if (!push_can_send(p))
		return -EAGAIN;
	src = p->events[p->cursor].src;
	s = &p->sources[src];
	while (s->sent + n < s->n && n < BATCH_MAX_EVENTS) {
		const struct push_event *e = &p->events[s->ev[s->sent + n]];
		if (n > 0 && bytes + e->packed > BATCH_MAX_BYTES)
			break;
		bytes += e->packed;
		evs[n++] = e->msg;
	}
	batch.source = s->name;
	if (s->has_prev)
		batch.prev = pb_pos(&prev, s->prev);
	batch.n_events = n;
	batch.events = evs;
	req.request_id = p->cli.next_id;
	req.body_case = ASSIST__REQUEST__BODY_BATCH;
	req.batch = &batch;
	rc = qclient_send(&p->cli, &req);
	if (rc < 0)
		return rc;
	p->cli.next_id++;
	if (p->n_window == 0)
		p->last_progress = qclient_now_ms();
	p->window[p->n_window++] = (struct push_batch){ req.request_id, src, s->sent + n };
	s->sent += n;
	s->has_prev = true;
	s->prev = p->events[s->ev[s->sent - 1]].pos;
	return 0;
}

static void push_on_rejection(struct push *p, struct push_source *s, const Assist__Rejection *r)
{
	size_t k;
	struct push_event *e;

	if (r->position == NULL)
		return;
	k = push_after(p, s, 0, pos_of(r->position));
	if (k == 0)
		return;
	e = &p->events[s->ev[k - 1]];
	if (pos_cmp(e->pos, pos_of(r->position)) != 0 || e->rejected)
		return;
	e->rejected = true;
	p->rejected++;
	cli_progress_clear(&p->progress);
	if (r->field != NULL && r->field[0] != '\0')
		fprintf(stderr, "line %u: %s: %s\n", e->line, r->field, r->reason);
	else
		fprintf(stderr, "line %u: %s\n", e->line, r->reason);
}

/* current: the ack answers a batch still in the window (a gap reply to a
 * batch already given up is stale: the rewind it asks for was done). */
static void push_on_ack(struct push *p, const Assist__Ack *ack, bool current)
{
	ssize_t src = push_find_source(p, ack->source ? ack->source : "");
	struct push_source *s;

	if (src < 0)
		return;
	s = &p->sources[src];
	for (size_t i = 0; i < ack->n_rejections; i++)
		push_on_rejection(p, s, ack->rejections[i]);
	/* 0/0 (a source assistd has nothing of yet) acknowledges nothing. */
	if (ack->applied != NULL && (ack->applied->major != 0 || ack->applied->minor != 0)) {
		struct pos applied = pos_of(ack->applied);
		size_t k = push_after(p, s, s->acked, applied);
		if (!s->has_applied || pos_cmp(applied, s->applied) > 0) {
			s->has_applied = true;
			s->applied = applied;
		}
		p->done += k - s->acked;
		s->acked = k;
		push_release_window(p, (size_t)src);
		if (s->sent < s->acked) {
			s->sent = s->acked;
			s->has_prev = true;
			s->prev = applied;
		}
	}
	if (ack->gap && current) {
		struct pos expected = ack->expected ? pos_of(ack->expected) : (struct pos){ 0, 0 };
		push_rewind(p, (size_t)src, push_after(p, s, s->acked, expected), ack->expected);
	}
}

/* A batch refused with an error: busy means later, anything else is final. */
static void push_on_error(struct push *p, const struct push_batch *b, const Assist__Error *e)
{
	Assist__Position applied;
	struct push_source *s;

	if (b == NULL)
		return;
	s = &p->sources[b->src];
	if (e->code == ASSIST__ERROR_CODE__ERROR_CODE_BUSY) {
		push_rewind(p, b->src, s->acked,
			    s->has_applied ? pb_pos(&applied, s->applied) : NULL);
		p->pause_until = qclient_now_ms() + BUSY_PAUSE_MS;
		return;
	}
	cli_progress_clear(&p->progress);
	fprintf(stderr, "assistctl: assistd refused a batch of %s: %s (code %d)\n", s->name,
		e->message, e->code);
	p->refused = true;
}

static void push_on_reply(struct push *p, Assist__Reply *r)
{
	struct push_batch batch;
	bool current = false;

	for (size_t i = 0; i < p->n_window; i++) {
		if (p->window[i].request_id == r->request_id) {
			batch = p->window[i];
			p->window[i] = p->window[--p->n_window];
			current = true;
			break;
		}
	}
	if (p->notice_ms > NOTICE_FIRST_MS) {
		cli_progress_clear(&p->progress);
		fprintf(stderr, "assistctl: %s answers again\n", p->cli.endpoint);
	}
	p->notice_ms = NOTICE_FIRST_MS;
	p->last_reply = p->last_progress = qclient_now_ms();
	if (!current && p->n_based < p->n_sources)
		push_on_base(p, r);
	if (r->body_case == ASSIST__REPLY__BODY_ACK)
		push_on_ack(p, r->ack, current);
	else if (r->body_case == ASSIST__REPLY__BODY_ERROR)
		push_on_error(p, current ? &batch : NULL, r->error);
}

/* Free the acknowledged events at the front of memory, so that a long input
 * is held only as far as it is in flight: every index past them moves down. */
static void push_compact(struct push *p)
{
	size_t k = 0;

	while (k < p->n_events && p->events[k].local < p->sources[p->events[k].src].acked)
		k++;
	if (k == 0)
		return;
	for (size_t i = 0; i < k; i++) {
		p->already += push_was_applied(p, &p->events[i]);
		protobuf_c_message_free_unpacked(&p->events[i].msg->base, NULL);
	}
	memmove(p->events, p->events + k, (p->n_events - k) * sizeof(*p->events));
	for (size_t i = 0; i < p->n_sources; i++) {
		struct push_source *s = &p->sources[i];
		size_t c = 0; /* its events among the k */
		while (c < s->n && s->ev[c] < k)
			c++;
		memmove(s->ev, s->ev + c, (s->n - c) * sizeof(*s->ev));
		s->n -= c;
		s->acked -= c;
		s->sent -= c;
		for (size_t j = 0; j < s->n; j++) {
			s->ev[j] -= k;
			p->events[s->ev[j]].local = j;
		}
		for (size_t w = 0; w < p->n_window; w++)
			p->window[w].end -= p->window[w].src == i ? c : 0;
	}
	p->n_events -= k;
	p->done -= k;
	p->cursor -= k;
	p->freed += k;
}

/* The progress line: lines settled (acknowledged, or not sendable) of the
 * lines there are, estimated for a regular file from the bytes read. */
static void push_progress(struct push *p)
{
	uint64_t settled = p->freed + p->done + p->unsent, total = 0;

	if (p->in.done)
		total = p->lines;
	else if (p->in.size > 0 && p->in.offset > 0)
		total = (uint64_t)p->lines * p->in.size / p->in.offset;
	if (total > 0 && total < settled)
		total = settled;
	cli_progress_show(&p->progress, "", settled, total, "events");
}

/* Nothing heard for the timeout: resend everything unacknowledged. */
static void push_resend_all(struct push *p)
{
	for (size_t i = 0; i < p->n_sources; i++) {
		struct push_source *s = &p->sources[i];
		Assist__Position applied;
		push_rewind(p, i, s->acked, s->has_applied ? pb_pos(&applied, s->applied) : NULL);
		if (!s->has_base)
			s->base_request = 0;
	}
	p->n_asked = p->n_based;
	p->last_progress = qclient_now_ms();
}

/* What silence means: after wait_ms, that assistd cannot be reached
 * (EXIT_UNREACHABLE); after timeout_ms, that what is unacknowledged must go
 * again. While nothing is in flight (the input is not there yet) it means
 * nothing. 0, or the exit code. */
static int push_check_silence(struct push *p, int64_t now)
{
	if (p->done == p->n_events) {
		p->last_reply = p->last_progress = now;
		return 0;
	}
	if (now - p->last_reply >= p->wait_ms) {
		cli_progress_clear(&p->progress);
		fprintf(stderr, "assistctl: cannot reach assistd at %s\n", p->cli.endpoint);
		return EXIT_UNREACHABLE;
	}
	if (now - p->last_reply >= p->notice_ms) {
		cli_progress_clear(&p->progress);
		fprintf(stderr, "assistctl: no answer from %s for %" PRId64 " s; still trying\n",
			p->cli.endpoint, (now - p->last_reply) / 1000);
		p->notice_ms += NOTICE_EVERY_MS;
	}
	if (now - p->last_progress >= p->timeout_ms)
		push_resend_all(p);
	return 0;
}

/* Wait for the socket (events) and, while more is wanted, the input, at most
 * until the next deadline: 0, or EXIT_UNREACHABLE. */
static int push_wait(struct push *p, short events, int64_t now)
{
	zmq_pollitem_t items[2] = { { .socket = p->cli.sock, .events = events },
				    { .fd = p->in.fd, .events = ZMQ_POLLIN } };
	bool input = !p->in.done && p->n_events - p->done < PUSH_AHEAD;
	int64_t wait = p->last_progress + p->timeout_ms - now;

	if (p->last_reply + p->wait_ms - now < wait)
		wait = p->last_reply + p->wait_ms - now;
	if (p->last_reply + p->notice_ms - now < wait)
		wait = p->last_reply + p->notice_ms - now;
	if (p->pause_until > now && p->pause_until - now < wait)
		wait = p->pause_until - now;
	/* A progress line is refreshed even while nothing comes. */
	if (wait > CLI_PROGRESS_MS)
		wait = CLI_PROGRESS_MS;
	if (zmq_poll(items, input ? 2 : 1, wait < 0 ? 0 : (long)wait) < 0 && errno != EINTR) {
		cli_progress_clear(&p->progress);
		fprintf(stderr, "assistctl: %s: %s\n", p->cli.endpoint, zmq_strerror(errno));
		return EXIT_UNREACHABLE;
	}
	return 0;
}

/* Read, send and take acks until the input is read and all of it is
 * acknowledged: 0, or an exit code. */
static int push_run(struct push *p)
{
	int rc = 0;

	p->last_reply = p->last_progress = qclient_now_ms();
	p->notice_ms = NOTICE_FIRST_MS;
	cli_progress_start(&p->progress);
	while (rc == 0 && (!p->in.done || p->done < p->n_events) && !p->refused) {
		short events = ZMQ_POLLIN;
		int64_t now;
		Assist__Reply *r;
		int got, sent;

		if ((got = push_fill(p)) < 0) {
			cli_progress_clear(&p->progress);
			fprintf(stderr, "assistctl: %s: %s\n", p->in.name, strerror(-got));
			rc = EXIT_NOINPUT;
			break;
		}
		now = qclient_now_ms();
		if ((rc = push_check_silence(p, now)) != 0)
			break;
		sent = push_ask_bases(p);
		while (sent == 0 && now >= p->pause_until && (sent = push_send_batch(p)) == 0)
			;
		if (now >= p->pause_until && (push_can_send(p) || p->n_asked < p->n_sources))
			events |= ZMQ_POLLOUT;
		if ((rc = push_wait(p, events, now)) != 0)
			break;
		while ((got = qclient_recv(&p->cli, &r)) == 0 || got == -EBADMSG) {
			if (got == 0) {
				push_on_reply(p, r);
				assist__reply__free_unpacked(r, NULL);
			}
		}
		if (p->done >= PUSH_AHEAD / 2)
			push_compact(p);
		push_progress(p);
	}
	cli_progress_clear(&p->progress);
	return rc;
}

static void push_free(struct push *p)
{
	for (size_t i = 0; i < p->n_events; i++)
		protobuf_c_message_free_unpacked(&p->events[i].msg->base, NULL);
	for (size_t i = 0; i < p->n_sources; i++) {
		free(p->sources[i].name);
		free(p->sources[i].ev);
	}
	free(p->events);
	free(p->sources);
	free(p->slots);
	free(p->in.buf);
}

/* Open path (- standard input) as p's input: 0, or EXIT_NOINPUT (reported). */
static int push_open(struct push *p, const char *path)
{
	struct stat st;

	p->in.name = path;
	p->in.fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (p->in.fd < 0 || fstat(p->in.fd, &st) != 0) {
		fprintf(stderr, "assistctl: %s: %s\n", path, strerror(errno));
		return EXIT_NOINPUT;
	}
	/* A regular file's size lets the progress line estimate the total. */
	if (S_ISREG(st.st_mode))
		p->in.size = (uint64_t)st.st_size;
	return 0;
}

static const char push_usage[] =
	"usage: assistctl push [FILE|-] [--timeout MS] [--wait SECONDS]\n"
	"Sends the JSON-lines events of FILE (default -: standard input) to assistd's\n"
	"ingest endpoint as it reads them and waits until each is acknowledged.\n"
	"Lines that are blank or start with # are skipped; a line that is not an\n"
	"event is reported and counted rejected. Prints a summary on standard error,\n"
	"and a progress line there while it is a terminal.\n"
	"  --timeout MS     resend what is not acknowledged after MS (default 3000)\n"
	"  --wait SECONDS   give up after SECONDS without an answer (default 60)\n"
	"example:\n"
	"  assistctl push events.jsonl\n"
	"exit: 0 every event applied, 1 some rejected, 2 assistd could not be reached,\n"
	"64 bad usage, 66 FILE cannot be read\n";

static int cmd_push(const struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "wait", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	struct push p = { .timeout_ms = 3000, .wait_ms = 60000 };
	const char *path = "-";
	char ep[512];
	uint64_t v;
	void *ctx;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 't' && cli_parse_u64(optarg, &v) && v > 0)
			p.timeout_ms = (int64_t)v;
		else if (opt == 'w' && cli_parse_u64(optarg, &v))
			p.wait_ms = (int64_t)v * 1000;
		else
			return usage_error("push: bad option");
	}
	if (argc - optind > 1)
		return usage_error("push: unexpected argument %s", argv[optind + 1]);
	if (optind < argc)
		path = argv[optind];
	if (resolve_endpoint(o, "ingest_endpoint", ep, sizeof(ep)) < 0)
		return EXIT_UNREACHABLE;
	if (push_open(&p, path) != 0)
		return EXIT_NOINPUT;
	ctx = zmq_ctx_new();
	rc = client_open(o, &p.cli, ctx, ep) < 0 ? EXIT_UNREACHABLE : push_run(&p);
	qclient_close(&p.cli);
	zmq_ctx_term(ctx);
	if (p.in.fd != STDIN_FILENO)
		close(p.in.fd);
	if (p.refused)
		p.rejected += (unsigned)(p.n_events - p.done);
	if (rc == 0) {
		unsigned already = p.already + push_count_already(&p);
		fprintf(stderr, "pushed %u events: %u applied, %u already applied, %u rejected\n",
			p.lines, p.lines - p.rejected - already, already, p.rejected);
		rc = p.rejected > 0 ? EXIT_REJECTED : 0;
	} else if (rc != EXIT_NOINPUT) {
		fprintf(stderr, "assistctl: %zu of %u events read not acknowledged\n",
			p.n_events - p.done, p.lines);
	}
	push_free(&p);
	return rc;
}

/* ---- get, explain, status ----------------------------------------------- */

static const char get_usage[] =
	"usage: assistctl get ID [--as-of DATE] [--year Y]\n"
	"Prints the unified record of the person with ID number ID as JSON.\n"
	"  --as-of DATE  benefits and entitlements as of DATE (default today)\n"
	"  --year Y      the year-to-date totals of year Y (default this year)\n"
	"example:\n"
	"  assistctl get 420704198001011234 --as-of 2008-06-30\n"
	"exit: 0 printed, 1 refused, 2 assistd could not be reached, 3 unknown person,\n"
	"64 bad usage\n";

static int cmd_get(const struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "as-of", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__GetRequest get = ASSIST__GET_REQUEST__INIT;
	Assist__Reply *reply;
	uint64_t year;
	ymd_t day;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 'a' && ymd_parse(optarg, &day) == 0) {
			get.as_of = optarg;
			continue;
		}
		if (opt != 'y' || !cli_parse_u64(optarg, &year) || year < 1900 || year > 9999)
			return usage_error("get: bad option");
		get.year = (int32_t)year;
	}
	if (argc - optind != 1)
		return usage_error("get: expects one ID");
	get.id_number = argv[optind];
	req.body_case = ASSIST__REQUEST__BODY_GET;
	req.get = &get;
	rc = query(o, &req, &reply);
	if (rc != 0)
		return rc;
	if (reply->body_case == ASSIST__REPLY__BODY_RECORD)
		rc = print_json(pbjson_encode(&reply->record->base, PBJSON_EMIT_DEFAULTS),
				JSON_INDENT(2));
	else
		rc = unexpected_reply();
	assist__reply__free_unpacked(reply, NULL);
	return rc;
}

static void print_explanation(const Assist__Explanation *x)
{
	if (x->rule[0])
		printf("%s: %s\n", x->subject, x->rule);
	else
		printf("%s\n", x->subject);
	for (size_t i = 0; i < x->n_params; i++) {
		const Assist__TraceParam *t = x->params[i];
		printf("  param %s = %" PRId64 "%s%s", t->name, t->value, t->unit[0] ? " " : "",
		       t->unit);
		if (t->effective[0] && t->clause[0])
			printf(" (since %s; %s)", t->effective, t->clause);
		else if (t->effective[0])
			printf(" (since %s)", t->effective);
		else if (t->clause[0])
			printf(" (%s)", t->clause);
		putchar('\n');
	}
	for (size_t i = 0; i < x->n_inputs; i++)
		printf("  input %s = %s\n", x->inputs[i]->name, x->inputs[i]->value);
	for (size_t i = 0; i < x->n_sources; i++)
		printf("  from %s@%" PRIu64 "/%" PRIu64 "\n", x->source, x->sources[i]->major,
		       x->sources[i]->minor);
	printf("  => %s\n", x->result);
}

/* The options of a command whose only one is --json: 0, or the exit status. */
static int parse_json_option(int argc, char **argv, const char *cmd, bool *json)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt != 'j')
			return usage_error("%s: bad option", cmd);
		*json = true;
	}
	return 0;
}

static const char explain_usage[] =
	"usage: assistctl explain ID [--json]\n"
	"Prints why each decision about the person ID was taken: the rule, the\n"
	"parameters with their clause, the inputs and the events it came from.\n"
	"  --json  the explanations as JSON (default: text)\n"
	"example:\n"
	"  assistctl explain 420704198001011234\n"
	"exit: 0 printed, 1 refused, 2 assistd could not be reached, 3 unknown person,\n"
	"64 bad usage\n";

static int cmd_explain(const struct opts *o, int argc, char **argv)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__ExplainRequest ex = ASSIST__EXPLAIN_REQUEST__INIT;
	Assist__Reply *reply;
	bool json = false;
	int rc;

	if ((rc = parse_json_option(argc, argv, "explain", &json)) != 0)
		return rc;
	if (argc - optind != 1)
		return usage_error("explain: expects one ID");
	ex.id_number = argv[optind];
	req.body_case = ASSIST__REQUEST__BODY_EXPLAIN;
	req.explain = &ex;
	rc = query(o, &req, &reply);
	if (rc != 0)
		return rc;
	if (reply->body_case != ASSIST__REPLY__BODY_EXPLAIN)
		rc = unexpected_reply();
	else if (json) {
		rc = print_json(pbjson_encode(&reply->explain->base, PBJSON_EMIT_DEFAULTS),
				JSON_INDENT(2));
	} else {
		for (size_t i = 0; i < reply->explain->n_items; i++) {
			if (i > 0)
				putchar('\n');
			print_explanation(reply->explain->items[i]);
		}
		if (reply->explain->n_items == 0)
			printf("no decisions recorded\n");
	}
	assist__reply__free_unpacked(reply, NULL);
	return rc;
}

/* The recompute jobs of a status reply: [{id, from, params, done, total, finished}]. */
static json_t *jobs_json(const Assist__StatusReply *st)
{
	json_t *jobs = json_array();

	for (size_t i = 0; i < st->n_jobs; i++) {
		const Assist__JobStatus *j = st->jobs[i];

		json_array_append_new(jobs, json_pack("{sI ss ss sI sI sb}", "id", (json_int_t)j->id,
						      "from", j->from, "params", j->params, "done",
						      (json_int_t)j->done, "total",
						      (json_int_t)j->total, "finished", j->finished));
	}
	return jobs;
}

static json_t *status_json(const Assist__StatusReply *st)
{
	json_t *root = json_object(), *sources = json_object();

	json_object_set_new(root, "sources", sources);
	for (size_t i = 0; i < st->n_sources; i++) {
		const Assist__SourceStatus *s = st->sources[i];
		json_t *o = json_object();
		uint64_t major = s->position ? s->position->major : 0;
		uint64_t minor = s->position ? s->position->minor : 0;
		json_object_set_new(o, "position", json_integer((json_int_t)major));
		json_object_set_new(o, "position_minor", json_integer((json_int_t)minor));
		json_object_set_new(o, "applied", json_integer((json_int_t)s->applied));
		json_object_set_new(o, "rejected", json_integer((json_int_t)s->rejected));
		json_object_set_new(o, "lag_ms", json_integer(s->lag_ms));
		json_object_set_new(o, "last_seen",
				    s->last_seen[0] ? json_string(s->last_seen) : json_null());
		json_object_set_new(o, "stale", json_boolean(s->stale));
		json_object_set_new(o, "problem",
				    s->problem[0] ? json_string(s->problem) : json_null());
		json_object_set_new(sources, s->source, o);
	}
	json_object_set_new(root, "feed_seq", json_integer((json_int_t)st->feed_seq));
	json_object_set_new(root, "dead_letters", json_integer((json_int_t)st->dead_letters));
	json_object_set_new(root, "recipients", json_integer((json_int_t)st->recipients));
	json_object_set_new(root, "jobs", jobs_json(st));
	return root;
}

static void status_table(const Assist__StatusReply *st)
{
	printf("%-16s %22s %10s %10s %10s  %s\n", "SOURCE", "POSITION", "APPLIED", "REJECTED",
	       "LAG_MS", "LAST_SEEN");
	for (size_t i = 0; i < st->n_sources; i++) {
		const Assist__SourceStatus *s = st->sources[i];
		char pos[48];
		snprintf(pos, sizeof(pos), "%" PRIu64 "/%" PRIu64,
			 s->position ? s->position->major : 0, s->position ? s->position->minor : 0);
		printf("%-16s %22s %10" PRIu64 " %10" PRIu64 " %10" PRId64 "  %s%s\n", s->source,
		       pos, s->applied, s->rejected, s->lag_ms, s->last_seen[0] ? s->last_seen : "-",
		       s->stale ? "  (stale)" : "");
		if (s->problem[0])
			printf("%-16s failed: %s\n", "", s->problem);
	}
	printf("feed sequence: %" PRIu64 "\ndead letters:  %" PRIu64 "\nrecipients:    %" PRIu64
	       "\n", st->feed_seq, st->dead_letters, st->recipients);
	for (size_t i = 0; i < st->n_jobs; i++) {
		const Assist__JobStatus *j = st->jobs[i];

		printf("recompute job %" PRIu64 ": %s from %s: %" PRIu32 "/%" PRIu32 " chunks%s\n",
		       j->id, j->params, j->from, j->done, j->total,
		       j->finished ? ", finished" : "");
	}
}

static const char status_usage[] =
	"usage: assistctl status [--json]\n"
	"Prints each source's position, applied and rejected counts, lag and when it\n"
	"was last seen, the feed sequence, the dead letters and the recipients.\n"
	"  --json  as one JSON object (default: a table)\n"
	"example:\n"
	"  assistctl status --json\n"
	"exit: 0 printed, 1 refused, 2 assistd could not be reached, 64 bad usage\n";

static int cmd_status(const struct opts *o, int argc, char **argv)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__StatusRequest sr = ASSIST__STATUS_REQUEST__INIT;
	Assist__Reply *reply;
	bool json = false;
	int rc;

	if ((rc = parse_json_option(argc, argv, "status", &json)) != 0)
		return rc;
	if (optind != argc)
		return usage_error("status: unexpected argument %s", argv[optind]);
	req.body_case = ASSIST__REQUEST__BODY_STATUS;
	req.status = &sr;
	rc = query(o, &req, &reply);
	if (rc != 0)
		return rc;
	if (reply->body_case != ASSIST__REPLY__BODY_STATUS)
		rc = unexpected_reply();
	else if (json)
		rc = print_json(status_json(reply->status), 0);
	else
		status_table(reply->status);
	assist__reply__free_unpacked(reply, NULL);
	return rc;
}

static const char keygen_usage[] =
	"usage: assistctl keygen\n"
	"Prints a new CURVE key pair (public-key = ..., secret-key = ...) for a\n"
	"clients_file line or a client's configuration. Needs no assistd.\n"
	"example:\n"
	"  assistctl keygen > health.keys\n"
	"exit: 0 printed, 1 no key could be made, 64 bad usage\n";

static int cmd_keygen(const struct opts *o, int argc, char **argv)
{
	char public[41], secret[41];

	if (argc > 1)
		return usage_error("keygen: unexpected argument %s", argv[1]);
	if (zmq_curve_keypair(public, secret) != 0) {
		fprintf(stderr, "assistctl: cannot make a CURVE key pair: %s\n",
			zmq_strerror(errno));
		return EXIT_REJECTED;
	}
	printf("public-key = %s\nsecret-key = %s\n", public, secret);
	return 0;
}

/* ---- watch -------------------------------------------------------------- */

struct watch {
	struct qclient query;
	bool have_query;
	struct feedfollow follow;
	uint64_t count; /* 0: no limit */
	uint64_t printed;
	bool failed; /* printing failed */
};

/* Print m: 1 to stop (--count reached, or printing failed), or 0. */
static int watch_print(void *data, const Assist__FeedMessage *m)
{
	struct watch *w = data;

	if (print_json(pbjson_encode(&m->base, 0), JSON_COMPACT) != 0) {
		w->failed = true;
		return 1;
	}
	w->printed++;
	return w->count > 0 && w->printed >= w->count;
}

/* A feedfollow result as watch's: 1 stopped, 0 go on, or an exit code
 * (negative). */
static int watch_result(struct watch *w, int rc)
{
	if (rc == -EINTR)
		return 1;
	if (rc < 0) {
		fprintf(stderr, "assistctl: %s\n", w->follow.err);
		return -EXIT_UNREACHABLE;
	}
	return w->failed ? -EXIT_REJECTED : rc;
}

/* The feed endpoint: from the configuration, else as assistd reports it. */
static int watch_feed_endpoint(const struct opts *o, struct watch *w, char *out, size_t len)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__StatusRequest sr = ASSIST__STATUS_REQUEST__INIT;
	Assist__Reply *reply;
	char list[1024];
	int rc;

	if ((o->endpoint == NULL || o->config_given) &&
	    conf_lookup(o->config, "feed_endpoint", list, sizeof(list)) == 0) {
		conf_connect_endpoint(list, out, len);
		return 0;
	}
	if (!w->have_query) {
		fprintf(stderr, "assistctl: no feed_endpoint in %s\n", o->config);
		return -ENOENT;
	}
	req.body_case = ASSIST__REQUEST__BODY_STATUS;
	req.status = &sr;
	rc = qclient_call(&w->query, &req, QUERY_TIMEOUT_MS, &reply);
	if (rc < 0) {
		fprintf(stderr, "assistctl: cannot reach assistd at %s\n", w->query.endpoint);
		return rc;
	}
	rc = -ENOENT;
	if (reply->body_case == ASSIST__REPLY__BODY_STATUS && reply->status->feed_endpoint[0]) {
		conf_connect_endpoint(reply->status->feed_endpoint, out, len);
		rc = 0;
	} else {
		fprintf(stderr, "assistctl: assistd did not name its feed endpoint\n");
	}
	assist__reply__free_unpacked(reply, NULL);
	return rc;
}

static int watch_run(struct watch *w, bool replay, uint64_t from)
{
	int rc = replay ? watch_result(w, feedfollow_replay(&w->follow, from, 0)) : 0;

	while (rc == 0 && !cli_stopped) {
		rc = qclient_wait(w->follow.sub, ZMQ_POLLIN, 1000);
		if (rc == -EINTR) {
			rc = 0;
			continue;
		}
		if (rc < 0) {
			fprintf(stderr, "assistctl: feed: %s\n", zmq_strerror(-rc));
			return EXIT_UNREACHABLE;
		}
		rc = rc > 0 ? watch_result(w, feedfollow_read(&w->follow)) : 0;
	}
	return rc < 0 ? -rc : 0;
}

static const char watch_usage[] =
	"usage: assistctl watch [--from SEQ] [--topic PREFIX] [--count N]\n"
	"Prints the feed's messages as JSON lines as they are published, replaying\n"
	"what the subscription missed; stops on SIGINT or SIGTERM.\n"
	"  --from SEQ       first replay the feed from sequence SEQ (default: live only)\n"
	"  --topic PREFIX   only topics starting with PREFIX (default: all)\n"
	"  --count N        stop after N messages (default: no limit)\n"
	"example:\n"
	"  assistctl watch --from 1 --topic record/ --count 10\n"
	"exit: 0 stopped, 1 output failed, 2 assistd could not be reached, 64 bad usage\n";

static int cmd_watch(const struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "topic", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct watch w = { .follow = { .prefix = "", .timeout_ms = QUERY_TIMEOUT_MS } };
	char query_ep[512], feed_ep[512];
	bool replay = false;
	uint64_t from = 0;
	void *ctx;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 'f' && cli_parse_u64(optarg, &from))
			replay = true;
		else if (opt == 't')
			w.follow.prefix = optarg;
		else if (opt != 'n' || !cli_parse_u64(optarg, &w.count) || w.count == 0)
			return usage_error("watch: bad option");
	}
	if (optind != argc)
		return usage_error("watch: unexpected argument %s", argv[optind]);
	cli_catch_stop();
	ctx = zmq_ctx_new();
	if (o->endpoint != NULL || conf_lookup(o->config, "query_endpoint", query_ep,
					       sizeof(query_ep)) == 0) {
		if (o->endpoint == NULL) {
			char list[1024];
			snprintf(list, sizeof(list), "%s", query_ep);
			conf_connect_endpoint(list, query_ep, sizeof(query_ep));
		} else {
			snprintf(query_ep, sizeof(query_ep), "%s", o->endpoint);
		}
		w.have_query = client_open(o, &w.query, ctx, query_ep) == 0;
	}
	rc = EXIT_UNREACHABLE;
	if (watch_feed_endpoint(o, &w, feed_ep, sizeof(feed_ep)) < 0)
		goto cleanup;
	w.follow.query = w.have_query ? &w.query : NULL;
	w.follow.deliver = watch_print;
	w.follow.data = &w;
	w.follow.sub = qclient_socket(ctx, ZMQ_SUB);
	if (w.follow.sub == NULL || feedfollow_subscribe(w.follow.sub, w.follow.prefix) != 0 ||
	    connect_socket(o, w.follow.sub, feed_ep) != 0) {
		fprintf(stderr, "assistctl: cannot subscribe to %s: %s\n", feed_ep,
			zmq_strerror(errno));
		goto cleanup;
	}
	rc = watch_run(&w, replay, from);
cleanup:
	if (w.follow.sub != NULL)
		zmq_close(w.follow.sub);
	qclient_close(&w.query);
	zmq_ctx_term(ctx);
	return rc;
}

/* ---- dump --------------------------------------------------------------- */

#define DUMP_PAGE 1000

/* One record as a dump line: keys sorted, the timing fields gone. */
static int dump_print(const Assist__RecipientRecord *r)
{
	json_t *j = pbjson_encode(&r->base, PBJSON_EMIT_DEFAULTS);
	char *s;

	if (j == NULL)
		goto oom;
	json_object_del(j, "version");
	json_object_del(j, "feed_seq");
	json_object_del(j, "updated_at");
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
	json_decref(j);
	if (s == NULL)
		goto oom;
	puts(s);
	free(s);
	return 0;
oom:
	fprintf(stderr, "assistctl: out of memory\n");
	return EXIT_REJECTED;
}

static const char dump_usage[] =
	"usage: assistctl dump\n"
	"Prints every recipient record, one JSON line each in ID order, keys sorted\n"
	"and without the fields that change on every write (version, feed_seq,\n"
	"updated_at): two dumps of the same state are the same bytes.\n"
	"example:\n"
	"  assistctl dump > records.jsonl\n"
	"exit: 0 printed, 1 refused, 2 assistd could not be reached, 64 bad usage\n";

static int cmd_dump(const struct opts *o, int argc, char **argv)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__DumpRequest dump = ASSIST__DUMP_REQUEST__INIT;
	char *after = strdup("");
	bool more = true;
	int rc = 0;

	if (argc != 1)
		return usage_error("dump: takes no arguments");
	req.body_case = ASSIST__REQUEST__BODY_DUMP;
	req.dump = &dump;
	dump.limit = DUMP_PAGE;
	while (more && rc == 0 && after != NULL) {
		Assist__Reply *reply;
		dump.after_id = after;
		if ((rc = query(o, &req, &reply)) != 0)
			break;
		if (reply->body_case != ASSIST__REPLY__BODY_DUMP) {
			rc = unexpected_reply();
			assist__reply__free_unpacked(reply, NULL);
			break;
		}
		for (size_t i = 0; i < reply->dump->n_records && rc == 0; i++)
			rc = dump_print(reply->dump->records[i]);
		more = reply->dump->more;
		free(after);
		after = strdup(reply->dump->next_after_id);
		assist__reply__free_unpacked(reply, NULL);
	}
	if (after == NULL && rc == 0) {
		fprintf(stderr, "assistctl: out of memory\n");
		rc = EXIT_REJECTED;
	}
	free(after);
	if (rc == 0 && fflush(stdout) != 0)
		rc = EXIT_REJECTED;
	return rc;
}

/* ---- pay ---------------------------------------------------------------- */

#define PAY_SOURCE "finance"
#define PAY_ATTEMPTS 5
#define PAY_TIMEOUT_MS 60000
/* Recipients a part of a run pays, about. One in six or so holds a dibao, so
 * a part is some 800 payments: at 1,000 the WAL flush of each part's COMMIT
 * left the machine a third idle (docs/performance.md); at 10,000 the parts
 * no longer overlap in the pipeline. */
#define PAY_PART 5000
#define PAY_PARTS_MAX 65536

static const char pay_usage[] =
	"usage: assistctl pay MONTH\n"
	"Orders the monthly payment run for MONTH (YYYY-MM) as source finance: every\n"
	"urban and rural dibao benefit active on the month's first day is paid for it,\n"
	"once (a month already run books nothing more). Prints what the runs booked\n"
	"for the month, per scheme: recipients and total.\n"
	"example:\n"
	"  assistctl pay 2008-03\n"
	"exit: 0 done, 1 assistd rejected it, 2 assistd could not be reached\n";

/* A call on c that reports what went wrong: 0 and *out, or an exit code. */
static int pay_call(struct qclient *c, Assist__Request *req, Assist__Reply **out)
{
	int rc = qclient_call(c, req, QUERY_TIMEOUT_MS, out);

	if (rc == 0)
		return 0;
	if (rc == -ETIMEDOUT)
		fprintf(stderr, "assistctl: cannot reach assistd at %s\n", c->endpoint);
	else if (rc != -EINTR)
		fprintf(stderr, "assistctl: %s: %s\n", c->endpoint, zmq_strerror(-rc));
	return EXIT_UNREACHABLE;
}

/* Send the batch req of the run at at and wait for what answers it: a reply
 * to it (an error, a gap, a run already taken) or, after its commit,
 * finance's ack of at or later. 0 and *out, or an exit code. */
static int pay_exchange(struct qclient *c, Assist__Request *req, struct pos at, Assist__Reply **out)
{
	int64_t deadline = qclient_now_ms() + PAY_TIMEOUT_MS;
	int rc = qclient_put(c, req, deadline);

	while (rc == 0) {
		if ((rc = qclient_wait(c->sock, ZMQ_POLLIN, deadline - qclient_now_ms())) <= 0) {
			rc = rc == 0 ? -ETIMEDOUT : rc;
			break;
		}
		while ((rc = qclient_recv(c, out)) == 0 || rc == -EBADMSG) {
			const Assist__Ack *ack = rc == 0 ? (*out)->ack : NULL;
			if (rc == 0 && ((*out)->request_id == req->request_id ||
					(ack != NULL && ack->applied != NULL &&
					 pos_cmp(pos_of(ack->applied), at) >= 0)))
				return 0;
			if (rc == 0)
				assist__reply__free_unpacked(*out, NULL);
		}
		rc = rc == -EAGAIN ? 0 : rc;
	}
	if (rc == -ETIMEDOUT)
		fprintf(stderr, "assistctl: no answer from assistd at %s\n", c->endpoint);
	else if (rc != -EINTR)
		fprintf(stderr, "assistctl: %s: %s\n", c->endpoint, zmq_strerror(-rc));
	return EXIT_UNREACHABLE;
}

/* finance's committed position (a Heartbeat's ack): 0 and *base, or an exit code. */
static int pay_base(struct qclient *c, struct pos *base)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__Heartbeat hb = ASSIST__HEARTBEAT__INIT;
	Assist__Reply *r;
	int rc;

	hb.source = PAY_SOURCE;
	req.body_case = ASSIST__REQUEST__BODY_HEARTBEAT;
	req.heartbeat = &hb;
	if ((rc = pay_call(c, &req, &r)) != 0)
		return rc;
	*base = (struct pos){ 0, 0 };
	if (r->body_case == ASSIST__REPLY__BODY_ACK && r->ack->applied != NULL)
		*base = pos_of(r->ack->applied);
	else if (r->body_case == ASSIST__REPLY__BODY_ERROR)
		fprintf(stderr, "assistctl: assistd: %s (code %d)\n", r->error->message,
			r->error->code);
	rc = r->body_case == ASSIST__REPLY__BODY_ACK ? 0 : EXIT_REJECTED;
	assist__reply__free_unpacked(r, NULL);
	return rc;
}

/* What the answer to the run at base + 1 says: 0 applied, -EAGAIN send
 * again (a gap: *base moved; busy), or an exit code. */
static int pay_answer(const Assist__Reply *r, struct pos *base)
{
	if (r->body_case == ASSIST__REPLY__BODY_ERROR &&
	    r->error->code == ASSIST__ERROR_CODE__ERROR_CODE_BUSY) {
		nanosleep(&(struct timespec){ 0, BUSY_PAUSE_MS * 1000000L }, NULL);
		return -EAGAIN;
	}
	if (r->body_case == ASSIST__REPLY__BODY_ERROR) {
		fprintf(stderr, "assistctl: assistd refused the payment run: %s (code %d)\n",
			r->error->message, r->error->code);
		return EXIT_REJECTED;
	}
	if (r->body_case != ASSIST__REPLY__BODY_ACK)
		return unexpected_reply();
	if (r->ack->gap) {
		*base = r->ack->expected ? pos_of(r->ack->expected) : (struct pos){ 0, 0 };
		return -EAGAIN;
	}
	for (size_t i = 0; i < r->ack->n_rejections; i++)
		fprintf(stderr, "assistctl: payment run rejected: %s: %s\n",
			r->ack->rejections[i]->field, r->ack->rejections[i]->reason);
	return r->ack->n_rejections > 0 ? EXIT_REJECTED : 0;
}

/* Send req (parts events at at) at base + 1 on until taken: 0, or an exit
 * code. */
static int pay_parts_send(struct qclient *c, Assist__Request *req, Assist__Position *at,
			  uint32_t parts, struct pos *base, Assist__Position *prev)
{
	int rc = 0;

	for (int i = 0; rc == 0 && i < PAY_ATTEMPTS; i++) {
		Assist__Reply *r;
		/* prev: assistd answers a gap if another run came in between. */
		req->batch->prev = base->major || base->minor ? pb_pos(prev, *base) : NULL;
		for (uint32_t k = 0; k < parts; k++) {
			at[k].major = base->major + 1 + k;
			at[k].minor = 0;
		}
		if ((rc = pay_exchange(c, req, pos_of(&at[parts - 1]), &r)) != 0)
			return rc;
		rc = pay_answer(r, base);
		assist__reply__free_unpacked(r, NULL);
		if (rc != -EAGAIN)
			return rc;
		rc = 0;
	}
	fprintf(stderr, "assistctl: the payment run was not taken after %d attempts\n",
		PAY_ATTEMPTS);
	return EXIT_REJECTED;
}

/* The parts a run is sent in: about PAY_PART recipients each, by the
 * recipients assistd knows (a part pays those of its bucket). */
static uint32_t pay_parts(const struct opts *o)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__StatusRequest sr = ASSIST__STATUS_REQUEST__INIT;
	Assist__Reply *reply;
	uint64_t n = 1;

	req.body_case = ASSIST__REQUEST__BODY_STATUS;
	req.status = &sr;
	if (query(o, &req, &reply) != 0)
		return 1;
	if (reply->body_case == ASSIST__REPLY__BODY_STATUS)
		n = (reply->status->recipients + PAY_PART - 1) / PAY_PART;
	assist__reply__free_unpacked(reply, NULL);
	return n < 1 ? 1 : n > PAY_PARTS_MAX ? PAY_PARTS_MAX : (uint32_t)n;
}

/* Send the payment run for month in parts parts at finance's next
 * positions and wait for the ack of the last: 0, or an exit code. */
static int pay_send(struct qclient *c, const char *month, uint32_t parts)
{
	Assist__PaymentRun *runs = calloc(parts, sizeof(*runs));
	Assist__Event *evs = calloc(parts, sizeof(*evs)), **ptrs = calloc(parts, sizeof(*ptrs));
	Assist__Position *at = calloc(parts, sizeof(*at)), prev = ASSIST__POSITION__INIT;
	Assist__Batch batch = ASSIST__BATCH__INIT;
	Assist__Request req = ASSIST__REQUEST__INIT;
	struct pos base;
	int rc = runs && evs && ptrs && at ? pay_base(c, &base) : EXIT_REJECTED;

	for (uint32_t i = 0; rc == 0 && i < parts; i++) {
		assist__payment_run__init(&runs[i]);
		assist__event__init(&evs[i]);
		assist__position__init(&at[i]);
		runs[i].month = (char *)month;
		runs[i].bucket = parts > 1 ? (int32_t)i : 0;
		runs[i].buckets = parts > 1 ? (int32_t)parts : 0;
		evs[i].source = PAY_SOURCE;
		evs[i].kind = ASSIST__KIND__KIND_PAYMENT_RUN;
		evs[i].payload_case = ASSIST__EVENT__PAYLOAD_PAYMENT_RUN;
		evs[i].payment_run = &runs[i];
		evs[i].position = &at[i];
		ptrs[i] = &evs[i];
	}
	batch.source = PAY_SOURCE;
	batch.events = ptrs;
	batch.n_events = parts;
	req.body_case = ASSIST__REQUEST__BODY_BATCH;
	req.batch = &batch;
	if (rc == 0)
		rc = pay_parts_send(c, &req, at, parts, &base, &prev);
	free(runs);
	free(evs);
	free(ptrs);
	free(at);
	return rc;
}

/* What the runs booked for month: 0 and *out (a PaymentsReply), or an exit code. */
static int pay_totals(const struct opts *o, const char *month, Assist__Reply **out)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__PaymentsRequest pr = ASSIST__PAYMENTS_REQUEST__INIT;
	int rc;

	pr.month = (char *)month;
	req.body_case = ASSIST__REQUEST__BODY_PAYMENTS;
	req.payments = &pr;
	if ((rc = query(o, &req, out)) != 0)
		return rc;
	if ((*out)->body_case != ASSIST__REPLY__BODY_PAYMENTS) {
		assist__reply__free_unpacked(*out, NULL);
		return unexpected_reply();
	}
	return 0;
}

static void pay_print(const Assist__PaymentsReply *p)
{
	char name[48];
	uint64_t recipients = 0;
	int64_t total = 0;

	printf("payments for %s\n", p->month);
	for (size_t i = 0; i < p->n_schemes; i++) {
		const Assist__SchemePayments *s = p->schemes[i];
		const char *n = pbjson_enum_name(&assist__scheme__descriptor, s->scheme, name,
						 sizeof(name));
		printf("  %-14s %6" PRIu64 " recipients %14" PRId64 " fen\n", n ? n : "unknown",
		       s->recipients, s->total_fen);
		recipients += s->recipients;
		total += s->total_fen;
	}
	printf("  %-14s %6" PRIu64 " payments   %14" PRId64 " fen\n", "total", recipients, total);
}

static int cmd_pay(const struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ NULL, 0, NULL, 0 },
	};
	Assist__Reply *reply;
	struct qclient c;
	char ep[512];
	void *ctx;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		return cli_usage(opt, pay_usage, EXIT_USAGE);
	if (argc - optind != 1)
		return usage_error("pay: expects one MONTH (YYYY-MM)");
	if (ymd_parse_month(argv[optind], &(ymd_t){0}) < 0) /* assistd checks it again */
		return usage_error("pay: \"%s\" is not a month (YYYY-MM)", argv[optind]);
	if (resolve_endpoint(o, "ingest_endpoint", ep, sizeof(ep)) < 0)
		return EXIT_UNREACHABLE;
	ctx = zmq_ctx_new();
	rc = client_open(o, &c, ctx, ep) < 0 ? EXIT_UNREACHABLE : pay_send(&c, argv[optind], pay_parts(o));
	qclient_close(&c);
	zmq_ctx_term(ctx);
	if (rc != 0 || (rc = pay_totals(o, argv[optind], &reply)) != 0)
		return rc;
	pay_print(reply->payments);
	assist__reply__free_unpacked(reply, NULL);
	return fflush(stdout) == 0 ? 0 : EXIT_REJECTED;
}

/* ---- recompute ------------------------------------------------------------ */

static const char recompute_usage[] =
	"usage: assistctl recompute --claims --from DATE\n"
	"Asks assistd to decide every claim dated from DATE (YYYY-MM-DD) again with the\n"
	"parameters now in force (after a standard was changed back in time): each is\n"
	"booked as a correction of itself, a reversal and a new decision under its ref.\n"
	"Runs as one job in chunks; waits until it has finished and prints it.\n"
	"  --claims     recompute the claims (required: the monthly payments are\n"
	"               recomputed by assistd itself when a standard changes)\n"
	"  --from DATE  the first claim date recomputed (required; no default)\n"
	"example:\n"
	"  assistctl recompute --claims --from 2008-01-01\n"
	"exit: 0 done, 1 refused, 2 assistd could not be reached, 64 bad usage\n";

/* The status of job id, polled until it is finished (or gone from status,
 * which lists the last finished job only): 0, or an exit code. */
static int recompute_wait(const struct opts *o, uint64_t id)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__StatusRequest sr = ASSIST__STATUS_REQUEST__INIT;
	bool seen = false;

	req.body_case = ASSIST__REQUEST__BODY_STATUS;
	req.status = &sr;
	for (;;) {
		Assist__Reply *reply;
		const Assist__JobStatus *j = NULL;
		int rc = query(o, &req, &reply);

		if (rc != 0)
			return rc;
		for (size_t i = 0; reply->body_case == ASSIST__REPLY__BODY_STATUS &&
				   i < reply->status->n_jobs; i++)
			j = reply->status->jobs[i]->id == id ? reply->status->jobs[i] : j;
		if (j != NULL && j->finished)
			printf("recompute job %" PRIu64 ": claims from %s: %" PRIu32 " chunks, "
			       "finished\n", j->id, j->from, j->total);
		else if (j == NULL && seen)
			printf("recompute job %" PRIu64 ": finished\n", id);
		rc = (j != NULL && j->finished) || (j == NULL && seen) ? 0 : -1;
		seen = seen || j != NULL;
		assist__reply__free_unpacked(reply, NULL);
		if (rc == 0)
			return fflush(stdout) == 0 ? 0 : EXIT_REJECTED;
		nanosleep(&(struct timespec){0, 200 * 1000 * 1000}, NULL);
	}
}

static int cmd_recompute(const struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "claims", no_argument, NULL, 'c' },
		{ "from", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__RecomputeRequest rr = ASSIST__RECOMPUTE_REQUEST__INIT;
	Assist__Reply *reply;
	uint64_t id = 0;
	ymd_t day;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 'c')
			rr.claims = true;
		else if (opt == 'f' && ymd_parse(optarg, &day) == 0)
			rr.from = optarg;
		else
			return cli_usage(opt, recompute_usage, EXIT_USAGE);
	}
	if (!rr.claims || rr.from[0] == '\0' || optind != argc)
		return usage_error("recompute: expects --claims --from DATE");
	req.body_case = ASSIST__REQUEST__BODY_RECOMPUTE;
	req.recompute = &rr;
	if ((rc = query(o, &req, &reply)) != 0)
		return rc;
	if (reply->body_case == ASSIST__REPLY__BODY_JOB)
		id = reply->job->id;
	else
		rc = unexpected_reply();
	assist__reply__free_unpacked(reply, NULL);
	return rc != 0 ? rc : recompute_wait(o, id);
}

/* ---- roster ------------------------------------------------------------- */

static const char roster_usage[] =
	"usage: assistctl roster [--scheme S] [--place CODE] [--as-of DATE] [--json]\n"
	"Prints the public sunshine roster: per community and scheme, every benefit\n"
	"active on DATE (default today), one row per recipient and scheme: the masked\n"
	"name (family name and *), the masked ID number, the household size, the\n"
	"monthly amount and since when. Nothing else. CODE is DISTRICT[/TOWN[/COMMUNITY]]\n"
	"as the record's place names them.\n"
	"example:\n"
	"  assistctl roster --place 'Echeng/Gulou Street' --scheme urban_dibao\n"
	"exit: 0 done, 1 assistd refused, 2 assistd could not be reached\n";

/* --scheme NAME into *out; false for a name that is not a scheme. */
static bool scheme_option(const char *name, Assist__Scheme *out)
{
	int v;

	if (pbjson_enum_value(&assist__scheme__descriptor, name, &v) < 0 || v == 0)
		return false;
	*out = (Assist__Scheme)v;
	return true;
}

static const char *scheme_text(Assist__Scheme s, char *buf, size_t len)
{
	const char *n = pbjson_enum_name(&assist__scheme__descriptor, s, buf, len);

	return n != NULL ? n : "unknown";
}

static int roster_json(const Assist__RosterReply *rr)
{
	json_t *a = json_array();
	char scheme[48], yuan[32];

	for (size_t i = 0; a != NULL && i < rr->n_rows; i++) {
		const Assist__RosterRow *r = rr->rows[i];
		if (json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:I, "
						       "s:s, s:s}",
						       "district", r->place->district, "town",
						       r->place->town, "community",
						       r->place->community, "scheme",
						       scheme_text(r->scheme, scheme, sizeof(scheme)),
						       "name", r->name, "id_number", r->id_number,
						       "household_size", (int)r->household_size,
						       "monthly_fen", (json_int_t)r->monthly_fen,
						       "monthly_yuan",
						       money_format(r->monthly_fen, yuan, sizeof(yuan)),
						       "since", r->since)) < 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return print_json(a, JSON_INDENT(2));
}

static bool same_group(const Assist__RosterRow *a, const Assist__RosterRow *b)
{
	return a->scheme == b->scheme && strcmp(a->place->district, b->place->district) == 0 &&
	       strcmp(a->place->town, b->place->town) == 0 &&
	       strcmp(a->place->community, b->place->community) == 0;
}

/* The columns s takes on a terminal: East Asian wide characters take two. */
static int text_columns(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int cols = 0;

	while (*p) {
		uint32_t c = *p;
		int len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (len > 1)
			c &= 0x3f >> (len - 1);
		for (int i = 1; i < len && (p[i] & 0xc0) == 0x80; i++)
			c = c << 6 | (p[i] & 0x3f);
		cols += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) ||
				(c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
				(c >= 0xff00 && c <= 0xff60) || (c >= 0x20000 && c <= 0x3fffd)
			? 2
			: 1;
		while (len-- > 0 && *p)
			p++;
	}
	return cols;
}

/* s left-aligned in width columns. */
static void print_padded(const char *s, int width)
{
	int cols = text_columns(s);

	fputs(s, stdout);
	printf("%*s", cols < width ? width - cols : 0, "");
}

static void roster_text(const Assist__RosterReply *rr)
{
	char scheme[48], yuan[32];

	printf("sunshine roster as of %s: %zu rows\n", rr->as_of, rr->n_rows);
	for (size_t i = 0; i < rr->n_rows; i++) {
		const Assist__RosterRow *r = rr->rows[i];
		if (i == 0 || !same_group(rr->rows[i - 1], r)) {
			printf("\n%s / %s / %s: %s\n", r->place->district, r->place->town,
			       r->place->community, scheme_text(r->scheme, scheme, sizeof(scheme)));
			printf("  %-16s %-18s %9s %14s  %s\n", "name", "id number", "household",
			       "monthly (yuan)", "since");
		}
		fputs("  ", stdout);
		print_padded(r->name, 16);
		printf(" %-18s %9d %14s  %s\n", r->id_number, r->household_size,
		       money_format(r->monthly_fen, yuan, sizeof(yuan)), r->since);
	}
}

static int cmd_roster(const struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "scheme", required_argument, NULL, 's' }, { "place", required_argument, NULL, 'p' },
		{ "as-of", required_argument, NULL, 'a' },  { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },	    { NULL, 0, NULL, 0 },
	};
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__RosterRequest rq = ASSIST__ROSTER_REQUEST__INIT;
	Assist__Reply *reply;
	bool json = false;
	ymd_t day;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 's' && !scheme_option(optarg, &rq.scheme))
			return usage_error("roster: --scheme: \"%s\" is not a scheme", optarg);
		else if (opt == 'a' && ymd_parse(optarg, &day) < 0)
			return usage_error("roster: --as-of: not a date (YYYY-MM-DD)");
		else if (opt == 'h' || opt == '?')
			return cli_usage(opt, roster_usage, EXIT_USAGE);
		rq.place = opt == 'p' ? optarg : rq.place;
		rq.as_of = opt == 'a' ? optarg : rq.as_of;
		json = json || opt == 'j';
	}
	if (argc != optind)
		return usage_error("roster: takes no arguments");
	req.body_case = ASSIST__REQUEST__BODY_ROSTER;
	req.roster = &rq;
	if ((rc = query(o, &req, &reply)) != 0)
		return rc;
	if (reply->body_case != ASSIST__REPLY__BODY_ROSTER)
		rc = unexpected_reply();
	else if (json)
		rc = roster_json(reply->roster);
	else
		roster_text(reply->roster);
	assist__reply__free_unpacked(reply, NULL);
	return rc == 0 && fflush(stdout) != 0 ? EXIT_REJECTED : rc;
}

/* ---- dead-letters, retry ------------------------------------------------ */

#define RETRY_POLL_MS 100
#define RETRY_WAIT_MS 30000

static const char dead_letters_usage[] =
	"usage: assistctl dead-letters [--source S] [--json]\n"
	"Lists the rejected events assistd kept, oldest first (at most 1000): id,\n"
	"source, position, kind, code, field, reason, when it came, the event, and\n"
	"whether a retry applied it. ID numbers are masked, except with --json.\n"
	"  --source S  only the dead letters of source S (default: every source)\n"
	"  --json      one JSON object: {\"letters\": [...], \"more\": bool}\n"
	"example:\n"
	"  assistctl dead-letters --source health\n"
	"exit: 0 listed, 1 assistd refused the request, 2 assistd could not be reached,\n"
	"64 bad usage\n";

static const char retry_usage[] =
	"usage: assistctl retry ID...\n"
	"Takes the kept events of the dead letters ID (at most 100) in again, after\n"
	"the cause of their rejection is fixed: each comes in as source retry at\n"
	"position {next, ID}, checked against the role of the source that first sent\n"
	"it, and applied at most once. Waits for each to be decided (30 s) and prints\n"
	"it: applied, or rejected again with the new reason (it stays a dead letter).\n"
	"example:\n"
	"  assistctl retry 12 13\n"
	"exit: 0 every letter applied (now or by an earlier retry), 1 some rejected\n"
	"again, unknown or without a kept event, 2 assistd could not be reached,\n"
	"64 bad usage\n";

/* Ask for the dead letters with ids (n 0: of source): 0 and *out, or an exit code. */
static int dead_letters_query(const struct opts *o, const char *source, uint64_t *ids,
			      size_t n, Assist__Reply **out)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__DeadLettersRequest dr = ASSIST__DEAD_LETTERS_REQUEST__INIT;
	int rc;

	dr.source = (char *)source;
	dr.ids = ids;
	dr.n_ids = n;
	req.body_case = ASSIST__REQUEST__BODY_DEAD_LETTERS;
	req.dead_letters = &dr;
	if ((rc = query(o, &req, out)) != 0)
		return rc;
	if ((*out)->body_case != ASSIST__REPLY__BODY_DEAD_LETTERS) {
		assist__reply__free_unpacked(*out, NULL);
		return unexpected_reply();
	}
	return 0;
}

static void dead_letter_print(const Assist__DeadLetter *d)
{
	char *event = strdup(d->event);

	printf("#%" PRIu64 " %s@%" PRIu64 "/%" PRIu64 " %s %s %s\n", d->id, d->source,
	       d->position ? d->position->major : 0, d->position ? d->position->minor : 0,
	       d->kind, d->code, d->received_at);
	printf("  %s: %s\n", d->field, d->reason);
	if (event != NULL && event[0] != '\0')
		printf("  event: %s\n", idnum_mask_text(event));
	else if (event != NULL)
		printf("  event: not kept\n");
	free(event);
	if (d->retried_at[0] != '\0')
		printf("  retried: applied at %s as %s@%" PRIu64 "/%" PRIu64 "\n", d->retried_at,
		       "retry", d->retried_as ? d->retried_as->major : 0, d->id);
	else if (d->retries > 0)
		printf("  retried %" PRIu32 " time%s, rejected again\n", d->retries,
		       d->retries == 1 ? "" : "s");
}

/* The letters as JSON, each event an object rather than its text. */
static json_t *dead_letters_json(const Assist__DeadLettersReply *dl)
{
	json_t *root = pbjson_encode(&dl->base, PBJSON_EMIT_DEFAULTS);
	json_t *letters = json_object_get(root, "letters");

	for (size_t i = 0; i < json_array_size(letters); i++) {
		json_t *l = json_array_get(letters, i);
		const char *text = json_string_value(json_object_get(l, "event"));
		json_t *ev = text != NULL && text[0] != '\0' ? json_loads(text, 0, NULL) : NULL;
		json_object_set_new(l, "event", ev != NULL ? ev : json_null());
	}
	return root;
}

static int cmd_dead_letters(const struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *source = "";
	Assist__Reply *reply;
	bool json = false;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 's' && conf_name_ok(optarg))
			source = optarg;
		else if (opt == 'j')
			json = true;
		else
			return usage_error("dead-letters: bad option");
	}
	if (optind != argc)
		return usage_error("dead-letters: unexpected argument %s", argv[optind]);
	if ((rc = dead_letters_query(o, source, NULL, 0, &reply)) != 0)
		return rc;
	if (json) {
		rc = print_json(dead_letters_json(reply->dead_letters), JSON_INDENT(2));
	} else {
		for (size_t i = 0; i < reply->dead_letters->n_letters; i++)
			dead_letter_print(reply->dead_letters->letters[i]);
		if (reply->dead_letters->n_letters == 0)
			printf("no dead letters\n");
		if (reply->dead_letters->more)
			printf("(more: the oldest %zu shown)\n", reply->dead_letters->n_letters);
		rc = fflush(stdout) == 0 ? 0 : EXIT_REJECTED;
	}
	assist__reply__free_unpacked(reply, NULL);
	return rc;
}

/* Wait until every submitted letter of rp is decided (its retries grew):
 * 0 and *out (the letters), or an exit code. */
static int retry_wait(const struct opts *o, const Assist__RetryReply *rp, Assist__Reply **out)
{
	uint64_t ids[100];
	size_t n = 0;
	int64_t deadline = qclient_now_ms() + RETRY_WAIT_MS;

	for (size_t i = 0; i < rp->n_results && n < 100; i++) {
		if (rp->results[i]->outcome == ASSIST__RETRY_OUTCOME__RETRY_OUTCOME_SUBMITTED)
			ids[n++] = rp->results[i]->id;
	}
	if (n == 0)
		return 0;
	for (;;) {
		int rc = dead_letters_query(o, "", ids, n, out);
		size_t decided = 0;
		if (rc != 0)
			return rc;
		for (size_t i = 0; i < (*out)->dead_letters->n_letters; i++) {
			const Assist__DeadLetter *d = (*out)->dead_letters->letters[i];
			for (size_t j = 0; j < rp->n_results; j++)
				decided += rp->results[j]->id == d->id &&
					   d->retries > rp->results[j]->retries;
		}
		if (decided >= n)
			return 0;
		assist__reply__free_unpacked(*out, NULL);
		if (qclient_now_ms() >= deadline || cli_stopped) {
			fprintf(stderr, "assistctl: the retries were not decided in %d s\n",
				RETRY_WAIT_MS / 1000);
			return EXIT_UNREACHABLE;
		}
		nanosleep(&(struct timespec){ 0, RETRY_POLL_MS * 1000000L }, NULL);
	}
}

/* Print what became of letter r (the letters read after: dl): 0 applied, 1 not. */
static int retry_print(const Assist__RetryResult *r, const Assist__DeadLettersReply *dl)
{
	const Assist__DeadLetter *d = NULL;

	for (size_t i = 0; dl != NULL && i < dl->n_letters && d == NULL; i++)
		d = dl->letters[i]->id == r->id ? dl->letters[i] : NULL;
	if (r->outcome == ASSIST__RETRY_OUTCOME__RETRY_OUTCOME_ALREADY_RETRIED) {
		printf("dead letter %" PRIu64 ": already retried and applied; nothing done\n", r->id);
		return 0;
	}
	if (r->outcome != ASSIST__RETRY_OUTCOME__RETRY_OUTCOME_SUBMITTED || d == NULL) {
		printf("dead letter %" PRIu64 ": not retried: %s\n", r->id, r->message);
		return 1;
	}
	if (d->retried_at[0] != '\0') {
		printf("dead letter %" PRIu64 ": applied as retry@%" PRIu64 "/%" PRIu64 "\n", r->id,
		       d->retried_as ? d->retried_as->major : 0, r->id);
		return 0;
	}
	printf("dead letter %" PRIu64 ": rejected again: %s: %s\n", r->id, d->field, d->reason);
	return 1;
}

static int cmd_retry(const struct opts *o, int argc, char **argv)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__RetryRequest rq = ASSIST__RETRY_REQUEST__INIT;
	Assist__Reply *reply, *after = NULL;
	uint64_t ids[100];
	int rc, failed = 0;

	if (argc < 2)
		return usage_error("retry: expects one or more dead letter IDs");
	if (argc - 1 > 100)
		return usage_error("retry: at most 100 IDs at a time");
	for (int i = 1; i < argc; i++) {
		if (!cli_parse_u64(argv[i], &ids[i - 1]) || ids[i - 1] == 0)
			return usage_error("retry: \"%s\" is not a dead letter ID", argv[i]);
	}
	rq.ids = ids;
	rq.n_ids = (size_t)argc - 1;
	req.body_case = ASSIST__REQUEST__BODY_RETRY;
	req.retry = &rq;
	if ((rc = query(o, &req, &reply)) != 0)
		return rc;
	if (reply->body_case != ASSIST__REPLY__BODY_RETRY) {
		assist__reply__free_unpacked(reply, NULL);
		return unexpected_reply();
	}
	cli_catch_stop();
	rc = retry_wait(o, reply->retry, &after);
	for (size_t i = 0; rc == 0 && i < reply->retry->n_results; i++)
		failed |= retry_print(reply->retry->results[i], after ? after->dead_letters : NULL);
	if (after != NULL)
		assist__reply__free_unpacked(after, NULL);
	assist__reply__free_unpacked(reply, NULL);
	if (rc == 0 && fflush(stdout) != 0)
		rc = EXIT_REJECTED;
	return rc != 0 ? rc : failed ? EXIT_REJECTED : 0;
}

/* ---- report ------------------------------------------------------------- */

static const char report_usage[] =
	"usage: assistctl report recipients|spending|alerts [--year Y]\n"
	"                        [--by scheme|place|month|code] [--csv]\n"
	"recipients: the distinct persons with a benefit active today (with --year, on\n"
	"31 December of Y); spending: the sum of the ledger entries dated in Y (default\n"
	"this year), a household's entry once; alerts: the alerts raised in Y, by code.\n"
	"By place (the default) the communities roll up to their towns, districts and\n"
	"the city; by scheme, month (spending only) or code (alerts only) each line then\n"
	"the total. --csv prints RFC 4180 CSV with a header.\n"
	"example:\n"
	"  assistctl report spending --year 2008 --by month --csv\n"
	"exit: 0 done, 1 assistd refused, 2 assistd could not be reached\n";

/* The first columns of a row: its level and place, its scheme or its month;
 * 0, or -EIO when stdout fails (csv). */
static int report_key(const Assist__ReportReply *rr, const Assist__ReportRow *r, bool csv)
{
	char buf[48];
	const char *key = r->month[0] ? r->month
			  : r->code[0]	? r->code
			  : r->scheme	? scheme_text(r->scheme, buf, sizeof(buf))
					: "total";

	if (rr->by != ASSIST__REPORT_BY__REPORT_BY_PLACE) {
		if (csv)
			return csv_field(stdout, key, true);
		printf("  %-28s", key); /* a scheme's name or a month: ASCII */
		return 0;
	}
	const char *lv = pbjson_enum_name(&assist__report_level__descriptor, r->level, buf,
					  sizeof(buf));
	const char *name = r->place->community[0] ? r->place->community
			   : r->place->town[0]	   ? r->place->town
			   : r->place->district[0] ? r->place->district
						   : "city";
	if (csv)
		return csv_field(stdout, lv ? lv : "", true) < 0 ||
			       csv_field(stdout, r->place->district, false) < 0 ||
			       csv_field(stdout, r->place->town, false) < 0 ||
			       csv_field(stdout, r->place->community, false) < 0
			       ? -EIO
			       : 0;
	printf("  %*s", 2 * ((int)r->level - 1), "");
	print_padded(name, 28 - 2 * ((int)r->level - 1));
	return 0;
}

/* The report on stdout: 0, or -EIO when it fails. */
static int report_print(const Assist__ReportReply *rr, bool csv)
{
	bool spending = rr->kind == ASSIST__REPORT_KIND__REPORT_KIND_SPENDING;
	bool alerts = rr->kind == ASSIST__REPORT_KIND__REPORT_KIND_ALERTS;
	char by[16], yuan[32];
	int rc = 0;

	pbjson_enum_name(&assist__report_by__descriptor, rr->by, by, sizeof(by));
	if (csv)
		printf("%s%s\r\n",
		       rr->by == ASSIST__REPORT_BY__REPORT_BY_PLACE ? "level,district,town,community,"
								    : by[0] == 'm' ? "month,"
								    : by[0] == 'c' ? "code,"
										   : "scheme,",
		       spending ? "amount_fen,amount_yuan" : alerts ? "alerts" : "recipients");
	else if (spending)
		printf("spending in %d, by %s\n", rr->year, by);
	else if (alerts)
		printf("alerts raised in %d, by code\n", rr->year);
	else
		printf("recipients as of %s, by %s\n", rr->as_of, by);
	for (size_t i = 0; i < rr->n_rows && rc == 0; i++) {
		const Assist__ReportRow *r = rr->rows[i];
		char value[32];
		rc = report_key(rr, r, csv);
		snprintf(value, sizeof(value), "%" PRId64, r->value);
		if (csv && rc == 0) {
			if ((rc = csv_field(stdout, value, false)) == 0 && spending)
				rc = csv_field(stdout, money_format(r->value, yuan, sizeof(yuan)), false);
			if (rc == 0)
				rc = csv_end(stdout);
		} else if (spending) {
			printf(" %16s fen %16s yuan\n", value, money_format(r->value, yuan, sizeof(yuan)));
		} else {
			printf(" %10s\n", value);
		}
	}
	return rc;
}

/* The options of report into rq; 0 or the exit status. */
static int report_options(int argc, char **argv, Assist__ReportRequest *rq, bool *csv)
{
	static const struct option longopts[] = {
		{ "year", required_argument, NULL, 'y' }, { "by", required_argument, NULL, 'b' },
		{ "csv", no_argument, NULL, 'c' },	  { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t year;
	int opt, by;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 'h' || opt == '?')
			return cli_usage(opt, report_usage, EXIT_USAGE);
		if (opt == 'y' && (!cli_parse_u64(optarg, &year) || year < 1900 || year > 9999))
			return usage_error("report: --year: not a year (1900 to 9999)");
		if (opt == 'b' && (pbjson_enum_value(&assist__report_by__descriptor, optarg, &by) < 0 ||
				   by == 0))
			return usage_error("report: --by: scheme, place, month or code");
		rq->year = opt == 'y' ? (int32_t)year : rq->year;
		rq->by = opt == 'b' ? (Assist__ReportBy)by : rq->by;
		*csv = *csv || opt == 'c';
	}
	if (argc - optind != 1)
		return usage_error("report: expects recipients, spending or alerts");
	if (strcmp(argv[optind], "recipients") == 0)
		rq->kind = ASSIST__REPORT_KIND__REPORT_KIND_RECIPIENTS;
	else if (strcmp(argv[optind], "spending") == 0)
		rq->kind = ASSIST__REPORT_KIND__REPORT_KIND_SPENDING;
	else if (strcmp(argv[optind], "alerts") == 0)
		rq->kind = ASSIST__REPORT_KIND__REPORT_KIND_ALERTS;
	else
		return usage_error("report: \"%s\": recipients, spending or alerts", argv[optind]);
	return -1;
}

static int cmd_report(const struct opts *o, int argc, char **argv)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__ReportRequest rq = ASSIST__REPORT_REQUEST__INIT;
	Assist__Reply *reply;
	bool csv = false;
	int rc = report_options(argc, argv, &rq, &csv);

	if (rc >= 0)
		return rc;
	req.body_case = ASSIST__REQUEST__BODY_REPORT;
	req.report = &rq;
	if ((rc = query(o, &req, &reply)) != 0)
		return rc;
	if (reply->body_case != ASSIST__REPLY__BODY_REPORT)
		rc = unexpected_reply();
	else if (report_print(reply->report, csv) < 0)
		rc = EXIT_REJECTED;
	assist__reply__free_unpacked(reply, NULL);
	return rc == 0 && fflush(stdout) != 0 ? EXIT_REJECTED : rc;
}

/* ---- application ---------------------------------------------------------- */

static const char application_usage[] =
	"usage: assistctl application APP_ID\n"
	"Prints the application's trail as JSON: its scheme, its state (the latest\n"
	"step) and every step with officer, date, place level and note. Exit 3 when\n"
	"no application has that id.\n"
	"example:\n"
	"  assistctl application APP-2008-0001\n"
	"exit: 0 printed, 2 assistd could not be reached, 3 unknown application, 64 bad usage\n";

static int cmd_application(const struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__ApplicationRequest ar = ASSIST__APPLICATION_REQUEST__INIT;
	Assist__Reply *reply;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		return cli_usage(opt, application_usage, EXIT_USAGE);
	if (argc - optind != 1)
		return usage_error("application: expects one APP_ID");
	ar.application_id = argv[optind];
	req.body_case = ASSIST__REQUEST__BODY_APPLICATION;
	req.application = &ar;
	if ((rc = query(o, &req, &reply)) != 0)
		return rc;
	if (reply->body_case == ASSIST__REPLY__BODY_APPLICATION)
		rc = print_json(pbjson_encode(&reply->application->base, PBJSON_EMIT_DEFAULTS),
				JSON_INDENT(2));
	else
		rc = unexpected_reply();
	assist__reply__free_unpacked(reply, NULL);
	return rc;
}

/* ---- funds and export ledger -------------------------------------------- */

#define EXPORT_PAGE 1000

static const char funds_usage[] =
	"usage: assistctl funds [--year Y] [--json]\n"
	"Prints each earmarked fund of year Y (default: the current year): its budget,\n"
	"what its ledger entries dated in Y add up to (a household's entry once), what\n"
	"remains and its distinct recipients; \"-\" where the policy gives no budget,\n"
	"\"exceeded\" once budget_exceeded was raised.\n"
	"example:\n"
	"  assistctl funds --year 2008\n"
	"exit: 0 done, 1 assistd rejected it, 2 assistd could not be reached\n";

static const char export_usage[] =
	"usage: assistctl export ledger --scheme S --year Y [--full-ids]\n"
	"Writes the ledger of scheme S's fund for year Y as CSV (RFC 4180): a header\n"
	"line, then one entry a line in ledger order. ID numbers are masked unless\n"
	"--full-ids is given and the connection is granted them (ipc, or a client\n"
	"named in full_id_clients). counted is 0 for a household's entry already\n"
	"counted on another member: the sum of amount_fen where counted is 1 is the\n"
	"fund's spent in assistctl funds.\n"
	"example:\n"
	"  assistctl export ledger --scheme urban_dibao --year 2008 > ledger.csv\n"
	"exit: 0 done, 1 assistd rejected it, 2 assistd could not be reached\n";

/* A year given on the command line: 1..9999, or 0 after the usage error. */
static int parse_year(const char *s)
{
	char *end;
	long y = strtol(s, &end, 10);

	return *s != '\0' && *end == '\0' && y >= 1 && y <= 9999 ? (int)y : 0;
}

static void funds_print(const Assist__FundsReply *f)
{
	char name[48];

	printf("funds %d\n", f->year);
	printf("  %-26s %16s %16s %16s %10s\n", "scheme", "budget_fen", "spent_fen",
	       "remaining_fen", "recipients");
	for (size_t i = 0; i < f->n_funds; i++) {
		const Assist__FundsLine *l = f->funds[i];
		const char *n = pbjson_enum_name(&assist__scheme__descriptor, l->scheme, name,
						 sizeof(name));
		char budget[24] = "-", remaining[24] = "-";

		if (l->has_budget) {
			snprintf(budget, sizeof(budget), "%" PRId64, l->budget_fen);
			snprintf(remaining, sizeof(remaining), "%" PRId64, l->remaining_fen);
		}
		printf("  %-26s %16s %16" PRId64 " %16s %10" PRIu64 "%s\n", n ? n : "unknown",
		       budget, l->spent_fen, remaining, l->recipients,
		       l->exceeded ? "  exceeded" : "");
	}
}

static int cmd_funds(const struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__FundsRequest fr = ASSIST__FUNDS_REQUEST__INIT;
	Assist__Reply *reply;
	bool json = false;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 'y' && (fr.year = parse_year(optarg)) == 0)
			return usage_error("funds: --year \"%s\" is not a year (1-9999)", optarg);
		else if (opt == 'j')
			json = true;
		else if (opt != 'y')
			return cli_usage(opt, funds_usage, EXIT_USAGE);
	}
	if (optind != argc)
		return usage_error("funds: takes no arguments");
	req.body_case = ASSIST__REQUEST__BODY_FUNDS;
	req.funds = &fr;
	if ((rc = query(o, &req, &reply)) != 0)
		return rc;
	if (reply->body_case != ASSIST__REPLY__BODY_FUNDS)
		rc = unexpected_reply();
	else if (json)
		rc = print_json(pbjson_encode(&reply->funds->base, PBJSON_EMIT_DEFAULTS), 0);
	else
		funds_print(reply->funds);
	assist__reply__free_unpacked(reply, NULL);
	return rc == 0 && fflush(stdout) != 0 ? EXIT_REJECTED : rc;
}

/* One entry as a CSV line, in the header's order. */
static int export_line(const Assist__ExportEntry *e)
{
	char id[24], amount[24], kind[24], scheme[48];
	const char *fields[] = {
		e->id_number, e->subject_key, e->ref,
		pbjson_enum_name(&assist__ledger_kind__descriptor, e->kind, kind, sizeof(kind)),
		e->period, e->date,
		pbjson_enum_name(&assist__scheme__descriptor, e->scheme, scheme, sizeof(scheme)),
		amount, e->counted ? "1" : "0", e->reason, id,
	};
	int rc = 0;

	snprintf(amount, sizeof(amount), "%" PRId64, e->amount_fen);
	snprintf(id, sizeof(id), "%" PRIu64, e->id);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]) && rc == 0; i++)
		rc = csv_field(stdout, fields[i], i == 0);
	return rc == 0 ? csv_end(stdout) : rc;
}

/* Every page of the fund's ledger through rq, as CSV lines: 0 or an exit code. */
static int export_pages(const struct opts *o, Assist__ExportRequest *rq)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	bool more = true;
	int rc = 0;

	req.body_case = ASSIST__REQUEST__BODY_EXPORT;
	req.export = rq;
	rq->limit = EXPORT_PAGE;
	while (more && rc == 0) {
		Assist__Reply *reply;
		if ((rc = query(o, &req, &reply)) != 0)
			break;
		if (reply->body_case != ASSIST__REPLY__BODY_EXPORT) {
			assist__reply__free_unpacked(reply, NULL);
			return unexpected_reply();
		}
		for (size_t i = 0; i < reply->export->n_entries && rc == 0; i++)
			rc = export_line(reply->export->entries[i]) < 0 ? EXIT_REJECTED : 0;
		more = reply->export->more;
		rq->after_id = reply->export->next_after_id;
		assist__reply__free_unpacked(reply, NULL);
	}
	return rc;
}

static int cmd_export(const struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "scheme", required_argument, NULL, 's' },
		{ "year", required_argument, NULL, 'y' },
		{ "full-ids", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const header[] = { "id", "subject_key", "ref", "kind", "period",
					      "date", "scheme", "amount_fen", "counted", "reason",
					      "entry" };
	Assist__ExportRequest rq = ASSIST__EXPORT_REQUEST__INIT;
	int opt, scheme = 0, rc = 0;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 's' && pbjson_enum_value(&assist__scheme__descriptor, optarg, &scheme) < 0)
			return usage_error("export: --scheme \"%s\" is not a scheme", optarg);
		else if (opt == 'y' && (rq.year = parse_year(optarg)) == 0)
			return usage_error("export: --year \"%s\" is not a year (1-9999)", optarg);
		else if (opt == 'f')
			rq.full_ids = true;
		else if (opt != 's' && opt != 'y')
			return cli_usage(opt, export_usage, EXIT_USAGE);
	}
	if (argc - optind != 1 || strcmp(argv[optind], "ledger") != 0)
		return usage_error("export: expects \"ledger\"");
	if (scheme == 0 || rq.year == 0)
		return usage_error("export ledger: --scheme and --year are required");
	rq.scheme = scheme;
	for (size_t i = 0; i < sizeof(header) / sizeof(header[0]) && rc == 0; i++)
		rc = csv_field(stdout, header[i], i == 0);
	if (rc == 0 && csv_end(stdout) == 0)
		rc = export_pages(o, &rq);
	else
		rc = EXIT_REJECTED;
	return rc == 0 && fflush(stdout) != 0 ? EXIT_REJECTED : rc;
}

/* ---- main --------------------------------------------------------------- */

/* ---- simulate ------------------------------------------------------------ */

#define SIMULATE_MAX_EVENTS 1000 /* assistd's limit too */

/* The events of a simulation, read from its input. */
struct simulation {
	Assist__Event **events;
	size_t n, cap;
	unsigned invalid; /* lines that are not events (reported) */
};

/* One non-blank line as an event numbered by its line (its own seq or
 * position are of no use: nothing is stored); -EINVAL when reported. */
static int simulate_line(struct simulation *s, const char *text, unsigned line)
{
	Assist__Event *ev;
	char err[512];
	int rc = eventline_parse(text, &ev, err, sizeof(err));

	if (rc < 0) {
		fprintf(stderr, "line %u: %s\n", line, err);
		s->invalid += rc == -EINVAL;
		return rc;
	}
	ev->seq = line;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		Assist__Event **e = realloc(s->events, cap * sizeof(*e));
		if (e == NULL) {
			protobuf_c_message_free_unpacked(&ev->base, NULL);
			return -ENOMEM;
		}
		s->events = e;
		s->cap = cap;
	}
	s->events[s->n++] = ev;
	return 0;
}

/* Read every event of path (- for standard input): 0, or an exit code. */
static int simulate_read(struct simulation *s, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *buf = NULL;
	size_t size = 0;
	unsigned line = 0;
	int rc = 0;

	if (f == NULL) {
		fprintf(stderr, "assistctl: %s: %s\n", path, strerror(errno));
		return EXIT_NOINPUT;
	}
	while (rc == 0 && getline(&buf, &size, f) >= 0) {
		char *t = buf + strspn(buf, " \t");
		t[strcspn(t, "\r\n")] = '\0';
		line++;
		if (*t == '\0' || *t == '#')
			continue;
		if (s->n == SIMULATE_MAX_EVENTS) {
			fprintf(stderr, "assistctl: line %u: more than %d events; simulate a "
				"household at a time\n", line, SIMULATE_MAX_EVENTS);
			rc = EXIT_USAGE;
		} else if (simulate_line(s, t, line) == -ENOMEM) {
			fprintf(stderr, "assistctl: out of memory\n");
			rc = EXIT_REJECTED;
		}
	}
	if (rc == 0 && ferror(f)) {
		fprintf(stderr, "assistctl: %s: %s\n", path, strerror(errno));
		rc = EXIT_NOINPUT;
	}
	free(buf);
	if (f != stdin)
		fclose(f);
	return rc;
}

static const char *enum_name(const ProtobufCEnumDescriptor *d, int v, char *buf, size_t len)
{
	return pbjson_enum_name(d, v, buf, len) != NULL ? buf : "unspecified";
}

/* A record's figures as text: who, the household, benefits, entitlements,
 * ledger and alerts, one a line. */
static void simulate_print_record(const Assist__RecipientRecord *r)
{
	const Assist__HouseholdSummary *h = r->household;
	char a[48], b[48];

	printf("%s %s", r->id_number, r->name[0] ? r->name : "(no name)");
	if (r->household_id[0] && h != NULL)
		printf(", household %s: %d members, income %" PRId64 " fen a month",
		       r->household_id, h->members, h->monthly_income_fen);
	printf(" (as of %s)\n", r->as_of);
	for (size_t i = 0; i < r->n_benefits; i++) {
		const Assist__Benefit *x = r->benefits[i];
		printf("  benefit %s%s%s %" PRId64 " fen a month, %s since %s%s%s\n",
		       enum_name(&assist__scheme__descriptor, x->scheme, a, sizeof(a)),
		       x->class_[0] ? " class " : "", x->class_, x->monthly_fen,
		       enum_name(&assist__benefit_status__descriptor, x->status, b, sizeof(b)),
		       x->since[0] ? x->since : "the start", x->until[0] ? " until " : "", x->until);
	}
	for (size_t i = 0; i < r->n_entitlements; i++)
		printf("  entitlement %s: %s (%s)\n",
		       enum_name(&assist__scheme__descriptor, r->entitlements[i]->scheme, a,
				 sizeof(a)),
		       r->entitlements[i]->eligible ? "eligible" : "not eligible",
		       r->entitlements[i]->reason);
	for (size_t i = 0; i < r->n_ledger; i++) {
		const Assist__LedgerEntry *l = r->ledger[i];
		printf("  ledger %s %s %s: %" PRId64 " fen (requested %" PRId64 "%s)\n", l->ref,
		       enum_name(&assist__scheme__descriptor, l->scheme, a, sizeof(a)), l->date,
		       l->amount_fen, l->requested_fen, l->clipped ? ", clipped" : "");
	}
	for (size_t i = 0; i < r->n_alerts; i++)
		printf("  alert %s %s: %s\n", r->alerts[i]->code,
		       enum_name(&assist__scheme__descriptor, r->alerts[i]->scheme, a, sizeof(a)),
		       r->alerts[i]->message);
}

/* The reply as text: each record, then the explanations of what the events
 * decided for it, as explain prints them. */
static void simulate_print(const Assist__SimulateReply *r)
{
	for (size_t i = 0; i < r->n_records; i++) {
		const Assist__ExplainReply *ex = i < r->n_explanations ? r->explanations[i] : NULL;
		if (i > 0)
			putchar('\n');
		simulate_print_record(r->records[i]);
		for (size_t j = 0; ex != NULL && j < ex->n_items; j++) {
			putchar('\n');
			print_explanation(ex->items[j]);
		}
	}
	if (r->n_records == 0)
		printf("no records\n");
}

static const char simulate_usage[] =
	"usage: assistctl simulate [FILE|-] [--as-of DATE] [--json]\n"
	"What would these events give? Applies the JSON-lines events of FILE (default\n"
	"-: standard input; as push reads them, at most 1000) to a copy of the current\n"
	"state of the persons and households they name, with the rules and parameters\n"
	"in force, and prints the records they would give with the explanations of\n"
	"what they decided. Nothing is stored, journaled or published. Unknown\n"
	"persons start empty: a family can be described from scratch. An event needs\n"
	"no position (it is named by its line); without a source it is taken as sent\n"
	"by the department that sends its kind. Full ID numbers are printed.\n"
	"  --as-of DATE  benefits and entitlements as of DATE (default today)\n"
	"  --json        the whole reply as JSON (default: text)\n"
	"example:\n"
	"  assistctl simulate family.jsonl --as-of 2026-03-31\n"
	"exit: 0 every event simulated, 1 some were not (each printed with its line\n"
	"and reason) or assistd refused, 2 assistd could not be reached, 64 bad usage,\n"
	"66 FILE cannot be read\n";

/* Each event assistd did not simulate, with its line; how many. */
static size_t simulate_rejections(const Assist__SimulateReply *r)
{
	for (size_t i = 0; i < r->n_rejections; i++) {
		const Assist__Rejection *x = r->rejections[i];
		fprintf(stderr, "line %" PRIu64 ": %s: %s\n", x->position ? x->position->major : 0,
			x->field, x->reason);
	}
	return r->n_rejections;
}

static int cmd_simulate(const struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "as-of", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__SimulateRequest sr = ASSIST__SIMULATE_REQUEST__INIT;
	struct simulation s = { 0 };
	Assist__Reply *reply = NULL;
	bool json = false;
	ymd_t day;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 'a' && ymd_parse(optarg, &day) == 0)
			sr.as_of = optarg;
		else if (opt == 'j')
			json = true;
		else
			return usage_error("simulate: bad option");
	}
	if (argc - optind > 1)
		return usage_error("simulate: unexpected argument %s", argv[optind + 1]);
	if ((rc = simulate_read(&s, optind < argc ? argv[optind] : "-")) != 0)
		goto cleanup;
	sr.events = s.events;
	sr.n_events = s.n;
	req.body_case = ASSIST__REQUEST__BODY_SIMULATE;
	req.simulate = &sr;
	if ((rc = query(o, &req, &reply)) != 0)
		goto cleanup;
	if (reply->body_case != ASSIST__REPLY__BODY_SIMULATE) {
		rc = unexpected_reply();
		goto cleanup;
	}
	if (json)
		rc = print_json(pbjson_encode(&reply->simulate->base, PBJSON_EMIT_DEFAULTS),
				JSON_INDENT(2));
	else
		simulate_print(reply->simulate);
	if (simulate_rejections(reply->simulate) + s.invalid > 0 && rc == 0)
		rc = EXIT_REJECTED;
cleanup:
	if (reply != NULL)
		assist__reply__free_unpacked(reply, NULL);
	for (size_t i = 0; i < s.n; i++)
		protobuf_c_message_free_unpacked(&s.events[i]->base, NULL);
	free(s.events);
	return rc;
}

/* usage: what `assistctl COMMAND --help` prints (a row without one prints
 * the general usage, which test_cli_help refuses). */
static const struct {
	const char *name;
	int (*run)(const struct opts *o, int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "push", cmd_push, push_usage },
	{ "get", cmd_get, get_usage },
	{ "explain", cmd_explain, explain_usage },
	{ "watch", cmd_watch, watch_usage },
	{ "status", cmd_status, status_usage },
	{ "keygen", cmd_keygen, keygen_usage },
	{ "dump", cmd_dump, dump_usage },
	{ "pay", cmd_pay, pay_usage },
	{ "dead-letters", cmd_dead_letters, dead_letters_usage },
	{ "retry", cmd_retry, retry_usage },
	{ "recompute", cmd_recompute, recompute_usage },
	{ "roster", cmd_roster, roster_usage },
	{ "report", cmd_report, report_usage },
	{ "simulate", cmd_simulate, simulate_usage },
	{ "application", cmd_application, application_usage },
	{ "funds", cmd_funds, funds_usage },
	{ "export", cmd_export, export_usage },
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "endpoint", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		CLI_VERSION_OPTION,
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .config = DEFAULT_CONFIG };
	int opt;

	while ((opt = getopt_long(argc, argv, "+c:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			o.config = optarg;
			o.config_given = true;
			break;
		case 'e':
			o.endpoint = optarg;
			break;
		default:
			return cli_usage(opt, usage, EXIT_USAGE);
		}
	}
	if (optind >= argc)
		return usage_error("no command");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) == 0) {
			int sub_argc = argc - optind;
			char **sub_argv = argv + optind;
			if (cli_asks_help(sub_argc, sub_argv))
				return cli_usage('h', commands[i].usage ? commands[i].usage : usage,
						 EXIT_USAGE);
			optind = 0;
			return commands[i].run(&o, sub_argc, sub_argv);
		}
	}
	return usage_error("unknown command %s", argv[optind]);
}
