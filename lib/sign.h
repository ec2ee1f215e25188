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

#endif
