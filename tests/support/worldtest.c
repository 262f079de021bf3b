#include "worldtest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

void worldtest_init(struct worldtest *f, const struct params *params, const char *source)
{
	memset(f, 0, sizeof(*f));
	f->ctx = (struct policy_ctx){.params = params, .source = source, .major = 1};
}

void worldtest_free(struct worldtest *f)
{
	decisions_free(&f->out);
	world_free(&f->w);
}

int worldtest_apply(struct worldtest *f, Assist__Event *ev, struct verdict *reject)
{
	struct verdict v;

	ev->source = (char *)f->ctx.source;
	if (validate_event(ev, &v) != 0)
		fail_msg("invalid: %s: %s", v.field, v.reason);
	decisions_clear(&f->out);
	memset(reject, 0, sizeof(*reject));
	return apply_event(&f->w, &f->ctx, ev, &v, &f->out, reject);
}
