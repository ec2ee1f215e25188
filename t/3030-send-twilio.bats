#!/usr/bin/env bats
# inbox-send through Twilio (the stand-in, t/lib/standin.py): the request
# it makes, the signed status callbacks the stand-in sends back fed to
# inbox-recv (queued -> sent -> delivered, never backwards), and what
# Twilio's errors mean: 21211 a bad number, 21610 opted out, 21614 not a
# mobile, 20429 and 5xx try again; 30003 and 30006 arrive later.

load helper
load data/outbound
load data/servers
bats_require_minimum_version 1.5.0

JEAN=+15557654321
CJ=62c4ade7e979		# conversation of contact jean
SID=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
TOKEN=twilio-test-token
PY=/usr/bin/python3

setup() {
	T=$BATS_TEST_TMPDIR
	: >"$T/pids"
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
	export no_proxy='*'
	new_store
	no_autoreply
	customer jean "Jean Dupont" $JEAN
	start_standin --callback-delay 0
	config
	export INBOX_SECRET_TWILIO_TOKEN=$TOKEN
}

# The message requests the stand-in had: PYTHON-EXPR over r (the logged
# request) for each, one a line.
posts() {
	ctl GET log | "$PY" -c 'import json, sys, urllib.parse
for l in sys.stdin:
    r = json.loads(l)
    if r["path"].endswith("/Messages.json"):
        v = eval(sys.argv[1])
        print(v if isinstance(v, str) else json.dumps(v))' "$1"
}

# The status callbacks the stand-in sent (to its own /hook, which takes
# anything), once it is idle: URL TAB SIGNATURE TAB FORM-BODY a line.
callbacks() {
	ctl GET 'idle?timeout=10' >/dev/null
	ctl GET callbacks | "$PY" -c 'import json, sys
for l in sys.stdin:
    r = json.loads(l)
    print("%s\t%s\t%s" % (r["url"], r["headers"]["X-Twilio-Signature"], r["body"]))'
}

# The channel: Twilio, status callbacks to the stand-in's /hook/status.
config() {
	cat >inbox.yaml <<-EOF
	business:
	  name: Fieldco
	  phone: "+15005550006"
	  email: office@fieldco.example
	  domain: fieldco.example
	  country: US
	channels:
	  sms:
	    transport: twilio
	    account-sid: $SID
	    base-url: $BASE
	    status-callback: $BASE/hook/status
	    timeout: 5
	  email:
	    transport: spool
	EOF
	git_commit "test: twilio"
}

msgfile() {
	ls conv/"${1:0:2}"/"${1%%/*}"/*/"${1#*/}"*
}

hdr() {	# hdr ID FIELD: the value of a header field of a message
	sed -n "/^\$/q; s/^$2: //p" "$(msgfile "$1")"
}

# recv URL SIGNATURE FORM: a signed callback, as the web server passes it
recv() {
	printf '%s' "$3" | inbox-recv --format twilio --url "$1" --signature "$2"
}

addr_rec() {
	local h
	h=$(printf '%s' "$1" | sha1sum | cut -c1-40)
	cat "addr/${h:0:2}/$h"
}

# The status of message ID in each commit that changed it, oldest first.
history() {
	local f c
	f=$(msgfile "$1")
	for c in $(git rev-list --reverse HEAD -- "$f"); do
		git show "$c:$f" | sed -n '/^$/q; s/^X-Inbox-Status: //p'
	done
}

