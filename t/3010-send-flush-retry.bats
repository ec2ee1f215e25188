#!/usr/bin/env bats
# inbox-send --flush and --retry against the Twilio stand-in
# (t/lib/standin.py): temporary failures (5xx, 429 with Retry-After, a
# timeout, a dropped connection) are tried again after send.backoff
# seconds, doubling, up to send.tries, then failed; what is due goes out,
# oldest first; a message a crash left "sending" is failed, never sent
# twice; --retry sends a failed message again.  The stand-in's request log
# counts what reached the provider.

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
	start_standin
	config
	export INBOX_SECRET_TWILIO_TOKEN=$TOKEN
}

# The Body of every message request the stand-in had, one a line.
posts() {
	ctl GET log | "$PY" -c 'import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r["path"].endswith("/Messages.json"):
        print(r["form"]["Body"][0])'
}

# twilio SETTINGS...: the business and a Twilio sms channel; extra lines
# for the top level (send: ...) from stdin.  Committed.
config() {
	{
		cat <<-EOF
		business:
		  name: Fieldco
		  phone: "+15005550006"
		  domain: fieldco.example
		  country: US
		channels:
		  sms:
		    transport: twilio
		    account-sid: $SID
		    base-url: $BASE
		    timeout: 1
		EOF
		[ -t 0 ] || cat
	} >inbox.yaml
	git_commit "test: settings"
}

msgfile() {
	ls conv/"${1:0:2}"/"${1%%/*}"/*/"${1#*/}"*
}

hdr() {	# hdr ID FIELD: the value of a header field of a message
	sed -n "/^\$/q; s/^$2: //p" "$(msgfile "$1")"
}

# at ISO-TIME: set the clock
at() {
	INBOX_NOW=$(date -u -d "$1" +%s)
	export INBOX_NOW
}

