#!/usr/bin/env bats
# The transports, each against a loopback server: spool and command
# locally, twilio, whatsapp and webhook against t/lib/standin.py, smtp
# against a real aiosmtpd, kannel against a real bearerbox + smsbox +
# fakesmsc.  They are driven by t/lib/tdrive.c (one transport_send() per
# run), built here.  Every server listens on 127.0.0.1 on a free port, is
# started by its test and stopped in teardown by its pid.

# Each @test runs in its own subshell; setting BASE in one is meant.
# shellcheck disable=SC2030,SC2031

load helper
load data/servers

SID=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
TOKEN=twilio-test-token
WA_TOKEN=wa-test-token
WA_PHONE=123456789
ID=ab12cd34/1795337600.M1P1Q1R1.host
JEAN=+15557654321
PY=/usr/bin/python3

setup_file() {
	local cflags="-std=c11 -D_GNU_SOURCE -g -O2 -Wall -Wextra"
	grep -q fsanitize "$INBOX_BUILD/.flags" 2>/dev/null &&
	    cflags="$cflags -fsanitize=address,undefined"
	# shellcheck disable=SC2046,SC2086
	cc $cflags -I"$INBOX_SRC/lib" \
	    $(pkg-config --cflags libgit2 jansson yaml-0.1 libcurl) \
	    "$INBOX_SRC/t/lib/tdrive.c" "$INBOX_BUILD/libinbox.a" \
	    $(pkg-config --libs libgit2 jansson yaml-0.1 libcurl zlib) -lm \
	    -o "$BATS_FILE_TMPDIR/tdrive"
}

setup() {
	T=$BATS_TEST_TMPDIR
	: >"$T/pids"
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
	export no_proxy='*'
	new_store
	export INBOX_SECRET_TWILIO_TOKEN=$TOKEN
	export INBOX_SECRET_WHATSAPP_TOKEN=$WA_TOKEN
}

tdrive() {
	"$BATS_FILE_TMPDIR/tdrive" "$@"
}

listening() {
	(exec 5<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_ports N: N distinct free TCP ports on 127.0.0.1.
free_ports() {
	$PY -c 'import socket, sys
s = [socket.socket() for _ in range(int(sys.argv[1]))]
for x in s:
    x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))' "$1"
}

# spawn CMD...: start a server in the background, remember its pid.
spawn() {
	"$@" </dev/null >>"$T/server.out" 2>&1 3>&- &
	echo $! >>"$T/pids"
}

# The business part of inbox.yaml, then the channels from stdin.
channels() {
	{
		printf 'business:\n  name: Fieldco\n  phone: "+15005550006"\n'
		printf '  email: office@fieldco.example\n  locale: en_US\n'
		printf 'channels:\n'
		cat
	} >"$S/inbox.yaml"
}

start_standin() {
	spawn $PY "$INBOX_SRC/t/lib/standin.py" --port 0 \
	    --log "$T/standin.log" --twilio-sid "$SID" \
	    --twilio-token "$TOKEN" --wa-token "$WA_TOKEN" \
	    --wa-phone-id "$WA_PHONE"
	poll test -s "$T/standin.log.ready"
	read -r P <"$T/standin.log.ready"
	BASE=http://127.0.0.1:$P
}

# http METHOD URL [JSON]: print the answer's body; false unless it is 2xx.
http() {
	$PY -c 'import sys, urllib.request
data = sys.argv[3].encode() if len(sys.argv) > 3 else None
req = urllib.request.Request(sys.argv[2], data=data, method=sys.argv[1],
                             headers={"Content-Type": "application/json"})
try:
    sys.stdout.buffer.write(urllib.request.urlopen(req, timeout=10).read())
except Exception:
    sys.exit(1)' "$@"
}

ctl() {	# ctl METHOD PATH [JSON]: the stand-in's control API
	http "$1" "$BASE/_ctl/$2" ${3:+"$3"}
}

# req EXPR: a Python expression over r, the last request the stand-in
# logged (its JSON record), printed.
req() {
	ctl GET log | $PY -c 'import json, sys, urllib.parse
r = [json.loads(l) for l in sys.stdin if l.strip()][-1]
v = eval(sys.argv[1])
print(v if isinstance(v, str) else json.dumps(v))' "$1"
}

