/*
 * tr.h - what the transports (transport.c, tr-*.c) share.  Not part of
 * libinbox's interface: only the transports and their unit test include
 * it.
 */
#ifndef INBOX_TR_H
#define INBOX_TR_H

#include <stddef.h>
#include "http.h"
#include "transport.h"

/* One send: the store, the message, the channel's settings. */
struct tr_ctx {
	struct store *st;
	const struct outmsg *m;
	const char *name;	/* transport name, for messages */
	char sect[64];		/* "channels.sms": where the keys are */
	long timeout;		/* channels.CH.timeout, seconds */
};

/* channels.CH.key, or def. */
const char *tr_conf(const struct tr_ctx *c, const char *key,
    const char *def);
/* channels.CH.key, else def_path (another dotted path, e.g.
 * "business.phone"), else NULL. */
const char *tr_conf_or(const struct tr_ctx *c, const char *key,
    const char *def_path);
/* channels.CH.key as a boolean, or def. */
int tr_conf_bool(const struct tr_ctx *c, const char *key, int def);
/* A required key: -1 (class 2) "NAME: no KEY (channels.CH.KEY in
 * inbox.yaml)" when it is missing or empty. */
int tr_need(const struct tr_ctx *c, const char *key, const char **out);
/* A secret (malloc'd, or NULL when optional and unset); -1 (class 2)
 * "NAME: secret S is not set (secrets/S or $INBOX_SECRET_S)" when a
 * required one is missing. */
int tr_secret(const struct tr_ctx *c, const char *name, int required,
    char **out);

/* Fill res: outcome, status, code and a printf-style text. */
void tr_set(struct send_result *res, enum send_outcome o,
    const char *status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * Perform req with the channel's timeout.  Returns 1 when an HTTP answer
 * came and resp should be classified (its status may be 2xx even when
 * the body was cut short: the provider accepted the message), 0 when the
 * request failed on the way (res is then SEND_TEMP with curl's words).
 */
int tr_perform(const struct tr_ctx *c, struct http_req *req,
    struct http_resp *resp, struct send_result *res);
/* Generic classification of a non-2xx answer: 408, 425, 429 and 5xx
 * SEND_TEMP, anything else SEND_PERM; code is the status. */
void tr_http_status(const struct tr_ctx *c, struct send_result *res,
    const struct http_resp *resp, const char *text);
/* The first line of a body, for a provider's words (trimmed, bounded). */
void tr_first_line(const char *body, size_t len, char *out, size_t n);
/* The uniq part of "CONV/UNIQ" (or the whole id). */
const char *tr_uniq(const char *id);
/* 1 when s has no CR, LF or other control byte (safe in a header). */
int tr_header_safe(const char *s);

/* The transports: 0 when they ran (res filled), -1 on set-up errors. */
int tr_spool(struct tr_ctx *c, struct send_result *res);
int tr_command(struct tr_ctx *c, struct send_result *res);
int tr_twilio(struct tr_ctx *c, struct send_result *res);
int tr_whatsapp(struct tr_ctx *c, struct send_result *res);
int tr_smtp(struct tr_ctx *c, struct send_result *res);
int tr_kannel(struct tr_ctx *c, struct send_result *res);
int tr_webhook(struct tr_ctx *c, struct send_result *res);

/*
 * Pure pieces, unit-tested in t/unit/test-transport.c.
 */

/* Twilio's ContentVariables: {"1":"p1","2":"p2"} (malloc'd). */
char *tr_twilio_vars(const char *const *params, size_t n);
/* "whatsapp:" + addr unless it has the prefix already (malloc'd). */
char *tr_whatsapp_addr(const char *addr);
/* status-callback with "format=twilio" added when it has no format=
 * (malloc'd). */
char *tr_twilio_callback(const char *url);

/* The WhatsApp Cloud API body for m: a template when template_name is
 * set, else the media message for attachment `att` (its caption is the
 * text when with_text), else text.  lang is the template language.
 * Malloc'd JSON. */
char *tr_whatsapp_body(const struct outmsg *m, const char *lang,
    size_t att, int with_text);
/* The recipient for the Cloud API: digits only ("+1555..." -> "1555...",
 * "whatsapp:" dropped). Malloc'd. */
char *tr_whatsapp_to(const char *to);

/* Kannel's dlr-url for message id: base + "?format=kannel&type=dlr&msg="
 * + urlenc(id) + "&status=%d&answer=%A&ts=%T" ('&' instead of '?' when
 * base has a query).  Malloc'd. */
char *tr_kannel_dlr_url(const char *base, const char *id);
/* The sendsms query string (after "?"), every value URL-encoded; from,
 * dlr_url and smsc may be NULL; coding=2 when text is not GSM-7. */
char *tr_kannel_query(const char *user, const char *password,
    const char *from, const char *to, const char *text,
    const char *dlr_url, const char *dlr_mask, const char *smsc);

/* The message as submitted by SMTP: raw without its X-Inbox-* and Bcc
 * header fields (continuation lines included). */
void tr_mail_strip(struct sb *out, const char *raw, size_t len);

/* The outbound webhook's JSON body (malloc'd). */
char *tr_webhook_body(const struct outmsg *m);

#endif
