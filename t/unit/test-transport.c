/*
 * test-transport.c - the pure pieces of the transports: what provider
 * error codes mean, Retry-After, the Kannel dlr-url and query, the
 * Twilio form parts, the WhatsApp and webhook JSON, and the header
 * fields SMTP submission leaves out.
 */
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "tr.h"
#include "unit.h"

static struct sb out = SB_INIT;

/* A result as "OUTCOME code flags: text". */
static const char *
show(const struct send_result *r)
{
	sb_reset(&out);
	sb_addf(&out, "%s %s%s%s%s: %s", r->outcome == SEND_OK ? "OK" :
	    r->outcome == SEND_TEMP ? "TEMP" : "PERM", r->code,
	    r->optout ? " optout" : "", r->unreachable ? " unreachable" : "",
	    r->window_closed ? " window" : "", r->text);
	return out.buf;
}

static const char *
twilio(long http, long code, const char *text)
{
	struct send_result r;

	memset(&r, 0, sizeof(r));
	transport_twilio_error(&r, http, code, text);
	return show(&r);
}

static const char *
graph(long http, long code, const char *text)
{
	struct send_result r;

	memset(&r, 0, sizeof(r));
	transport_graph_error(&r, http, code, text);
	return show(&r);
}

static const char *
status(long http, const char *body)
{
	struct tr_ctx c;
	struct http_resp resp;
	struct send_result r;

	memset(&c, 0, sizeof(c));
	memset(&resp, 0, sizeof(resp));
	memset(&r, 0, sizeof(r));
	c.name = "webhook";
	resp.status = http;
	resp.retry_after = 9;
	sb_init(&resp.body);
	sb_adds(&resp.body, body);
	tr_http_status(&c, &r, &resp, NULL);
	sb_release(&resp.body);
	show(&r);
	sb_addf(&out, " (retry %ld)", r.retry_after);
	return out.buf;
}

static void
test_twilio_errors(void)
{
	CHECK_STR(twilio(400, 21610, "Attempt to send to unsubscribed "
	    "recipient"), "PERM 21610 optout: twilio: Attempt to send to "
	    "unsubscribed recipient", "twilio 21610 opted out");
	CHECK_STR(twilio(400, 21211, "bad To"),
	    "PERM 21211 unreachable: twilio: bad To", "twilio 21211");
	CHECK_STR(twilio(400, 21614, NULL),
	    "PERM 21614 unreachable: twilio: error 21614", "twilio 21614");
	CHECK_STR(twilio(400, 21612, "x"), "PERM 21612: twilio: x",
	    "twilio 21612 permanent, no flag");
	CHECK_STR(twilio(400, 21408, "x"), "PERM 21408: twilio: x",
	    "twilio 21408 permanent, no flag");
	CHECK_STR(twilio(401, 20003, "Authenticate"), "PERM 20003: twilio: "
	    "Authenticate (check account-sid and secret twilio-token)",
	    "twilio 20003 says what to check");
	CHECK_STR(twilio(429, 20429, "Too Many Requests"),
	    "TEMP 20429: twilio: Too Many Requests", "twilio 20429");
	CHECK_STR(twilio(429, 0, NULL), "TEMP 429: twilio: error 429",
	    "twilio HTTP 429 without a code");
	CHECK_STR(twilio(503, 20503, "x"), "TEMP 20503: twilio: x",
	    "twilio 5xx");
	CHECK_STR(twilio(400, 21611, "queue full"),
	    "TEMP 21611: twilio: queue full", "twilio 21611 queue full");
	CHECK_STR(twilio(0, 63016, "outside the window"),
	    "PERM 63016 window: twilio: outside the window",
	    "twilio 63016 (callback)");
	CHECK_STR(twilio(0, 30006, "landline"),
	    "PERM 30006 unreachable: twilio: landline",
	    "twilio 30006 (callback)");
	CHECK_STR(twilio(404, 20404, "nope"), "PERM 20404: twilio: nope",
	    "twilio 404");
}