form() {	# the last request's form, one name=value a line, in order
	req '"\n".join("%s=%s" % kv for kv in urllib.parse.parse_qsl(r["body"], keep_blank_values=True))'
}

twilio_channel() {	# twilio_channel [EXTRA-KEY-LINES]
	channels <<-EOF
	  sms:
	    transport: twilio
	    account-sid: $SID
	    base-url: $BASE
	    timeout: 1
	$1
	  whatsapp:
	    transport: twilio
	    account-sid: $SID
	    base-url: $BASE
	EOF
}

@test "spool: the message file lands in tmp/outbox, atomically" {
	printf 'X-Inbox-Channel: sms\nTo: <%s>\n\nHello\n' "$JEAN" >"$T/raw"
	run tdrive -c sms -t "$JEAN" -T Hello -r "$T/raw"
	[ "$status" -eq 0 ]
	[ "$output" = "OK status=sent id=spool:1795337600.M1P1Q1R1.host.msg code= retry=0 flags=- text=" ]
	cmp "$T/raw" tmp/outbox/1795337600.M1P1Q1R1.host.msg
	[ "$(ls -A tmp/outbox)" = 1795337600.M1P1Q1R1.host.msg ]
}

@test "spool: channels.CH.spool names another directory" {
	channels <<-EOF
	  sms:
	    transport: spool
	    spool: $T/outgoing
	EOF
	run tdrive -c sms -t "$JEAN" -T Hi -i c0ffee00/1.M2P2Q2R2.h
	[ "$status" -eq 0 ]
	[ "$output" = "OK status=sent id=spool:1.M2P2Q2R2.h.msg code= retry=0 flags=- text=" ]
	grep -qx Hi "$T/outgoing/1.M2P2Q2R2.h.msg"
	run tdrive -c sms -t "$JEAN" -T Hi -i 'c0ffee00/..'
	[ "$status" -eq 2 ]
	[ "$output" = "tdrive: spool: bad message id 'c0ffee00/..'" ]
}

@test "command: exit 0 is sent; the message on stdin, its environment" {
	channels <<-EOF
	  sms:
	    transport: command
	    command: cat >"$T/got"; env | grep '^INBOX_' | sort >"$T/env"; pwd >"$T/pwd"; echo prov-42; echo more
	EOF
	printf 'To: <%s>\n\nHello\n' "$JEAN" >"$T/raw"
	run tdrive -c sms -t "$JEAN" -r "$T/raw"
	[ "$status" -eq 0 ]
	[ "$output" = "OK status=sent id=prov-42 code= retry=0 flags=- text=" ]
	cmp "$T/raw" "$T/got"
	[ "$(cat "$T/pwd")" = "$S" ]
	grep -qx "INBOX_TO=$JEAN" "$T/env"
	grep -qx "INBOX_CHANNEL=sms" "$T/env"
	grep -qx "INBOX_MESSAGE=$ID" "$T/env"
	grep -qx "INBOX_DIR=$S" "$T/env"
}

@test "command: silent success, 75 retry, other exits fail with stderr's last line" {
	channels <<-'EOF'
	  sms:
	    transport: command
	    command: cat >/dev/null; case $INBOX_TO in *1) exit 0;; *2) echo busy >&2; exit 75;; *3) printf 'warming up\nno route to +15557654323\n' >&2; exit 3;; *4) kill -9 $$;; esac
	EOF
	run tdrive -c sms -t +15557654321
	[ "$output" = "OK status=sent id=command code= retry=0 flags=- text=" ]
	run tdrive -c sms -t +15557654322
	[ "$output" = "TEMP status=queued id= code=75 retry=0 flags=- text=busy" ]
	run tdrive -c sms -t +15557654323
	[ "$output" = "PERM status=failed id= code=3 retry=0 flags=- text=no route to +15557654323" ]
	run tdrive -c sms -t +15557654324
	[ "$output" = "TEMP status=queued id= code=signal 9 retry=0 flags=- text=command: killed by signal 9" ]
}

@test "command: past channels.CH.timeout it is killed, with its children" {
	channels <<-EOF
	  sms:
	    transport: command
	    timeout: 1
	    command: sleep 30 & echo \$! >"$T/child"; wait
	EOF
	t0=$(date +%s)
	run tdrive -c sms -t "$JEAN" -T Hi
	[ "$output" = "TEMP status=queued id= code=timeout retry=0 flags=- text=command: killed after 1s" ]
	[ $(($(date +%s) - t0)) -lt 10 ]
	poll gone "$(cat "$T/child")"
}