@test "the request: Basic auth, To, From, the Body as typed, StatusCallback; the SID kept" {
	a160=$(printf 'a%.0s' $(seq 160))
	run --separate-stderr inbox-send jean "$a160"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	m=$(cut -f1 <<<"$output")
	sm=$(cut -f3 <<<"$output")
	[[ $sm =~ ^SM[0-9a-f]{32}$ ]]
	[ "$output" = "$m	sent	$sm" ]
	[ "$(posts 'r["method"] + " " + r["path"]')" = "POST /2010-04-01/Accounts/$SID/Messages.json" ]
	[ "$(posts 'r["headers"]["authorization"]')" = "Basic $(printf '%s:%s' $SID $TOKEN | base64 -w0)" ]
	[ "$(posts '"\n".join("%s=%s" % kv for kv in urllib.parse.parse_qsl(r["body"]))')" = "To=$JEAN
From=+15005550006
Body=$a160
StatusCallback=$BASE/hook/status?format=twilio" ]
	# 160 characters: the provider counts one segment, as we did
	[ "$(hdr "$m" X-Inbox-Segments)" = 1 ]
	[ "$("$PY" -c 'import base64, json, sys, urllib.request
req = urllib.request.Request(sys.argv[1])
req.add_header("Authorization", "Basic " + base64.b64encode(sys.argv[2].encode()).decode())
print(json.load(urllib.request.urlopen(req, timeout=10))["num_segments"])' \
	    "$BASE/2010-04-01/Accounts/$SID/Messages/$sm.json" "$SID:$TOKEN")" = 1 ]
	[ "$(hdr "$m" X-Inbox-Provider-Id)" = "$sm" ]
	h=$(printf '%s' "$sm" | sha1sum | cut -c1-40)
	[ "$(cat "idx/pid/${h:0:2}/${h:2:2}/$h")" = "$m" ]
	[ "$(git log -1 --format=%B)" = "inbox-send: sent sms to $JEAN

Message: $m
Provider-Id: $sm" ]
	# media by URL: MediaUrl, once each
	run inbox-send --attach https://cdn.fieldco.example/p/boiler.jpg \
	    --attach https://cdn.fieldco.example/p/valve.jpg jean 'Your boiler'
	[ "$status" -eq 0 ]
	[ "$(posts '"\n".join("%s=%s" % kv for kv in urllib.parse.parse_qsl(r["body"]))' | tail -n 6)" = "To=$JEAN
From=+15005550006
Body=Your boiler
MediaUrl=https://cdn.fieldco.example/p/boiler.jpg
MediaUrl=https://cdn.fieldco.example/p/valve.jpg
StatusCallback=$BASE/hook/status?format=twilio" ]
}

@test "status callbacks: signed, fed to inbox-recv, move the status on to delivered, never back" {
	run inbox-send jean 'Tech arrives at 10'
	m=$(cut -f1 <<<"$output")
	sm=$(cut -f3 <<<"$output")
	callbacks >"$T/cb"
	[ "$(cut -f3 "$T/cb" | sed 's/.*MessageStatus=\([a-z]*\).*/\1/')" = "sent
delivered" ]
	[ "$(cut -f1 "$T/cb" | sort -u)" = "$BASE/hook/status?format=twilio" ]
	# the signature is checked, with the token
	n=$(commits)
	while IFS=$'\t' read -r url sig form; do
		run recv "$url" "$sig" "$form"
		[ "$status" -eq 0 ]
		[ "$output" = "$m" ]
	done <"$T/cb"
	# "sent" was known: only "delivered" made a commit
	[ "$(commits)" -eq $((n + 1)) ]
	[ "$(git log -1 --format=%B)" = "inbox-recv: delivered $m

Conversation: $CJ
Message: $m
Provider-Id: $sm" ]
	[ "$(hdr "$m" X-Inbox-Status)" = delivered ]
	[ "$(history "$m" | tr '\n' ' ')" = "queued sent delivered " ]
	# a late or repeated "sent" changes nothing
	s=$(snapshot)
	IFS=$'\t' read -r url sig form <"$T/cb"
	run recv "$url" "$sig" "$form"
	[ "$status" -eq 0 ]
	[ "$(snapshot)" = "$s" ]
	# a forged one is refused
	forged=${form/MessageStatus=sent/MessageStatus=failed}
	run --separate-stderr recv "$url" "$sig" "$forged"
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-recv: webhook signature does not match" ]
	[ "$(snapshot)" = "$s" ]
	[ "$(hdr "$m" X-Inbox-Status)" = delivered ]
}

@test "status callbacks: a message still queued is moved on by them, in whatever order" {
	run inbox-send jean 'Tech arrives at 10'
	m=$(cut -f1 <<<"$output")
	callbacks >"$T/cb"
	# the message as if Twilio's 201 had been lost: back to queued
	f=$(msgfile "$m")
	sed -i 's/^X-Inbox-Status: sent$/X-Inbox-Status: queued/' "$f"
	git_commit "test: back to queued"
	# delivered first, then sent: delivered stays
	tac "$T/cb" | while IFS=$'\t' read -r url sig form; do
		recv "$url" "$sig" "$form" >/dev/null
	done
	[ "$(hdr "$m" X-Inbox-Status)" = delivered ]
	[ "$(git log -1 --format=%s)" = "inbox-recv: delivered $m" ]
	[ "$(history "$m" | tr '\n' ' ')" = "queued sent queued delivered " ]
}

@test "errors: 21211 a bad number and 21614 not a mobile mark it; 21610 opts it out" {
	inbox-contact add --id cy --name "Cy Roe" --phone +15005550009 \
	    --email cy@example.org >/dev/null
	# 21211: failed, the number cannot take texts
	run --separate-stderr inbox-send +15005550001 'Hi'
	[ "$status" -eq 2 ]
	m=$(cut -f1 <<<"$output")
	[ "$output" = "$m	failed	21211 twilio: The 'To' number +15005550001 is not a valid phone number." ]
	[ "$stderr" = "inbox-send: $m failed: 21211 twilio: The 'To' number +15005550001 is not a valid phone number." ]
	[ "$(hdr "$m" X-Inbox-Error)" = "21211 twilio: The 'To' number +15005550001 is not a valid phone number." ]
	[ "$(addr_rec +15005550001)" = "sms-unreachable: 21211 twilio: The 'To' number +15005550001 is not a valid phone number. (2026-11-22T08:53:20Z)
address: +15005550001" ]
	# 21614: Cy's number is a landline; a later text to Cy goes by email
	run --separate-stderr inbox-send --channel sms cy 'Hi'
	[ "$status" -eq 2 ]
	[ "$(cut -f2,3 <<<"$output")" = "failed	21614 twilio: 'To' number is not a valid mobile number" ]
	[ "$(addr_rec +15005550009)" = "contact: cy
address: +15005550009
sms-unreachable: 21614 twilio: 'To' number is not a valid mobile number (2026-11-22T08:53:20Z)" ]
	n=$(posts 'r["path"]' | wc -l)
	run inbox-send cy 'Your quote is ready'
	[ "$status" -eq 0 ]
	m=$(cut -f1 <<<"$output")
	[ "$(hdr "$m" X-Inbox-Channel)" = email ]
	[ "$(hdr "$m" X-Inbox-Address)" = cy@example.org ]
	s=$(snapshot)
	run --separate-stderr inbox-send --channel sms cy 'Hi'
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-send: +15005550009 cannot receive SMS (21614 twilio: 'To' number is not a valid mobile number (2026-11-22T08:53:20Z)); try another channel" ]
	[ "$(snapshot)" = "$s" ]
	[ "$(posts 'r["path"]' | wc -l)" -eq "$n" ]
	# 21610: the recipient sent STOP to Twilio; opted out here too
	run --separate-stderr inbox-send +15005550004 'Hi'
	[ "$status" -eq 2 ]
	m=$(cut -f1 <<<"$output")
	[ "$(cut -f2,3 <<<"$output")" = "failed	21610 twilio: Attempt to send to unsubscribed recipient" ]
	[ "$(addr_rec +15005550004)" = "optout: 2026-11-22T08:53:20Z
optout-keyword: provider
optout-message: $m
address: +15005550004" ]
	s=$(snapshot)
	run --separate-stderr inbox-send +15005550004 'Hi again'
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-send: +15005550004 opted out (provider at 2026-11-22 08:53)" ]
	[ "$(snapshot)" = "$s" ]
	all_committed
}

@test "errors: 20429 and 500 are tried again; a wrong token (20003) fails and says what to check" {
	ctl POST next '{"status": 400, "body": {"code": 20429, "message": "Too Many Requests"}}' >/dev/null
	run inbox-send jean 'Hi'
	[ "$status" -eq 75 ]
	m=$(cut -f1 <<<"$output")
	[ "$output" = "$m	queued	20429 twilio: Too Many Requests	next try 2026-11-22T08:54:20Z" ]
	ctl POST next '{"status": 500}' >/dev/null
	tick 60
	run inbox-send --flush
	[ "$output" = "$m	queued	20500 twilio: Internal Server Error	next try 2026-11-22T08:56:20Z" ]
	tick 120
	INBOX_SECRET_TWILIO_TOKEN=wrong run inbox-send --flush
	[ "$output" = "$m	failed	20003 twilio: Authenticate (check account-sid and secret twilio-token)" ]
	[ "$(posts 'r["path"]' | wc -l)" -eq 3 ]
}

@test "later failures: undelivered 30003 goes back to the queue; failed 30006 marks the number" {
	# the stand-in's plan: +15005550010 sent then undelivered 30003,
	# +15005550011 failed 30006
	run inbox-send +15005550010 'Hi'
	a=$(cut -f1 <<<"$output")
	run inbox-send +15005550011 'Hi'
	b=$(cut -f1 <<<"$output")
	callbacks >"$T/cb"
	[ "$(wc -l <"$T/cb")" -eq 3 ]
	while IFS=$'\t' read -r url sig form; do
		recv "$url" "$sig" "$form" >/dev/null
	done <"$T/cb"
	[ "$(hdr "$a" X-Inbox-Status)" = queued ]
	[ "$(hdr "$a" X-Inbox-Error)" = 30003 ]
	[ "$(hdr "$a" X-Inbox-Next-Try)" = 2026-11-22T08:54:20Z ]
	[ "$(cat "idx/queue/${a#*/}")" = "$a" ]
	[ "$(hdr "$b" X-Inbox-Status)" = failed ]
	[ "$(hdr "$b" X-Inbox-Error)" = 30006 ]
	[ "$(addr_rec +15005550011)" = "sms-unreachable: 30006 (2026-11-22T08:53:20Z)
address: +15005550011" ]
	# the flush sends the first again
	tick 60
	run inbox-send --flush
	[[ $output == "$a	sent	SM"* ]]
	[ "$(posts 'r["form"]["To"][0]' | tr '\n' ' ')" = "+15005550010 +15005550011 +15005550010 " ]
	all_committed
}
