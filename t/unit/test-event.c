/*
 * test-event.c - regressions found by the fuzzers (t/fuzz/): the event
 * parser on buffers that are not NUL-terminated, numbers in the shapes
 * providers never send, inbox_error with its own message as an argument.
 */
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "util.h"
#include "unit.h"

/* event_parse on a private copy with no NUL after it, as a webhook
 * body is: 0, or minus the error's class. */
static int
parse(const char *format, const char *s, struct event *ev)
{
	size_t n = strlen(s);
	char *buf = xmalloc(n ? n : 1);
	int r;

	memcpy(buf, s, n);
	memset(ev, 0, sizeof(*ev));
	inbox_error_clear();
	r = event_parse(ev, format, buf, n);
	if (r < 0)
		r = -inbox_errcode();
	free(buf);	/* nothing here reads ev->raw (email only) */
	return r;
}

static void
test_auto_submitted(void)
{
	static const char tail[] = "From: <a@example.org>\nSubject: x\n\nhi\n"
	    "\nAuto-Submitted:";
	struct event ev;
	char *buf = xmalloc(sizeof(tail) - 1);

	/* found by fuzz-webhook: the header at the very end of the raw
	 * bytes was read past them */
	memcpy(buf, tail, sizeof(tail) - 1);
	memset(&ev, 0, sizeof(ev));
	ev.raw = buf;
	ev.rawlen = sizeof(tail) - 1;
	CHECK(event_auto_submitted(&ev) == 1,
	    "Auto-Submitted: with nothing after it, at the end of the bytes");
	ev.rawlen = sizeof(tail) - 1 - 2;
	CHECK(event_auto_submitted(&ev) == 0,
	    "Auto-Submitted: cut off is no header");
	free(buf);
	buf = xstrdup("From: <a@example.org>\nAuto-Submitted: no\n\nhi\n");
	ev.raw = buf;
	ev.rawlen = strlen(buf);
	CHECK(event_auto_submitted(&ev) == 0, "Auto-Submitted: no");
	free(buf);
}

static void
test_numbers(void)
{
	static const char *bad[] = { "", "abc", "-1", "0x10", "1e3", "1.5",
	    "%2B1", "%201", "99999999999999999999" };
	struct event ev;
	char s[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		snprintf(s, sizeof(s), "MessageSid=SM1&From=%%2B15125550100&"
		    "Body=hi&NumMedia=%s", bad[i]);
		CHECK_INT(parse("twilio", s, &ev), -INBOX_EDATA,
		    "NumMedia that is not a count is malformed");
		event_free(&ev);
	}
	CHECK_INT(parse("twilio", "MessageSid=SM1&From=%2B15125550100&"
	    "Body=hi&NumMedia=0", &ev), 0, "NumMedia=0");
	event_free(&ev);
	CHECK_INT(parse("kannel", "type=dlr&msg=k1&status=abc", &ev),
	    -INBOX_EDATA, "a Kannel status that is not a number");
	event_free(&ev);
	CHECK_INT(parse("kannel", "from=15557654321&text=hi&ts=-1", &ev),
	    -INBOX_EDATA, "a Kannel ts that is not a number");
	event_free(&ev);
	CHECK_INT(parse("json", "{\"type\":\"call\",\"id\":\"c1\","
	    "\"duration\":1.5}", &ev), -INBOX_EDATA,
	    "a call duration with a fraction");
	event_free(&ev);
	CHECK_INT(parse("json", "{\"type\":\"message\",\"from\":"
	    "\"+15125550100\",\"body\":{\"a\":1}}", &ev), -INBOX_EDATA,
	    "a body that is not a string");
	event_free(&ev);
	CHECK_INT(parse("json", "{\"type\":\"status\",\"id\":\"x\","
	    "\"status\":\"failed\",\"error_code\":30003}", &ev), 0,
	    "an error_code given as a number");
	CHECK_STR(ev.error_code, "30003", "... kept as its digits");
	event_free(&ev);
}

static void
test_error_of_itself(void)
{
	/* found by t/bad/: "sender X: sender X:  a phone number" */
	inbox_error(INBOX_EDATA, "'%s' is not a phone number", "hello");
	inbox_error(INBOX_EDATA, "sender %s: %s", "hello", inbox_errmsg());
	CHECK_STR(inbox_errmsg(), "sender hello: 'hello' is not a phone number",
	    "inbox_error may quote inbox_errmsg()");
	inbox_error_clear();
}

int
main(void)
{
	test_auto_submitted();
	test_numbers();
	test_error_of_itself();
	return UNIT_DONE();
}
