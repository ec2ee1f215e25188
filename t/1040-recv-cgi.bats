#!/usr/bin/env bats
# inbox-recv --cgi under a real web server: Debian's lighttpd with
# mod_cgi on 127.0.0.1, a free port, one server per test.

load helper
load data/outbound

D="$BATS_TEST_DIRNAME/data"

setup() {
	command -v lighttpd >/dev/null || skip "needs lighttpd"
	new_store
	no_autoreply
	N0=$(commits)
	W="$BATS_TEST_TMPDIR/web"
	mkdir -p "$W/www"
	# a CGI gets no environment from the server: the wrapper sets it
	cat >"$W/www/recv.cgi" <<-EOF
	#!/bin/sh
	INBOX_DIR='$S' INBOX_NOW='$INBOX_NOW' INBOX_USER=office HOME='$HOME'
	TZ=UTC LC_ALL=C.UTF-8 GIT_CONFIG_NOSYSTEM=1
	INBOX_SHAREDIR='$INBOX_SHAREDIR'
	export INBOX_DIR INBOX_NOW INBOX_USER HOME TZ LC_ALL GIT_CONFIG_NOSYSTEM
	export INBOX_SHAREDIR
	exec '$INBOX_BUILD/inbox-recv' --cgi "\$@"
	EOF
	chmod +x "$W/www/recv.cgi"
	lighttpd_start "$W" "$W/www" mod_setenv mod_cgi <<-EOF
	cgi.assign = ( ".cgi" => "" )
	mimetype.assign = ( ".png" => "image/png" )
	setenv.add-environment = (
		"INBOX_SECRET_WHATSAPP_VERIFY_TOKEN" => "verify-me-42"
	)
	EOF
	URL="http://127.0.0.1:$PORT/recv.cgi"
}

teardown() {
	if [ -s "${W:-/nonexistent}/pid" ]; then
		kill "$(cat "$W/pid")"
	fi
}

# post BODY-FILE [curl args]: status line, Content-Type and body, CRs gone
# ($CT: the request's Content-Type, a form by default)
post() {
	local f=$1
	shift
	curl -sS -i -X POST -H 'Expect:' \
	    -H "Content-Type: ${CT:-application/x-www-form-urlencoded}" \
	    --data-binary @"$f" "$@" "$URL" |
	    tr -d '\r' | sed -n -e '1p' -e '/^Content-Type:/p' -e '/^$/,$p'
}

get() {
	curl -sS -i "$URL?$1" | tr -d '\r' |
	    sed -n -e '1p' -e '/^Content-Type:/p' -e '/^$/,$p'
}

TWIML='<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

@test "cgi: a Twilio webhook gets 200 text/xml <Response></Response> and is filed" {
	run post "$D/twilio-sms.form"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'HTTP/1.1 200 OK\nContent-Type: text/xml\n\n%s' "$TWIML")" ]
	[ "$(commits)" -eq $((N0 + 1)) ]
	[ "$(git log -1 --format=%s)" = "inbox-recv: sms from +15557654321" ]
	[ "$(ls conv/bf/bfda3c3376e9/new | wc -l)" -eq 1 ]
	[ "$(ls tmp/spool)" = "" ]
}

@test "cgi: Twilio's retry of the same webhook is answered 200, filed once" {
	post "$D/twilio-sms.form" >/dev/null
	before=$(snapshot)
	run post "$D/twilio-sms.form"
	[ "${lines[0]}" = "HTTP/1.1 200 OK" ]
	[ "${lines[2]}" = "$TWIML" ]
	[ "$(snapshot)" = "$before" ]
}

@test "cgi: a Twilio webhook by GET (query string) is filed" {
	run get "$(cat "$D/twilio-sms.form")"
	[ "${lines[0]}" = "HTTP/1.1 200 OK" ]
	[ "${lines[1]}" = "Content-Type: text/xml" ]
	[ "$(ls conv/bf/bfda3c3376e9/new | wc -l)" -eq 1 ]
}

@test "cgi: a malformed POST gets 400 with the reason, nothing filed" {
	before=$(snapshot)
	printf 'MessageSid=SM1&From=%%ZZ&Body=x' >"$BATS_TEST_TMPDIR/bad"
	run post "$BATS_TEST_TMPDIR/bad"
	[ "$output" = "$(printf 'HTTP/1.1 400 Bad Request\nContent-Type: text/plain; charset=utf-8\n\nform data has a malformed %%-escape')" ]
	printf 'hello there' >"$BATS_TEST_TMPDIR/bad"
	run post "$BATS_TEST_TMPDIR/bad"
	[ "${lines[0]}" = "HTTP/1.1 400 Bad Request" ]
	: >"$BATS_TEST_TMPDIR/bad"
	run post "$BATS_TEST_TMPDIR/bad"
	[ "${lines[0]}" = "HTTP/1.1 400 Bad Request" ]
	[ "$(snapshot)" = "$before" ]
	[ "$(ls tmp/spool 2>/dev/null)" = "" ]
}

@test "cgi: a status callback for an unknown message is still answered 200" {
	before=$(snapshot)
	run post "$D/twilio-status-delivered.form"
	[ "${lines[0]}" = "HTTP/1.1 200 OK" ]
	[ "$(snapshot)" = "$before" ]
}

