/*
 * transport.h - hand an outbound message to whatever carries it.
 *
 * Each channel names a transport in inbox.yaml (channels.CH.transport);
 * the transport's settings sit beside it, credentials come from secrets
 * (secret.h), and base URLs can be overridden so tests talk to servers on
 * loopback:
 *
 *	spool     write the message file into a directory (default tmp/outbox)
 *	command   pipe the message file to a command: exit 0 sent, 75 retry,
 *	          anything else failed
 *	twilio    REST Messages API (SMS, MMS, WhatsApp via "whatsapp:")
 *	smtp      libcurl SMTP / SMTPS / STARTTLS, an RFC 5322 message
 *	kannel    Kannel's sendsms HTTP interface with a dlr-url
 *	whatsapp  WhatsApp Cloud API JSON (text, media, template)
 *	webhook   POST the message as JSON, HMAC-SHA256 signed
 *
 * inbox-config(5) documents every key.  A transport never prints; it
 * reports the outcome in struct send_result.
 */
#ifndef INBOX_TRANSPORT_H
#define INBOX_TRANSPORT_H

#include <stddef.h>
#include "store.h"

struct out_attachment {
	const char *path;	/* local file, for email/spool/webhook */
	const char *url;	/* public URL, for MMS/WhatsApp media */
	const char *type;	/* MIME type */
	const char *name;	/* file name */
};

struct outmsg {
	const char *id;		/* CONV/UNIQ, our id for callbacks */
	const char *channel;	/* sms mms whatsapp email portal ... */
	const char *to;		/* E.164 or email address */
	const char *to_name;
	const char *from;	/* the business address on this channel */
	const char *text;	/* UTF-8 body */
	const char *subject;	/* email */
	const char *type;	/* manual, confirmation, reminder ... */
	const char *author;	/* staff login */
	/* the complete message file (headers + body), for spool/command/
	 * smtp, which send it as it is stored (CRLF added by smtp) */
	const char *raw;
	size_t rawlen;
	const struct out_attachment *att;
	size_t natt;
	/* WhatsApp / Twilio content templates outside the 24 h window */
	const char *template_name;	/* provider template name */
	const char *template_lang;	/* e.g. en_US */
	const char *const *template_params;	/* body parameters */
	size_t ntemplate_params;
	const char *reply_to;	/* provider id to thread on (WhatsApp) */
};

enum send_outcome {
	SEND_OK,		/* accepted by the provider: never resend */
	SEND_TEMP,		/* not accepted, safe to try again */
	SEND_PERM		/* refused for good */
};

struct send_result {
	enum send_outcome outcome;
	char status[24];	/* status to record: "sent", "queued" ... */
	char provider_id[128];	/* provider's id for status callbacks */
	char code[32];		/* provider/SMTP/HTTP error code */
	char text[256];		/* provider's error text */
	long retry_after;	/* seconds the provider asked us to wait, 0 */
	int optout;		/* provider says the recipient opted out */
	int unreachable;	/* landline / not a mobile / invalid number */
	int window_closed;	/* WhatsApp 24-hour window closed */
};

/*
 * Send m through the transport configured for m->channel.  Returns 0 when
 * the transport ran (res says how it went), -1 when it could not be set
 * up at all (unknown transport, missing credentials: class 2, with the
 * message saying which secret or key is missing).
 */
int transport_send(struct store *st, const struct outmsg *m,
    struct send_result *res);

/* The transport name configured for a channel ("spool" by default). */
const char *transport_name(struct store *st, const char *channel);

/* 1 when the transport of the channel can carry attachments (all but
 * kannel; twilio and whatsapp need each attachment's url). */
int transport_can_attach(struct store *st, const char *channel);

/*
 * What a provider's error means, for the transports and for status
 * callbacks that report a failure later (inbox-recv): http is the HTTP
 * status (0 for a callback's ErrorCode), code the provider's error number
 * (0 when none came), text its words (NULL: none).  Sets res->outcome,
 * code ("21610", or the HTTP status when there is no number), text and
 * the optout / unreachable / window_closed flags; retry_after is left to
 * the caller.
 *
 *	twilio: 21610 opted out; 21211 21614 30003 30005 30006 unreachable;
 *	        63016 window closed; 20003 (credentials), 21212 21606 21408
 *	        21612 and other 4xx permanent; 20429 / 429 / 5xx / 21611
 *	        (queue full) temporary.
 *	graph:  131047 window closed; 131026 unreachable; 130429 131056 4
 *	        80007 1 2 131016 (and is-transient answers: 5xx) / 429
 *	        temporary; 190 (token), 100 and other 4xx permanent.
 */
void transport_twilio_error(struct send_result *res, long http, long code,
    const char *text);
void transport_graph_error(struct send_result *res, long http, long code,
    const char *text);

#endif