@test "command: no command configured is a set-up error" {
	channels <<-EOF
	  sms:
	    transport: command
	EOF
	run tdrive -c sms -t "$JEAN" -T Hi
	[ "$status" -eq 2 ]
	[ "$output" = "tdrive: command: no command (channels.sms.command in inbox.yaml)" ]
}

@test "twilio: the request form, Basic auth, and a 201 recorded as sent" {
	start_standin
	twilio_channel "    status-callback: https://hooks.fieldco.example/recv"
	run tdrive -c sms -t "$JEAN" -T 'Tech arrives at 10:00 & brings the part' \
	    -A https://cdn.fieldco.example/p/boiler.jpg,image/jpeg \
	    -A 'https://cdn.fieldco.example/p/quote.pdf?x=1'
	[ "$status" -eq 0 ]
	[[ $output =~ ^OK\ status=sent\ id=SM[0-9a-f]{32}\ code=\ retry=0\ flags=-\ text=$ ]]
	[ "$(req 'r["method"] + " " + r["path"]')" = "POST /2010-04-01/Accounts/$SID/Messages.json" ]
	[ "$(req 'r["headers"]["authorization"]')" = "Basic $(printf '%s:%s' "$SID" "$TOKEN" | base64 -w0)" ]
	[ "$(req 'r["headers"]["content-type"]')" = application/x-www-form-urlencoded ]
	cat >"$T/want" <<-EOF
	To=$JEAN
	From=+15005550006
	Body=Tech arrives at 10:00 & brings the part
	MediaUrl=https://cdn.fieldco.example/p/boiler.jpg
	MediaUrl=https://cdn.fieldco.example/p/quote.pdf?x=1
	StatusCallback=https://hooks.fieldco.example/recv?format=twilio
	EOF
	form >"$T/got"
	diff -u "$T/want" "$T/got"
}

