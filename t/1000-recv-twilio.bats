#!/usr/bin/env bats
# inbox-recv, Twilio: inbound SMS/MMS/WhatsApp webhooks, status callbacks,
# X-Twilio-Signature, and which conversation a message joins.

load helper
load data/outbound

D="$BATS_TEST_DIRNAME/data"
JEAN=+15557654321
SID=SM7a9c0e1b3d5f7a9c0e2b4d6f8a0c2e4b	# the outbound message

setup() {
	new_store
	no_autoreply
	N0=$(commits)
}

# The one file of message id CONV/UNIQ.
msgfile() {
	ls conv/"${1:0:2}"/"${1%%/*}"/*/"${1#*/}"*
}

@test "twilio: an SMS is filed in new/ of its conversation and its id printed" {
	run inbox-recv <"$D/twilio-sms.form"
	[ "$status" -eq 0 ]
	conv=$(addr_conv $JEAN)
	[ "$conv" = bfda3c3376e9 ]
	[[ "$output" =~ ^$conv/1795337600\.M000000P[0-9]{7}Q1R[0-9a-f]{8}\.[A-Za-z0-9-]+$ ]]
	uniq=${output#*/}
	[ -f "conv/bf/$conv/new/$uniq" ]
	[ "$(find conv -type f -path '*/new/*' | wc -l)" -eq 1 ]
	[ "$(find conv -type f -path '*/cur/*' | wc -l)" -eq 0 ]
}

@test "twilio: the message file has the X-Inbox headers and the body" {
	id=$(inbox-recv <"$D/twilio-sms.form")
	uniq=${id#*/}
	cat >"$BATS_TEST_TMPDIR/expect" <<-EOF
	X-Inbox-Channel: sms
	X-Inbox-Direction: in
	X-Inbox-Type: reply
	X-Inbox-Status: received
	X-Inbox-Address: +15557654321
	X-Inbox-Provider-Id: SM5f2a9c0e1b7d4386a0c2e9f1b3d5a7c9
	Date: Sun, 22 Nov 2026 08:53:20 +0000
	From: <+15557654321>
	To: <+15550001111>
	Message-ID: <$uniq@inbox>
	Subject: sms from +15557654321
	MIME-Version: 1.0
	Content-Type: text/plain; charset=utf-8
	Content-Transfer-Encoding: 8bit

	Hi, the boiler is leaking again. Can someone come today?
	EOF
	diff -u "$BATS_TEST_TMPDIR/expect" "$(msgfile "$id")"
}

@test "twilio: the conversation state of an unknown sender" {
	inbox-recv <"$D/twilio-sms.form" >/dev/null
	cat >"$BATS_TEST_TMPDIR/expect" <<-EOF
	context: unknown
	kind: address
	status: open
	created: 2026-11-22T08:53:20Z
	address: +15557654321
	channel: sms
	last-in.sms: 2026-11-22T08:53:20Z
	EOF
	diff -u "$BATS_TEST_TMPDIR/expect" conv/bf/bfda3c3376e9/state
}

@test "twilio: one commit with subject and trailers, provider id indexed" {
	id=$(inbox-recv <"$D/twilio-sms.form")
	[ "$(commits)" -eq $((N0 + 1)) ]
	run git log -1 --format=%B
	[ "$output" = "$(printf '%s\n\n%s\n%s\n%s' \
	    'inbox-recv: sms from +15557654321' \
	    'Conversation: bfda3c3376e9' "Message: $id" \
	    'Provider-Id: SM5f2a9c0e1b7d4386a0c2e9f1b3d5a7c9')" ]
	[ "$(git log -1 --format='%an <%ae>')" = "office <office@fieldco.example>" ]
	all_committed
	h=$(printf %s SM5f2a9c0e1b7d4386a0c2e9f1b3d5a7c9 | sha1sum | cut -c1-40)
	[ "$(cat "idx/pid/${h:0:2}/${h:2:2}/$h")" = "$id" ]
	# the raw payload spool is gone once filed
	[ "$(ls tmp/spool)" = "" ]
}

@test "twilio: a MessageSid indexed the one-level way of older stores is known" {
	id=$(inbox-recv <"$D/twilio-sms.form")
	h=$(printf %s SM5f2a9c0e1b7d4386a0c2e9f1b3d5a7c9 | sha1sum | cut -c1-40)
	mkdir -p "idx/pid/${h:0:2}"
	mv "idx/pid/${h:0:2}/${h:2:2}/$h" "idx/pid/${h:0:2}/$h"
	git_commit 'an older store'
	head=$(git rev-parse HEAD)
	run inbox-recv <"$D/twilio-sms.form"
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	[ "$(git rev-parse HEAD)" = "$head" ]
	[ "$(find conv -type f -path '*/new/*' | wc -l)" -eq 1 ]
}

@test "twilio: a repeated MessageSid is filed once, same id, no commit" {
	id=$(inbox-recv <"$D/twilio-sms.form")
	head=$(git rev-parse HEAD)
	before=$(snapshot)
	run inbox-recv <"$D/twilio-sms.form"
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	[ "$(git rev-parse HEAD)" = "$head" ]
	[ "$(snapshot)" = "$before" ]
	[ "$(find conv -type f -path '*/new/*' | wc -l)" -eq 1 ]
}

@test "twilio: a repeat is still one message after it was read" {
	id=$(inbox-recv <"$D/twilio-sms.form")
	inbox-show bfda3c3376e9 >/dev/null
	tick
	run inbox-recv <"$D/twilio-sms.form"
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	[ "$(find conv -type f -path '*/cur/*' | wc -l)" -eq 1 ]
	[ "$(find conv -type f -path '*/new/*' | wc -l)" -eq 0 ]
}

@test "twilio: -q files silently" {
	run inbox-recv -q <"$D/twilio-sms.form"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(commits)" -eq $((N0 + 1)) ]
}

@test "twilio: MMS keeps each MediaUrl with its type" {
	id=$(inbox-recv <"$D/twilio-mms.form")
	f=$(msgfile "$id")
	[ "$(grep '^X-Inbox-Channel:' "$f")" = "X-Inbox-Channel: mms" ]
	run grep '^X-Inbox-Media:' "$f"
	[ "$output" = "$(printf '%s\n%s' \
	    'X-Inbox-Media: http://127.0.0.1:9/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages/MM8b1d3f5a7c9e0b2d4f6a8c1e2f0e4a6c/Media/ME0a1b2c3d4e5f60718293a4b5c6d7e8f9 image/jpeg' \
	    'X-Inbox-Media: http://127.0.0.1:9/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages/MM8b1d3f5a7c9e0b2d4f6a8c1e2f0e4a6c/Media/ME9f8e7d6c5b4a39281706f5e4d3c2b1a0 video/mp4')" ]
	# nothing answers on 127.0.0.1:9: each URL is kept with the error
	[ "$(grep -c '^X-Inbox-Media-Error: http://127.0.0.1:9/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages/MM8b1d3f5a7c9e0b2d4f6a8c1e2f0e4a6c/Media/ME[0-9a-f]* ' "$f")" -eq 2 ]
	[ "$(tail -n 1 "$f")" = "Photos of the leak" ]
	[ "$(git log -1 --format=%s)" = "inbox-recv: mms from +15557654321" ]
}

@test "twilio: NumMedia larger than the MediaUrls given is malformed" {
	before=$(snapshot)
	run inbox-recv < <(twilio_sms SM00000000000000000000000000000009 $JEAN hi |
	    sed 's/NumMedia=0/NumMedia=2\&MediaUrl0=http%3A%2F%2Fx%2F1/')
	[ "$status" -eq 65 ]
	[ "$output" = "inbox-recv: NumMedia is 2 but MediaUrl1 is missing" ]
	[ "$(snapshot)" = "$before" ]
}

@test "twilio: WhatsApp through Twilio (From=whatsapp:+...)" {
	id=$(inbox-recv <"$D/twilio-whatsapp.form")
	[ "${id%%/*}" = bfda3c3376e9 ]
	f=$(msgfile "$id")
	run sed -n '1,11p' "$f"
	[ "${lines[0]}" = "X-Inbox-Channel: whatsapp" ]
	[ "${lines[4]}" = "X-Inbox-Address: +15557654321" ]
	[ "${lines[7]}" = "From: Jean Dupont <+15557654321>" ]
	[ "${lines[8]}" = "To: <+15550001111>" ]
	[ "${lines[10]}" = "Subject: whatsapp from Jean Dupont" ]
	[ "$(tail -n 1 "$f")" = "Bonjour, is Tuesday 10:00 still ok?" ]
	[ "$(git log -1 --format=%s)" = "inbox-recv: whatsapp from +15557654321 (Jean Dupont)" ]
	grep -qx 'last-in.whatsapp: 2026-11-22T08:53:20Z' conv/bf/bfda3c3376e9/state
}

@test "twilio: SMS and WhatsApp from one number share the conversation" {
	a=$(inbox-recv <"$D/twilio-sms.form")
	tick
	b=$(inbox-recv <"$D/twilio-whatsapp.form")
	[ "${a%%/*}" = "${b%%/*}" ]
	run inbox-ls
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'bfda3c3376e9\t2\t2026-11-22T08:54:20Z\twhatsapp\t+15557654321\tBonjour, is Tuesday 10:00 still ok?')" ]
}

@test "twilio: an unknown sender's messages stay in one conversation" {
	a=$(recv_sms SM00000000000000000000000000000001 $JEAN 'first')
	tick
	b=$(recv_sms SM00000000000000000000000000000002 $JEAN 'second')
	tick
	c=$(recv_sms SM00000000000000000000000000000003 +15557650002 'other')
	[ "${a%%/*}" = bfda3c3376e9 ]
	[ "${b%%/*}" = bfda3c3376e9 ]
	[ "${c%%/*}" = "$(addr_conv +15557650002)" ]
	[ "$(ls conv/bf/bfda3c3376e9/new | wc -l)" -eq 2 ]
	run inbox-ls
	[ "$output" = "$(printf '%s\t1\t2026-11-22T08:55:20Z\tsms\t+15557650002\tother\nbfda3c3376e9\t2\t2026-11-22T08:54:20Z\tsms\t+15557654321\tsecond' "${c%%/*}")" ]
}

@test "twilio: a national number is normalised with the business country" {
	id=$(recv_sms SM00000000000000000000000000000001 '(555) 765-4321' 'hi')
	[ "${id%%/*}" = bfda3c3376e9 ]
	grep -qx 'X-Inbox-Address: +15557654321' "$(msgfile "$id")"
}

@test "twilio: a known customer's message goes to the customer's conversation" {
	command -v inbox-contact >/dev/null || skip "needs inbox-contact"
	customer jean "Jean Dupont" $JEAN
	conv=$(printf %s contact:jean | sha1sum | cut -c1-12)
	id=$(inbox-recv <"$D/twilio-sms.form")
	[ "${id%%/*}" = "$conv" ]
	grep -qx 'contact: jean' "conv/${conv:0:2}/$conv/state"
	grep -qx 'kind: customer' "conv/${conv:0:2}/$conv/state"
	grep -qx 'From: Jean Dupont <+15557654321>' "$(msgfile "$id")"
	[ "$(git log -1 --format=%s)" = "inbox-recv: sms from +15557654321 (Jean Dupont)" ]
	[ "$(inbox-ls | cut -f1,5)" = "$(printf '%s\tJean Dupont' "$conv")" ]
}

@test "twilio: an archived conversation comes back on a new message" {
	recv_sms SM00000000000000000000000000000001 $JEAN 'first' >/dev/null
	st=conv/bf/bfda3c3376e9/state
	echo 'archived: 2026-11-19T00:00:00Z' >>"$st"
	git_commit "test: archive"
	run inbox-ls
	[ "$status" -eq 1 ]
	[ "$(inbox-ls --archived | cut -f1)" = bfda3c3376e9 ]
	tick
	recv_sms SM00000000000000000000000000000002 $JEAN 'back again' >/dev/null
	! grep -q '^archived:' "$st"
	grep -qx 'status: open' "$st"
	run inbox-ls
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'bfda3c3376e9\t2\t2026-11-22T08:54:20Z\tsms\t+15557654321\tback again')" ]
	run inbox-ls --archived
	[ "$status" -eq 1 ]
}

@test "status: delivered updates the outbound message and commits" {
	id=$(outbound $JEAN $SID)
	run inbox-recv <"$D/twilio-status-delivered.form"
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	f=$(msgfile "$id")
	[ "$(grep -c '^X-Inbox-Status:' "$f")" -eq 1 ]
	grep -qx 'X-Inbox-Status: delivered' "$f"
	grep -qx 'X-Inbox-Status-Time: 2026-11-22T08:53:20Z' "$f"
	! grep -q '^X-Inbox-Error' "$f"
	# everything else byte for byte, the body too
	diff <(grep -v '^X-Inbox-Status' "$f") \
	    <(grep -v '^X-Inbox-Status' "$D/outbound-sms.eml" |
	    sed "s/^X-Inbox-Provider-Id: .*/X-Inbox-Provider-Id: $SID/")
	run git log -1 --format=%B
	[ "$output" = "$(printf '%s\n\n%s\n%s\n%s' \
	    "inbox-recv: delivered $id" 'Conversation: bfda3c3376e9' \
	    "Message: $id" "Provider-Id: $SID")" ]
	all_committed
}

@test "status: monotonic, a late 'sent' after 'delivered' changes nothing" {
	id=$(outbound $JEAN $SID)
	inbox-recv <"$D/twilio-status-delivered.form" >/dev/null
	tick
	before=$(snapshot)
	run inbox-recv <"$D/twilio-status-sent.form"
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	[ "$(snapshot)" = "$before" ]
	grep -qx 'X-Inbox-Status: delivered' "$(msgfile "$id")"
	# a repeated 'delivered' neither
	run inbox-recv <"$D/twilio-status-delivered.form"
	[ "$status" -eq 0 ]
	[ "$(snapshot)" = "$before" ]
	# 'read' moves it on
	tick
	inbox-recv <"$D/twilio-status-read.form" >/dev/null
	grep -qx 'X-Inbox-Status: read' "$(msgfile "$id")"
	grep -qx 'X-Inbox-Status-Time: 2026-11-22T08:55:20Z' "$(msgfile "$id")"
	[ "$(git log -1 --format=%s)" = "inbox-recv: read $id" ]
}

@test "status: undelivered records ErrorCode and ErrorMessage" {
	id=$(outbound $JEAN $SID)
	inbox-recv <"$D/twilio-status-undelivered.form" >/dev/null
	f=$(msgfile "$id")
	grep -qx 'X-Inbox-Status: undelivered' "$f"
	grep -qx 'X-Inbox-Error: 30005 Unknown destination handset' "$f"
	[ "$(git log -1 --format=%s)" = "inbox-recv: undelivered $id 30005 Unknown destination handset" ]
	# terminal: a late delivered changes nothing
	before=$(snapshot)
	inbox-recv <"$D/twilio-status-delivered.form" >/dev/null
	[ "$(snapshot)" = "$before" ]
}

@test "status: failed with ErrorCode only; shows as failed in ls" {
	id=$(outbound $JEAN $SID)
	inbox-recv <"$D/twilio-status-failed.form" >/dev/null
	f=$(msgfile "$id")
	grep -qx 'X-Inbox-Status: failed' "$f"
	grep -qx 'X-Inbox-Error: 30008' "$f"
	[ "$(inbox-ls --failed | cut -f1)" = bfda3c3376e9 ]
	run inbox-show -n bfda3c3376e9
	[ "${lines[2]}" = "	error: 30008" ]
}

@test "status: an unknown MessageSid exits 1 with a message, no commit" {
	before=$(snapshot)
	run inbox-recv <"$D/twilio-status-delivered.form"
	[ "$status" -eq 1 ]
	[ "$output" = "inbox-recv: no message with provider id $SID" ]
	[ "$(snapshot)" = "$before" ]
}

@test "status: an unknown status word is malformed" {
	outbound $JEAN $SID >/dev/null
	before=$(snapshot)
	run inbox-recv < <(sed 's/MessageStatus=delivered/MessageStatus=exploded/' \
	    "$D/twilio-status-delivered.form")
	[ "$status" -eq 65 ]
	[ "$output" = "inbox-recv: unknown status 'exploded'" ]
	[ "$(snapshot)" = "$before" ]
}

@test "voice: a missed call becomes a message, its recording updates it" {
	run inbox-recv < <(printf 'CallSid=CA0f1e2d3c4b5a69788796a5b4c3d2e1f0&AccountSid=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&From=%%2B15557654321&To=%%2B15550001111&Direction=inbound&CallStatus=no-answer&ApiVersion=2010-04-01&CallbackSource=call-progress-events&SequenceNumber=2&Timestamp=Sun%%2C+22+Nov+2026+08%%3A53%%3A20+%%2B0000')
	[ "$status" -eq 0 ]
	id=$output
	[ "${id%%/*}" = bfda3c3376e9 ]
	grep -qx 'X-Inbox-Call-Outcome: missed' "$(msgfile "$id")"
	[ "$(git log -1 --format=%s)" = "inbox-recv: call from +15557654321 (missed)" ]
	tick
	run inbox-recv < <(printf 'AccountSid=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&CallSid=CA0f1e2d3c4b5a69788796a5b4c3d2e1f0&RecordingSid=RE11112222333344445555666677778888&RecordingUrl=https%%3A%%2F%%2Fapi.twilio.com%%2F2010-04-01%%2FAccounts%%2FACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa%%2FRecordings%%2FRE11112222333344445555666677778888&RecordingStatus=completed&RecordingDuration=42&RecordingChannels=1&RecordingSource=RecordVerb')
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	[ "$(find conv -type f -path '*/new/*' | wc -l)" -eq 1 ]
	f=$(msgfile "$id")
	grep -qx 'X-Inbox-Call-Outcome: voicemail' "$f"
	grep -qx 'X-Inbox-Call-Recording-Duration: 42' "$f"
	[ "$(inbox-ls | cut -f6)" = "Voicemail - 0:42" ]
}

# X-Twilio-Signature: the vector of provider-apis.md section 4.
VURL='https://mycompany.com/myapp.php?foo=1&bar=2'
VBODY='CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212'
VSIG='RSOYDt4T1cUTdK1PDd93/VVr8B8='

@test "signature: the documented Twilio vector is accepted" {
	export INBOX_SECRET_TWILIO_TOKEN=12345
	run inbox-recv --url "$VURL" --signature "$VSIG" < <(printf %s "$VBODY")
	[ "$status" -eq 0 ]
	[ "$(git log -1 --format=%s)" = "inbox-recv: call from +14158675309 (ringing)" ]
}

@test "signature: accepted with the default port added to the URL" {
	export INBOX_SECRET_TWILIO_TOKEN=12345
	run inbox-recv --url 'https://mycompany.com:443/myapp.php?foo=1&bar=2' \
	    --signature "$VSIG" < <(printf %s "$VBODY")
	[ "$status" -eq 0 ]
	[ "$(commits)" -eq $((N0 + 1)) ]
}

@test "signature: a bad signature exits 3 and changes nothing" {
	export INBOX_SECRET_TWILIO_TOKEN=12345
	before=$(snapshot)
	run inbox-recv --url "$VURL" --signature 'RSOYDt4T1cUTdK1PDd93/VVr8B8X' \
	    < <(printf %s "$VBODY")
	[ "$status" -eq 3 ]
	[ "$output" = "inbox-recv: webhook signature does not match" ]
	[ "$(snapshot)" = "$before" ]
	[ "$(ls tmp/spool)" = "" ]
	# a changed parameter, the right signature
	run inbox-recv --url "$VURL" --signature "$VSIG" \
	    < <(printf %s "$VBODY" | sed 's/Digits=1234/Digits=1235/')
	[ "$status" -eq 3 ]
	# another URL
	run inbox-recv --url 'https://mycompany.com/myapp.php?foo=1&bar=3' \
	    --signature "$VSIG" < <(printf %s "$VBODY")
	[ "$status" -eq 3 ]
	[ "$(snapshot)" = "$before" ]
}

@test "signature: an SMS signed with the token in secrets/ (openssl)" {
	printf '12345\n' >secrets/twilio-token
	chmod 600 secrets/twilio-token
	url=https://inbox.fieldco.example/recv/twilio
	# url, then each parameter sorted by name as name+value, decoded
	s="${url}AccountSidACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaApiVersion2010-04-01BodyNo hot waterFrom+15557654321MessageSidSM00000000000000000000000000000042NumMedia0NumSegments1SmsStatusreceivedTo+15550001111"
	sig=$(printf %s "$s" | openssl dgst -sha1 -hmac 12345 -binary | base64)
	body=$(twilio_sms SM00000000000000000000000000000042 $JEAN 'No hot water')
	before=$(snapshot)
	run inbox-recv --url "$url" --signature "${sig%?}A" < <(printf %s "$body")
	[ "$status" -eq 3 ]
	[ "$(snapshot)" = "$before" ]
	run inbox-recv --url "$url" --signature "$sig" < <(printf %s "$body")
	[ "$status" -eq 0 ]
	[ "$(git log -1 --format=%s)" = "inbox-recv: sms from +15557654321" ]
}

@test "signature: secrets/twilio-token readable by others is refused" {
	printf '12345\n' >secrets/twilio-token
	chmod 644 secrets/twilio-token
	before=$(snapshot)
	run inbox-recv --url "$VURL" --signature "$VSIG" < <(printf %s "$VBODY")
	[ "$status" -eq 2 ]
	[ "$output" = "inbox-recv: secrets/twilio-token is readable by others (chmod 600 it)" ]
	[ "$(snapshot)" = "$before" ]
}
