/*
 * policy.h - the rules every send obeys, on every path that sends: a
 * manual inbox-send, a hook, a retry, a flush of the queue (see
 * inbox-policy(7)).  Each check returns 0 when the send may go, or -1
 * with class 3 and the reason in the error message.
 */
#ifndef INBOX_POLICY_H
#define INBOX_POLICY_H

#include <time.h>
#include "kv.h"
#include "store.h"

struct send_check {
	const char *conv;
	const char *channel;
	const char *address;	/* recipient on that channel */
	const char *type;	/* manual, reminder ... */
	const char *text;
	int is_template;	/* a provider-approved template */
	int automatic;		/* not a person replying by hand */
	time_t job_start;	/* for reminders: drop when past, 0 none */
};

/* Blocked, opted out, unable to take SMS: the address's own record. */
int policy_address(struct store *st, const struct send_check *c);
/* SMS characters limit (channels.sms.limit); split says it may be split. */
int policy_length(struct store *st, const struct send_check *c, int split);
/* Everything above; with now, for flushes as well as first sends. */
int policy_check(struct store *st, const struct send_check *c);

/* "STOP at 2026-11-20 14:02" describing an opt-out record, malloc'd. */
char *policy_optout_text(const struct kv *addr);

#endif
