#!/usr/bin/python3
"""standin_selftest.py - exercise t/lib/standin.py end to end.

Starts the stand-in on a free port (plus a small local HTTP listener that
receives its status callbacks and webhooks), checks every documented
behaviour with urllib, prints "N passed, N failed" and exits non-zero on
any failure.  Usage: /usr/bin/python3 t/lib/standin_selftest.py [-v]
"""

import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True   # leave no __pycache__ in t/lib
import standin  # noqa: E402  (for its signing function)

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "tw-secret-token"
WA_TOKEN = "EAAGtestbearer"
WA_PHONE = "123456789"
WA_SECRET = "app-secret-xyz"
VERBOSE = "-v" in sys.argv

passed = failed = 0


def check(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
        if VERBOSE:
            print("ok   - %s" % what)
    else:
        failed += 1
        print("FAIL - %s %s" % (what, detail))


# --------------------------------------------------------------------------
# An independent verifier, written from the reference (section 4), so that
# the server's signing function is not checked against itself.
# --------------------------------------------------------------------------

def verify_twilio(token, url, form_pairs, signature):
    s = url
    names = sorted(set(k for k, _ in form_pairs))
    for n in names:
        for v in sorted(set(v for k, v in form_pairs if k == n)):
            s += n + v
    want = base64.b64encode(hmac.new(token.encode(), s.encode(), hashlib.sha1).digest()).decode()
    return hmac.compare_digest(want, signature or "")


def verify_hub(secret, raw, header):
    want = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, header or "")


# --------------------------------------------------------------------------
# Local listener for callbacks/webhooks
# --------------------------------------------------------------------------

RECEIVED = []
RECEIVED_LOCK = threading.Lock()


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with RECEIVED_LOCK:
            RECEIVED.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                             "raw": raw, "t": time.time()})
        status = 500 if self.path.startswith("/fail") else 200
        body = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>"
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST


def received(prefix):
    with RECEIVED_LOCK:
        return [r for r in RECEIVED if r["path"].startswith(prefix)]


