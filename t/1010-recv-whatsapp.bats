#!/usr/bin/env bats
# inbox-recv, WhatsApp Cloud API webhooks: messages (text, image with a
# caption, several in one webhook), statuses, X-Hub-Signature-256.

load helper
load data/outbound

D="$BATS_TEST_DIRNAME/data"
JEAN=+15557654321
WAMID=wamid.HBgLMTU1NTc2NTQzMjEVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA

setup() {
	new_store
	no_autoreply
	N0=$(commits)
}

msgfile() {
	ls conv/"${1:0:2}"/"${1%%/*}"/*/"${1#*/}"*
}

# hex HMAC-SHA256 of a file's bytes
hub_sig() {
	printf 'sha256=%s' "$(openssl dgst -sha256 -hmac "$1" -r <"$2" |
	    cut -d' ' -f1)"
}

@test "whatsapp: a text message, detected without --format" {
	run inbox-recv <"$D/whatsapp-text.json"
	[ "$status" -eq 0 ]
	id=$output
	[[ "$id" =~ ^bfda3c3376e9/1795337600\.M000000P[0-9]{7}Q1R[0-9a-f]{8}\. ]]
	uniq=${id#*/}
	cat >"$BATS_TEST_TMPDIR/expect" <<-EOF
	X-Inbox-Channel: whatsapp
	X-Inbox-Direction: in
	X-Inbox-Type: reply
	X-Inbox-Status: received
	X-Inbox-Address: +15557654321
	X-Inbox-Provider-Id: wamid.HBgLMTU1NTc2NTQzMjEVAgASGBQzQTdGNDk2QjE0QjI1N0RBMzg1MgA=
	Date: Sun, 22 Nov 2026 08:53:34 +0000
	From: Jean Dupont <+15557654321>
	To: <+15550001111>
	Message-ID: <$uniq@inbox>
	Subject: whatsapp from Jean Dupont
	MIME-Version: 1.0
	Content-Type: text/plain; charset=utf-8
	Content-Transfer-Encoding: 8bit

	Boiler leaking in the basement
	EOF
	diff -u "$BATS_TEST_TMPDIR/expect" "$(msgfile "$id")"
	run git log -1 --format=%B
	[ "$output" = "$(printf '%s\n\n%s\n%s\n%s' \
	    'inbox-recv: whatsapp from +15557654321 (Jean Dupont)' \
	    'Conversation: bfda3c3376e9' "Message: $id" \
	    'Provider-Id: wamid.HBgLMTU1NTc2NTQzMjEVAgASGBQzQTdGNDk2QjE0QjI1N0RBMzg1MgA=')" ]
	grep -qx 'last-in.whatsapp: 2026-11-22T08:53:34Z' conv/bf/bfda3c3376e9/state
}

@test "whatsapp: the message time is the webhook's timestamp" {
	inbox-recv <"$D/whatsapp-text.json" >/dev/null
	run inbox-ls
	[ "$output" = "$(printf 'bfda3c3376e9\t1\t2026-11-22T08:53:34Z\twhatsapp\t+15557654321\tBoiler leaking in the basement')" ]
}

@test "whatsapp: a repeated wamid is filed once" {
	id=$(inbox-recv <"$D/whatsapp-text.json")
	before=$(snapshot)
	run inbox-recv --format whatsapp <"$D/whatsapp-text.json"
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	[ "$(snapshot)" = "$before" ]
}

@test "whatsapp: an image keeps its media id and type, the caption is the text" {
	id=$(inbox-recv <"$D/whatsapp-image.json")
	f=$(msgfile "$id")
	[ "$(grep '^X-Inbox-Media:' "$f")" = "X-Inbox-Media: 1479537139650973 image/jpeg" ]
	[ "$(tail -n 1 "$f")" = "This is the valve" ]
	run inbox-show -n bfda3c3376e9
	[ "${lines[2]}" = "	This is the valve" ]
}

@test "whatsapp: several messages in one webhook, each in its conversation" {
	run inbox-recv <"$D/whatsapp-multi.json"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]%%/*}" = bfda3c3376e9 ]
	[ "${lines[1]%%/*}" = "$(addr_conv +15557650002)" ]
	[ "${lines[2]%%/*}" = bfda3c3376e9 ]
	[ "$(sort -u <<<"$output" | wc -l)" -eq 3 ]
	# each sender keeps its own profile name
	grep -qx 'From: Ana Souza <+15557650002>' "$(msgfile "${lines[1]}")"
	grep -qx 'From: Jean Dupont <+15557654321>' "$(msgfile "${lines[2]}")"
	run inbox-show -n bfda3c3376e9
	[ "${lines[2]}" = "	First: no hot water" ]
	[ "${lines[4]}" = "	Second: it is leaking too" ]
	# filing it again files nothing
	before=$(snapshot)
	inbox-recv <"$D/whatsapp-multi.json" >/dev/null
	[ "$(snapshot)" = "$before" ]
}

@test "whatsapp: location and button replies" {
	run inbox-recv <"$D/whatsapp-location-reaction.json"
	[ "$status" -eq 0 ]
	[ "$(tail -n 1 "$(msgfile "${lines[0]}")")" = "Back gate" ]
	[ "$(tail -n 1 "$(msgfile "${lines[1]}")")" = "Confirm visit" ]
}

@test "whatsapp: a late webhook for an older message does not move last-in back" {
	inbox-recv <"$D/whatsapp-image.json" >/dev/null	# 08:54:34
	inbox-recv <"$D/whatsapp-text.json" >/dev/null	# 08:53:34, late
	grep -qx 'last-in.whatsapp: 2026-11-22T08:54:34Z' conv/bf/bfda3c3376e9/state
	[ "$(inbox-ls | cut -f3)" = 2026-11-22T08:54:34Z ]
}

@test "whatsapp: the newest message sets the conversation's channel" {
	inbox-recv <"$D/whatsapp-text.json" >/dev/null	# 08:53:34
	recv_sms SM00000000000000000000000000000001 $JEAN 'hi' >/dev/null
	grep -qx 'channel: whatsapp' conv/bf/bfda3c3376e9/state
	tick 600
	recv_sms SM00000000000000000000000000000002 $JEAN 'sms later' >/dev/null
	grep -qx 'channel: sms' conv/bf/bfda3c3376e9/state
	# a late WhatsApp webhook for an older message leaves it at sms
	inbox-recv <"$D/whatsapp-image.json" >/dev/null	# 08:54:34
	grep -qx 'channel: sms' conv/bf/bfda3c3376e9/state
	grep -qx 'last-in.sms: 2026-11-22T09:03:20Z' conv/bf/bfda3c3376e9/state
	grep -qx 'last-in.whatsapp: 2026-11-22T08:54:34Z' conv/bf/bfda3c3376e9/state
}

@test "whatsapp status: delivered, read, then a late delivered" {
	id=$(outbound $JEAN $WAMID whatsapp)
	run inbox-recv <"$D/whatsapp-status-delivered.json"
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	f=$(msgfile "$id")
	grep -qx 'X-Inbox-Status: delivered' "$f"
	grep -qx 'X-Inbox-Status-Time: 2026-11-22T08:54:20Z' "$f"
	[ "$(git log -1 --format=%s)" = "inbox-recv: delivered $id" ]
	inbox-recv <"$D/whatsapp-status-read.json" >/dev/null
	grep -qx 'X-Inbox-Status: read' "$f"
	grep -qx 'X-Inbox-Status-Time: 2026-11-22T08:55:20Z' "$f"
	before=$(snapshot)
	run inbox-recv <"$D/whatsapp-status-delivered.json"
	[ "$status" -eq 0 ]
	[ "$(snapshot)" = "$before" ]
}

@test "whatsapp status: failed keeps the error code and title" {
	id=$(outbound $JEAN $WAMID whatsapp)
	inbox-recv <"$D/whatsapp-status-failed.json" >/dev/null
	f=$(msgfile "$id")
	grep -qx 'X-Inbox-Status: failed' "$f"
	grep -qx 'X-Inbox-Error: 131047 Re-engagement message' "$f"
	[ "$(git log -1 --format=%s)" = "inbox-recv: failed $id 131047 Re-engagement message" ]
}

@test "whatsapp status: an unknown wamid exits 1, nothing changed" {
	before=$(snapshot)
	run inbox-recv <"$D/whatsapp-status-read.json"
	[ "$status" -eq 1 ]
	[ "$output" = "inbox-recv: no message with provider id $WAMID" ]
	[ "$(snapshot)" = "$before" ]
}

@test "whatsapp: a webhook with neither messages nor statuses is malformed" {
	before=$(snapshot)
	run inbox-recv < <(echo '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp"}}]}]}')
	[ "$status" -eq 65 ]
	[ "$output" = "inbox-recv: WhatsApp webhook with no message or status" ]
	[ "$(snapshot)" = "$before" ]
}

@test "whatsapp: a message without from is malformed" {
	before=$(snapshot)
	run inbox-recv < <(sed 's/"from":"15557654321",//' "$D/whatsapp-text.json")
	[ "$status" -eq 65 ]
	[ "$output" = "inbox-recv: WhatsApp message without type, from or id" ]
	[ "$(snapshot)" = "$before" ]
}

@test "signature: X-Hub-Signature-256 with the app secret files it" {
	export INBOX_SECRET_WHATSAPP_APP_SECRET=6d1f0c2b9e8a7d6c5b4a39281706f5e4
	sig=$(hub_sig "$INBOX_SECRET_WHATSAPP_APP_SECRET" "$D/whatsapp-text.json")
	run inbox-recv --signature "$sig" <"$D/whatsapp-text.json"
	[ "$status" -eq 0 ]
	[ "$(commits)" -eq $((N0 + 1)) ]
}

@test "signature: a bad X-Hub-Signature-256 exits 3, nothing changed" {
	export INBOX_SECRET_WHATSAPP_APP_SECRET=6d1f0c2b9e8a7d6c5b4a39281706f5e4
	before=$(snapshot)
	sig=$(hub_sig wrong-secret "$D/whatsapp-text.json")
	run inbox-recv --signature "$sig" <"$D/whatsapp-text.json"
	[ "$status" -eq 3 ]
	[ "$output" = "inbox-recv: webhook signature does not match" ]
	# the right signature over other bytes
	sig=$(hub_sig "$INBOX_SECRET_WHATSAPP_APP_SECRET" "$D/whatsapp-image.json")
	run inbox-recv --signature "$sig" <"$D/whatsapp-text.json"
	[ "$status" -eq 3 ]
	run inbox-recv --signature garbage <"$D/whatsapp-text.json"
	[ "$status" -eq 3 ]
	[ "$(snapshot)" = "$before" ]
	[ "$(ls tmp/spool)" = "" ]
}

@test "signature: the app secret from secrets/whatsapp-app-secret" {
	printf 'from-the-file\n' >secrets/whatsapp-app-secret
	chmod 600 secrets/whatsapp-app-secret
	run inbox-recv --signature "$(hub_sig wrong "$D/whatsapp-text.json")" \
	    <"$D/whatsapp-text.json"
	[ "$status" -eq 3 ]
	run inbox-recv --signature "$(hub_sig from-the-file \
	    "$D/whatsapp-text.json")" <"$D/whatsapp-text.json"
	[ "$status" -eq 0 ]
}
