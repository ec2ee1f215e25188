/*
 * http.h - HTTP requests and SMTP submission through libcurl (the only
 * module that includes curl/curl.h).
 */
#ifndef INBOX_HTTP_H
#define INBOX_HTTP_H

#include <stddef.h>
#include <time.h>
#include "util.h"

struct http_req {
	const char *method;	/* "GET", "POST" */
	const char *url;
	const char *const *headers;	/* NULL-terminated "Name: value" */
	const char *body;
	size_t bodylen;
	const char *user, *password;	/* Basic auth, or NULL */
	const char *bearer;	/* Authorization: Bearer, or NULL */
	long timeout;		/* seconds for the whole request (0: 30) */
	long connect_timeout;	/* seconds to connect (0: 10) */
	size_t max_response;	/* bytes kept of the body (0: 1 MiB) */
};

struct http_resp {
	long status;		/* HTTP status, 0 when none came */
	struct sb body;
	long retry_after;	/* Retry-After in seconds, 0 if absent */
	char content_type[128];
	int curl_code;		/* 0, or the libcurl error number */
	char error[256];	/* libcurl's words when curl_code != 0 */
	int timed_out;
};

/* Perform a request.  Returns 0 when an HTTP answer came (any status),
 * -1 (class 75) on a network failure or timeout, with resp filled.
 * Redirects are never followed: a 3xx is an answer like any other.  A
 * body longer than max_response is cut there.  resp->status can be set
 * even when -1 is returned: the status line came but the rest did not. */
int http_request(const struct http_req *req, struct http_resp *resp);
void http_resp_free(struct http_resp *resp);

/* Seconds to wait from a Retry-After value: delta-seconds, or an HTTP
 * date compared with `now`; 0 when absent, past or unreadable, at most a
 * day. */
long http_retry_after(const char *value, time_t now);

struct smtp_req {
	const char *url;	/* smtp://host:port or smtps://host:port */
	int starttls;		/* require STARTTLS on smtp:// */
	const char *user, *password;
	const char *from;	/* envelope sender */
	const char *const *rcpt;	/* NULL-terminated */
	const char *data;	/* the message, LF or CRLF line ends */
	size_t len;
	long timeout;
	int insecure;		/* do not verify the server certificate */
};

/* Submit a message.  *code gets the last SMTP reply code (250, 451,
 * 550 ...), 0 when the connection failed.  Returns 0 when the server
 * accepted it, -1 otherwise (class 75 for 4xx and network trouble, class
 * 2 for 5xx), with the server's words in the error message. */
int smtp_send(const struct smtp_req *req, long *code);

/* Download a URL into out, at most max bytes (class 65 when larger),
 * following up to 5 redirects (credentials go to the first host only).
 * Class 75 on network trouble and 5xx or 429, class 2 on another status;
 * ctype (if not NULL) gets the Content-Type. */
int http_get(const char *url, const char *user, const char *password,
    const char *bearer, size_t max, struct sb *out, char *ctype,
    size_t ctype_n);

#endif