static void
test_graph_errors(void)
{
	CHECK_STR(graph(400, 131047, "Re-engagement message"),
	    "PERM 131047 window: whatsapp: Re-engagement message",
	    "graph 131047 window closed");
	CHECK_STR(graph(400, 131026, "undeliverable"),
	    "PERM 131026 unreachable: whatsapp: undeliverable",
	    "graph 131026");
	CHECK_STR(graph(400, 130429, "rate"), "TEMP 130429: whatsapp: rate",
	    "graph 130429");
	CHECK_STR(graph(400, 131056, "pair"), "TEMP 131056: whatsapp: pair",
	    "graph 131056");
	CHECK_STR(graph(429, 0, NULL), "TEMP 429: whatsapp: error 429",
	    "graph HTTP 429");
	CHECK_STR(graph(401, 190, "Invalid OAuth access token."),
	    "PERM 190: whatsapp: Invalid OAuth access token. (check secret "
	    "whatsapp-token)", "graph 190 says what to check");
	CHECK_STR(graph(400, 100, "Invalid parameter"),
	    "PERM 100: whatsapp: Invalid parameter", "graph 100");
	CHECK_STR(graph(500, 1, "unknown"), "TEMP 1: whatsapp: unknown",
	    "graph 5xx");
	CHECK_STR(graph(503, 0, ""), "TEMP 503: whatsapp: error 503",
	    "graph 503 without a body");
}

static void
test_http_status(void)
{
	CHECK_STR(status(503, "down\nfor a while"),
	    "TEMP 503: webhook: HTTP 503: down (retry 9)", "503 retries");
	CHECK_STR(status(408, ""), "TEMP 408: webhook: HTTP 408 (retry 9)",
	    "408 retries");
	CHECK_STR(status(429, " slow "), "TEMP 429: webhook: HTTP 429: slow "
	    "(retry 9)", "429 retries");
	CHECK_STR(status(400, "bad"), "PERM 400: webhook: HTTP 400: bad "
	    "(retry 0)", "400 fails");
	CHECK_STR(status(301, ""), "PERM 301: webhook: HTTP 301 (redirects "
	    "are not followed) (retry 0)", "a redirect fails");
}

static void
test_retry_after(void)
{
	time_t t = 1445412480;	/* Wed, 21 Oct 2015 07:28:00 GMT */

	CHECK_INT(http_retry_after("7", 0), 7, "Retry-After seconds");
	CHECK_INT(http_retry_after(" 120 ", 0), 120, "blanks around");
	CHECK_INT(http_retry_after("", 0), 0, "empty");
	CHECK_INT(http_retry_after(NULL, 0), 0, "absent");
	CHECK_INT(http_retry_after("-5", 0), 0, "negative");
	CHECK_INT(http_retry_after("soon", 0), 0, "junk");
	CHECK_INT(http_retry_after("99999999999", 0), 86400,
	    "at most a day");
	CHECK_INT(http_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", t - 30),
	    30, "an HTTP date");
	CHECK_INT(http_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", t + 5),
	    0, "an HTTP date in the past");
}

static void
test_kannel(void)
{
	char *s;

	s = tr_kannel_dlr_url("http://127.0.0.1:8080/dlr", "ab12/17.M1 x");
	CHECK_STR(s, "http://127.0.0.1:8080/dlr?format=kannel&type=dlr&"
	    "msg=ab12%2F17.M1%20x&status=%d&answer=%A&ts=%T", "dlr-url");
	free(s);
	s = tr_kannel_dlr_url("http://h/recv?site=2", "a/b");
	CHECK_STR(s, "http://h/recv?site=2&format=kannel&type=dlr&msg=a%2Fb"
	    "&status=%d&answer=%A&ts=%T", "dlr-url after a query");
	free(s);
	s = tr_kannel_query("tester", "p&w", "+15550001111", "+15557654321",
	    "Tech at 10 (Andr\xc3\xa9)", "http://h/d?x=%d", "31", NULL);
	CHECK_STR(s, "username=tester&password=p%26w&from=%2B15550001111&"
	    "to=%2B15557654321&text=Tech%20at%2010%20%28Andr%C3%A9%29&"
	    "dlr-mask=31&dlr-url=http%3A%2F%2Fh%2Fd%3Fx%3D%25d&charset=UTF-8",
	    "sendsms query, GSM-7");
	free(s);
	s = tr_kannel_query("u", "p", NULL, "1", "\xe2\x9c\x93", NULL, NULL,
	    "fake1");
	CHECK_STR(s, "username=u&password=p&to=1&text=%E2%9C%93&smsc=fake1&"
	    "coding=2&charset=UTF-8", "sendsms query, UCS-2, no dlr");
	free(s);
}

