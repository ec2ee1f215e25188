/*
 * outbox.h - composing, queueing and delivering outbound messages.
 *
 * A message is written into its conversation first, status "queued", and
 * committed; only then is it handed to the transport, and the outcome
 * ("sent" with the provider's id, "failed" with its code and words, or
 * "queued" again for a later try) is committed too.  Nothing typed is
 * lost when the provider is down.
 *
 * Queued messages are listed in idx/queue/<uniq> (each holding the
 * message id), so a flush reads the queue, not the store.  While a
 * transport has a message its status is "sending"; a message found
 * "sending" by a later flush was interrupted mid-delivery and is failed
 * with that reason rather than sent again: once a provider may have
 * accepted a message, no automatic retry resends it.
 */
#ifndef INBOX_OUTBOX_H
#define INBOX_OUTBOX_H

#include <time.h>
#include "kv.h"
#include "store.h"

struct send_opts {
	const char *target;	/* conversation, contact, phone or email */
	const char *text;	/* NULL with a template */
	const char *channel;	/* NULL: the customer's last channel */
	const char *type;	/* NULL: "manual" */
	const char *template_name;
	const struct kv *vars;	/* template variables from the caller */
	const char *const *attach;	/* files or URLs */
	size_t natt;
	time_t at;		/* send after this time; 0 now */
	int split;		/* split a text over the SMS limit */
	const char *job;	/* X-Inbox-Job */
	int automatic;		/* sent by a hook or a rule, not a person */
	int note;		/* a private note: staff only, never sent */
	const char *into;	/* file into this conversation (shared
				 * maintenance threads) */
};

struct send_queued {
	char **ids;		/* CONV/UNIQ of each message queued */
	size_t n;
	char conv[16];
	char channel[16];
	char address[320];
	int segments;
	char duplicate[200];	/* not sent: this earlier message covers it */
	int gated;		/* waiting in the approval queue */
	int internal;		/* a note or team message: nothing to deliver */
	char mentions[256];	/* staff mentioned (space separated) */
};

/*
 * Compose the message(s), check the rules, write them into the
 * conversation with status "queued" (or "scheduled" with --at) and
 * commit.  With dry (non-NULL) nothing is written: the message files are
 * appended to dry instead.
 */
int outbox_queue(struct store *st, const struct send_opts *o,
    struct send_queued *q, struct sb *dry);
void outbox_queued_free(struct send_queued *q);

struct send_report {
	char id[160];
	char status[24];	/* status recorded after this attempt */
	char error[320];	/* the provider's code and words */
	char provider_id[128];
	time_t next_try;	/* when queued again for a retry */
	int skipped;		/* not due yet, or not in a sendable state */
};

/*
 * Try to deliver one queued message now.  Returns 0 when an attempt was
 * made or the message was not due (rep says which), -1 on an error of
 * the store, with class 3 when the rules now refuse it (it is then
 * failed with the reason), or with class 2 when the channel's transport
 * is not set up (it stays queued with the reason, or fails at the
 * send.tries cap).
 */
int outbox_deliver(struct store *st, const char *id, struct send_report *rep);

/* Deliver every queued message that is due; cb reports each. */
int outbox_flush(struct store *st, void (*cb)(const struct send_report *,
    void *), void *arg);

/* Queue a failed message again (tries reset) and deliver it. */
int outbox_retry(struct store *st, const char *id, struct send_report *rep);

/*
 * The approval queue (idx/approval/): messages written by staff who may
 * only send gated.  outbox_pending lists their ids; approving one records
 * the approver, queues and delivers it; rejecting keeps it in the thread,
 * status "rejected", with the reason.
 */
int outbox_pending(struct store *st, char ***ids, size_t *n);
int outbox_approve(struct store *st, const char *id, struct send_report *rep);
int outbox_reject(struct store *st, const char *id, const char *reason);

#endif