@test "twilio: a messaging service instead of From" {
	start_standin
	twilio_channel "    messaging-service-sid: MG0123456789abcdef0123456789abcdef"
	run tdrive -c sms -t "$JEAN" -T Hi
	[[ $output == "OK status=sent id=SM"* ]]
	[ "$(form)" = "To=$JEAN
MessagingServiceSid=MG0123456789abcdef0123456789abcdef
Body=Hi" ]
}

@test "twilio: a wrong token is 20003, permanent, and says what to check" {
	start_standin
	twilio_channel
	INBOX_SECRET_TWILIO_TOKEN=wrong run tdrive -c sms -t "$JEAN" -T Hi
	[ "$status" -eq 0 ]
	[ "$output" = "PERM status=failed id= code=20003 retry=0 flags=- text=twilio: Authenticate (check account-sid and secret twilio-token)" ]
}

@test "twilio: magic numbers 21211 21610 21614 21408 map to flags" {
	start_standin
	twilio_channel
	run tdrive -c sms -t +15005550001 -T Hi
	[ "$output" = "PERM status=failed id= code=21211 retry=0 flags=unreachable text=twilio: The 'To' number +15005550001 is not a valid phone number." ]
	run tdrive -c sms -t +15005550004 -T Hi
	[ "$output" = "PERM status=failed id= code=21610 retry=0 flags=optout text=twilio: Attempt to send to unsubscribed recipient" ]
	run tdrive -c sms -t +15005550009 -T Hi
	[ "$output" = "PERM status=failed id= code=21614 retry=0 flags=unreachable text=twilio: 'To' number is not a valid mobile number" ]
	run tdrive -c sms -t +15005550003 -T Hi
	[[ $output == "PERM status=failed id= code=21408 retry=0 flags=- text=twilio: Permission to send an SMS has not been enabled"* ]]
}

@test "twilio: 500 and 429 with Retry-After are temporary" {
	start_standin
	twilio_channel
	ctl POST next '{"status": 500}'
	run tdrive -c sms -t "$JEAN" -T Hi
	[ "$output" = "TEMP status=queued id= code=20500 retry=0 flags=- text=twilio: Internal Server Error" ]
	ctl POST next '{"status": 429, "headers": {"Retry-After": "7"}}'
	run tdrive -c sms -t "$JEAN" -T Hi
	[ "$output" = "TEMP status=queued id= code=20429 retry=7 flags=- text=twilio: Too Many Requests" ]
	# the next one goes through
	run tdrive -c sms -t "$JEAN" -T Hi
	[[ $output == "OK status=sent id=SM"* ]]
}

@test "twilio: a dropped connection and a hang past the timeout are temporary" {
	start_standin
	twilio_channel
	ctl POST next '{"drop": true}'
	run tdrive -c sms -t "$JEAN" -T Hi
	[ "$output" = "TEMP status=queued id= code=network retry=0 flags=- text=twilio: Empty reply from server" ]
	ctl POST next '{"hang": 5}'
	t0=$(date +%s)
	run tdrive -c sms -t "$JEAN" -T Hi
	[ "$output" = "TEMP status=queued id= code=timeout retry=0 flags=- text=twilio: timed out after 1s" ]
	[ $(($(date +%s) - t0)) -lt 5 ]
}

@test "twilio: nothing listening is temporary" {
	read -r port <<<"$(free_ports 1)"
	BASE=http://127.0.0.1:$port
	twilio_channel
	run tdrive -c sms -t "$JEAN" -T Hi
	[[ $output == "TEMP status=queued id= code=network retry=0 flags=- text=twilio: Failed to connect to 127.0.0.1 port $port"* ]]
}

@test "twilio: whatsapp addresses, and a template as ContentSid" {
	start_standin
	twilio_channel
	run tdrive -c whatsapp -t "$JEAN" -T 'On our way'
	[[ $output == "OK status=sent id=SM"* ]]
	[ "$(form)" = "To=whatsapp:$JEAN
From=whatsapp:+15005550006
Body=On our way" ]
	run tdrive -c whatsapp -t "$JEAN" -n HX0123456789abcdef0123456789abcdef \
	    -p 'Tue 10:00' -p 'Ana "the tech"'
	[[ $output == "OK status=sent id=SM"* ]]
	[ "$(form)" = "To=whatsapp:$JEAN
From=whatsapp:+15005550006
ContentSid=HX0123456789abcdef0123456789abcdef
ContentVariables={\"1\":\"Tue 10:00\",\"2\":\"Ana \\\"the tech\\\"\"}" ]
}

@test "twilio: missing account-sid or token is a set-up error that names it" {
	channels <<-EOF
	  sms:
	    transport: twilio
	EOF
	run tdrive -c sms -t "$JEAN" -T Hi
	[ "$status" -eq 2 ]
	[ "$output" = "tdrive: twilio: no account-sid (channels.sms.account-sid in inbox.yaml)" ]
	BASE=http://127.0.0.1:9
	twilio_channel
	unset INBOX_SECRET_TWILIO_TOKEN
	run tdrive -c sms -t "$JEAN" -T Hi
	[ "$status" -eq 2 ]
	[ "$output" = "tdrive: twilio: secret twilio-token is not set (secrets/twilio-token or \$INBOX_SECRET_TWILIO_TOKEN)" ]
}

wa_channel() {
	channels <<-EOF
	  whatsapp:
	    transport: whatsapp
	    phone-number-id: $WA_PHONE
	    base-url: $BASE
	    version: v19.0
	EOF
}

@test "whatsapp: text inside the window, the exact JSON, Bearer auth" {
	start_standin
	wa_channel
	ctl POST wa-inbound '{"wa_id": "15557654321"}' >/dev/null
	run tdrive -c whatsapp -t "$JEAN" -T 'On our way' -R wamid.IN1
	[ "$status" -eq 0 ]
	[[ $output =~ ^OK\ status=sent\ id=wamid\.[A-Za-z0-9+/=]+\ code=\ retry=0\ flags=-\ text=$ ]]
	[ "$(req 'r["path"]')" = "/v19.0/$WA_PHONE/messages" ]
	[ "$(req 'r["headers"]["authorization"]')" = "Bearer $WA_TOKEN" ]
	[ "$(req 'r["body"]')" = '{"messaging_product":"whatsapp","recipient_type":"individual","to":"15557654321","context":{"message_id":"wamid.IN1"},"type":"text","text":{"preview_url":false,"body":"On our way"}}' ]
}

@test "whatsapp: outside the window 131047 is window_closed; a template goes" {
	start_standin
	wa_channel
	run tdrive -c whatsapp -t "$JEAN" -T 'On our way'
	[ "$output" = "PERM status=failed id= code=131047 retry=0 flags=window text=whatsapp: (#131047) Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number." ]
	run tdrive -c whatsapp -t "$JEAN" -n visit_reminder -p 10:00
	[[ $output == "OK status=sent id=wamid."* ]]
	[ "$(req 'r["body"]')" = '{"messaging_product":"whatsapp","recipient_type":"individual","to":"15557654321","type":"template","template":{"name":"visit_reminder","language":{"code":"en_US"},"components":[{"type":"body","parameters":[{"type":"text","text":"10:00"}]}]}}' ]
}

@test "whatsapp: an image with the text as caption, then a document" {
	start_standin
	wa_channel
	ctl POST wa-inbound '{"wa_id": "15557654321"}' >/dev/null
	run tdrive -c whatsapp -t "$JEAN" -T 'Your boiler' \
	    -A https://cdn.fieldco.example/b.jpg,image/jpeg \
	    -A https://cdn.fieldco.example/q.pdf,application/pdf,quote.pdf
	[[ $output == "OK status=sent id=wamid."* ]]
	ctl GET log | $PY -c 'import json, sys
for l in sys.stdin:
    print(json.loads(l)["body"])' >"$T/got"
	cat >"$T/want" <<-'EOF'
	{"messaging_product":"whatsapp","recipient_type":"individual","to":"15557654321","type":"image","image":{"link":"https://cdn.fieldco.example/b.jpg","caption":"Your boiler"}}
	{"messaging_product":"whatsapp","recipient_type":"individual","to":"15557654321","type":"document","document":{"link":"https://cdn.fieldco.example/q.pdf","filename":"quote.pdf"}}
	EOF
	diff -u "$T/want" "$T/got"
}

@test "whatsapp: a wrong token is 190, permanent; 429 is temporary" {
	start_standin
	wa_channel
	INBOX_SECRET_WHATSAPP_TOKEN=wrong run tdrive -c whatsapp -t "$JEAN" -n visit_reminder
	[ "$output" = "PERM status=failed id= code=190 retry=0 flags=- text=whatsapp: Invalid OAuth access token. (check secret whatsapp-token)" ]
	ctl POST next '{"status": 429, "headers": {"Retry-After": "30"}}'
	run tdrive -c whatsapp -t "$JEAN" -n visit_reminder
	[ "$output" = "TEMP status=queued id= code=130429 retry=30 flags=- text=whatsapp: (#130429) Rate limit hit" ]
}

@test "webhook: signed JSON with Idempotency-Key; the answer's id is kept" {
	start_standin
	channels <<-EOF
	  portal:
	    transport: webhook
	    url: $BASE/hook/out
	EOF
	export INBOX_SECRET_WEBHOOK_SECRET=s3cret
	run tdrive -c portal -t "$JEAN" -f portal:fieldco -T 'Your visit: Tue 10:00 ✓' \
	    -y confirmation -a office -A https://portal.example/f/1.pdf,application/pdf,quote.pdf
	[ "$status" -eq 0 ]
	[ "$output" = "OK status=sent id=$ID code= retry=0 flags=- text=" ]
	[ "$(req 'r["path"]')" = /hook/out ]
	[ "$(req 'r["headers"]["content-type"]')" = application/json ]
	[ "$(req 'r["headers"]["idempotency-key"]')" = "$ID" ]
	ts=$(req 'r["headers"]["x-inbox-timestamp"]')
	[ "$ts" = "$INBOX_NOW" ]
	body=$(req 'r["body"]')
	[ "$body" = '{"id":"'"$ID"'","channel":"portal","to":"+15557654321","from":"portal:fieldco","text":"Your visit: Tue 10:00 ✓","type":"confirmation","author":"office","attachments":[{"name":"quote.pdf","type":"application/pdf","url":"https://portal.example/f/1.pdf"}]}' ]
	mac=$($PY -c 'import hashlib, hmac, sys
print(hmac.new(b"s3cret", sys.argv[1].encode(), hashlib.sha256).hexdigest())' "$ts.$body")
	[ "$(req 'r["headers"]["x-inbox-signature"]')" = "sha256=$mac" ]
	ctl POST next '{"status": 201, "body": {"id": "hook-7"}}'
	run tdrive -c portal -t "$JEAN" -T Hi
	[ "$output" = "OK status=sent id=hook-7 code= retry=0 flags=- text=" ]
}

@test "webhook: unsigned without a secret; 503 and 408 retry, 400 fails" {
	start_standin
	channels <<-EOF
	  portal:
	    transport: webhook
	    url: $BASE/hook
	EOF
	run tdrive -c portal -t "$JEAN" -T Hi
	[ "$output" = "OK status=sent id=$ID code= retry=0 flags=- text=" ]
	[ "$(req '"x-inbox-signature" in r["headers"]')" = false ]
	ctl POST next '{"status": 503, "body": "down for maintenance\n", "headers": {"Retry-After": "120"}}'
	run tdrive -c portal -t "$JEAN" -T Hi
	[ "$output" = "TEMP status=queued id= code=503 retry=120 flags=- text=webhook: HTTP 503: down for maintenance" ]
	ctl POST next '{"status": 408, "body": ""}'
	run tdrive -c portal -t "$JEAN" -T Hi
	[ "$output" = "TEMP status=queued id= code=408 retry=0 flags=- text=webhook: HTTP 408" ]
	ctl POST next '{"status": 400, "body": "unknown customer"}'
	run tdrive -c portal -t "$JEAN" -T Hi
	[ "$output" = "PERM status=failed id= code=400 retry=0 flags=- text=webhook: HTTP 400: unknown customer" ]
}

# start_smtpd [HANDLER ARGS...]: aiosmtpd on a free port ($SP)
start_smtpd() {
	read -r SP <<<"$(free_ports 1)"
	PYTHONPATH="$INBOX_SRC/t/lib" PYTHONDONTWRITEBYTECODE=1 spawn $PY -m aiosmtpd -n \
	    -l "127.0.0.1:$SP" -c "$@"
	poll listening "$SP"
	channels <<-EOF
	  email:
	    transport: smtp
	    url: smtp://127.0.0.1:$SP/fieldco.example
	    from: Fieldco Dispatch <dispatch@fieldco.example>
	    timeout: 5
	EOF
}

@test "smtp: aiosmtpd gets the message without X-Inbox-* and Bcc" {
	$PY -c 'import aiosmtpd' 2>/dev/null || skip "needs python3-aiosmtpd"
	mkdir -p "$T/mail/cur" "$T/mail/new" "$T/mail/tmp"
	start_smtpd aiosmtpd.handlers.Mailbox "$T/mail"
	printf '%%PDF-1.4\n%% a quote\n' >"$T/quote.pdf"
	run tdrive -c email -t 'Jean Dupont <jean@example.org>' -f office@fieldco.example \
	    -s 'Your quote' -T $'Please find the quote attached.\n.\n..dots' \
	    -P "$T/quote.pdf"
	[ "$status" -eq 0 ]
	[ "$output" = "OK status=sent id=<tdrive.1@fieldco.example> code= retry=0 flags=- text=" ]
	set -- "$T"/mail/new/*
	[ $# -eq 1 ]
	$PY - "$1" >"$T/got" <<-'EOF'
	import email, sys
	raw = open(sys.argv[1], "rb").read()
	m = email.message_from_bytes(raw)
	for k, v in m.items():
	    if k != "X-Peer":
	        print("%s: %s" % (k, v))
	for p in m.walk():
	    if not p.is_multipart():
	        print("--", p.get_content_type(), p.get_filename(),
	              p.get_payload(decode=True))
	EOF
	cat >"$T/want" <<-'EOF'
	Date: Sun, 22 Nov 2026 08:53:20 +0000
	From: office@fieldco.example
	To: Jean Dupont <jean@example.org>
	Subject: Your quote
	Message-ID: <tdrive.1@fieldco.example>
	MIME-Version: 1.0
	Content-Type: multipart/mixed; boundary="=_inbox_tdrive"
	X-MailFrom: dispatch@fieldco.example
	X-RcptTo: jean@example.org
	-- text/plain None b'Please find the quote attached.\n.\n..dots'
	-- application/pdf quote.pdf b'%PDF-1.4\n% a quote\n'
	EOF
	diff -u "$T/want" "$T/got"
	[ "$(grep -ci '^x-inbox-\|^bcc:\|archive@' "$1")" -eq 0 ]
	# starttls: true never falls back to a clear-text session
	printf '    starttls: true\n' >>inbox.yaml
	run tdrive -c email -t jean@example.org -s Hi -T Hi
	[[ $output == "TEMP status=queued id= code=network retry=0 flags=- text=smtp: STARTTLS "* ]]
	[ "$(find "$T/mail/new" -type f | wc -l)" -eq 1 ]
}

@test "smtp: 550 at RCPT is permanent, 451 at DATA temporary, no server temporary" {
	$PY -c 'import aiosmtpd' 2>/dev/null || skip "needs python3-aiosmtpd"
	start_smtpd smtpd_fail.Handler
	run tdrive -c email -t nobody@example.org -s Hi -T Hi
	[ "$output" = "PERM status=failed id= code=550 retry=0 flags=- text=smtp: 550 5.1.1 no such user" ]
	run tdrive -c email -t jean@example.org -s Hi -T Hi
	[ "$output" = "TEMP status=queued id= code=451 retry=0 flags=- text=smtp: 451 4.3.0 try later" ]
	read -r port <<<"$(free_ports 1)"
	sed -i "s/:$SP\//:$port\//" inbox.yaml
	run tdrive -c email -t jean@example.org -s Hi -T Hi
	[[ $output == "TEMP status=queued id= code=network retry=0 flags=- text=smtp: Failed to connect to 127.0.0.1 port $port"* ]]
}

@test "smtp: no url, or a user without smtp-password, is a set-up error" {
	channels <<-EOF
	  email:
	    transport: smtp
	EOF
	run tdrive -c email -t jean@example.org -T Hi
	[ "$status" -eq 2 ]
	[ "$output" = "tdrive: smtp: no url (channels.email.url in inbox.yaml)" ]
	channels <<-EOF
	  email:
	    transport: smtp
	    url: smtps://127.0.0.1:9/fieldco.example
	    user: dispatch
	EOF
	run tdrive -c email -t jean@example.org -T Hi
	[ "$status" -eq 2 ]
	[ "$output" = "tdrive: smtp: secret smtp-password is not set (secrets/smtp-password or \$INBOX_SECRET_SMTP_PASSWORD)" ]
}

smsc_online() {	# smsc_online STATUS-URL: fakesmsc is connected
	http GET "$1" | grep -q 'fake1.*online'
}

lines_at_least() {	# lines_at_least N FILE
	[ "$(wc -l <"$2")" -ge "$1" ]
}

# start_kannel: bearerbox, fakesmsc and smsbox from Debian's kannel on free
# ports; $K is their directory, $KS the sendsms port.
start_kannel() {
	if ! [ -x /usr/sbin/bearerbox ] || ! [ -x /usr/sbin/smsbox ] ||
	    ! [ -x /usr/lib/kannel/test/fakesmsc ]; then
		skip "needs kannel and kannel-extras"
	fi
	K=$T/kannel
	mkdir -p "$K"
	read -r ka kb kc KS <<<"$(free_ports 4)"
	sed -e "s|@DIR@|$K|g" -e "s/@ADMIN@/$ka/" -e "s/@BOX@/$kb/" \
	    -e "s/@SMSC@/$kc/" -e "s/@SENDSMS@/$KS/" \
	    "$INBOX_SRC/t/lib/kannel.conf.in" >"$K/kannel.conf"
	spawn /usr/sbin/bearerbox -v 1 "$K/kannel.conf"
	status_url="http://127.0.0.1:$ka/status.txt?password=adm"
	poll http GET "$status_url" >/dev/null
	# fakesmsc reads messages to send from stdin: give it a FIFO that
	# never ends (it holds the write side itself)
	mkfifo "$K/fs.in"
	/usr/lib/kannel/test/fakesmsc -H 127.0.0.1 -r "$kc" \
	    <>"$K/fs.in" >"$K/fakesmsc.out" 2>&1 3>&- &
	echo $! >>"$T/pids"
	poll smsc_online "$status_url"
	spawn /usr/sbin/smsbox -v 1 "$K/kannel.conf"
	poll listening "$KS"
}

@test "kannel: through bearerbox to fakesmsc, with both delivery reports" {
	start_kannel
	spawn $PY "$INBOX_SRC/t/lib/httplog.py" "$T/dlr.log"
	poll test -s "$T/dlr.log.ready"
	read -r dp <"$T/dlr.log.ready"
	channels <<-EOF
	  sms:
	    transport: kannel
	    url: http://127.0.0.1:$KS
	    username: tester
	    dlr-url: http://127.0.0.1:$dp/dlr
	EOF
	export INBOX_SECRET_KANNEL_PASSWORD=foobar
	run tdrive -c sms -t "$JEAN" -T 'Tech arrives at 10 (André)'
	[ "$status" -eq 0 ]
	[ "$output" = "OK status=sent id=$ID code= retry=0 flags=- text=" ]
	poll grep -q 'Got message 1:' "$K/fakesmsc.out"
	grep -q "Got message 1: <+15005550006 $JEAN text Tech arrives at 10 (André)>" "$K/fakesmsc.out"
	# DLR 8 (SMSC ack) and 1 (delivered), in whichever order they come
	poll lines_at_least 2 "$T/dlr.log"
	$PY -c 'import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    a = r["args"]
    print(r["method"], r["path"], a["format"][0], a["type"][0], a["msg"][0],
          a["status"][0], a["answer"][0])' "$T/dlr.log" | sort >"$T/got"
	cat >"$T/want" <<-EOF
	GET /dlr kannel dlr $ID 1 
	GET /dlr kannel dlr $ID 8 ACK/
	EOF
	diff -u "$T/want" "$T/got"
	# not GSM-7: UCS-2
	run tdrive -c sms -t "$JEAN" -T 'Tech ✓' -i ab12cd34/2.M1P1Q1R1.host
	[ "$output" = "OK status=sent id=ab12cd34/2.M1P1Q1R1.host code= retry=0 flags=- text=" ]
	poll grep -q 'Got message 2:' "$K/fakesmsc.out"
	grep -qF "Got message 2: <+15005550006 $JEAN ucs-2 %00T%00e%00c%00h%00+'%13>" "$K/fakesmsc.out"
}

@test "kannel: a wrong password is refused for good" {
	start_kannel
	channels <<-EOF
	  sms:
	    transport: kannel
	    url: http://127.0.0.1:$KS
	    username: tester
	EOF
	INBOX_SECRET_KANNEL_PASSWORD=nope run tdrive -c sms -t "$JEAN" -T Hi
	[ "$output" = "PERM status=failed id= code=403 retry=0 flags=- text=kannel: HTTP 403: Authorization failed for sendsms" ]
}

@test "http_get: media with Basic auth, through a redirect, within a limit" {
	start_standin
	sum() {
		PYTHONDONTWRITEBYTECODE=1 $PY -c 'import hashlib, sys
sys.path.insert(0, sys.argv[1])
import standin
t, data = standin.media_for_name(sys.argv[2])
print("type=%s bytes=%d sha1=%s" % (t, len(data), hashlib.sha1(data).hexdigest()))' \
		    "$INBOX_SRC/t/lib" "$1"
	}
	run tdrive -g "$BASE/media/photo.jpg" -U "$SID:$TOKEN"
	[ "$status" -eq 0 ]
	[ "$output" = "$(sum photo.jpg)" ]
	run tdrive -g "$BASE/media/redirect/plan.pdf" -U "$SID:$TOKEN"
	[ "$status" -eq 0 ]
	[ "$output" = "$(sum plan.pdf)" ]
	[ "$(req 'r["path"]')" = /cdn/plan.pdf ]
	run tdrive -g "$BASE/media/big.jpg" -U "$SID:$TOKEN" -m 5242880
	[ "$status" -eq 65 ]
	[ "$output" = "tdrive: larger than 5242880 bytes" ]
	run tdrive -g "$BASE/media/photo.jpg"
	[ "$status" -eq 2 ]
	[ "$output" = "tdrive: HTTP status 401" ]
	ctl POST next '{"status": 503}' >/dev/null
	run tdrive -g "$BASE/media/photo.jpg" -U "$SID:$TOKEN"
	[ "$status" -eq 75 ]
	[ "$output" = "tdrive: HTTP status 503" ]
}
