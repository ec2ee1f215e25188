/*
 * http.c - HTTP requests and SMTP submission through libcurl, the only
 * file that includes curl/curl.h.  One easy handle per request; no
 * signals (CURLOPT_NOSIGNAL), bounded times and bodies.
 *
 * libcurl is loaded with dlopen() when a command first talks HTTP or
 * SMTP, not linked: it brings about twenty shared libraries whose
 * loading and relocation cost every inbox-recv a few milliseconds
 * before main(), though most messages have no media to fetch.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#define CURL_DISABLE_TYPECHECK	/* the calls go through pointers */
#include <curl/curl.h>

#include "http.h"

#define DEF_TIMEOUT	30
#define DEF_CONNECT	10
#define DEF_MAX		(1024 * 1024)
#define GET_TIMEOUT	120
#define MAX_RETRY_AFTER	86400L
#define USER_AGENT	"inbox/0.1"

#if LIBCURL_VERSION_NUM >= 0x075500
#define SET_PROTOCOLS(c, opt, s) curl_easy_setopt(c, opt##_STR, s)
#define PROTO_HTTP "http,https"
#define PROTO_SMTP "smtp,smtps"
#else
#define SET_PROTOCOLS(c, opt, s) curl_easy_setopt(c, opt, s)
#define PROTO_HTTP (CURLPROTO_HTTP | CURLPROTO_HTTPS)
#define PROTO_SMTP (CURLPROTO_SMTP | CURLPROTO_SMTPS)
#endif

/* Where a response goes: the body (bounded) and two headers. */
struct sink {
	struct sb *body;
	size_t start;		/* body->len before the request */
	size_t max;
	int fail_over;		/* abort the transfer when over max */
	int over;
	char ctype[128];
	char retry[64];
};

/* SMTP: the message to upload and the server's last reply line. */
struct upload {
	const char *p;
	size_t len, off;
	char last[256];		/* the last 4xx/5xx reply line */
};

static int curl_ready;

/* The libcurl functions used here, from the library loaded at run time. */
static struct curl_api {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	time_t (*getdate)(const char *, const time_t *);
} cu;

#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init	cu.global_init
#define curl_easy_init		cu.easy_init
#define curl_easy_setopt	cu.easy_setopt
#define curl_easy_perform	cu.easy_perform
#define curl_easy_getinfo	cu.easy_getinfo
#define curl_easy_cleanup	cu.easy_cleanup
#define curl_easy_strerror	cu.easy_strerror
#define curl_slist_append	cu.slist_append
#define curl_slist_free_all	cu.slist_free_all
#define curl_getdate		cu.getdate

static int
curl_load(void)
{
	static const struct {
		const char *name;
		size_t off;
	} fn[] = {
#define F(m, s) { s, offsetof(struct curl_api, m) }
		F(global_init, "curl_global_init"),
		F(easy_init, "curl_easy_init"),
		F(easy_setopt, "curl_easy_setopt"),
		F(easy_perform, "curl_easy_perform"),
		F(easy_getinfo, "curl_easy_getinfo"),
		F(easy_cleanup, "curl_easy_cleanup"),
		F(easy_strerror, "curl_easy_strerror"),
		F(slist_append, "curl_slist_append"),
		F(slist_free_all, "curl_slist_free_all"),
		F(getdate, "curl_getdate"),
#undef F
	};
	void *h;

	if (cu.global_init)
		return 0;	/* loaded */
	h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return inbox_error(INBOX_EFAIL, "cannot load libcurl: %s",
		    dlerror());
	for (size_t i = 0; i < sizeof(fn) / sizeof(*fn); i++) {
		void *sym = dlsym(h, fn[i].name);

		if (!sym)
			return inbox_error(INBOX_EFAIL, "libcurl has no %s",
			    fn[i].name);
		memcpy((char *)&cu + fn[i].off, &sym, sizeof(sym));
	}
	return 0;
}

