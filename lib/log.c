#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum log_level log_level = LOG_LVL_INFO;
static const char *log_ident = "assist";

void log_set_level(enum log_level level)
{
	log_level = level;
}

int log_parse_level(const char *s, enum log_level *out)
{
	static const struct {
		const char *name;
		enum log_level level;
	} names[] = {{"error", LOG_LVL_ERROR},
		     {"warning", LOG_LVL_WARNING},
		     {"info", LOG_LVL_INFO},
		     {"debug", LOG_LVL_DEBUG}};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i].name) == 0) {
			*out = names[i].level;
			return 0;
		}
	}
	return -EINVAL;
}

void log_set_ident(const char *ident)
{
	log_ident = ident;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[2048];
	struct timespec ts;
	struct tm tm;
	size_t n;
	va_list ap;

	if (level > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	/* The <N> prefix lets journald set the priority; the time helps on a tty. */
	n = (size_t)snprintf(line, sizeof(line), "<%d>%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s[%d]: ",
			     (int)level, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			     tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, log_ident, (int)getpid());
	va_start(ap, fmt);
	if (n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}

bool log_limit(struct log_limit *l, long long now_ms, unsigned *held)
{
	*held = 0;
	if (now_ms - l->window_ms >= 1000 || now_ms < l->window_ms) {
		l->window_ms = now_ms;
		l->n = 0;
	}
	if (l->n >= LOG_LIMIT_PER_S) {
		l->held++;
		return false;
	}
	l->n++;
	*held = l->held;
	l->held = 0;
	return true;
}