static void
test_twilio_parts(void)
{
	const char *p[] = { "Tue 10:00", "Ana \"the tech\"" };
	char *s;

	s = tr_twilio_vars(p, 2);
	CHECK_STR(s, "{\"1\":\"Tue 10:00\",\"2\":\"Ana \\\"the tech\\\"\"}",
	    "ContentVariables");
	free(s);
	s = tr_whatsapp_addr("+15557654321");
	CHECK_STR(s, "whatsapp:+15557654321", "whatsapp: prefix added");
	free(s);
	s = tr_whatsapp_addr("whatsapp:+1555");
	CHECK_STR(s, "whatsapp:+1555", "whatsapp: prefix kept");
	free(s);
	s = tr_twilio_callback("https://h.example/recv");
	CHECK_STR(s, "https://h.example/recv?format=twilio", "callback");
	free(s);
	s = tr_twilio_callback("https://h.example/recv?site=2");
	CHECK_STR(s, "https://h.example/recv?site=2&format=twilio",
	    "callback with a query");
	free(s);
	s = tr_twilio_callback("https://h.example/recv?");
	CHECK_STR(s, "https://h.example/recv?format=twilio",
	    "callback with an empty query");
	free(s);
	s = tr_twilio_callback("https://h.example/recv?a=1&format=raw");
	CHECK_STR(s, "https://h.example/recv?a=1&format=raw",
	    "callback naming its format is kept");
	free(s);
	s = tr_twilio_callback("https://h.example/recv?xformat=1#rc=2");
	CHECK_STR(s, "https://h.example/recv?xformat=1&format=twilio#rc=2",
	    "callback: format before the fragment");
	free(s);
}

static void
test_whatsapp_body(void)
{
	struct out_attachment att[2] = {
		{ NULL, "https://c/v.ogg", "audio/ogg", "v.ogg" },
		{ NULL, "https://c/q.pdf", NULL, "quote.pdf" },
	};
	const char *p[] = { "10:00" };
	struct outmsg m;
	char *s;

	memset(&m, 0, sizeof(m));
	m.to = "whatsapp:+1 555-765-4321";
	m.text = "On our way";
	s = tr_whatsapp_to(m.to);
	CHECK_STR(s, "15557654321", "Cloud API recipient: digits");
	free(s);
	s = tr_whatsapp_body(&m, "en_US", 0, 1);
	CHECK_STR(s, "{\"messaging_product\":\"whatsapp\",\"recipient_type\":"
	    "\"individual\",\"to\":\"15557654321\",\"type\":\"text\",\"text\":"
	    "{\"preview_url\":false,\"body\":\"On our way\"}}", "text body");
	free(s);
	m.att = att;
	m.natt = 2;
	m.reply_to = "wamid.X";
	s = tr_whatsapp_body(&m, "en_US", 0, 1);
	CHECK_STR(s, "{\"messaging_product\":\"whatsapp\",\"recipient_type\":"
	    "\"individual\",\"to\":\"15557654321\",\"context\":{\"message_id\":"
	    "\"wamid.X\"},\"type\":\"audio\",\"audio\":{\"link\":"
	    "\"https://c/v.ogg\"}}", "audio has no caption");
	free(s);
	m.reply_to = NULL;
	s = tr_whatsapp_body(&m, "en_US", 1, 1);
	CHECK_STR(s, "{\"messaging_product\":\"whatsapp\",\"recipient_type\":"
	    "\"individual\",\"to\":\"15557654321\",\"type\":\"document\","
	    "\"document\":{\"link\":\"https://c/q.pdf\",\"caption\":"
	    "\"On our way\",\"filename\":\"quote.pdf\"}}",
	    "document: type from the name, caption, filename");
	free(s);
	m.template_name = "visit_reminder";
	s = tr_whatsapp_body(&m, "fr_FR", 0, 1);
	CHECK_STR(s, "{\"messaging_product\":\"whatsapp\",\"recipient_type\":"
	    "\"individual\",\"to\":\"15557654321\",\"type\":\"template\","
	    "\"template\":{\"name\":\"visit_reminder\",\"language\":{\"code\":"
	    "\"fr_FR\"}}}", "template without parameters, default language");
	free(s);
	m.template_lang = "en_GB";
	m.template_params = p;
	m.ntemplate_params = 1;
	s = tr_whatsapp_body(&m, "fr_FR", 0, 1);
	CHECK_STR(s, "{\"messaging_product\":\"whatsapp\",\"recipient_type\":"
	    "\"individual\",\"to\":\"15557654321\",\"type\":\"template\","
	    "\"template\":{\"name\":\"visit_reminder\",\"language\":{\"code\":"
	    "\"en_GB\"},\"components\":[{\"type\":\"body\",\"parameters\":"
	    "[{\"type\":\"text\",\"text\":\"10:00\"}]}]}}",
	    "template with a parameter");
	free(s);
}

