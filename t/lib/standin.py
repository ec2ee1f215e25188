#!/usr/bin/python3
"""standin.py - loopback stand-in for the Twilio Messages API and the WhatsApp
Cloud API (Meta Graph), for the bats tests.

It is a contract test of the documented provider APIs
(the providers' documented APIs): request shapes,
error bodies, magic test numbers, signed status callbacks and webhooks are
mirrored as documented there.  Python 3 standard library only; run it with
/usr/bin/python3.

    /usr/bin/python3 t/lib/standin.py --port PORT --log FILE
        [--twilio-sid AC... --twilio-token TOKEN]
        [--wa-token TOKEN --wa-phone-id ID --wa-app-secret SECRET]
        [--wa-webhook URL] [--callback-delay SECONDS]

It listens on 127.0.0.1 only.  Once listening it writes the port number to
FILE.ready and prints "ready PORT" on stdout.  SIGTERM (or SIGINT) stops it
and removes FILE.ready.

Every request to a non-control path is appended to FILE as one JSON line:
  {"ts", "method", "path", "query" (dict of lists), "headers" (dict, names in
   lower case), "body" (text), "form" (dict of lists, or null), "json" (or null)}

Control endpoints (/_ctl/...) let a test script replies and inspect state;
see the table in handle_control() below.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import signal
import struct
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 64 * 1024 * 1024          # refuse request bodies larger than this
BIG_MEDIA_SIZE = 6 * 1024 * 1024     # /media/big: above Twilio's 5 MB limit
WA_WINDOW = 24 * 3600                # WhatsApp customer service window (s)
TWILIO_API = "2010-04-01"


# ---------------------------------------------------------------------------
# Signatures (reference section 4 and section 5 "Webhooks")
# ---------------------------------------------------------------------------

def twilio_signature(token, url, params=None):
    """X-Twilio-Signature: base64(HMAC-SHA1(token, url + sorted name+value)).

    params maps a name to a string or to a list of values; a repeated name
    contributes its distinct values, sorted.  Values are the decoded ones.
    """
    s = url
    for name in sorted(params or {}):
        values = params[name]
        if isinstance(values, str):
            values = [values]
        for value in sorted(set(values)):
            s += name + value
    digest = hmac.new(token.encode(), s.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def hub_signature_256(secret, raw):
    """X-Hub-Signature-256 value: "sha256=" + hex HMAC-SHA256(app secret, raw body)."""
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def hub_signature_sha1(secret, raw):
    """The older X-Hub-Signature header Meta still sends alongside."""
    return "sha1=" + hmac.new(secret.encode(), raw, hashlib.sha1).hexdigest()


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc2822(t):
    """Twilio's date format, e.g. "Thu, 24 Aug 2023 05:01:45 +0000" (locale-free)."""
    g = time.gmtime(t)
    return "%s, %02d %s %04d %02d:%02d:%02d +0000" % (
        _DAYS[g.tm_wday], g.tm_mday, _MONTHS[g.tm_mon - 1], g.tm_year,
        g.tm_hour, g.tm_min, g.tm_sec)


def raw_dlr_done_date(t):
    """RawDlrDoneDate of SMS status callbacks: YYMMDDhhmm (UTC)."""
    return time.strftime("%y%m%d%H%M", time.gmtime(t))


def new_sid(prefix):
    """Twilio SIDs: two letters + 32 lower-case hex digits."""
    return prefix + uuid.uuid4().hex


def fbtrace_id():
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "A" + "".join(secrets.choice(alphabet) for _ in range(22))


def new_wamid(wa_id):
    """A wamid shaped like the real ones ("wamid.HBgL..."): base64 of a small
    protobuf-ish record holding the recipient and a random hex id."""
    digits = wa_id.encode()[:63]
    rec = (b"\x1c\x18" + bytes([len(digits)]) + digits + b"\x15\x02\x00\x11\x18\x12"
           + secrets.token_hex(9).upper().encode() + b"\x00")
    return "wamid." + base64.b64encode(rec).decode()


# GSM 03.38 default alphabet and its extension table (extension chars cost 2).
GSM_BASIC = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
                "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXT = set("^{}\\[~]|€\f")


def sms_segments(body):
    """Number of SMS segments for body: GSM-7 (160/153) or UCS-2 (70/67)."""
    if all(c in GSM_BASIC or c in GSM_EXT for c in body):
        units = sum(2 if c in GSM_EXT else 1 for c in body)
        single, multi = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, multi = 70, 67
    if units <= single:
        return 1
    return (units + multi - 1) // multi


# ---------------------------------------------------------------------------
# Deterministic media files
# ---------------------------------------------------------------------------

