/* Helpers of the metrics tests: a free loopback port, an HTTP/1.0 request
 * to it, the value of one sample in Prometheus text, and promtool's verdict
 * on a text. */
#ifndef ASSIST_PROMTEST_H
#define ASSIST_PROMTEST_H

/* A loopback port nobody listens on now, or -1. */
int promtest_free_port(void);
/* METHOD PATH HTTP/1.0 to 127.0.0.1:port: the whole response (status line,
 * headers, body), malloc'ed, or NULL when nothing answers. */
char *promtest_http(int port, const char *method, const char *path);
/* The body of a response (after its headers), or NULL. */
const char *promtest_body(const char *resp);
/* The value of the sample line that starts with series (name and labels,
 * exactly) in text, or -1 when there is none. */
long long promtest_sample(const char *text, const char *series);
/* GET /metrics on port until series shows want (at most 15 s; the programs
 * render once a second): the response, malloc'ed; the last one when it never
 * does, NULL when nothing answered. */
char *promtest_until(int port, const char *series, long long want);
/* `promtool check metrics` on text (written to dir/name first): its exit
 * status, or -1. */
int promtest_promtool(const char *dir, const char *name, const char *text);

#endif
