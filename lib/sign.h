/*
 * sign.h - webhook signatures: Twilio's X-Twilio-Signature, Meta's
 * X-Hub-Signature-256, and the X-Inbox-Signature of our own outbound
 * webhooks.
 */
#ifndef INBOX_SIGN_H
#define INBOX_SIGN_H

#include <stddef.h>

/*
 * X-Twilio-Signature of a request: base64(HMAC-SHA1(token, url + each
 * form parameter sorted by name as name+value)).  body is the
 * form-encoded POST body (NULL or "" for a GET).  out >= 29 bytes.
 */
int sign_twilio(const char *token, const char *url, const char *body,
    size_t len, char *out, size_t n);
/* 1 when sig matches for url with or without its default port. */
int sign_twilio_ok(const char *token, const char *url, const char *body,
    size_t len, const char *sig);
/* 1 when header is "sha256=" + hex HMAC-SHA256(secret, body). */
int sign_hub_ok(const char *secret, const char *body, size_t len,
    const char *header);
/* "sha256=<hex HMAC-SHA256(secret, ts + "." + body)>" into out (>= 72). */
void sign_inbox(const char *secret, const char *ts, const char *body,
    size_t len, char *out, size_t n);

struct store;

/*
 * Check an inbound webhook's signature when the store has the secret:
 * Twilio's (secret twilio-token, over url, else the CGI request's URL) or
 * WhatsApp's (secret whatsapp-app-secret).  sig is the header's value,
 * else taken from the CGI environment.  Without a secret nothing is
 * checked; under CGI a missing signature fails.  -1 with class 3 when it
 * does not match.
 */
int sign_webhook(struct store *st, const char *format, const char *body,
    size_t len, const char *url, const char *sig, int cgi);

#endif
