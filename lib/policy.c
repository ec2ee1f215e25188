/*
 * policy.c - checks before anything is sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "policy.h"
#include "sms.h"

char *
policy_optout_text(const struct kv *a)
{
	const char *o = kv_get(a, "optout");
	struct sb s = SB_INIT;
	char when[32] = "";
	time_t t;
	const char *kw = kv_get(a, "optout-keyword");

	if (o && time_parse(o, "UTC", &t) == 0)
		time_fmt_tz(t, "UTC", "%Y-%m-%d %H:%M", when, sizeof(when));
	inbox_error_clear();
	sb_addf(&s, "%s at %s", kw ? kw : "opt-out", *when ? when : o ? o :
	    "?");
	return sb_detach(&s, NULL);
}

static int
is_phone_channel(const char *ch)
{
	return !strcmp(ch, "sms") || !strcmp(ch, "mms") ||
	    !strcmp(ch, "whatsapp");
}

int
policy_address(struct store *st, const struct send_check *c)
{
	struct kv a = KV_INIT;
	int r;

	if (!c->address)
		return 0;
	r = addr_load(st, c->address, &a);
	if (r < 0)
		return -1;
	if (r == 1)
		return 0;
	if (kv_get(&a, "blocked")) {
		kv_free(&a);
		return inbox_error(INBOX_EPOLICY, "%s is blocked",
		    c->address);
	}
	/* the one confirmation of an opt-out is the only text it gets */
	if (kv_get(&a, "optout") && is_phone_channel(c->channel) &&
	    !(c->type && !strcmp(c->type, "stop-confirmation"))) {
		char *why = policy_optout_text(&a);

		inbox_error(INBOX_EPOLICY, "%s opted out (%s)", c->address,
		    why);
		free(why);
		kv_free(&a);
		return -1;
	}
	if (kv_get(&a, "sms-unreachable") && (!strcmp(c->channel, "sms") ||
	    !strcmp(c->channel, "mms"))) {
		inbox_error(INBOX_EPOLICY, "%s cannot receive SMS (%s); try "
		    "another channel", c->address, kv_get(&a,
		    "sms-unreachable"));
		kv_free(&a);
		return -1;
	}
	kv_free(&a);
	return 0;
}

int
policy_length(struct store *st, const struct send_check *c, int split)
{
	struct sb key = SB_INIT;
	long long limit;
	size_t chars;

	if (strcmp(c->channel, "sms") || !c->text)
		return 0;
	sb_addf(&key, "channels.%s.limit", c->channel);
	limit = config_int(st->cfg, key.buf, 0);
	sb_release(&key);
	chars = utf8_len(c->text, strlen(c->text));
	if (limit > 0 && (long long)chars > limit && !split)
		return inbox_error(INBOX_EPOLICY, "message is %zu characters, "
		    "%lld over the limit of %lld (shorten it or use --split)",
		    chars, (long long)chars - limit, limit);
	return 0;
}

int
policy_check(struct store *st, const struct send_check *c)
{
	return policy_address(st, c);
}