@test "cgi: a status callback updates the outbound message" {
	id=$(outbound +15557654321 SM7a9c0e1b3d5f7a9c0e2b4d6f8a0c2e4b)
	run post "$D/twilio-status-delivered.form"
	[ "${lines[0]}" = "HTTP/1.1 200 OK" ]
	grep -qx 'X-Inbox-Status: delivered' conv/bf/bfda3c3376e9/cur/*
	[ "$(git log -1 --format=%s)" = "inbox-recv: delivered $id" ]
}

@test "cgi: WhatsApp verification answers the challenge when the token matches" {
	run get 'hub.mode=subscribe&hub.verify_token=verify-me-42&hub.challenge=123'
	[ "$output" = "$(printf 'HTTP/1.1 200 OK\nContent-Type: text/plain; charset=utf-8\n\n123')" ]
	# the body is exactly the challenge
	[ "$(curl -sS "$URL?hub.mode=subscribe&hub.verify_token=verify-me-42&hub.challenge=1158201444" | od -An -c | tr -d ' \n')" = 1158201444 ]
}

@test "cgi: WhatsApp verification with a wrong token is 403" {
	before=$(snapshot)
	run get 'hub.mode=subscribe&hub.verify_token=guess&hub.challenge=123'
	[ "$output" = "$(printf 'HTTP/1.1 403 Forbidden\nContent-Type: text/plain; charset=utf-8\n\nverify token does not match')" ]
	run get 'hub.mode=subscribe&hub.challenge=123'
	[ "${lines[0]}" = "HTTP/1.1 403 Forbidden" ]
	[ "$(snapshot)" = "$before" ]
}

@test "cgi: a signed Twilio webhook is filed, unsigned or badly signed are 403" {
	printf 'tw-token-9f8e7d\n' >secrets/twilio-token
	chmod 600 secrets/twilio-token
	s="${URL}AccountSidACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaApiVersion2010-04-01BodyNo hot waterFrom+15557654321MessageSidSM00000000000000000000000000000042NumMedia0NumSegments1SmsStatusreceivedTo+15550001111"
	sig=$(printf %s "$s" | openssl dgst -sha1 -hmac tw-token-9f8e7d -binary | base64)
	twilio_sms SM00000000000000000000000000000042 +15557654321 'No hot water' \
	    >"$BATS_TEST_TMPDIR/body"
	before=$(snapshot)
	run post "$BATS_TEST_TMPDIR/body"
	[ "$output" = "$(printf 'HTTP/1.1 403 Forbidden\nContent-Type: text/plain; charset=utf-8\n\nwebhook signature does not match')" ]
	run post "$BATS_TEST_TMPDIR/body" -H "X-Twilio-Signature: AAAA${sig#????}"
	[ "${lines[0]}" = "HTTP/1.1 403 Forbidden" ]
	[ "$(snapshot)" = "$before" ]
	run post "$BATS_TEST_TMPDIR/body" -H "X-Twilio-Signature: $sig"
	[ "${lines[0]}" = "HTTP/1.1 200 OK" ]
	[ "${lines[2]}" = "$TWIML" ]
	[ "$(git log -1 --format=%s)" = "inbox-recv: sms from +15557654321" ]
}

@test "cgi: a WhatsApp webhook with X-Hub-Signature-256" {
	printf 'app-secret-77\n' >secrets/whatsapp-app-secret
	chmod 600 secrets/whatsapp-app-secret
	sig=$(openssl dgst -sha256 -hmac app-secret-77 -r <"$D/whatsapp-text.json" | cut -d' ' -f1)
	before=$(snapshot)
	CT=application/json
	run post "$D/whatsapp-text.json"
	[ "${lines[0]}" = "HTTP/1.1 403 Forbidden" ]
	[ "$(snapshot)" = "$before" ]
	run post "$D/whatsapp-text.json" -H "X-Hub-Signature-256: sha256=$sig"
	[ "$output" = "$(printf 'HTTP/1.1 200 OK\nContent-Type: text/plain; charset=utf-8\n')" ]
	[ "$(git log -1 --format=%s)" = "inbox-recv: whatsapp from +15557654321 (Jean Dupont)" ]
}

@test "cgi: a webhook over 1 MB is refused with 400" {
	{ printf 'MessageSid=SM1&From=%%2B15557654321&Body='
	  head -c 1100000 /dev/zero | tr '\0' a; } >"$BATS_TEST_TMPDIR/big"
	before=$(snapshot)
	run post "$BATS_TEST_TMPDIR/big"
	[ "${lines[0]}" = "HTTP/1.1 400 Bad Request" ]
	[ "${lines[2]}" = "webhook larger than 1048576 bytes" ]
	[ "$(snapshot)" = "$before" ]
}

@test "cgi: an MMS whose photo the same server serves: fetched and kept as a MIME part" {
	mkdir -p "$W/www/m"
	cp "$D/leak.png" "$W/www/m/leak.png"
	printf 'MessageSid=MM00000000000000000000000000000077&AccountSid=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&From=%%2B15557654321&To=%%2B15550001111&Body=This+is+the+leak&NumMedia=1&NumSegments=1&MediaContentType0=image%%2Fpng&MediaUrl0=http%%3A%%2F%%2F127.0.0.1%%3A%s%%2Fm%%2Fleak.png&SmsStatus=received&ApiVersion=2010-04-01' \
	    "$PORT" >"$BATS_TEST_TMPDIR/mms"
	run post "$BATS_TEST_TMPDIR/mms"
	[ "${lines[0]}" = "HTTP/1.1 200 OK" ]
	f=$(ls conv/bf/bfda3c3376e9/new/*)
	grep -qx "X-Inbox-Media: http://127.0.0.1:$PORT/m/leak.png image/png" "$f"
	! grep -q '^X-Inbox-Media-Error:' "$f"
	# the photo, base64 between its part's headers and the next boundary
	sed -n '/^Content-Transfer-Encoding: base64/,/^--/p' "$f" |
	    sed '1d;$d' | base64 -d | cmp - "$D/leak.png"
	run inbox-show -n bfda3c3376e9
	[ "${lines[2]}" = "	This is the leak" ]
}
