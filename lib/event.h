/*
 * event.h - inbound events: what a provider's webhook, a mail transfer
 * agent or a field-service platform hands to inbox-recv, parsed into one
 * shape.  Formats (inbox-recv(1) documents each):
 *
 *	twilio     form-encoded: inbound SMS/MMS/WhatsApp, message status
 *	           callbacks, voice status and recording callbacks
 *	whatsapp   WhatsApp Cloud API webhook JSON (messages and statuses)
 *	email      an RFC 5322 message, kept byte for byte
 *	kannel     Kannel sms-service get-url (MO) or dlr-url query
 *	json       the generic JSON of inbox-recv(1): message, status, call,
 *	           job
 */
#ifndef INBOX_EVENT_H
#define INBOX_EVENT_H

#include <stddef.h>
#include <time.h>

struct json;

enum event_kind {
	EV_MESSAGE,		/* a message from a customer */
	EV_STATUS,		/* a delivery status of an outbound message */
	EV_CALL,		/* a voice call or its recording */
	EV_JOB			/* a job event from a field-service platform */
};

struct event_media {
	char *url;
	char *type;		/* MIME type when known */
	char *id;		/* provider media id (WhatsApp) */
	char *caption;
	/* filled by media_fetch before filing */
	char *data;
	size_t len;
	char *error;		/* why it could not be fetched */
};

struct event {
	enum event_kind kind;
	char format[16];
	char *channel;		/* sms, mms, whatsapp, email, voice, portal */
	char *from, *to;	/* addresses as given (normalised later) */
	char *from_name;
	char *provider_id;	/* MessageSid, wamid, Message-ID, CallSid ... */
	char *body;		/* UTF-8 text */
	time_t date;		/* 0: now */
	struct event_media *media;
	size_t nmedia;

	/* EV_STATUS */
	char *status;		/* queued sent delivered read failed ... */
	char *error_code, *error_text;

	/* email */
	const char *raw;	/* the whole message, for byte-for-byte keeping */
	size_t rawlen;
	char *subject, *message_id, *in_reply_to, *references;

	/* EV_CALL */
	char *direction;	/* in | out */
	char *call_status;	/* provider's call status */
	long duration;		/* seconds, -1 unknown */
	char *recording_url;
	long recording_duration;
	char *transcript;

	/* EV_JOB and anything format-specific */
	struct json *json;
	/* extra: signature material for verification */
	char *wa_id;
	/* a webhook may carry several events: the rest, in order */
	struct event *next;
};

/*
 * Parse buf in format `format` (NULL or "auto": detect).  Returns 0, or -1
 * with class 65 and a one-line reason when the input is malformed:
 * truncated, not UTF-8 where text is expected, missing fields, line breaks
 * in address fields.
 */
int event_parse(struct event *ev, const char *format, const char *buf,
    size_t len);
void event_free(struct event *ev);
/* 1 when an email says a machine sent it (Auto-Submitted other than
 * "no", Precedence bulk, list, junk or auto_reply): no autoreply. */
int event_auto_submitted(const struct event *ev);
/* The format buf looks like ("twilio", "whatsapp", "kannel", "json",
 * "email"), or NULL. */
const char *event_detect(const char *buf, size_t len);

#endif