static int
http_init(void)
{
	if (curl_ready)
		return 0;
	if (curl_load() < 0)
		return -1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return inbox_error(INBOX_ETEMP, "cannot initialise libcurl");
	curl_ready = 1;
	return 0;
}

static size_t
write_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct sink *k = ud;
	size_t n = size * nmemb, have = k->body->len - k->start;

	if (have + n > k->max) {
		k->over = 1;
		if (k->fail_over)
			return 0;	/* CURLE_WRITE_ERROR */
		if (have < k->max)
			sb_add(k->body, ptr, k->max - have);
		return n;
	}
	sb_add(k->body, ptr, n);
	return n;
}

/* Copy a header's value, trimmed, when line is "name: value". */
static int
header_value(const char *line, size_t n, const char *name, char *out,
    size_t outn)
{
	size_t l = strlen(name), i;

	if (n <= l || strncasecmp(line, name, l) != 0 || line[l] != ':')
		return 0;
	for (i = l + 1; i < n && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	while (n > i && isspace((unsigned char)line[n - 1]))
		n--;
	if (n - i >= outn)
		n = i + outn - 1;
	memcpy(out, line + i, n - i);
	out[n - i] = '\0';
	return 1;
}

static size_t
header_cb(char *line, size_t size, size_t nmemb, void *ud)
{
	struct sink *k = ud;
	size_t n = size * nmemb;

	if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		/* a new response (after 100 Continue or a redirect) */
		k->ctype[0] = k->retry[0] = '\0';
		return n;
	}
	if (!header_value(line, n, "Content-Type", k->ctype,
	    sizeof(k->ctype)))
		header_value(line, n, "Retry-After", k->retry,
		    sizeof(k->retry));
	return n;
}

long
http_retry_after(const char *value, time_t now)
{
	const char *p;
	long v;
	time_t t;

	if (!value)
		return 0;
	while (*value == ' ' || *value == '\t')
		value++;
	if (!*value)
		return 0;
	for (p = value; isdigit((unsigned char)*p); p++)
		;
	if (p > value && (*p == '\0' || isspace((unsigned char)*p))) {
		if (p - value > 9)
			return MAX_RETRY_AFTER;
		v = strtol(value, NULL, 10);
		return v > MAX_RETRY_AFTER ? MAX_RETRY_AFTER : v;
	}
	/* an HTTP date: libcurl parses every form of it */
	if (curl_load() < 0) {
		inbox_error_clear();
		return 0;
	}
	t = curl_getdate(value, NULL);
	if (t == (time_t)-1 || t <= now)
		return 0;
	return t - now > MAX_RETRY_AFTER ? MAX_RETRY_AFTER : (long)(t - now);
}

static int
slist_add(struct curl_slist **l, const char *s)
{
	struct curl_slist *n = curl_slist_append(*l, s);

	if (!n)
		return -1;
	*l = n;
	return 0;
}

/* The options every HTTP handle gets. */
static void
http_common(CURL *c, const char *url, long timeout, long connect,
    char *errbuf, struct sink *k)
{
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
	    connect < timeout ? connect : timeout);
	SET_PROTOCOLS(c, CURLOPT_PROTOCOLS, PROTO_HTTP);
	SET_PROTOCOLS(c, CURLOPT_REDIR_PROTOCOLS, PROTO_HTTP);
	curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, k);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, k);
}

/* Authorization headers and options. */
static int
http_auth(CURL *c, struct curl_slist **h, const char *user,
    const char *password, const char *bearer)
{
	struct sb s = SB_INIT;
	int r = 0;

	if (bearer) {
		sb_addf(&s, "Authorization: Bearer %s", bearer);
		r = slist_add(h, s.buf);
		sb_release(&s);
	} else if (user) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, password ? password : "");
	}
	return r;
}