@test "5xx: tried again after 60, 120, 240, 480 seconds; the fifth failure fails it" {
	ctl POST next '{"status": 500, "count": 5}' >/dev/null
	run inbox-send jean 'Tech arrives at 10'
	[ "$status" -eq 75 ]
	m=$(cut -f1 <<<"$output")
	[ "$output" = "$m	queued	20500 twilio: Internal Server Error	next try 2026-11-22T08:54:20Z" ]
	while read -r now tries next; do
		# a second early: nothing tried
		at "$now"
		tick -1
		run inbox-send --flush
		[ "$output" = "" ]
		at "$now"
		run inbox-send --flush
		echo "$now: $output"
		[ "$status" -eq 0 ]
		[ "$output" = "$m	queued	20500 twilio: Internal Server Error	next try $next" ]
		[ "$(hdr "$m" X-Inbox-Tries)" = "$tries" ]
		[ "$(hdr "$m" X-Inbox-Next-Try)" = "$next" ]
		[ "$(cat "idx/queue/${m#*/}")" = "$m" ]
	done <<-'EOF'
	2026-11-22T08:54:20Z 2 2026-11-22T08:56:20Z
	2026-11-22T08:56:20Z 3 2026-11-22T09:00:20Z
	2026-11-22T09:00:20Z 4 2026-11-22T09:08:20Z
	EOF
	at 2026-11-22T09:08:20Z
	run inbox-send --flush
	[ "$status" -eq 0 ]
	[ "$output" = "$m	failed	20500 twilio: Internal Server Error" ]
	[ "$(hdr "$m" X-Inbox-Status)" = failed ]
	[ "$(hdr "$m" X-Inbox-Tries)" = 5 ]
	[ "$(hdr "$m" X-Inbox-Error)" = "20500 twilio: Internal Server Error" ]
	[ ! -e "idx/queue/${m#*/}" ]
	[ "$(git log -1 --format=%s)" = "inbox-send: failed sms to $JEAN: 20500 twilio: Internal Server Error" ]
	[ "$(posts | wc -l)" -eq 5 ]
	# nothing more is tried
	tick 86400
	run inbox-send --flush
	[ "$output" = "" ]
	[ "$(posts | wc -l)" -eq 5 ]
	all_committed
}

@test "send.tries and send.backoff come from inbox.yaml" {
	config <<-'EOF'
	send:
	  tries: 2
	  backoff: 10
	EOF
	ctl POST next '{"status": 503, "count": 2}' >/dev/null
	run inbox-send jean 'Hi'
	m=$(cut -f1 <<<"$output")
	[ "$output" = "$m	queued	20503 twilio: Service Unavailable	next try 2026-11-22T08:53:30Z" ]
	tick 10
	run inbox-send --flush
	[ "$output" = "$m	failed	20503 twilio: Service Unavailable" ]
	[ "$(posts | wc -l)" -eq 2 ]
}

@test "429: Retry-After is obeyed when it is longer than the backoff" {
	ctl POST next '[{"status": 429, "headers": {"Retry-After": "600"}},
	    {"status": 429, "headers": {"Retry-After": "5"}}]' >/dev/null
	run inbox-send jean 'Hi'
	m=$(cut -f1 <<<"$output")
	[ "$output" = "$m	queued	20429 twilio: Too Many Requests	next try 2026-11-22T09:03:20Z" ]
	tick 599
	run inbox-send --flush
	[ "$output" = "" ]
	tick 1
	run inbox-send --flush
	# 5 seconds asked for, the backoff (120) is longer
	[ "$output" = "$m	queued	20429 twilio: Too Many Requests	next try 2026-11-22T09:05:20Z" ]
	tick 120
	run inbox-send --flush
	[[ $output == "$m	sent	SM"* ]]
	[ "$(posts | wc -l)" -eq 3 ]
}

@test "a timeout and a dropped connection are temporary; the next flush sends" {
	ctl POST next '{"hang": 3}' >/dev/null
	run inbox-send jean 'Hi'
	[ "$status" -eq 75 ]
	m=$(cut -f1 <<<"$output")
	[ "$output" = "$m	queued	timeout twilio: timed out after 1s	next try 2026-11-22T08:54:20Z" ]
	ctl POST next '{"drop": true}' >/dev/null
	tick 60
	run inbox-send --flush
	[ "$output" = "$m	queued	network twilio: Empty reply from server	next try 2026-11-22T08:56:20Z" ]
	tick 120
	run inbox-send --flush
	[[ $output == "$m	sent	SM"* ]]
	[ "$(hdr "$m" X-Inbox-Tries)" = 3 ]
	# the stand-in saw three requests; the hung one took a message it
	# never answered: the provider may have it, so the timeout is a risk
	# the design accepts (a 2xx that was cut short is never resent)
	[ "$(posts | wc -l)" -eq 3 ]
}

@test "--flush: what is due goes out, oldest first; what is not due waits" {
	# A at 08:53:20 (fails, next try 08:54:20), B at 08:53:21 scheduled
	# for 09:00, C at 08:53:22 (fails, next try 08:54:22)
	ctl POST next '{"status": 500}' >/dev/null
	a=$(inbox-send jean 'A' | cut -f1)
	tick 1
	b=$(inbox-send --at 2026-11-22T09:00:00Z jean 'B' | cut -f1)
	tick 1
	ctl POST next '{"status": 500}' >/dev/null
	c=$(inbox-send jean 'C' | cut -f1)
	[ "$(ls idx/queue | wc -l)" -eq 3 ]
	at 2026-11-22T08:55:00Z
	run inbox-send --flush
	[ "$status" -eq 0 ]
	[ "$(cut -f1,2 <<<"$output")" = "$a	sent
$c	sent" ]
	[ "$(posts)" = "A
C
A
C" ]
	[ "$(ls idx/queue)" = "${b#*/}" ]
	at 2026-11-22T09:00:00Z
	run inbox-send --flush
	[ "$(cut -f1,2 <<<"$output")" = "$b	sent" ]
	[ -z "$(ls idx/queue)" ]
	run inbox-send --flush
	[ "$output" = "" ]
	[ "$(posts | wc -l)" -eq 5 ]
	all_committed
}

@test "never twice: a message a crash left sending is failed as interrupted, not sent again" {
	ctl POST next '{"status": 500}' >/dev/null
	run inbox-send jean 'Tech arrives at 10'
	m=$(cut -f1 <<<"$output")
	[ "$(posts | wc -l)" -eq 1 ]
	# what a flush that died inside the transport leaves behind
	f=$(msgfile "$m")
	sed -i 's/^X-Inbox-Status: queued$/X-Inbox-Status: sending\nX-Inbox-Sending: 2026-11-22T08:54:20Z/' "$f"
	[ "$(hdr "$m" X-Inbox-Status)" = sending ]
	# less than 15 minutes: another flush may be at it; left alone
	at 2026-11-22T09:09:19Z
	run inbox-send --flush
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(hdr "$m" X-Inbox-Status)" = sending ]
	[ "$(posts | wc -l)" -eq 1 ]
	# 15 minutes: failed, with the reason, and not sent
	n=$(commits)
	at 2026-11-22T09:09:20Z
	run inbox-send --flush
	[ "$status" -eq 0 ]
	why="delivery was interrupted; the provider may have it: check before retrying"
	[ "$output" = "$m	failed	$why" ]
	[ "$(hdr "$m" X-Inbox-Status)" = failed ]
	[ "$(hdr "$m" X-Inbox-Error)" = "$why" ]
	[ "$(hdr "$m" X-Inbox-Sending)" = "" ]
	[ ! -e "idx/queue/${m#*/}" ]
	[ "$(commits)" -eq $((n + 1)) ]
	[ "$(git log -1 --format=%B)" = "inbox-send: failed $m: $why

Message: $m
Reason: $why" ]
	[ "$(posts | wc -l)" -eq 1 ]
	tick 3600
	run inbox-send --flush
	[ "$output" = "" ]
	[ "$(posts | wc -l)" -eq 1 ]
	all_committed
	# a person who checked may send it again
	run inbox-send --retry "$m"
	[ "$status" -eq 0 ]
	[[ $output == "$m	sent	SM"* ]]
	[ "$(posts | wc -l)" -eq 2 ]
}

@test "--retry: a failed message is queued again with its tries reset and sent" {
	ctl POST next '{"status": 400, "body": {"code": 21617, "message": "The concatenated message body exceeds the 1600 character limit."}}' >/dev/null
	run --separate-stderr inbox-send jean 'Hi'
	[ "$status" -eq 2 ]
	m=$(cut -f1 <<<"$output")
	[ "$output" = "$m	failed	21617 twilio: The concatenated message body exceeds the 1600 character limit." ]
	[ "$stderr" = "inbox-send: $m failed: 21617 twilio: The concatenated message body exceeds the 1600 character limit." ]
	[ ! -e "idx/queue/${m#*/}" ]
	# a flush does not touch it
	run inbox-send --flush
	[ "$output" = "" ]
	n=$(commits)
	tick
	run inbox-send --retry "$m"
	[ "$status" -eq 0 ]
	[[ $output == "$m	sent	SM"* ]]
	[ "$(commits)" -eq $((n + 2)) ]
	[ "$(git log -1 --format=%s HEAD~1)" = "inbox-send: retry $m" ]
	[ "$(hdr "$m" X-Inbox-Status)" = sent ]
	[ "$(hdr "$m" X-Inbox-Tries)" = 1 ]
	[ "$(hdr "$m" X-Inbox-Error)" = "" ]
	[ "$(posts | wc -l)" -eq 2 ]
	# a sent one is not retried: exit 64, nothing changes
	s=$(snapshot)
	run --separate-stderr inbox-send --retry "$m"
	[ "$status" -eq 64 ]
	[ "$stderr" = "inbox-send: $m is sent, not failed: nothing to retry" ]
	[ "$(snapshot)" = "$s" ]
	# nor an inbound message, nor one that does not exist
	in=$(recv_sms SM0123456789abcdef0123456789abcdef $JEAN 'Thanks')
	s=$(snapshot)
	run --separate-stderr inbox-send --retry "$in"
	[ "$status" -eq 64 ]
	[ "$stderr" = "inbox-send: $in is received, not failed: nothing to retry" ]
	run --separate-stderr inbox-send --retry "$CJ/1795337600.M1P1Q1R1.nowhere"
	[ "$status" -eq 1 ]
	[ "$stderr" = "inbox-send: no message $CJ/1795337600.M1P1Q1R1.nowhere" ]
	[ "$(snapshot)" = "$s" ]
	[ "$(posts | wc -l)" -eq 2 ]
}

@test "--flush --json: one object a line, with the next try" {
	ctl POST next '{"status": 500, "count": 2}' >/dev/null
	m=$(inbox-send jean 'Hi' | cut -f1)
	tick 60
	run inbox-send --json --flush
	[ "$status" -eq 0 ]
	[ "$output" = "{\"id\":\"$m\",\"status\":\"queued\",\"error\":\"20500 twilio: Internal Server Error\",\"next_try\":\"2026-11-22T08:56:20Z\"}" ]
}
