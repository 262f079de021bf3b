/* Logging to stderr (journald picks it up under systemd, with the <N>
 * priority prefix). Never pass a full ID number: mask it first (idnum_mask). */
#ifndef ASSIST_LOG_H
#define ASSIST_LOG_H

#include <stdbool.h>

enum log_level { LOG_LVL_ERROR = 3, LOG_LVL_WARNING = 4, LOG_LVL_INFO = 6, LOG_LVL_DEBUG = 7 };

/* Messages above level are dropped. */
void log_set_level(enum log_level level);
/* Parse "error", "warning", "info", "debug"; 0 or -EINVAL. */
int log_parse_level(const char *s, enum log_level *out);
/* Program name shown before each message. */
void log_set_ident(const char *ident);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A rate limit for one kind of line (malformed input from one sender): at
 * most LOG_LIMIT_PER_S a second. Zero-initialized. */
struct log_limit {
	long long window_ms; /* start of the current second */
	unsigned n;          /* lines logged in it */
	unsigned held;       /* lines held back in it */
};

#define LOG_LIMIT_PER_S 20

/* Whether one more line may be logged at now_ms. When it may and lines were
 * held back before, *held is their number (log it once: "N similar lines
 * suppressed"), else 0. */
bool log_limit(struct log_limit *l, long long now_ms, unsigned *held);

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
