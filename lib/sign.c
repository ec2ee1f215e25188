/*
 * sign.c - webhook signatures.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "form.h"
#include "secret.h"
#include "sign.h"
#include "util.h"

static int
cmp_field(const void *a, const void *b)
{
	const struct form_field *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->value, y->value);
}

int
sign_twilio(const char *token, const char *url, const char *body,
    size_t len, char *out, size_t n)
{
	struct form f = { NULL, 0 };
	struct sb s = SB_INIT;
	unsigned char mac[SHA1_LEN];

	if (n < base64_len(SHA1_LEN) + 1)
		return -1;
	if (body && len && form_parse(&f, body, len) < 0)
		return -1;
	if (f.n > 1)
		qsort(f.v, f.n, sizeof(*f.v), cmp_field);
	sb_adds(&s, url);
	for (size_t i = 0; i < f.n; i++) {
		/* a repeated name contributes its distinct values */
		if (i > 0 && !strcmp(f.v[i].name, f.v[i - 1].name) &&
		    !strcmp(f.v[i].value, f.v[i - 1].value))
			continue;
		sb_adds(&s, f.v[i].name);
		sb_adds(&s, f.v[i].value);
	}
	hmac_sha1(token, strlen(token), s.buf, s.len, mac);
	base64_encode(mac, SHA1_LEN, out);
	sb_release(&s);
	form_free(&f);
	return 0;
}

/* The URL with its default port added or removed. */
static char *
other_port(const char *url)
{
	const char *host = strstr(url, "://");
	const char *path, *colon;
	int https = str_startswith(url, "https:");
	struct sb s = SB_INIT;

	if (!host)
		return NULL;
	host += 3;
	path = host + strcspn(host, "/?");
	colon = memchr(host, ':', (size_t)(path - host));
	if (colon) {
		const char *port = colon + 1;

		if ((https && !strncmp(port, "443", 3)) ||
		    (!https && !strncmp(port, "80", 2))) {
			sb_add(&s, url, (size_t)(colon - url));
			sb_adds(&s, path);
			return sb_detach(&s, NULL);
		}
		return NULL;
	}
	sb_add(&s, url, (size_t)(path - url));
	sb_adds(&s, https ? ":443" : ":80");
	sb_adds(&s, path);
	return sb_detach(&s, NULL);
}

int
sign_twilio_ok(const char *token, const char *url, const char *body,
    size_t len, const char *sig)
{
	char want[64];
	char *alt;
	int ok = 0;

	if (!sig)
		return 0;
	if (sign_twilio(token, url, body, len, want, sizeof(want)) == 0 &&
	    strlen(sig) == strlen(want) && ct_equal(sig, want, strlen(want)))
		return 1;
	alt = other_port(url);
	if (alt && sign_twilio(token, alt, body, len, want,
	    sizeof(want)) == 0 && strlen(sig) == strlen(want))
		ok = ct_equal(sig, want, strlen(want));
	free(alt);
	return ok;
}

int
sign_hub_ok(const char *secret, const char *body, size_t len,
    const char *header)
{
	unsigned char mac[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];

	if (!header || !str_startswith(header, "sha256="))
		return 0;
	hmac_sha256(secret, strlen(secret), body, len, mac);
	hex_encode(mac, SHA256_LEN, hex);
	return strlen(header + 7) == 2 * SHA256_LEN &&
	    ct_equal(header + 7, hex, 2 * SHA256_LEN);
}

void
sign_inbox(const char *secret, const char *ts, const char *body,
    size_t len, char *out, size_t n)
{
	struct sb s = SB_INIT;
	unsigned char mac[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];

	sb_addf(&s, "%s.", ts);
	sb_add(&s, body, len);
	hmac_sha256(secret, strlen(secret), s.buf, s.len, mac);
	hex_encode(mac, SHA256_LEN, hex);
	snprintf(out, n, "sha256=%s", hex);
	sb_release(&s);
}

/* The URL the provider requested: given, or the CGI request's. */
static char *
request_url(const char *url)
{
	const char *host = getenv("HTTP_HOST"), *uri = getenv("REQUEST_URI");
	const char *https = getenv("HTTPS");
	struct sb s = SB_INIT;

	if (url)
		return xstrdup(url);
	if (!host || !uri)
		return NULL;
	sb_addf(&s, "%s://%s%s", https && *https && strcmp(https, "off") ?
	    "https" : "http", host, uri);
	return sb_detach(&s, NULL);
}

int
sign_webhook(struct store *st, const char *format, const char *body,
    size_t len, const char *url, const char *sig, int cgi)
{
	char *token = NULL, *u;
	int ok = 1;

	if (!strcmp(format, "twilio")) {
		if (secret_get(st, "twilio-token", &token) < 0)
			return -1;
		if (!sig)
			sig = getenv("HTTP_X_TWILIO_SIGNATURE");
		if (!token || (!sig && !cgi)) {
			free(token);
			return 0;
		}
		u = request_url(url);
		ok = u && sign_twilio_ok(token, u, body, len, sig);
		free(u);
	} else if (!strcmp(format, "whatsapp")) {
		if (secret_get(st, "whatsapp-app-secret", &token) < 0)
			return -1;
		if (!sig)
			sig = getenv("HTTP_X_HUB_SIGNATURE_256");
		if (!token || (!sig && !cgi)) {
			free(token);
			return 0;
		}
		ok = sign_hub_ok(token, body, len, sig);
	}
	free(token);
	return ok ? 0 : inbox_error(INBOX_EPOLICY, "webhook signature does "
	    "not match");
}