static void
test_webhook_body(void)
{
	struct out_attachment att[1] = {
		{ "/tmp/p.jpg", NULL, NULL, "p.jpg" } };
	struct outmsg m;
	char *s;

	memset(&m, 0, sizeof(m));
	m.id = "c/u";
	m.channel = "portal";
	m.to = "+1555";
	m.text = "Hi";
	m.type = "manual";
	m.att = att;
	m.natt = 1;
	s = tr_webhook_body(&m);
	CHECK_STR(s, "{\"id\":\"c/u\",\"channel\":\"portal\",\"to\":\"+1555\","
	    "\"text\":\"Hi\",\"type\":\"manual\",\"attachments\":[{\"name\":"
	    "\"p.jpg\",\"type\":\"image/jpeg\",\"path\":\"/tmp/p.jpg\"}]}",
	    "webhook body: absent fields left out");
	free(s);
}

static const char *
strip(const char *raw)
{
	sb_reset(&out);
	tr_mail_strip(&out, raw, strlen(raw));
	return out.buf;
}

static void
test_mail_strip(void)
{
	CHECK_STR(strip("X-Inbox-Channel: email\nFrom: a@b\nBcc: x@y,\n"
	    " z@w\nx-inbox-author: office\nTo: c@d\nX-Inboxed: kept\n"
	    "Bcc : q@r\nSubject: s\n\nX-Inbox-Body: stays\nBcc: stays\n"),
	    "From: a@b\nTo: c@d\nX-Inboxed: kept\nSubject: s\n\n"
	    "X-Inbox-Body: stays\nBcc: stays\n",
	    "X-Inbox-* and Bcc (folded) go, the body stays");
	CHECK_STR(strip("X-Inbox-A: 1\r\n\t2\r\nTo: c@d\r\n\r\nbody\r\n"),
	    "To: c@d\r\n\r\nbody\r\n", "CRLF lines");
	CHECK_STR(strip("To: c@d\nX-Inbox-A: 1"), "To: c@d\n",
	    "no body, no final newline");
}

static void
test_first_line(void)
{
	char buf[8];

	tr_first_line("\n  0: Accepted\nmore", 19, buf, sizeof(buf));
	CHECK_STR(buf, "0: Acce", "first line, trimmed and bounded");
	tr_first_line("", 0, buf, sizeof(buf));
	CHECK_STR(buf, "", "first line of nothing");
	CHECK_STR(tr_uniq("ab/17.M1"), "17.M1", "uniq of an id");
	CHECK_STR(tr_uniq("17.M1"), "17.M1", "uniq without a conversation");
	CHECK(tr_header_safe("ab/1") && !tr_header_safe("a\r\nX: y"),
	    "header-safe ids");
}

int
main(void)
{
	test_twilio_errors();
	test_graph_errors();
	test_http_status();
	test_retry_after();
	test_kannel();
	test_twilio_parts();
	test_whatsapp_body();
	test_webhook_body();
	test_mail_strip();
	test_first_line();
	sb_release(&out);
	return UNIT_DONE();
}
