/* The dead letters on the query endpoint: listing them (assistctl
 * dead-letters) and taking their kept events in again after the cause is
 * fixed (assistctl retry), each as source retry at {next, dead letter id},
 * checked against the role of the source that first sent it. A retry that
 * applies marks the letter retried (never retried again); one rejected
 * again leaves it a dead letter with the new reason. */
#ifndef ASSIST_DEADLETTER_H
#define ASSIST_DEADLETTER_H

#include <stddef.h>
#include <stdint.h>

#include "assist.pb-c.h"

struct server;

/* Answer a DeadLettersRequest when the store has read the letters. */
void deadletter_list(struct server *srv, const uint8_t *peer, size_t peer_len,
		     const Assist__Request *req);
/* Answer a RetryRequest once its letters are read and taken in again. */
void deadletter_retry(struct server *srv, const uint8_t *peer, size_t peer_len,
		      const Assist__Request *req);

#endif
