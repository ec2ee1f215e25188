#!/usr/bin/env bats
# inbox-recv, the generic JSON events (message, status, call) and Kannel's
# sms-service get-url (MO) and dlr-url (delivery reports).

load helper
load data/outbound

D="$BATS_TEST_DIRNAME/data"
JEAN=+15557654321

setup() {
	new_store
	no_autoreply
	N0=$(commits)
}

msgfile() {
	ls conv/"${1:0:2}"/"${1%%/*}"/*/"${1#*/}"*
}

@test "json: a message event, every field used" {
	run inbox-recv <"$D/json-message.json"
	[ "$status" -eq 0 ]
	id=$output
	[ "${id%%/*}" = bfda3c3376e9 ]
	uniq=${id#*/}
	cat >"$BATS_TEST_TMPDIR/expect" <<-EOF
	X-Inbox-Channel: portal
	X-Inbox-Direction: in
	X-Inbox-Type: reply
	X-Inbox-Status: received
	X-Inbox-Address: +15557654321
	X-Inbox-Provider-Id: portal-77812
	X-Inbox-Media: http://127.0.0.1:9/portal/f/77812/photo.jpg image/jpeg
	X-Inbox-Media: http://127.0.0.1:9/portal/f/77812/plan.pdf application/pdf
	Date: Sun, 22 Nov 2026 08:00:00 +0000
	From: Jean Dupont <+15557654321>
	To: <+15550001111>
	Message-ID: <$uniq@inbox>
	Subject: portal from Jean Dupont
	MIME-Version: 1.0
	Content-Type: text/plain; charset=utf-8
	Content-Transfer-Encoding: 8bit

	Booked a visit for Tuesday.
	Gate code is 4411.
	EOF
	# nothing answers on 127.0.0.1:9: each URL is kept with the error
	f=$(msgfile "$id")
	diff -u "$BATS_TEST_TMPDIR/expect" <(grep -v '^X-Inbox-Media-Error: ' "$f")
	run grep '^X-Inbox-Media-Error: ' "$f"
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" = "X-Inbox-Media-Error: http://127.0.0.1:9/portal/f/77812/photo.jpg "?* ]]
	[[ "${lines[1]}" = "X-Inbox-Media-Error: http://127.0.0.1:9/portal/f/77812/plan.pdf "?* ]]
	[ "$(git log -1 --format=%s)" = "inbox-recv: portal from +15557654321 (Jean Dupont)" ]
}

@test "json: a message without channel or time is an SMS, now" {
	run inbox-recv --format json < <(echo '{"type":"message","from":"+15557654321","body":"plain"}')
	[ "$status" -eq 0 ]
	f=$(msgfile "$output")
	grep -qx 'X-Inbox-Channel: sms' "$f"
	grep -qx 'Date: Sun, 22 Nov 2026 08:53:20 +0000' "$f"
	! grep -q '^X-Inbox-Provider-Id' "$f"
}

@test "json: a repeated id is filed once" {
	id=$(inbox-recv <"$D/json-message.json")
	before=$(snapshot)
	run inbox-recv <"$D/json-message.json"
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	[ "$(snapshot)" = "$before" ]
}

@test "json: a status event updates the outbound message" {
	id=$(outbound $JEAN out-20261122-0001)
	run inbox-recv <"$D/json-status.json"
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	f=$(msgfile "$id")
	grep -qx 'X-Inbox-Status: failed' "$f"
	grep -qx 'X-Inbox-Error: 550 mailbox unavailable' "$f"
	grep -qx 'X-Inbox-Status-Time: 2026-11-22T08:56:00Z' "$f"
	[ "$(git log -1 --format=%s)" = "inbox-recv: failed $id 550 mailbox unavailable" ]
	run inbox-ls --failed
	[ "$status" -eq 0 ]
	[ "$(cut -f1,3 <<<"$output")" = "$(printf 'bfda3c3376e9\t2026-11-22T08:56:00Z')" ]
}

@test "json: a status event for an unknown id exits 1" {
	before=$(snapshot)
	run inbox-recv <"$D/json-status.json"
	[ "$status" -eq 1 ]
	[ "$output" = "inbox-recv: no message with provider id out-20261122-0001" ]
	[ "$(snapshot)" = "$before" ]
}

@test "json: a call event: missed with a voicemail" {
	run inbox-recv <"$D/json-call.json"
	[ "$status" -eq 0 ]
	id=$output
	f=$(msgfile "$id")
	run grep '^X-Inbox-' "$f"
	[ "$output" = "$(cat <<-'EOF'
	X-Inbox-Channel: voice
	X-Inbox-Direction: in
	X-Inbox-Type: call
	X-Inbox-Status: received
	X-Inbox-Address: +15557654321
	X-Inbox-Provider-Id: pbx-call-5521
	X-Inbox-Call-Status: no-answer
	X-Inbox-Call-Outcome: voicemail
	X-Inbox-Call-Duration: 0
	X-Inbox-Call-Recording: https://pbx.example/rec/5521.wav
	X-Inbox-Call-Recording-Duration: 42
	X-Inbox-Call-Transcript: Hi, it is Jean, please call me back about the boiler
	EOF
	)" ]
	grep -qx 'From: <+15557654321>' "$f"
	[ "$(git log -1 --format=%s)" = "inbox-recv: call from +15557654321 (voicemail)" ]
	run inbox-show -n bfda3c3376e9
	[ "${lines[2]}" = "	[call] inbound voicemail, 0:00" ]
	[ "${lines[3]}" = "	recording: https://pbx.example/rec/5521.wav (0:42)" ]
	[ "${lines[4]}" = "	transcript: Hi, it is Jean, please call me back about the boiler" ]
	[ "$(inbox-ls | cut -f6)" = "Voicemail - 0:42" ]
}

@test "json: a withheld caller gets a conversation of its own per call" {
	a=$(inbox-recv < <(echo '{"type":"call","id":"pbx-1","from":"anonymous","outcome":"no-answer"}'))
	b=$(inbox-recv < <(echo '{"type":"call","id":"pbx-2","from":"anonymous","outcome":"no-answer"}'))
	[ "${a%%/*}" = "$(printf anon:pbx-1 | sha1sum | cut -c1-12)" ]
	[ "${b%%/*}" = "$(printf anon:pbx-2 | sha1sum | cut -c1-12)" ]
	[ "$(inbox-ls | cut -f5 | sort -u)" = "Withheld number" ]
	grep -qx 'From: Withheld number <anonymous>' "$(msgfile "$a")"
}

@test "json: unknown type, missing fields, bad time are malformed" {
	before=$(snapshot)
	run inbox-recv < <(echo '{"type":"fax","from":"+15557654321"}')
	[ "$status" -eq 65 ]
	[ "$output" = 'inbox-recv: unknown event type "fax"' ]
	run inbox-recv < <(echo '{"from":"+15557654321"}')
	[ "$status" -eq 65 ]
	[ "$output" = 'inbox-recv: JSON event without "type"' ]
	run inbox-recv < <(echo '{"type":"message","body":"who?"}')
	[ "$status" -eq 65 ]
	[ "$output" = 'inbox-recv: message event needs "from"' ]
	run inbox-recv < <(echo '{"type":"status","id":"x"}')
	[ "$status" -eq 65 ]
	[ "$output" = 'inbox-recv: status event needs "id" and "status"' ]
	run inbox-recv < <(echo '{"type":"call","from":"+15557654321"}')
	[ "$status" -eq 65 ]
	[ "$output" = 'inbox-recv: call event needs "id"' ]
	run inbox-recv < <(echo '{"type":"message","from":"+15557654321","time":"last tuesday"}')
	[ "$status" -eq 65 ]
	[ "$output" = 'inbox-recv: bad "time": last tuesday' ]
	[ "$(snapshot)" = "$before" ]
}

@test "kannel: an MO message (sms-service get-url)" {
	run inbox-recv <"$D/kannel-mo.query"
	[ "$status" -eq 0 ]
	id=$output
	[ "${id%%/*}" = bfda3c3376e9 ]
	f=$(msgfile "$id")
	run sed -n '1,9p' "$f"
	[ "$output" = "$(cat <<-'EOF'
	X-Inbox-Channel: sms
	X-Inbox-Direction: in
	X-Inbox-Type: reply
	X-Inbox-Status: received
	X-Inbox-Address: +15557654321
	X-Inbox-Provider-Id: 9f1c2e4a-5b6d-4e7f-8a9b-0c1d2e3f4a5b
	Date: Sun, 22 Nov 2026 08:43:20 +0000
	From: <+15557654321>
	To: <+15550001111>
	EOF
	)" ]
	[ "$(tail -n 1 "$f")" = "Hi boiler leaking" ]
	# Kannel retries the get-url: once only
	before=$(snapshot)
	run inbox-recv --format kannel <"$D/kannel-mo.query"
	[ "$output" = "$id" ]
	[ "$(snapshot)" = "$before" ]
}

@test "kannel: an MO without from is malformed" {
	before=$(snapshot)
	run inbox-recv --format kannel < <(printf 'to=15550001111&text=hi&smsc=fake1')
	[ "$status" -eq 65 ]
	[ "$output" = "inbox-recv: Kannel message without from" ]
	[ "$(snapshot)" = "$before" ]
}

@test "kannel: delivery reports: smsc ack, delivered, then failed is terminal" {
	id=$(outbound $JEAN kannel-out-0001)
	f=$(msgfile "$id")
	# status 8 (delivered to SMSC) is "sent": no news for a sent message
	before=$(snapshot)
	run inbox-recv <"$D/kannel-dlr-smsc.query"
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	[ "$(snapshot)" = "$before" ]
	run inbox-recv <"$D/kannel-dlr-delivered.query"
	[ "$status" -eq 0 ]
	grep -qx 'X-Inbox-Status: delivered' "$f"
	[ "$(git log -1 --format=%s)" = "inbox-recv: delivered $id" ]
	inbox-recv <"$D/kannel-dlr-failed.query" >/dev/null
	grep -qx 'X-Inbox-Status: failed' "$f"
	grep -qx 'X-Inbox-Error: 16 NACK/0x0000000b/Invalid Destination Address' "$f"
}

@test "kannel: a report without msg or status is malformed" {
	before=$(snapshot)
	run inbox-recv < <(printf 'type=dlr&status=1')
	[ "$status" -eq 65 ]
	[ "$output" = "inbox-recv: Kannel report without msg or status" ]
	[ "$(snapshot)" = "$before" ]
}
