/* Claims as the claim keys see them: see claim.h. */
#include "claim.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"

static const ProtobufCFieldDescriptor *op_field(const ProtobufCMessage *m)
{
	const ProtobufCFieldDescriptor *f;

	if (m == NULL || (f = protobuf_c_message_descriptor_get_field_by_name(m->descriptor,
									    "op")) == NULL ||
	    f->type != PROTOBUF_C_TYPE_ENUM)
		return NULL;
	return f;
}

/* FNV-1a of the packed payload with its op as decide (a shallow copy). 0 or
 * -ENOMEM. */
static int claim_digest(const ProtobufCMessage *m, uint64_t *h)
{
	const ProtobufCFieldDescriptor *f = op_field(m);
	size_t size = m->descriptor->sizeof_message, len;
	uint8_t *copy = malloc(size), *buf;

	*h = 0xcbf29ce484222325ULL;
	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, m, size);
	if (f != NULL)
		*(int *)(copy + f->offset) = ASSIST__CLAIM_OP__CLAIM_OP_DECIDE;
	len = protobuf_c_message_get_packed_size((ProtobufCMessage *)copy);
	if ((buf = malloc(len ? len : 1)) == NULL) {
		free(copy);
		return -ENOMEM;
	}
	protobuf_c_message_pack((ProtobufCMessage *)copy, buf);
	for (size_t i = 0; i < len; i++)
		*h = (*h ^ buf[i]) * 0x100000001b3ULL;
	free(buf);
	free(copy);
	return 0;
}

int claim_init(struct claim *c, const Assist__Event *ev, const char *prefix)
{
	const ProtobufCMessage *m = event_payload(ev);
	const ProtobufCFieldDescriptor *f = op_field(m);
	uint64_t h = 0;
	int rc;

	c->id = event_text(ev, EVENT_FIELD_CLAIM);
	c->op = f != NULL ? *(const int *)((const char *)m + f->offset) : 0;
	snprintf(c->key, sizeof(c->key), "%s%s/%s", prefix, ev->source, c->id);
	if (m != NULL && (rc = claim_digest(m, &h)) < 0)
		return rc;
	snprintf(c->dkey, sizeof(c->dkey), "%s#%016" PRIx64, c->key, h);
	return 0;
}

static const char *op_name(Assist__ClaimOp op)
{
	return op == ASSIST__CLAIM_OP__CLAIM_OP_VOID ? "void" : "correct";
}

static int reject_claim(struct verdict *reject, const Assist__Event *ev, const char *code,
			const char *claim, const char *what)
{
	memset(reject, 0, sizeof(*reject));
	snprintf(reject->field, sizeof(reject->field), "%s.claim_id", validate_kind_name(ev));
	snprintf(reject->reason, sizeof(reject->reason), "%s: claim %s %s from %s", code, claim,
		 what, ev->source);
	return -EINVAL;
}

/* Whether p holds a claim key that starts with key and then c. */
static bool has_key_with(const struct person *p, const char *key, char c)
{
	size_t len = strlen(key);

	for (size_t i = 0; i < p->n_claim_keys; i++) {
		if (strncmp(p->claim_keys[i], key, len) == 0 && p->claim_keys[i][len] == c)
			return true;
	}
	return false;
}

int claim_check(const struct person *p, const struct claim *c, const Assist__Event *ev,
		struct verdict *reject)
{
	bool seen = p != NULL && person_has_claim_key(p, c->key);

	if (c->op == ASSIST__CLAIM_OP__CLAIM_OP_DECIDE) {
		if (!seen)
			return 0;
		if (person_has_claim_key(p, c->dkey))
			return 1;
		return reject_claim(reject, ev, "duplicate_claim", c->id, "was already applied");
	}
	if (!seen)
		return reject_claim(reject, ev, "unknown_claim", c->id,
				    c->op == ASSIST__CLAIM_OP__CLAIM_OP_VOID
					    ? "to void was never applied"
					    : "to correct was never applied");
	if (c->op == ASSIST__CLAIM_OP__CLAIM_OP_CORRECT)
		return person_has_claim_key(p, c->dkey) ? 1 : 0;
	return has_key_with(p, c->key, '#') ? 0 : 1;
}