int
http_request(const struct http_req *req, struct http_resp *resp)
{
	struct sink k;
	struct curl_slist *h = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	const char *method = req->method ? req->method : "GET";
	CURLcode rc;
	CURL *c;
	int r = 0;

	memset(resp, 0, sizeof(*resp));
	sb_init(&resp->body);
	memset(&k, 0, sizeof(k));
	k.body = &resp->body;
	k.max = req->max_response ? req->max_response : DEF_MAX;
	if (http_init() < 0)
		return -1;
	if (!(c = curl_easy_init()))
		return inbox_error(INBOX_ETEMP, "cannot start libcurl");
	http_common(c, req->url, req->timeout > 0 ? req->timeout :
	    DEF_TIMEOUT, req->connect_timeout > 0 ? req->connect_timeout :
	    DEF_CONNECT, errbuf, &k);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	if (strcmp(method, "GET") == 0)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	else {
		if (strcmp(method, "POST") == 0)
			curl_easy_setopt(c, CURLOPT_POST, 1L);
		else
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(req->body ? req->bodylen : 0));
		curl_easy_setopt(c, CURLOPT_POSTFIELDS,
		    req->body ? req->body : "");
	}
	for (const char *const *p = req->headers; p && *p && r == 0; p++)
		r = slist_add(&h, *p);
	if (r == 0)
		r = slist_add(&h, "Expect:");
	if (r == 0)
		r = http_auth(c, &h, req->user, req->password, req->bearer);
	if (r < 0) {
		curl_slist_free_all(h);
		curl_easy_cleanup(c);
		return inbox_error(INBOX_ETEMP, "out of memory");
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);

	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	snprintf(resp->content_type, sizeof(resp->content_type), "%s",
	    k.ctype);
	resp->retry_after = http_retry_after(k.retry, time(NULL));
	if (rc != CURLE_OK) {
		resp->curl_code = (int)rc;
		resp->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
		snprintf(resp->error, sizeof(resp->error), "%s",
		    errbuf[0] ? errbuf : curl_easy_strerror(rc));
		r = inbox_error(INBOX_ETEMP, "%s", resp->error);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return r;
}

void
http_resp_free(struct http_resp *resp)
{
	sb_release(&resp->body);
}

int
http_get(const char *url, const char *user, const char *password,
    const char *bearer, size_t max, struct sb *out, char *ctype,
    size_t ctype_n)
{
	struct sink k;
	struct curl_slist *h = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURLcode rc;
	CURL *c;
	int r;

	memset(&k, 0, sizeof(k));
	k.body = out;
	k.start = out->len;
	k.max = max ? max : DEF_MAX;
	k.fail_over = 1;
	if (ctype && ctype_n)
		ctype[0] = '\0';
	if (http_init() < 0)
		return -1;
	if (!(c = curl_easy_init()))
		return inbox_error(INBOX_ETEMP, "cannot start libcurl");
	http_common(c, url, GET_TIMEOUT, DEF_CONNECT, errbuf, &k);
	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)k.max);
	if (http_auth(c, &h, user, password, bearer) < 0) {
		curl_easy_cleanup(c);
		return inbox_error(INBOX_ETEMP, "out of memory");
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);

	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (k.over || rc == CURLE_FILESIZE_EXCEEDED)
		r = inbox_error(INBOX_EDATA, "larger than %zu bytes", k.max);
	else if (rc != CURLE_OK)
		r = inbox_error(INBOX_ETEMP, "%s",
		    errbuf[0] ? errbuf : curl_easy_strerror(rc));
	else if (status < 200 || status > 299)
		r = inbox_error(status == 429 || status >= 500 ?
		    INBOX_ETEMP : INBOX_EFAIL, "HTTP status %ld", status);
	else
		r = 0;
	if (r < 0)
		sb_setlen(out, k.start);
	else if (ctype && ctype_n)
		snprintf(ctype, ctype_n, "%s", k.ctype);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return r;
}

/*
 * SMTP
 */