def wait_for(fn, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    return fn()


# --------------------------------------------------------------------------
# HTTP client helpers
# --------------------------------------------------------------------------

BASE = None


def call(method, path, body=None, headers=None, auth=None, bearer=None, form=None,
         jdoc=None, timeout=10, base=None):
    """Returns (status, headers dict lower-case, body bytes)."""
    url = (base or BASE) + path
    h = dict(headers or {})
    data = body
    if form is not None:
        data = urllib.parse.urlencode(form, doseq=True).encode()
        h.setdefault("Content-Type", "application/x-www-form-urlencoded")
    if jdoc is not None:
        data = json.dumps(jdoc).encode()
        h.setdefault("Content-Type", "application/json")
    if isinstance(data, str):
        data = data.encode()
    if auth:
        h["Authorization"] = "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode()
    if bearer:
        h["Authorization"] = "Bearer " + bearer
    req = urllib.request.Request(url, data=data, headers=h, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def js(b):
    try:
        return json.loads(b)
    except ValueError:
        return None


def ctl(method, path, doc=None):
    return call(method, "/_ctl/" + path, jdoc=doc)


MSG_PATH = "/2010-04-01/Accounts/%s/Messages.json" % SID


def send_sms(form, auth=(SID, TOKEN), **kw):
    return call("POST", MSG_PATH, form=form, auth=auth, **kw)


def wa_send(doc, token=WA_TOKEN, phone=WA_PHONE, **kw):
    return call("POST", "/v19.0/%s/messages" % phone, jdoc=doc, bearer=token, **kw)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------

def test_vectors():
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {"CallSid": "CA1234567890ABCDE", "Caller": "+14158675309", "Digits": "1234",
              "From": "+14158675309", "To": "+18005551212"}
    check(standin.twilio_signature("12345", url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
          "doc vector RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    dup = {"Sid": "CA123", "SidAccount": "AC123", "Digits": ["5678", "1234", "1234"]}
    check(standin.twilio_signature("12345", url, dup) == "IK+Dwps556ElfBT0I3Rgjkr1wJU=",
          "doc vector IK+Dwps556ElfBT0I3Rgjkr1wJU= (duplicates)")
    check(verify_twilio("12345", url, list(params.items()), "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
          "independent verifier agrees on the doc vector")
    body = b'{"property": "value", "boolean": true}'
    check(hashlib.sha256(body).hexdigest()
          == "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620",
          "doc bodySHA256 vector")


def test_twilio_auth():
    st, h, b = send_sms({"To": "+15557654321", "From": "+15005550006", "Body": "x"}, auth=None)
    check(st == 401, "no auth -> 401", st)
    check(js(b) == {"code": 20003, "message": "Authenticate",
                    "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401},
          "401 body exact", b)
    st, _, _ = send_sms({"To": "+15557654321", "From": "+15005550006", "Body": "x"}, auth=(SID, "bad"))
    check(st == 401, "wrong token -> 401")
    other = "AC" + "f" * 32
    st, _, b = call("POST", "/2010-04-01/Accounts/%s/Messages.json" % other,
                    form={"To": "+15557654321", "From": "+15005550006", "Body": "x"}, auth=(SID, TOKEN))
    check(st == 401 and js(b)["code"] == 20003, "AccountSid in path != auth -> 401")
    st, _, b = call("POST", MSG_PATH, form={"To": "+15557654321"},
                    headers={"Authorization": "Basic !!!notbase64"})
    check(st == 401, "garbage Basic header -> 401")


def twilio_err(form, code, what, status=400):
    st, _, b = send_sms(form)
    d = js(b) or {}
    ok = (st == status and d.get("code") == code and d.get("status") == status
          and d.get("more_info") == "https://www.twilio.com/docs/errors/%d" % code
          and isinstance(d.get("message"), str))
    check(ok, what, (st, b[:200]))
    return d


def test_twilio_validation():
    F = "+15005550006"
    twilio_err({"From": F, "Body": "x"}, 21604, "missing To -> 21604")
    d = twilio_err({"To": "+15557654321", "Body": "x"}, 21603, "missing From -> 21603")
    twilio_err({"To": "+15557654321", "From": F}, 21619, "no Body/Media/ContentSid -> 21619")
    twilio_err({"To": "+15557654321", "From": F, "Body": "x" * 1601}, 21617, "1601 chars -> 21617")
    d = twilio_err({"To": "12345", "From": F, "Body": "x"}, 21211, "non-E.164 To -> 21211")
    check(d.get("message") == "The 'To' number 12345 is not a valid phone number.", "21211 message text", d)
    twilio_err({"To": "whatsapp:15557654321", "From": F, "Body": "x"}, 21211, "whatsapp: without + -> 21211")
    for to, code in (("+15005550001", 21211), ("+15005550002", 21612), ("+15005550003", 21408),
                     ("+15005550004", 21610), ("+15005550009", 21614)):
        d = twilio_err({"To": to, "From": F, "Body": "x"}, code, "magic To %s -> %d" % (to, code))
    d = twilio_err({"To": "+15005550001", "From": F, "Body": "x"}, 21211, "magic 21211 again")
    check(d.get("message") == "The 'To' number +15005550001 is not a valid phone number.",
          "magic 21211 message text (doc example)", d)
    for frm, code in (("+15005550001", 21212), ("+15005550007", 21606), ("+15005550008", 21611)):
        twilio_err({"To": "+15557654321", "From": frm, "Body": "x"}, code, "magic From %s -> %d" % (frm, code))
    twilio_err({"To": "+15557654321", "From": "not a number!", "Body": "x"}, 21212, "bad From -> 21212")
    # form parameters are only read from a form body (Twilio ignores JSON)
    st, _, b = call("POST", MSG_PATH, jdoc={"To": "+15557654321", "From": F, "Body": "x"}, auth=(SID, TOKEN))
    check(st == 400 and js(b)["code"] == 21604, "JSON body is not a form -> 21604")


SM_RE = re.compile(r"^SM[0-9a-f]{32}$")
DATE_RE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                     r"\d{4} \d\d:\d\d:\d\d \+0000$")


def test_twilio_success():
    st, h, b = send_sms({"To": "+15557654321", "From": "+15005550006", "Body": "Technician arrives 10:00"})
    d = js(b) or {}
    check(st == 201, "send -> 201", (st, b[:300]))
    check(h.get("content-type", "").startswith("application/json"), "201 is JSON")
    check(SM_RE.match(d.get("sid", "")), "sid SM+32 hex", d.get("sid"))
    check(d.get("status") == "queued", "status queued")
    check(d.get("num_segments") == "1" and d.get("num_media") == "0", "num_segments/num_media strings")
    check(all(DATE_RE.match(d.get(k) or "") for k in ("date_created", "date_sent", "date_updated")),
          "RFC 2822 dates", d.get("date_created"))
    check(d.get("direction") == "outbound-api" and d.get("api_version") == "2010-04-01", "direction/api_version")
    check(d.get("to") == "+15557654321" and d.get("from") == "+15005550006"
          and d.get("body") == "Technician arrives 10:00", "echo to/from/body")
    check(d.get("account_sid") == SID and d.get("error_code") is None and d.get("price") is None,
          "account_sid, error_code null, price null")
    check(d.get("uri") == "/2010-04-01/Accounts/%s/Messages/%s.json" % (SID, d.get("sid"))
          and d["subresource_uris"]["media"].endswith("/Messages/%s/Media.json" % d.get("sid")),
          "uri and subresource_uris")
    keys = {"account_sid", "api_version", "body", "date_created", "date_sent", "date_updated", "direction",
            "error_code", "error_message", "from", "num_media", "num_segments", "price", "price_unit",
            "messaging_service_sid", "sid", "status", "subresource_uris", "to", "uri"}
    check(keys <= set(d), "all documented fields present", keys - set(d))
    st2, _, b2 = send_sms({"To": "+15557654321", "From": "+15005550006", "Body": "again"})
    check(st2 == 201 and js(b2)["sid"] != d.get("sid"), "fresh sid each time")
    st, _, b = send_sms({"To": "+15557654321", "From": "+15005550006", "Body": "a" * 161})
    check(js(b)["num_segments"] == "2", "161 GSM chars -> 2 segments")
    st, _, b = send_sms({"To": "+15557654321", "From": "+15005550006", "Body": "ж" * 71})
    check(js(b)["num_segments"] == "2", "71 UCS-2 chars -> 2 segments")
    st, _, b = send_sms({"To": "+15557654321", "From": "+15005550006", "Body": "x" * 1600})
    check(st == 201 and js(b)["num_segments"] == "11", "1600 chars accepted (11 segments)")
    st, _, b = send_sms({"To": "+15557654321", "From": "+15005550006",
                         "MediaUrl": ["http://a/1.jpg", "http://a/2.jpg"]})
    check(st == 201 and js(b)["num_media"] == "2" and js(b)["body"] == "", "MediaUrl repeated -> num_media 2")
    mg = "MG" + "b" * 32
    st, _, b = send_sms({"To": "+15557654321", "MessagingServiceSid": mg, "Body": "x"})
    check(st == 201 and js(b)["status"] == "accepted" and js(b)["messaging_service_sid"] == mg
          and js(b)["from"] is None, "MessagingServiceSid -> accepted, from null")
    st, _, b = send_sms({"To": "whatsapp:+15557654321", "From": "whatsapp:+14155238886", "ContentSid": "HX" + "c" * 32})
    check(st == 201, "whatsapp: with ContentSid only -> 201")
    st, _, b = send_sms({"To": "+15557654321", "From": "FieldCo", "Body": "x"})
    check(st == 201, "alphanumeric sender ID accepted")
    # fetch
    sid = d.get("sid")
    st, _, b = call("GET", "/2010-04-01/Accounts/%s/Messages/%s.json" % (SID, sid), auth=(SID, TOKEN))
    check(st == 200 and js(b)["sid"] == sid, "fetch message")
    st, _, b = call("GET", "/2010-04-01/Accounts/%s/Messages/SM%s.json" % (SID, "0" * 32), auth=(SID, TOKEN))
    check(st == 404 and js(b)["code"] == 20404, "fetch unknown -> 404/20404")


def cb_pairs(r):
    return urllib.parse.parse_qsl(r["raw"].decode(), keep_blank_values=True)


def run_callbacks(to, tag, frm="+15005550006", extra=None, query=""):
    url = "%s/%s%s" % (SINK, tag, query)
    form = {"To": to, "From": frm, "Body": "hello", "StatusCallback": url}
    form.update(extra or {})
    st, _, b = send_sms(form)
    sid = (js(b) or {}).get("sid")
    ctl("GET", "idle?timeout=10")
    got = received("/" + tag)
    return st, sid, url, got


def statuses(got):
    return [(dict(cb_pairs(r)).get("MessageStatus"), dict(cb_pairs(r)).get("ErrorCode")) for r in got]


def test_twilio_callbacks():
    st, sid, url, got = run_callbacks("+15557654321", "cb-ok", query="?job=7&x=a%20b")
    check(st == 201, "send with StatusCallback -> 201")
    check(statuses(got) == [("sent", None), ("delivered", None)], "callbacks sent then delivered", statuses(got))
    full = "http://127.0.0.1:%d/cb-ok?job=7&x=a%%20b" % SINK_PORT
    check(all(verify_twilio(TOKEN, full, cb_pairs(r), r["headers"].get("x-twilio-signature")) for r in got)
          and got, "X-Twilio-Signature verifies (URL with query)")
    check(all(r["headers"].get("content-type", "").startswith("application/x-www-form-urlencoded") for r in got),
          "callbacks are form-encoded")
    if len(got) == 2:
        p0, p1 = dict(cb_pairs(got[0])), dict(cb_pairs(got[1]))
        need = {"MessageSid", "SmsSid", "SmsStatus", "MessageStatus", "AccountSid", "From", "To", "ApiVersion"}
        check(need <= set(p0) and need <= set(p1), "callback core params", set(p0))
        check(p0["MessageSid"] == sid and p0["SmsSid"] == sid and p0["AccountSid"] == SID
              and p0["To"] == "+15557654321" and p0["From"] == "+15005550006"
              and p0["ApiVersion"] == "2010-04-01" and p0["SmsStatus"] == "sent", "callback values")
        check(re.match(r"^\d{10}$", p1.get("RawDlrDoneDate", "")) and "RawDlrDoneDate" not in p0,
              "RawDlrDoneDate (YYMMDDhhmm) on delivered only")
        check("ErrorCode" not in p0 and "ErrorCode" not in p1, "no ErrorCode on success")
        check(got[0]["t"] <= got[1]["t"], "callbacks in order")
    bad = [r for r in got if not verify_twilio("wrong", full, cb_pairs(r), r["headers"].get("x-twilio-signature"))]
    check(len(bad) == len(got), "signature fails with a wrong token")
    st, _, b = call("GET", "/2010-04-01/Accounts/%s/Messages/%s.json" % (SID, sid), auth=(SID, TOKEN))
    check(js(b)["status"] == "delivered", "fetched status follows callbacks")

    st, sid, url, got = run_callbacks("+15005550010", "cb-10")
    check(statuses(got) == [("sent", None), ("undelivered", "30003")], "+15005550010 -> sent, undelivered 30003",
          statuses(got))
    st, _, b = call("GET", "/2010-04-01/Accounts/%s/Messages/%s.json" % (SID, sid), auth=(SID, TOKEN))
    check(js(b)["status"] == "undelivered" and js(b)["error_code"] == 30003, "fetch shows error_code 30003")
    st, sid, url, got = run_callbacks("+15005550011", "cb-11")
    check(statuses(got) == [("failed", "30006")], "+15005550011 -> failed 30006", statuses(got))
    st, sid, url, got = run_callbacks("+15005550012", "cb-12")
    check(statuses(got) == [("undelivered", "30005")], "+15005550012 -> undelivered 30005", statuses(got))
    st, sid, url, got = run_callbacks("whatsapp:+15005550031", "cb-wa63016", frm="whatsapp:+14155238886")
    check(statuses(got) == [("failed", "63016")], "whatsapp:+1500555003x -> failed 63016", statuses(got))
    check(got and verify_twilio(TOKEN, url, cb_pairs(got[0]), got[0]["headers"].get("x-twilio-signature")),
          "63016 callback signed")
    st, sid, url, got = run_callbacks("whatsapp:+15005550031", "cb-watpl", frm="whatsapp:+14155238886",
                                      extra={"ContentSid": "HX" + "d" * 32, "Body": ""})
    check(statuses(got) == [("sent", None), ("delivered", None), ("read", None)],
          "whatsapp template is not refused (sent/delivered/read)", statuses(got))
    check(got and dict(cb_pairs(got[0])).get("ChannelPrefix") == "whatsapp", "WhatsApp callbacks carry ChannelPrefix")
    # no StatusCallback -> nothing posted
    before = len(RECEIVED)
    st, _, b = send_sms({"To": "+15557654321", "From": "+15005550006", "Body": "quiet"})
    time.sleep(0.6)
    check(st == 201 and len(RECEIVED) == before, "no StatusCallback -> no callbacks")
    # callbacks appear in /_ctl/callbacks
    st, _, b = ctl("GET", "callbacks")
    lines = [json.loads(l) for l in b.decode().splitlines() if l.strip()]
    check(any(l["kind"] == "twilio-status" and l["status"] == 200 for l in lines), "/_ctl/callbacks records results")


def test_scripted():
    okform = {"To": "+15557654321", "From": "+15005550006", "Body": "x"}
    st, _, b = ctl("POST", "next", {"status": 500})
    check(st == 200, "/_ctl/next accepted")
    st, _, b = send_sms(okform)
    check(st == 500 and js(b)["code"] == 20500, "scripted 500 (Twilio-shaped default body)", (st, b))
    st, _, b = send_sms(okform)
    check(st == 201, "next request normal again")
    ctl("POST", "next", {"status": 429, "headers": {"Retry-After": "3"}, "count": 2})
    r1, r2, r3 = send_sms(okform), send_sms(okform), send_sms(okform)
    check(r1[0] == 429 and r1[1].get("retry-after") == "3" and js(r1[2])["code"] == 20429,
          "scripted 429 with Retry-After")
    check(r2[0] == 429 and r3[0] == 201, "count 2 honoured")
    ctl("POST", "next", {"status": 503, "body": "maintenance", "headers": {"Content-Type": "text/plain"}})
    st, h, b = send_sms(okform)
    check(st == 503 and b == b"maintenance" and h.get("content-type") == "text/plain", "scripted body/headers")
    ctl("POST", "next", {"drop": True})
    try:
        send_sms(okform)
        dropped = False
    except (urllib.error.URLError, ConnectionError, OSError) as e:
        dropped = "timed out" not in str(e)
    check(dropped, "drop closes the connection without an answer")
    ctl("POST", "next", {"hang": 1.5})
    t0 = time.time()
    try:
        send_sms(okform, timeout=0.5)
        timed_out = False
    except (socket.timeout, TimeoutError, urllib.error.URLError):
        timed_out = True
    check(timed_out and time.time() - t0 < 1.4, "hang -> client timeout")
    time.sleep(1.3)
    ctl("POST", "next", {"delay": 0.4})
    t0 = time.time()
    st, _, b = send_sms(okform)
    check(st == 201 and time.time() - t0 >= 0.38, "delay only -> normal answer, late")
    ctl("POST", "next", {"status": 502, "match": "/hook/"})
    st, _, _ = send_sms(okform)
    st2, _, _ = call("POST", "/hook/x", body="{}", headers={"Content-Type": "application/json"})
    check(st == 201 and st2 == 502, "match restricts a scripted reply to a path prefix")
    ctl("POST", "next", {"status": 429})
    st, _, b = wa_send({"messaging_product": "whatsapp", "to": "15557654321", "type": "template",
                        "template": {"name": "t", "language": {"code": "en_US"}}})
    check(st == 429 and js(b)["error"]["code"] == 130429, "scripted 429 on Graph path is Graph-shaped")
    ctl("POST", "next", [{"status": 500}, {"status": 502}])
    a, b_ = send_sms(okform)[0], send_sms(okform)[0]
    check((a, b_) == (500, 502), "a list queues several replies in order")
    st, _, b = call("POST", "/_ctl/next", body="not json", headers={"Content-Type": "application/json"})
    check(st == 400, "bad /_ctl/next body -> 400")
    st, _, b = ctl("POST", "next", {"status": 42})
    check(st == 400, "bad status -> 400")


def test_log_and_reset():
    ctl("POST", "reset")
    st, _, b = ctl("GET", "log")
    check(st == 200 and b == b"", "reset empties the log")
    call("POST", "/hook/orders?x=1&x=2", body="a=1&b=%C3%A9", headers={"Content-Type": "application/x-www-form-urlencoded",
                                                                         "X-Custom-Thing": "v"})
    call("POST", "/hook/j", jdoc={"k": [1, 2]})
    send_sms({"To": "+15557654321", "From": "+15005550006", "Body": "logged"})
    st, _, b = ctl("GET", "log")
    lines = [json.loads(l) for l in b.decode().splitlines()]
    check(len(lines) == 3, "three requests logged (control requests are not)", len(lines))
    if len(lines) == 3:
        a, j, t = lines
        check({"method", "path", "query", "headers", "body", "form", "json"} <= set(a), "log line keys")
        check(a["method"] == "POST" and a["path"] == "/hook/orders" and a["query"] == {"x": ["1", "2"]},
              "log method/path/query")
        check(a["headers"].get("x-custom-thing") == "v", "log header names lower-case")
        check(a["form"] == {"a": ["1"], "b": ["é"]} and a["json"] is None, "log form dict of lists")
        check(j["json"] == {"k": [1, 2]} and j["form"] is None, "log parsed json")
        check(t["form"]["Body"] == ["logged"] and t["headers"]["authorization"].startswith("Basic "),
              "Twilio request logged")
    with open(LOG) as f:
        check(len(f.read().splitlines()) == 3, "log file has the same lines")
    ctl("POST", "next", {"status": 500, "count": 5})
    ctl("POST", "reset")
    st, _, _ = call("POST", "/hook/after-reset", body="")
    check(st == 200, "reset clears scripted replies")


def test_media():
    st, h, b = call("GET", "/media/photo.jpg")
    check(st == 401 and js(b)["code"] == 20003, "media without auth -> 401")
    st, h, b = call("GET", "/media/photo.jpg", auth=(SID, "nope"))
    check(st == 401, "media with wrong auth -> 401")
    st, h, b = call("GET", "/media/photo.jpg", auth=(SID, TOKEN))
    check(st == 200 and h.get("content-type") == "image/jpeg" and b[:3] == b"\xff\xd8\xff" and b[-2:] == b"\xff\xd9",
          "media JPEG")
    st2, _, b2 = call("GET", "/media/photo.jpg", auth=(SID, TOKEN))
    check(b2 == b, "media deterministic")
    st, h, b = call("GET", "/media/p1.png", auth=(SID, TOKEN))
    check(st == 200 and h.get("content-type") == "image/png" and b[:8] == b"\x89PNG\r\n\x1a\n", "media PNG")
    st, h, b = call("GET", "/media/missing", auth=(SID, TOKEN))
    check(st == 404, "media missing -> 404")
    st, h, b = call("GET", "/media/big", auth=(SID, TOKEN))
    check(st == 200 and len(b) == 6 * 1024 * 1024 and h.get("content-length") == str(6 * 1024 * 1024),
          "media big is 6 MB")
    st, h, b = call("GET", "/media/redirect/photo.jpg", auth=(SID, TOKEN))
    check(st == 200 and b[:3] == b"\xff\xd8\xff", "media redirect followed to /cdn without auth")


def test_wa():
    text = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "15557654321",
            "type": "text", "text": {"preview_url": False, "body": "Technician arrives 10:00"}}
    tpl = {"messaging_product": "whatsapp", "to": "15557654321", "type": "template",
           "template": {"name": "visit_reminder", "language": {"code": "en_US"},
                        "components": [{"type": "body", "parameters": [{"type": "text", "text": "10:00"}]}]}}
    st, h, b = wa_send(text, token="wrong")
    e = (js(b) or {}).get("error", {})
    check(st == 401 and e.get("code") == 190 and e.get("type") == "OAuthException"
          and e.get("message") == "Invalid OAuth access token." and e.get("fbtrace_id"), "WA bad token -> 401/190", b)
    st, _, b = call("POST", "/v19.0/%s/messages" % WA_PHONE, jdoc=text)
    check(st == 401, "WA no token -> 401")
    st, _, b = wa_send(text, phone="999")
    check(st == 400 and js(b)["error"]["code"] == 100, "WA unknown phone-number-id -> 400/100")
    bads = [
        ({"to": "15557654321", "type": "text", "text": {"body": "x"}}, "no messaging_product"),
        ({"messaging_product": "whatsapp", "type": "text", "text": {"body": "x"}}, "no to"),
        ({"messaging_product": "whatsapp", "to": "abc", "type": "text", "text": {"body": "x"}}, "non-digit to"),
        ({"messaging_product": "whatsapp", "to": "15557654321", "type": "text", "text": {}}, "no text.body"),
        ({"messaging_product": "whatsapp", "to": "15557654321", "type": "template", "template": {"name": "t"}},
         "template without language"),
        ({"messaging_product": "whatsapp", "to": "15557654321", "type": "template",
          "template": {"language": {"code": "en"}}}, "template without name"),
        ({"messaging_product": "whatsapp", "to": "15557654321", "type": "image", "image": {}}, "image without link/id"),
        ({"messaging_product": "whatsapp", "to": "15557654321", "type": "hologram"}, "unknown type"),
    ]
    for doc, what in bads:
        st, _, b = wa_send(doc)
        e = (js(b) or {}).get("error", {})
        check(st == 400 and e.get("code") == 100 and "Invalid parameter" in e.get("message", ""),
              "WA invalid: %s -> 400/100" % what, b)
    st, _, b = call("POST", "/v19.0/%s/messages" % WA_PHONE, body="{not json", bearer=WA_TOKEN,
                    headers={"Content-Type": "application/json"})
    check(st == 400 and js(b)["error"]["code"] == 100, "WA malformed JSON -> 400/100")

    # 24-hour window
    now = 1795337614
    ctl("POST", "now", {"now": now})
    st, _, b = wa_send(text)
    e = (js(b) or {}).get("error", {})
    check(st == 400 and e.get("code") == 131047 and e.get("message") == "(#131047) Re-engagement message"
          and e.get("error_data", {}).get("details") == "Message failed to send because more than 24 hours have "
          "passed since the customer last replied to this number." and e.get("type") == "OAuthException",
          "free-form with no inbound -> 131047", b)
    st, _, b = wa_send(tpl)
    d = js(b) or {}
    check(st == 200 and d.get("messaging_product") == "whatsapp"
          and d.get("contacts") == [{"input": "15557654321", "wa_id": "15557654321"}]
          and d.get("messages", [{}])[0].get("id", "").startswith("wamid."), "template always allowed, 200 shape", b)
    ctl("POST", "wa-inbound", {"wa_id": "15557654321", "timestamp": now - 3600})
    st, _, b = wa_send(text)
    check(st == 200, "free-form inside the window -> 200", b)
    img = {"messaging_product": "whatsapp", "to": "15557654321", "type": "image",
           "image": {"link": "https://example.com/p.jpg", "caption": "x"}}
    check(wa_send(img)[0] == 200, "image by link inside the window")
    ctl("POST", "now", {"advance": 23 * 3600 - 1})
    check(wa_send(text)[0] == 200, "still open 1 s before 24 h")
    ctl("POST", "now", {"advance": 1})
    st, _, b = wa_send(text)
    check(st == 400 and js(b)["error"]["code"] == 131047, "closed at exactly 24 h")
    st, _, b = wa_send(dict(text, to="+15557654321"))
    check(st == 400, "'+' form of to shares the window")
    ctl("POST", "now", {"now": None})
    ctl("POST", "wa-inbound", {"wa_id": "15557654321"})
    st, _, b = wa_send(dict(text, to="+15557654321"))
    check(st == 200 and js(b)["contacts"] == [{"input": "+15557654321", "wa_id": "15557654321"}],
          "wa-inbound defaults to now; input echoed, wa_id digits")

    # status webhooks (the server was started with --wa-webhook SINK/wa)
    ctl("GET", "idle?timeout=10")     # let earlier sends' webhooks finish
    with RECEIVED_LOCK:
        RECEIVED.clear()
    st, _, b = wa_send(text)
    wamid = js(b)["messages"][0]["id"]
    ctl("GET", "idle?timeout=10")
    got = received("/wa")
    check(len(got) == 3, "3 status webhooks", len(got))
    check(all(verify_hub(WA_SECRET, r["raw"], r["headers"].get("x-hub-signature-256")) for r in got) and got,
          "X-Hub-Signature-256 verifies")
    check(not any(verify_hub("other", r["raw"], r["headers"].get("x-hub-signature-256")) for r in got),
          "X-Hub-Signature-256 fails with another secret")
    sts = []
    for r in got:
        env = json.loads(r["raw"])
        v = env["entry"][0]["changes"][0]["value"]
        check(env["object"] == "whatsapp_business_account" and env["entry"][0]["changes"][0]["field"] == "messages"
              and v["messaging_product"] == "whatsapp" and v["metadata"]["phone_number_id"] == WA_PHONE,
              "webhook envelope")
        s = v["statuses"][0]
        sts.append(s["status"])
        check(s["id"] == wamid and s["recipient_id"] == "15557654321" and s["timestamp"].isdigit(), "status fields")
    check(sts == ["sent", "delivered", "read"], "statuses sent, delivered, read in order", sts)

    # inbound webhook through the control endpoint
    with RECEIVED_LOCK:
        RECEIVED.clear()
    st, _, b = ctl("POST", "wa-inbound", {"wa_id": "15550009999", "text": "Boiler leaking", "url": SINK + "/wa-in"})
    d = js(b)
    got = received("/wa-in")
    check(st == 200 and d["delivered"]["status"] == 200 and len(got) == 1, "wa-inbound delivers a webhook", b)
    if got:
        env = json.loads(got[0]["raw"])
        m = env["entry"][0]["changes"][0]["value"]["messages"][0]
        check(verify_hub(WA_SECRET, got[0]["raw"], got[0]["headers"].get("x-hub-signature-256"))
              and m["from"] == "15550009999" and m["text"]["body"] == "Boiler leaking", "inbound webhook signed/shaped")
    check(wa_send(dict(text, to="15550009999"))[0] == 200, "inbound opens the window")

    # media
    st, _, b = call("GET", "/v19.0/1000000001", bearer=WA_TOKEN)
    d = js(b) or {}
    check(st == 200 and d.get("mime_type") == "image/jpeg" and d.get("id") == "1000000001"
          and d.get("messaging_product") == "whatsapp" and isinstance(d.get("file_size"), int), "WA media metadata", b)
    check(d.get("url", "").startswith("http://127.0.0.1:%d/wa-media/1000000001" % PORT), "media url on loopback")
    st, _, _ = call("GET", "/v19.0/1000000001")
    check(st == 401, "WA media metadata without bearer -> 401")
    u = urllib.parse.urlsplit(d.get("url", ""))
    st, h, data = call("GET", u.path + ("?" + u.query if u.query else ""), bearer=WA_TOKEN)
    check(st == 200 and hashlib.sha256(data).hexdigest() == d.get("sha256") and len(data) == d.get("file_size")
          and h.get("content-type") == "image/jpeg", "WA media download matches sha256/size")
    st, _, _ = call("GET", u.path)
    check(st == 401, "WA media download without bearer -> 401")
    st, _, b = call("GET", "/v19.0/424242", bearer=WA_TOKEN)
    check(st == 400 and js(b)["error"]["code"] == 100, "unknown media id -> Graph error 100")
    st, _, b = call("GET", "/wa-media/424242", bearer=WA_TOKEN)
    check(st == 404 and "error" in js(b), "unknown media download -> 404 Graph error")


def test_twilio_inbound_ctl():
    with RECEIVED_LOCK:
        RECEIVED.clear()
    st, _, b = ctl("POST", "twilio-inbound", {"url": SINK + "/tw-in?a=1", "From": "+15557654321",
                                              "To": "+15550001111", "Body": "Boiler leaking",
                                              "media": ["p1.jpg"]})
    d = js(b)
    got = received("/tw-in")
    check(st == 200 and d["status"] == 200 and len(got) == 1, "twilio-inbound delivered", b)
    if got:
        p = dict(cb_pairs(got[0]))
        check(verify_twilio(TOKEN, SINK + "/tw-in?a=1", cb_pairs(got[0]), got[0]["headers"].get("x-twilio-signature")),
              "inbound webhook signature verifies")
        check(p["Body"] == "Boiler leaking" and p["NumMedia"] == "1" and p["SmsStatus"] == "received"
              and p["MediaUrl0"] == "http://127.0.0.1:%d/media/p1.jpg" % PORT
              and p["MediaContentType0"] == "image/jpeg" and p["MessageSid"] == p["SmsMessageSid"],
              "inbound webhook params")
    st, _, b = ctl("POST", "twilio-inbound", {"url": SINK + "/tw-bad", "bad_signature": True})
    got = received("/tw-bad")
    check(got and not verify_twilio(TOKEN, SINK + "/tw-bad", cb_pairs(got[0]), got[0]["headers"].get("x-twilio-signature")),
          "bad_signature sends an invalid signature")


def test_robustness():
    # garbage on a raw socket, then the server still answers
    s = socket.create_connection(("127.0.0.1", PORT))
    s.sendall(b"\x00\x01garbage\r\n\r\n")
    try:
        s.recv(100)
    except OSError:
        pass
    s.close()
    s = socket.create_connection(("127.0.0.1", PORT))
    s.sendall(b"POST /hook/cl HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
    resp = s.recv(200)
    s.close()
    check(resp.startswith(b"HTTP/1.1 400"), "bad Content-Length -> 400", resp[:40])
    # chunked body
    s = socket.create_connection(("127.0.0.1", PORT))
    s.sendall(b"POST /hook/chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
              b"Content-Type: application/json\r\nConnection: close\r\n\r\n"
              b"5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n")
    resp = b""
    while True:
        c = s.recv(4096)
        if not c:
            break
        resp += c
    s.close()
    check(resp.startswith(b"HTTP/1.1 200"), "chunked body accepted")
    st, _, b = ctl("GET", "log")
    last = json.loads(b.decode().splitlines()[-1])
    check(last["path"] == "/hook/chunked" and last["json"] == {"a": 1}, "chunked body decoded into the log")
    # keep-alive: two requests on one connection
    s = socket.create_connection(("127.0.0.1", PORT))
    s.sendall(b"GET /hook/k1 HTTP/1.1\r\nHost: x\r\n\r\nGET /hook/k2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    resp = b""
    while True:
        c = s.recv(4096)
        if not c:
            break
        resp += c
    s.close()
    check(resp.count(b"HTTP/1.1 200") == 2, "keep-alive pipelining works")
    st, _, _ = call("GET", "/nowhere")
    check(st == 404, "unknown path -> 404")
    st, _, _ = ctl("GET", "nosuch")
    check(st == 404, "unknown control endpoint -> 404")
    st, _, b = call("POST", "/hook/anything", body="x")
    check(st == 200, "server alive after bad requests")
    st, _, b = ctl("GET", "state")
    check(st == 200 and js(b)["port"] == PORT, "/_ctl/state")


def test_port0_and_sigterm():
    d = tempfile.mkdtemp()
    log = os.path.join(d, "log")
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "standin.py"), "--port", "0", "--log", log],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = p.stdout.readline().decode()
    ok = wait_for(lambda: os.path.exists(log + ".ready"), 5)
    port = int(open(log + ".ready").read()) if ok else 0
    check(ok and line.strip() == "ready %d" % port, "--port 0: FILE.ready holds the port, stdout 'ready PORT'", line)
    st, _, _ = call("POST", "/hook/x", body="", base="http://127.0.0.1:%d" % port)
    check(st == 200, "second instance answers")
    t0 = time.time()
    p.terminate()
    rc = p.wait(5)
    check(rc == 0 and time.time() - t0 < 2, "SIGTERM stops promptly with status 0", rc)
    check(not os.path.exists(log + ".ready"), "FILE.ready removed on exit")
    shutil.rmtree(d, ignore_errors=True)


# --------------------------------------------------------------------------

def main():
    global BASE, PORT, LOG, SINK, SINK_PORT
    sink = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    sink.daemon_threads = True
    SINK_PORT = sink.server_address[1]
    SINK = "http://127.0.0.1:%d" % SINK_PORT
    threading.Thread(target=sink.serve_forever, daemon=True).start()

    tmp = tempfile.mkdtemp(prefix="standin-selftest.")
    LOG = os.path.join(tmp, "requests.jsonl")
    PORT = free_port()
    BASE = "http://127.0.0.1:%d" % PORT
    proc = subprocess.Popen(
        ["/usr/bin/python3", os.path.join(HERE, "standin.py"), "--port", str(PORT), "--log", LOG,
         "--twilio-sid", SID, "--twilio-token", TOKEN, "--wa-token", WA_TOKEN, "--wa-phone-id", WA_PHONE,
         "--wa-app-secret", WA_SECRET, "--wa-webhook", SINK + "/wa", "--callback-delay", "0.05"],
        stdout=subprocess.DEVNULL)
    try:
        if not wait_for(lambda: os.path.exists(LOG + ".ready"), 10):
            print("stand-in did not become ready")
            return 1
        check(open(LOG + ".ready").read().strip() == str(PORT), "FILE.ready holds the port")
        for t in (test_vectors, test_twilio_auth, test_twilio_validation, test_twilio_success,
                  test_twilio_callbacks, test_scripted, test_log_and_reset, test_media, test_wa,
                  test_twilio_inbound_ctl, test_robustness, test_port0_and_sigterm):
            try:
                t()
            except Exception as e:
                import traceback
                traceback.print_exc()
                check(False, "%s raised %s: %s" % (t.__name__, type(e).__name__, e))
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
        sink.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