def tiny_jpeg(comment=b""):
    """A valid 8x8 mid-grey baseline JPEG, with an optional COM segment so that
    different names give different (but deterministic) bytes."""
    def seg(marker, payload):
        return b"\xff" + bytes([marker]) + struct.pack(">H", len(payload) + 2) + payload
    out = b"\xff\xd8"                                             # SOI
    out += seg(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")  # APP0
    if comment:
        out += seg(0xFE, comment[:60000])                         # COM
    out += seg(0xDB, b"\x00" + b"\x01" * 64)                      # DQT, all 1
    out += seg(0xC0, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00")     # SOF0 8x8, 1 comp
    # One DC code (length 1, symbol 0) and one AC code (length 1, symbol EOB).
    out += seg(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00")  # DHT DC0
    out += seg(0xC4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00")  # DHT AC0
    out += seg(0xDA, b"\x01\x01\x00\x00\x3f\x00")                 # SOS
    out += b"\x3f"            # bits 0 (DC diff 0) 0 (EOB), padded with 1s
    out += b"\xff\xd9"                                            # EOI
    return out


def tiny_png(text=b""):
    """A valid 1x1 RGB PNG, with an optional tEXt chunk."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    out = b"\x89PNG\r\n\x1a\n"
    out += chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    if text:
        out += chunk(b"tEXt", b"Comment\x00" + text)
    out += chunk(b"IDAT", zlib.compress(b"\x00\x80\x80\x80"))
    out += chunk(b"IEND", b"")
    return out


def tiny_pdf(text=b""):
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"% " + text.replace(b"\n", b" ") + b"\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def media_for_name(name):
    """(content type, bytes) for /media/<name>, or None for "missing".

    "big" (any extension) is 6 MB; the extension picks the type:
    .png, .pdf, .txt, anything else is a JPEG."""
    stem, _, ext = name.partition(".")
    ext = ext.lower()
    if stem == "missing":
        return None
    if stem == "big":
        data = tiny_jpeg(b"big")
        return "image/jpeg", data + b"\0" * (BIG_MEDIA_SIZE - len(data))
    tag = name.encode("utf-8", "replace")
    if ext == "png":
        return "image/png", tiny_png(tag)
    if ext == "pdf":
        return "application/pdf", tiny_pdf(tag)
    if ext == "txt":
        return "text/plain", b"media " + tag + b"\n"
    return "image/jpeg", tiny_jpeg(tag)


# WhatsApp media ids the stand-in knows (GET /{version}/{media-id}).
WA_MEDIA = {
    "1000000001": "photo.jpg",
    "1000000002": "photo.png",
    "1000000003": "invoice.pdf",
    "1000000006": "big.jpg",
}


# ---------------------------------------------------------------------------
# Shared state
# ---------------------------------------------------------------------------

class Reply(Exception):
    """An HTTP answer: raised or returned by the route handlers."""

    def __init__(self, status, body=b"", headers=None, after=None):
        super().__init__(status)
        self.status = status
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers = dict(headers or {})
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
        self.body = body
        self.headers = headers or {}
        self.after = after      # callable run once the answer has been sent


class State:
    def __init__(self, opts):
        self.opts = opts
        self.port = None
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)
        self.scripted = []        # scripted replies, consumed in order
        self.now_override = None  # None: real time
        self.wa_inbound = {}      # wa_id -> epoch of the last inbound message
        self.messages = {}        # Twilio message SID -> resource (for fetch)
        self.outbound = []        # records of callbacks/webhooks we sent
        self.pending = 0          # callback sequences still running
        open(opts.log, "a").close()

    def now(self):
        with self.lock:
            return self.now_override if self.now_override is not None else time.time()

    # -- request log ------------------------------------------------------
    def log_request(self, record):
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self.lock:
            with open(self.opts.log, "a", encoding="utf-8") as f:
                f.write(line)

    def read_log(self):
        with self.lock:
            with open(self.opts.log, "rb") as f:
                return f.read()

    # -- outbound callbacks ----------------------------------------------
    def begin_pending(self):
        with self.lock:
            self.pending += 1

    def end_pending(self):
        with self.lock:
            self.pending -= 1
            self.idle.notify_all()

    def record_outbound(self, rec):
        with self.lock:
            self.outbound.append(rec)

    # -- scripted replies -------------------------------------------------
    def take_script(self, path):
        """Consume one use of the first scripted reply whose "match" prefix
        (if any) fits path."""
        with self.lock:
            for entry in self.scripted:
                if path.startswith(entry.get("match") or ""):
                    entry["count"] -= 1
                    if entry["count"] <= 0:
                        self.scripted.remove(entry)
                    return dict(entry)
        return None

    def reset(self):
        with self.lock:
            self.scripted.clear()
            self.now_override = None
            self.wa_inbound.clear()
            self.messages.clear()
            self.outbound.clear()
            with open(self.opts.log, "w"):
                pass


STATE = None   # set in main()


# ---------------------------------------------------------------------------
# Outbound HTTP (status callbacks, webhooks)
# ---------------------------------------------------------------------------

def http_send(kind, url, body, headers, method="POST", timeout=15):
    """Send one request and record the outcome in STATE.outbound.  Twilio
    gives the whole HTTP exchange 15 s; we do the same and never retry."""
    rec = {"ts": time.time(), "kind": kind, "method": method, "url": url,
           "headers": headers, "body": body.decode("utf-8", "replace")}
    req = urllib.request.Request(url, data=body if method == "POST" else None,
                                 headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            rec["status"] = resp.status
            rec["response"] = resp.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        rec["status"] = e.code
        rec["response"] = e.read(65536).decode("utf-8", "replace")
    except Exception as e:      # connection refused, timeout, bad URL...
        rec["status"] = 0
        rec["error"] = "%s: %s" % (type(e).__name__, e)
    STATE.record_outbound(rec)
    return rec


# ---------------------------------------------------------------------------
# Twilio Messages API (reference sections 1-4)
# ---------------------------------------------------------------------------

TWILIO_MSG_RE = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages\.json$")
TWILIO_FETCH_RE = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages/([^/]+)\.json$")
E164_RE = re.compile(r"^\+[1-9][0-9]{1,14}$")
SHORT_CODE_RE = re.compile(r"^[0-9]{3,8}$")
ALPHA_ID_RE = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")


def twilio_error(code, message, status=400):
    return Reply(status, {"code": code, "message": message,
                          "more_info": "https://www.twilio.com/docs/errors/%d" % code,
                          "status": status})


def twilio_auth_error():
    r = twilio_error(20003, "Authenticate", 401)
    r.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
    return r


def basic_auth_ok(headers):
    """True when Authorization: Basic matches --twilio-sid:--twilio-token."""
    value = headers.get("authorization", "")
    if not value.lower().startswith("basic "):
        return False
    try:
        user, _, password = base64.b64decode(value[6:].strip(), validate=True) \
            .decode("utf-8").partition(":")
    except Exception:
        return False
    o = STATE.opts
    return (hmac.compare_digest(user, o.twilio_sid)
            and hmac.compare_digest(password, o.twilio_token))


def strip_whatsapp(addr):
    return addr[len("whatsapp:"):] if addr.startswith("whatsapp:") else addr


# Synchronous errors of the magic test numbers (twilio.com/docs/iam/test-credentials).
def twilio_magic_to(to, frm):
    bare = strip_whatsapp(to)
    if bare == "+15005550001":
        return twilio_error(21211, "The 'To' number %s is not a valid phone number." % to)
    if bare == "+15005550002":
        return twilio_error(21612, "The 'To' phone number: %s, is not currently reachable "
                            "using the 'From' phone number: %s via SMS." % (to, frm))
    if bare == "+15005550003":
        return twilio_error(21408, "Permission to send an SMS has not been enabled for the "
                            "region indicated by the 'To' number: %s." % to)
    if bare == "+15005550004":
        return twilio_error(21610, "Attempt to send to unsubscribed recipient")
    if bare == "+15005550009":
        return twilio_error(21614, "'To' number is not a valid mobile number")
    return None


def twilio_magic_from(frm):
    bare = strip_whatsapp(frm)
    if bare == "+15005550001":
        return twilio_error(21212, "The 'From' number %s is not a valid phone number, "
                            "shortcode, or alphanumeric sender ID." % frm)
    if bare == "+15005550007":
        return twilio_error(21606, "The 'From' phone number provided (%s) is not a valid "
                            "message-capable Twilio phone number for this destination." % frm)
    if bare == "+15005550008":
        return twilio_error(21611, "This 'From' number has exceeded the maximum number "
                            "of queued messages")
    return None


# Asynchronous outcomes, reported only through status callbacks.
TWILIO_ASYNC_ERRORS = {
    30003: "Unreachable destination handset",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
    63016: "Failed to send freeform message because you are outside the allowed window. "
           "If you are using WhatsApp, please use a Message Template.",
}


def twilio_status_plan(to, content_sid):
    """The statuses a message goes through after "queued": (status, ErrorCode)."""
    if to == "+15005550010":
        return [("sent", None), ("undelivered", 30003)]
    if to == "+15005550011":
        return [("failed", 30006)]
    if to == "+15005550012":
        return [("undelivered", 30005)]
    if to.startswith("whatsapp:+1500555003") and not content_sid:
        return [("failed", 63016)]      # free-form outside the 24 h window
    if to.startswith("whatsapp:"):
        return [("sent", None), ("delivered", None), ("read", None)]
    return [("sent", None), ("delivered", None)]


def twilio_create_message(req, account_sid):
    form = req["form"] or {}

    def one(name):
        v = form.get(name)
        return v[0] if v else None

    to, frm, body = one("To"), one("From"), one("Body")
    mss, content_sid, callback = one("MessagingServiceSid"), one("ContentSid"), one("StatusCallback")
    media = [u for u in form.get("MediaUrl", []) if u]

    # Validation, in the order Twilio reports it.
    if not to:
        raise twilio_error(21604, "A 'To' phone number is required.")
    if not frm and not mss:
        raise twilio_error(21603, "A 'From' phone number is required.")
    if not body and not media and not content_sid:
        raise twilio_error(21619, "A text message body or media urls must be specified.")
    if body and len(body) > 1600:
        raise twilio_error(21617, "The concatenated message body exceeds the 1600 character limit.")
    if not E164_RE.match(strip_whatsapp(to)):
        raise twilio_error(21211, "The 'To' number %s is not a valid phone number." % to)
    magic = twilio_magic_to(to, frm or "")
    if magic:
        raise magic
    if frm:
        bare = strip_whatsapp(frm)
        if not (E164_RE.match(bare) or (bare == frm and (SHORT_CODE_RE.match(frm)
                                                         or ALPHA_ID_RE.match(frm)))):
            raise twilio_error(21212, "The 'From' number %s is not a valid phone number, "
                               "shortcode, or alphanumeric sender ID." % frm)
        magic = twilio_magic_from(frm)
        if magic:
            raise magic

    now = STATE.now()
    sid = new_sid("SM")
    base = "/%s/Accounts/%s/Messages/%s" % (TWILIO_API, account_sid, sid)
    segments = 1 if (media or to.startswith("whatsapp:") or not body) else sms_segments(body)
    msg = {
        "account_sid": account_sid,
        "api_version": TWILIO_API,
        "body": body or "",
        "date_created": rfc2822(now),
        "date_sent": rfc2822(now),
        "date_updated": rfc2822(now),
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": frm,
        "num_media": str(len(media)),
        "num_segments": str(segments),
        "price": None,
        "price_unit": None,
        "messaging_service_sid": mss,
        "sid": sid,
        "status": "accepted" if mss else "queued",
        "subresource_uris": {"media": base + "/Media.json"},
        "to": to,
        "uri": base + ".json",
    }
    with STATE.lock:
        STATE.messages[sid] = msg
    snapshot = json.loads(json.dumps(msg))

    plan = twilio_status_plan(to, content_sid)
    if callback:
        STATE.begin_pending()       # counted before the 201 goes out

    def progress():
        try:
            twilio_progress(msg, plan, callback, mss)
        finally:
            if callback:
                STATE.end_pending()

    def after():
        threading.Thread(target=progress, daemon=True).start()

    return Reply(201, snapshot, {"Twilio-Request-Id": new_sid("RQ")}, after=after)


def twilio_progress(msg, plan, callback, mss):
    """Move msg through its statuses, in order, posting a signed form-encoded
    status callback for each one when StatusCallback was given."""
    o = STATE.opts
    frm = msg["from"] or "+15005550006"   # a Messaging Service picks a sender
    whatsapp = msg["to"].startswith("whatsapp:")
    for status, error in plan:
        time.sleep(o.callback_delay)
        now = STATE.now()
        with STATE.lock:
            msg["status"] = status
            msg["date_updated"] = rfc2822(now)
            if error:
                msg["error_code"] = error
                msg["error_message"] = TWILIO_ASYNC_ERRORS.get(error)
        if not callback:
            continue
        params = {
            "MessageSid": msg["sid"], "SmsSid": msg["sid"],
            "MessageStatus": status, "SmsStatus": status,
            "AccountSid": msg["account_sid"], "From": frm, "To": msg["to"],
            "ApiVersion": TWILIO_API,
        }
        if mss:
            params["MessagingServiceSid"] = mss
        if error:
            params["ErrorCode"] = str(error)
        if status in ("delivered", "undelivered") and not whatsapp:
            params["RawDlrDoneDate"] = raw_dlr_done_date(now)
        if whatsapp:
            params["ChannelPrefix"] = "whatsapp"
            params["ChannelInstallSid"] = "XE" + hashlib.md5(o.twilio_sid.encode()).hexdigest()
            params["EventType"] = status.upper()
            if error:
                params["ChannelStatusMessage"] = TWILIO_ASYNC_ERRORS.get(error, "")
        body = urllib.parse.urlencode(params).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": twilio_signature(o.twilio_token, callback, params),
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            "User-Agent": "TwilioProxy/1.1",
        }
        http_send("twilio-status", callback, body, headers)


def handle_twilio(req):
    path = req["path"]
    if not basic_auth_ok(req["headers"]):
        raise twilio_auth_error()
    m = TWILIO_MSG_RE.match(path)
    if m:
        if m.group(1) != STATE.opts.twilio_sid:
            raise twilio_auth_error()
        if req["method"] != "POST":
            raise twilio_error(20004, "Method not allowed", 405)
        return twilio_create_message(req, m.group(1))
    m = TWILIO_FETCH_RE.match(path)
    if m and req["method"] == "GET":
        if m.group(1) != STATE.opts.twilio_sid:
            raise twilio_auth_error()
        with STATE.lock:
            msg = STATE.messages.get(m.group(2))
            msg = json.loads(json.dumps(msg)) if msg else None
        if msg:
            return Reply(200, msg)
    raise twilio_error(20404, "The requested resource %s was not found" % path, 404)


# ---------------------------------------------------------------------------
# Twilio media (MediaUrl of inbound MMS): /media/<name>, Basic auth
# ---------------------------------------------------------------------------

def handle_media(req):
    name = req["path"][len("/media/"):]
    if not basic_auth_ok(req["headers"]):
        raise twilio_auth_error()
    if name.startswith("redirect/"):
        # Real media URLs answer with a redirect to a CDN that needs no auth.
        target = "http://127.0.0.1:%d/cdn/%s?Expires=%d&Signature=%s" % (
            STATE.port, name[len("redirect/"):], int(STATE.now()) + 300, secrets.token_hex(8))
        return Reply(307, b"", {"Location": target})
    return serve_named_media(name)


def serve_named_media(name):
    found = media_for_name(name) if name and "/" not in name else None
    if not found:
        raise twilio_error(20404, "The requested resource /media/%s was not found" % name, 404)
    ctype, data = found
    return Reply(200, data, {"Content-Type": ctype})


# ---------------------------------------------------------------------------
# WhatsApp Cloud API (reference section 5)
# ---------------------------------------------------------------------------

WA_SEND_RE = re.compile(r"^/(v[0-9]+\.[0-9]+)/([^/]+)/messages$")
WA_NODE_RE = re.compile(r"^/(v[0-9]+\.[0-9]+)/([^/]+)$")
WA_TO_RE = re.compile(r"^\+?[0-9]{5,15}$")
WA_MEDIA_TYPES = ("image", "document", "audio", "video", "sticker")
WA_OTHER_TYPES = ("interactive", "reaction", "location", "contacts")


def graph_error(status, code, message, type_="OAuthException", details=None, **extra):
    err = {"message": message, "type": type_, "code": code}
    if details is not None:
        err["error_data"] = {"messaging_product": "whatsapp", "details": details}
    err.update(extra)
    err["fbtrace_id"] = fbtrace_id()
    return Reply(status, {"error": err})


def wa_invalid(details):
    return graph_error(400, 100, "(#100) Invalid parameter", details=details)


def wa_unknown_object(method, obj):
    return graph_error(
        400, 100,
        "Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due "
        "to missing permissions, or does not support this operation. Please read the Graph "
        "API documentation at https://developers.facebook.com/docs/graph-api" % (method.lower(), obj),
        type_="GraphMethodException", error_subcode=33)


def bearer_ok(headers):
    value = headers.get("authorization", "")
    if not value.lower().startswith("bearer "):
        return False
    return hmac.compare_digest(value[7:].strip(), STATE.opts.wa_token)


def wa_auth_error():
    r = graph_error(401, 190, "Invalid OAuth access token.")
    r.headers["WWW-Authenticate"] = \
        'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token."'
    return r


def wa_payload(req):
    """The send request as a dict: a JSON body, or form fields whose values
    may themselves be JSON (Graph accepts both)."""
    if req["json"] is not None:
        return req["json"]
    if req["form"]:
        out = {}
        for k, v in req["form"].items():
            val = v[0]
            if val[:1] in "{[":
                try:
                    val = json.loads(val)
                except ValueError:
                    pass
            out[k] = val
        return out
    return None


def wa_validate(p):
    """Raise a 400/100 error for a malformed send body; return (to, type)."""
    if not isinstance(p, dict):
        raise wa_invalid("The request body must be a JSON object.")
    if p.get("messaging_product") != "whatsapp":
        raise wa_invalid("The parameter messaging_product is required and must be 'whatsapp'.")
    if p.get("recipient_type", "individual") != "individual":
        raise wa_invalid("Invalid recipient_type.")
    to = p.get("to")
    if not isinstance(to, str) or not WA_TO_RE.match(to):
        raise wa_invalid("The parameter to is required and must be a phone number.")
    mtype = p.get("type", "text")
    if mtype == "text":
        text = p.get("text")
        if not isinstance(text, dict) or not isinstance(text.get("body"), str) or not text["body"]:
            raise wa_invalid("The parameter text['body'] is required.")
        if len(text["body"]) > 4096:
            raise wa_invalid("Param text['body'] must be at most 4096 characters long.")
    elif mtype == "template":
        t = p.get("template")
        if not isinstance(t, dict) or not isinstance(t.get("name"), str) or not t["name"]:
            raise wa_invalid("The parameter template['name'] is required.")
        lang = t.get("language")
        if not isinstance(lang, dict) or not isinstance(lang.get("code"), str) or not lang["code"]:
            raise wa_invalid("The parameter template['language']['code'] is required.")
    elif mtype in WA_MEDIA_TYPES:
        m = p.get(mtype)
        if not isinstance(m, dict):
            raise wa_invalid("The parameter %s is required." % mtype)
        link, mid = m.get("link"), m.get("id")
        if bool(link) == bool(mid):
            raise wa_invalid("Exactly one of %s['link'] or %s['id'] is required." % (mtype, mtype))
        if link and not (isinstance(link, str) and re.match(r"^https?://", link)):
            raise wa_invalid("Param %s['link'] must be a valid URL." % mtype)
    elif mtype in WA_OTHER_TYPES:
        if not isinstance(p.get(mtype), (dict, list)):
            raise wa_invalid("The parameter %s is required." % mtype)
    else:
        raise wa_invalid("Param type must be one of {%s}." % ", ".join(
            ("text", "template") + WA_MEDIA_TYPES + WA_OTHER_TYPES))
    return to, mtype


def wa_window_open(wa_id, now):
    with STATE.lock:
        last = STATE.wa_inbound.get(wa_id)
    return last is not None and 0 <= now - last < WA_WINDOW


def wa_status_plan(wa_id):
    """Statuses after a successful send: (status, errors or None)."""
    if wa_id.startswith("1500555003"):
        return [("failed", [{"code": 131047, "title": "Re-engagement message",
                             "message": "Re-engagement message",
                             "error_data": {"details": "Message failed to send because more than 24 "
                                            "hours have passed since the customer last replied "
                                            "to this number."}}])]
    if wa_id.startswith("1500555002"):
        return [("failed", [{"code": 131026, "title": "Message undeliverable",
                             "message": "Message undeliverable",
                             "error_data": {"details": "Message Undeliverable."}}])]
    return [("sent", None), ("delivered", None), ("read", None)]


def wa_envelope(phone_id, value):
    o = STATE.opts
    value = dict({"messaging_product": "whatsapp",
                  "metadata": {"display_phone_number": o.wa_display_phone,
                               "phone_number_id": phone_id}}, **value)
    return {"object": "whatsapp_business_account",
            "entry": [{"id": o.wa_waba_id, "changes": [{"value": value, "field": "messages"}]}]}


def wa_post_webhook(kind, url, payload, signature=None):
    o = STATE.opts
    raw = json.dumps(payload, separators=(",", ":")).encode()   # ASCII, \u escapes
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "facebookexternalua",
        "X-Hub-Signature-256": signature or hub_signature_256(o.wa_app_secret, raw),
        "X-Hub-Signature": hub_signature_sha1(o.wa_app_secret, raw),
    }
    return http_send(kind, url, raw, headers)


def wa_progress(phone_id, wamid, wa_id, category, plan):
    o = STATE.opts
    conv_id = secrets.token_hex(16)
    for status, errors in plan:
        time.sleep(o.callback_delay)
        now = int(STATE.now())
        st = {"id": wamid, "status": status, "timestamp": str(now), "recipient_id": wa_id}
        if status in ("sent", "delivered"):
            st["conversation"] = {"id": conv_id, "origin": {"type": category}}
            if status == "sent":
                st["conversation"]["expiration_timestamp"] = str(now + WA_WINDOW)
            st["pricing"] = {"billable": True, "pricing_model": "CBP", "category": category}
        if errors:
            st["errors"] = errors
        wa_post_webhook("wa-status", o.wa_webhook, wa_envelope(phone_id, {"statuses": [st]}))


def wa_send(req, phone_id):
    o = STATE.opts
    if o.wa_phone_id and phone_id != o.wa_phone_id:
        raise wa_unknown_object("POST", phone_id)
    to, mtype = wa_validate(wa_payload(req))
    wa_id = to.lstrip("+")
    now = STATE.now()
    if mtype != "template" and not wa_window_open(wa_id, now):
        raise graph_error(
            400, 131047, "(#131047) Re-engagement message",
            details="Message failed to send because more than 24 hours have passed since "
                    "the customer last replied to this number.")
    wamid = new_wamid(wa_id)
    reply = {"messaging_product": "whatsapp",
             "contacts": [{"input": to, "wa_id": wa_id}],
             "messages": [{"id": wamid}]}
    after = None
    if o.wa_webhook:
        category = "utility" if mtype == "template" else "service"
        plan = wa_status_plan(wa_id)
        STATE.begin_pending()

        def progress():
            try:
                wa_progress(phone_id, wamid, wa_id, category, plan)
            finally:
                STATE.end_pending()

        def after():
            threading.Thread(target=progress, daemon=True).start()
    return Reply(200, reply, after=after)


def wa_media_info(media_id):
    name = WA_MEDIA.get(media_id)
    if not name:
        return None
    ctype, data = media_for_name(name)
    return ctype, data


def handle_wa(req):
    if not bearer_ok(req["headers"]):
        raise wa_auth_error()
    path, method = req["path"], req["method"]
    m = WA_SEND_RE.match(path)
    if m and method == "POST":
        return wa_send(req, m.group(2))
    m = WA_NODE_RE.match(path)
    if m and method == "GET":
        media_id = m.group(2)
        info = wa_media_info(media_id)
        if not info:
            raise wa_unknown_object("GET", media_id)
        ctype, data = info
        url = "http://127.0.0.1:%d/wa-media/%s?ext=%d&hash=%s" % (
            STATE.port, media_id, int(STATE.now()), hashlib.sha1(data).hexdigest()[:16])
        return Reply(200, {"url": url, "mime_type": ctype,
                           "sha256": hashlib.sha256(data).hexdigest(),
                           "file_size": len(data), "id": media_id,
                           "messaging_product": "whatsapp"})
    raise wa_unknown_object(method, path.rsplit("/", 1)[-1] if m else path)


def handle_wa_media_download(req):
    if not bearer_ok(req["headers"]):
        raise wa_auth_error()
    media_id = req["path"][len("/wa-media/"):]
    info = wa_media_info(media_id)
    if not info:
        raise graph_error(404, 100, "Media not found", type_="GraphMethodException")
    ctype, data = info
    return Reply(200, data, {"Content-Type": ctype})


# ---------------------------------------------------------------------------
# Control endpoints (/_ctl/...), never logged and never scripted
# ---------------------------------------------------------------------------

def ctl_json(req):
    if req["json"] is None and req["body"].strip():
        try:
            return json.loads(req["body"])
        except ValueError:
            raise Reply(400, {"error": "body is not JSON"})
    return req["json"] if req["json"] is not None else {}


def ctl_next(req):
    """POST /_ctl/next: queue scripted replies (one object or a list)."""
    spec = ctl_json(req)
    entries = spec if isinstance(spec, list) else [spec]
    cleaned = []
    for e in entries:
        if not isinstance(e, dict):
            raise Reply(400, {"error": "expected a JSON object"})
        try:
            c = {
                "count": int(e.get("count", 1)),
                "delay": float(e.get("delay", 0) or 0) + float(e.get("hang", 0) or 0),
                "drop": bool(e.get("drop", False)),
                "match": str(e.get("match") or ""),
                "reply": any(k in e for k in ("status", "body", "headers")),
                "status": int(e.get("status", 500)),
                "body": e.get("body"),
                "headers": {str(k): str(v) for k, v in (e.get("headers") or {}).items()},
            }
        except (TypeError, ValueError, AttributeError) as err:
            raise Reply(400, {"error": "bad scripted reply: %s" % err})
        if not 100 <= c["status"] <= 599 or c["count"] < 1:
            raise Reply(400, {"error": "status must be 100-599 and count >= 1"})
        cleaned.append(c)
    with STATE.lock:
        STATE.scripted.extend(cleaned)
        n = len(STATE.scripted)
    return Reply(200, {"queued": n})


def ctl_now(req):
    """POST /_ctl/now {"now": epoch|null} or {"advance": seconds}; GET reads it."""
    if req["method"] == "POST":
        spec = ctl_json(req)
        try:
            with STATE.lock:
                if "now" in spec:
                    STATE.now_override = None if spec["now"] is None else float(spec["now"])
                if "advance" in spec:
                    base = STATE.now_override if STATE.now_override is not None else time.time()
                    STATE.now_override = base + float(spec["advance"])
        except (TypeError, ValueError):
            raise Reply(400, {"error": "now/advance must be numbers"})
    return Reply(200, {"now": STATE.now(), "fixed": STATE.now_override is not None})


def ctl_wa_inbound(req):
    """POST /_ctl/wa-inbound {"wa_id", "timestamp"?, ...}: record an inbound
    message time (opens the 24 h window).  With "text" or "message", and a
    target ("url" or --wa-webhook), also deliver the signed inbound webhook."""
    o = STATE.opts
    spec = ctl_json(req)
    wa_id = str(spec.get("wa_id") or "").lstrip("+")
    if not wa_id.isdigit():
        raise Reply(400, {"error": "wa_id (digits) is required"})
    try:
        ts = float(spec["timestamp"]) if spec.get("timestamp") is not None else STATE.now()
    except (TypeError, ValueError):
        raise Reply(400, {"error": "timestamp must be a number"})
    with STATE.lock:
        STATE.wa_inbound[wa_id] = ts
    out = {"wa_id": wa_id, "timestamp": ts, "delivered": None}
    url = spec.get("url") or o.wa_webhook
    if url and ("text" in spec or "message" in spec):
        msg = dict(spec.get("message") or {})
        msg.setdefault("from", wa_id)
        msg.setdefault("id", spec.get("id") or new_wamid(o.wa_display_phone))
        msg.setdefault("timestamp", str(int(ts)))
        if "type" not in msg:
            msg["type"] = "text"
            msg["text"] = {"body": str(spec.get("text", ""))}
        value = {"contacts": [{"profile": {"name": spec.get("name", "Jean Dupont")},
                               "wa_id": wa_id}],
                 "messages": [msg]}
        phone_id = o.wa_phone_id or "123456789"
        sig = "sha256=" + "0" * 64 if spec.get("bad_signature") else None
        rec = wa_post_webhook("wa-inbound", url, wa_envelope(phone_id, value), sig)
        out["id"] = msg["id"]
        out["delivered"] = {k: rec.get(k) for k in ("status", "response", "error")}
    return Reply(200, out)


def ctl_twilio_inbound(req):
    """POST /_ctl/twilio-inbound {"url", "From", "To", "Body"?, "media"?: [names
    or URLs], "params"?: {...}, "sid"?, "method"?: "POST"|"GET",
    "bad_signature"?}: deliver a signed inbound message webhook (section 2)."""
    o = STATE.opts
    spec = ctl_json(req)
    url = spec.get("url")
    if not url:
        raise Reply(400, {"error": "url is required"})
    frm = spec.get("From", "+15557654321")
    to = spec.get("To", "+15550001111")
    body = spec.get("Body", "")
    media = spec.get("media") or []
    sid = spec.get("sid") or new_sid("MM" if media else "SM")
    params = {"MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid,
              "AccountSid": o.twilio_sid, "From": frm, "To": to, "Body": body,
              "NumMedia": str(len(media)),
              "NumSegments": str(sms_segments(body) if body else 1),
              "SmsStatus": "received", "ApiVersion": TWILIO_API}
    for i, m in enumerate(media):
        m = str(m)
        murl = m if "://" in m else "http://127.0.0.1:%d/media/%s" % (STATE.port, m)
        params["MediaUrl%d" % i] = murl
        found = media_for_name(murl.rsplit("/", 1)[-1])
        params["MediaContentType%d" % i] = found[0] if found else "image/jpeg"
    if frm.startswith("whatsapp:"):
        params["WaId"] = strip_whatsapp(frm).lstrip("+")
        params["ProfileName"] = spec.get("ProfileName", "Jean Dupont")
    for k, v in (spec.get("params") or {}).items():
        if v is None:
            params.pop(k, None)
        else:
            params[str(k)] = str(v)
    method = str(spec.get("method", "POST")).upper()
    encoded = urllib.parse.urlencode(params)
    if method == "GET":
        url = url + ("&" if "?" in url else "?") + encoded
        sig = twilio_signature(o.twilio_token, url, {})
        data = b""
    else:
        sig = twilio_signature(o.twilio_token, url, params)
        data = encoded.encode()
    if spec.get("bad_signature"):
        sig = base64.b64encode(b"\0" * 20).decode()
    headers = {"X-Twilio-Signature": sig, "User-Agent": "TwilioProxy/1.1",
               "I-Twilio-Idempotency-Token": str(uuid.uuid4())}
    if method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    rec = http_send("twilio-inbound", url, data, headers, method=method)
    return Reply(200, {"sid": sid, "params": params, "signature": sig,
                       "status": rec.get("status"), "response": rec.get("response"),
                       "error": rec.get("error")})


def ctl_idle(req):
    """GET /_ctl/idle?timeout=S: wait until no callback sequence is running."""
    try:
        timeout = float(req["query"].get("timeout", ["10"])[0])
    except ValueError:
        timeout = 10.0
    with STATE.lock:
        STATE.idle.wait_for(lambda: STATE.pending == 0, timeout)
        pending = STATE.pending
    return Reply(200 if pending == 0 else 504, {"pending": pending})


def ctl_state(req):
    with STATE.lock:
        return Reply(200, {"port": STATE.port, "pending": STATE.pending,
                           "scripted": list(STATE.scripted), "now": STATE.now_override,
                           "wa_inbound": dict(STATE.wa_inbound),
                           "messages": len(STATE.messages)})


def ctl_callbacks(req):
    with STATE.lock:
        lines = [json.dumps(r, ensure_ascii=False) + "\n" for r in STATE.outbound]
    return Reply(200, "".join(lines).encode(), {"Content-Type": "application/x-ndjson"})


def ctl_log(req):
    return Reply(200, STATE.read_log(), {"Content-Type": "application/x-ndjson"})


def ctl_reset(req):
    STATE.reset()
    return Reply(200, {"reset": True})


CONTROL = {
    ("POST", "/_ctl/next"): ctl_next,               # script next replies
    ("GET", "/_ctl/log"): ctl_log,                  # request log (JSON lines)
    ("POST", "/_ctl/reset"): ctl_reset,             # clear all test state
    ("GET", "/_ctl/now"): ctl_now,
    ("POST", "/_ctl/now"): ctl_now,                 # fix / advance the clock
    ("POST", "/_ctl/wa-inbound"): ctl_wa_inbound,   # open the 24 h window
    ("POST", "/_ctl/twilio-inbound"): ctl_twilio_inbound,
    ("GET", "/_ctl/callbacks"): ctl_callbacks,      # what we sent out (JSON lines)
    ("GET", "/_ctl/idle"): ctl_idle,                # wait for callbacks to finish
    ("GET", "/_ctl/state"): ctl_state,
}


def handle_control(req):
    fn = CONTROL.get((req["method"], req["path"]))
    if not fn:
        raise Reply(404, {"error": "unknown control endpoint %s %s" % (req["method"], req["path"])})
    return fn(req)


# ---------------------------------------------------------------------------
# Routing and scripted replies
# ---------------------------------------------------------------------------

def route(req):
    path = req["path"]
    if path.startswith("/2010-04-01/"):
        return handle_twilio(req)
    if path.startswith("/media/"):
        return handle_media(req)
    if path.startswith("/cdn/"):
        return serve_named_media(path[len("/cdn/"):])
    if path.startswith("/wa-media/"):
        return handle_wa_media_download(req)
    if re.match(r"^/v[0-9]+\.[0-9]+/", path):
        return handle_wa(req)
    if path == "/hook" or path.startswith("/hook/"):
        # Generic webhook receiver: just accept (and the request is logged).
        return Reply(200, b"ok\n", {"Content-Type": "text/plain"})
    raise Reply(404, b"not found\n", {"Content-Type": "text/plain"})


def scripted_reply(entry, path):
    """The Reply for a scripted entry.  Without a body, the body is the error
    shape of the provider the path belongs to."""
    status, body, headers = entry["status"], entry["body"], dict(entry["headers"])
    if body is None and status >= 400:
        if path.startswith("/2010-04-01/"):
            code = 20000 + status if status in (404, 429, 500, 503) else 20500
            msg = {404: "Not Found", 429: "Too Many Requests",
                   503: "Service Unavailable"}.get(status, "Internal Server Error")
            body = {"code": code, "message": msg,
                    "more_info": "https://www.twilio.com/docs/errors/%d" % code,
                    "status": status}
        elif re.match(r"^/v[0-9]+\.[0-9]+/", path):
            if status == 429:
                body = {"error": {"message": "(#130429) Rate limit hit", "type": "OAuthException",
                                  "code": 130429, "fbtrace_id": fbtrace_id()}}
            else:
                body = {"error": {"message": "An unknown error has occurred.",
                                  "type": "OAuthException", "code": 2 if status == 503 else 1,
                                  "is_transient": True, "fbtrace_id": fbtrace_id()}}
    if body is None:
        body = b""
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
        headers.setdefault("Content-Type", "application/json")
    if not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = ("application/json" if str(body).lstrip()[:1] in "{["
                                   else "text/plain")
    return Reply(status, body, headers)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"     # keep-alive, Expect: 100-continue
    server_version = "standin/1"
    timeout = 120                     # idle keep-alive connections

    def log_message(self, fmt, *args):
        if STATE.opts.verbose:
            sys.stderr.write("standin: " + (fmt % args) + "\n")

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"x", 16)
                if size == 0:
                    while self.rfile.readline(1024).strip():
                        pass       # trailers
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise OverflowError
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        n = int(self.headers.get("Content-Length") or 0)
        if n < 0:
            raise ValueError
        if n > MAX_BODY:
            raise OverflowError
        return self.rfile.read(n) if n else b""

    def parse(self):
        split = urllib.parse.urlsplit(self.path)
        headers = {}
        for k, v in self.headers.items():
            k = k.lower()
            headers[k] = headers[k] + ", " + v if k in headers else v
        raw = self.read_body()
        text = raw.decode("utf-8", "replace")
        ctype = headers.get("content-type", "").lower()
        form = jdoc = None
        if ctype.startswith("application/x-www-form-urlencoded"):
            form = urllib.parse.parse_qs(text, keep_blank_values=True)
        if "json" in ctype:
            try:
                jdoc = json.loads(text)
            except ValueError:
                jdoc = None
        return {"ts": time.time(), "method": self.command, "path": split.path,
                "query": urllib.parse.parse_qs(split.query, keep_blank_values=True),
                "headers": headers, "body": text, "form": form, "json": jdoc}

    def send(self, reply):
        self.send_response(reply.status)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)
        self.wfile.flush()

    def dispatch(self):
        try:
            req = self.parse()
        except OverflowError:
            self.close_connection = True
            return self.send(Reply(413, b"request body too large\n"))
        except (ValueError, OSError):
            self.close_connection = True
            return self.send(Reply(400, b"bad request body\n"))

        if req["path"].startswith("/_ctl/"):
            try:
                reply = handle_control(req)
            except Reply as r:
                reply = r
            return self.send(reply)

        STATE.log_request(req)
        entry = STATE.take_script(req["path"])
        if entry:
            if entry["drop"]:
                self.close_connection = True     # no answer at all
                return
            if entry["delay"] > 0:
                time.sleep(entry["delay"])
            if entry["reply"]:
                return self.send(scripted_reply(entry, req["path"]))
        try:
            reply = route(req)
        except Reply as r:
            reply = r
        self.send(reply)
        if reply.after:
            reply.after()

    def handle_any(self):
        try:
            self.dispatch()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            try:
                self.send(Reply(500, b"stand-in internal error\n"))
            except Exception:
                pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(description="Twilio / WhatsApp Cloud API loopback stand-in")
    p.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1 (0: any)")
    p.add_argument("--log", required=True, help="JSON-lines request log; FILE.ready marks readiness")
    p.add_argument("--twilio-sid", default="AC" + "a" * 32)
    p.add_argument("--twilio-token", default="twilio-test-token")
    p.add_argument("--wa-token", default="wa-test-token")
    p.add_argument("--wa-phone-id", default="", help="accept only this phone-number-id")
    p.add_argument("--wa-app-secret", default="wa-app-secret")
    p.add_argument("--wa-webhook", default="", help="URL for WhatsApp status/inbound webhooks")
    p.add_argument("--wa-waba-id", default="102290129340398")
    p.add_argument("--wa-display-phone", default="15550001111")
    p.add_argument("--callback-delay", type=float, default=0.1,
                   help="seconds before each status callback/webhook")
    p.add_argument("--verbose", action="store_true", help="log requests on stderr")
    return p.parse_args(argv)


def main(argv=None):
    global STATE
    opts = parse_args(argv)
    STATE = State(opts)
    ready = opts.log + ".ready"
    try:
        os.unlink(ready)
    except FileNotFoundError:
        pass

    server = Server(("127.0.0.1", opts.port), Handler)
    STATE.port = server.server_address[1]

    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    tmp = ready + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % STATE.port)
    os.replace(tmp, ready)
    print("ready %d" % STATE.port, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        try:
            os.unlink(ready)
        except FileNotFoundError:
            pass


if __name__ == "__main__":
    main()