static size_t
read_cb(char *buf, size_t size, size_t nmemb, void *ud)
{
	struct upload *u = ud;
	size_t n = size * nmemb;

	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(buf, u->p + u->off, n);
	u->off += n;
	return n;
}

/* Keep the last refusal (4xx, 5xx) the server sent: its words.  A
 * "221 Bye" to the QUIT that follows must not hide it. */
static int
debug_cb(CURL *c, curl_infotype type, char *data, size_t n, void *ud)
{
	struct upload *u = ud;
	size_t end = n, start;

	if (type != CURLINFO_HEADER_IN)
		return 0;
	while (end > 0 && (data[end - 1] == '\r' || data[end - 1] == '\n'))
		end--;
	if (end == 0)
		return 0;
	for (start = end; start > 0 && data[start - 1] != '\n'; start--)
		;
	if (data[start] != '4' && data[start] != '5')
		return 0;
	if (end - start >= sizeof(u->last))
		end = start + sizeof(u->last) - 1;
	memcpy(u->last, data + start, end - start);
	u->last[end - start] = '\0';
	return 0;
}

/* The message with CRLF line ends, ending in CRLF. */
static void
to_crlf(struct sb *out, const char *p, size_t n)
{
	sb_grow(out, n + n / 32 + 2);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			sb_addc(out, '\r');
		sb_addc(out, p[i]);
	}
	if (out->len < 2 || out->buf[out->len - 1] != '\n')
		sb_add(out, "\r\n", 2);
}

static void
angle(struct sb *s, const char *addr)
{
	sb_reset(s);
	sb_addf(s, "<%s>", addr ? addr : "");
}

int
smtp_send(const struct smtp_req *req, long *code)
{
	struct upload u;
	struct sb data = SB_INIT, from = SB_INIT, a = SB_INIT;
	struct curl_slist *rcpt = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	long last = 0;
	CURLcode rc;
	CURL *c;
	int r = 0;

	*code = 0;
	if (http_init() < 0)
		return -1;
	for (const char *const *p = req->rcpt; p && *p && r == 0; p++) {
		angle(&a, *p);
		r = slist_add(&rcpt, a.buf);
	}
	sb_release(&a);
	if (r < 0 || !rcpt) {
		curl_slist_free_all(rcpt);
		return inbox_error(rcpt ? INBOX_ETEMP : INBOX_EFAIL,
		    rcpt ? "out of memory" : "no recipient");
	}
	if (!(c = curl_easy_init())) {
		curl_slist_free_all(rcpt);
		return inbox_error(INBOX_ETEMP, "cannot start libcurl");
	}
	to_crlf(&data, req->data, req->len);
	memset(&u, 0, sizeof(u));
	u.p = data.buf;
	u.len = data.len;
	angle(&from, req->from);

	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	SET_PROTOCOLS(c, CURLOPT_PROTOCOLS, PROTO_SMTP);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, req->timeout > 0 ? req->timeout :
	    (long)DEF_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)DEF_CONNECT);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.buf);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)data.len);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_cb);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, &u);
	if (req->starttls)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (req->insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (req->user) {
		curl_easy_setopt(c, CURLOPT_USERNAME, req->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD,
		    req->password ? req->password : "");
	}

	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &last);
	if (rc == CURLE_OK)
		*code = last ? last : 250;
	else if (last >= 400) {
		/* the server refused: its reply code decides */
		*code = last;
		r = inbox_error(last >= 500 ? INBOX_EFAIL : INBOX_ETEMP, "%s",
		    u.last[0] && atol(u.last) == last ? u.last : errbuf[0] ?
		    errbuf : curl_easy_strerror(rc));
	} else
		r = inbox_error(INBOX_ETEMP, "%s", errbuf[0] ? errbuf :
		    curl_easy_strerror(rc));
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	sb_release(&data);
	sb_release(&from);
	return r;
}