/* A bill's total the reversal takes back out of the year's medical_total. */
static int unbill(struct person *p, const char *taken, struct decisions *out)
{
	unsigned long date;
	long long total;
	struct decision *d;

	if (sscanf(taken, "%lu:%lld", &date, &total) != 2)
		return 0;
	if ((d = decisions_add(out, DEC_BILL, p)) == NULL)
		return -ENOMEM;
	d->u.bill.date = (ymd_t)date;
	d->u.bill.total = -(fen_t)total;
	return 0;
}

int claim_undo(struct person *p, const struct claim *c, struct decisions *out)
{
	size_t first = out->n, len = strlen(c->key);
	char prefix[sizeof(c->key) + 1];
	int rc;

	if ((rc = policy_reversal(p, c->id, op_name(c->op), out)) < 0)
		return rc;
	for (size_t i = 0; i < p->n_claim_keys; i++) {
		const char *k = p->claim_keys[i];

		if (strncmp(k, c->key, len) != 0 || k[len] != '@')
			continue;
		if (strncmp(k + len, "@bill=", 6) == 0 && (rc = unbill(p, k + len + 6, out)) < 0)
			return rc;
	}
	for (size_t i = first; i < out->n; i++)
		decision_apply(&out->items[i]);
	for (size_t i = 0; i < p->n_claim_keys; i++) {
		const char *k = p->claim_keys[i];

		if (strncmp(k, c->key, len) == 0 && strncmp(k + len, "@once=", 6) == 0)
			person_drop_once_key(p, k + len + 6);
	}
	snprintf(prefix, sizeof(prefix), "%s#", c->key);
	person_drop_claim_keys(p, prefix);
	snprintf(prefix, sizeof(prefix), "%s@", c->key);
	person_drop_claim_keys(p, prefix);
	p->dirty = true;
	return 0;
}

static int remember(struct person *p, const char *key, const char *what, const char *value)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s@%s=%s", key, what, value);
	return person_add_claim_key(p, buf);
}

int claim_remember(struct person *p, const struct claim *c, const struct decisions *out,
		   size_t first)
{
	char value[48];
	int rc;

	if ((!person_has_claim_key(p, c->key) && (rc = person_add_claim_key(p, c->key)) < 0) ||
	    (rc = person_add_claim_key(p, c->dkey)) < 0)
		return rc;
	for (size_t i = first; i < out->n; i++) {
		const struct decision *d = &out->items[i];

		if (d->person != p)
			continue;
		if (d->type == DEC_ONCE_KEY && (rc = remember(p, c->key, "once", d->u.once_key)) < 0)
			return rc;
		if (d->type != DEC_BILL || d->u.bill.total == 0)
			continue;
		snprintf(value, sizeof(value), "%lu:%" PRId64, (unsigned long)d->u.bill.date,
			 d->u.bill.total);
		if ((rc = remember(p, c->key, "bill", value)) < 0)
			return rc;
	}
	return 0;
}

Assist__ClaimOp claim_op(const Assist__Event *ev)
{
	const ProtobufCMessage *m = event_payload(ev);
	const ProtobufCFieldDescriptor *f = m != NULL ? op_field(m) : NULL;

	return f != NULL ? *(const int *)((const char *)m + f->offset) : 0;
}

void claim_set_op(Assist__Event *ev, Assist__ClaimOp op)
{
	ProtobufCMessage *m = (ProtobufCMessage *)event_payload(ev);
	const ProtobufCFieldDescriptor *f = m != NULL ? op_field(m) : NULL;

	if (f != NULL)
		*(int *)((char *)m + f->offset) = op;
}

void claim_forget_digest(struct person *p, const struct claim *c)
{
	char prefix[sizeof(c->key) + 1];

	snprintf(prefix, sizeof(prefix), "%s#", c->key);
	person_drop_claim_keys(p, prefix);
}
