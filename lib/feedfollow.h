/* Following assistd's feed without a gap or a duplicate, as docs/protocol.md
 * "The feed" tells a consumer to: replay from a cursor with ReplayRequest
 * pages, then read the SUB socket, skipping what was delivered, replaying
 * over a jump in sequence and up to a heartbeat's latest_seq. For the
 * blocking programs (assistctl watch, assist-web's event streams). */
#ifndef ASSIST_FEEDFOLLOW_H
#define ASSIST_FEEDFOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assist.pb-c.h"
#include "qclient.h"

/* The heartbeat's topic (also subscribed to when a prefix is). */
#define FEEDFOLLOW_HEARTBEAT "heartbeat"

/* Take one message, in sequence order: 0 to go on, > 0 to stop (returned
 * by the call that delivered it). */
typedef int (*feedfollow_fn)(void *data, const Assist__FeedMessage *m);

struct feedfollow {
	struct qclient *query; /* replays from here; NULL: live only, gaps stay */
	void *sub;             /* subscribed with feedfollow_subscribe */
	const char *prefix;    /* topics wanted ("" all) */
	int64_t timeout_ms;    /* per replay page */
	feedfollow_fn deliver;
	void *data;
	bool have_next;
	uint64_t next; /* every message before it is delivered or known not to match */
	char err[256]; /* why the last call failed */
};

/* Subscribe sub to prefix (and to heartbeats when prefix is not ""): 0 or -1
 * with errno. */
int feedfollow_subscribe(void *sub, const char *prefix);
/* Deliver from seq next on (a resumed cursor: next = last seen + 1). */
void feedfollow_resume(struct feedfollow *f, uint64_t next);
/* Replay [from, stop) (stop 0: to the end) from the feed table. 0, the
 * deliver callback's stop value, or -errno with f->err set (-EPROTO: assistd
 * refused; -ETIMEDOUT: no answer; -EINTR). */
int feedfollow_replay(struct feedfollow *f, uint64_t from, uint64_t stop);
/* Read what the SUB socket holds now (call when it is readable): as
 * feedfollow_replay. */
int feedfollow_read(struct feedfollow *f);

#endif
