#!/usr/bin/env bats
# Landlines and unreachable numbers: a status callback with ErrorCode
# 30006 (or 30005, 21614, 21211) marks the address unable to receive SMS
# (sms-unreachable on its addr/ record); the next SMS is refused up front
# with the reason and the suggestion of another channel; 30003 and 30007
# are tried again within send.tries (back to queued with a next try),
# then fail.  Outbound messages get their provider id from the spool
# transport ("spool:NAME"), which the callbacks name as MessageSid.

load helper
load data/outbound
bats_require_minimum_version 1.5.0

JANE=+15125550100
CJ=4c596136f8e3		# conversation of contact jane-doe
SUN=1795337600		# Sunday 2026-11-22 08:53:20Z

norm() {
	sed -E 's/\.M([0-9]{6})P[0-9]+Q[0-9]+R[0-9a-f]{8}\.[A-Za-z0-9-]+/.U/g'
}

addr_rec() {
	local h
	h=$(printf %s "$1" | sha1sum | cut -c1-40)
	cat "addr/${h:0:2}/$h"
}

msgfile() {
	ls "conv/${1:0:2}/${1%%/*}"/*/"${1#*/}"*
}

# Send TEXT to Jane; sets ID and PID (the spool's provider id).
send() {
	local out
	out=$(inbox-send jane-doe "$1") || return 1
	ID=$(echo "$out" | cut -f1)
	PID=$(echo "$out" | cut -f3)
}

# callback PID STATUS [CODE [TEXT]]: a Twilio status callback.
callback() {
	printf 'MessageSid=%s&SmsSid=%s&MessageStatus=%s&SmsStatus=%s%s%s&To=%%2B15125550100&From=%%2B15550001111&AccountSid=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&ApiVersion=2010-04-01' \
	    "$(urlenc "$1")" "$(urlenc "$1")" "$2" "$2" \
	    "${3:+&ErrorCode=$3}" "${4:+&ErrorMessage=$(urlenc "$4")}" |
	    inbox-recv
}

headers() {
	grep -E '^X-Inbox-(Status|Error|Tries|Next-Try):' "$(msgfile "$ID")"
}

setup() {
	export INBOX_NOW=$SUN
	new_store
	customer jane-doe "Jane Doe" $JANE
	tick
}

@test "the spool transport gives a provider id that a callback can name" {
	send "Your part is in"
	[ "$(echo "$ID" | norm)" = "$CJ/1795337660.U" ]
	[ "$PID" = "spool:${ID#*/}.msg" ]
	[ -f "tmp/outbox/${ID#*/}.msg" ]
	tick
	run --separate-stderr callback "$PID" delivered
	[ "$status" -eq 0 ]
	[ "$output" = "$ID" ]
	grep -qx 'X-Inbox-Status: delivered' "$(msgfile "$ID")"
}

@test "30006: the number is a landline; the next SMS is refused with the reason and the advice" {
	send "Your part is in"
	tick
	run --separate-stderr callback "$PID" undelivered 30006 "Landline or unreachable carrier"
	[ "$status" -eq 0 ]
	[ "$output" = "$ID" ]
	[ "$(headers)" = "X-Inbox-Tries: 1
X-Inbox-Status: undelivered
X-Inbox-Error: 30006 Landline or unreachable carrier" ]
	[ "$(addr_rec $JANE)" = "contact: jane-doe
address: $JANE
sms-unreachable: 30006 (2026-11-22T08:55:20Z)" ]
	[ "$(git log -1 --format=%s)" = \
	    "inbox-recv: undelivered $ID 30006 Landline or unreachable carrier" ]
	tick
	n=$(commits)
	run --separate-stderr inbox-send --channel sms jane-doe "Are you there?"
	[ "$status" -eq 3 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-send: $JANE cannot receive SMS (30006 (2026-11-22T08:55:20Z)); try another channel" ]
	[ "$(commits)" -eq "$n" ]
	[ "$(ls tmp/outbox | wc -l)" -eq 1 ]
	all_committed
}

@test "every landline code marks the number: 30005, 30006, 21614, 21211" {
	for code in 30005 30006 21614 21211; do
		send "Code $code"
		tick
		callback "$PID" failed $code >/dev/null
		[ "$(addr_rec $JANE | grep '^sms-unreachable:')" = \
		    "sms-unreachable: $code ($(date -u -d "@$INBOX_NOW" +%FT%TZ))" ]
		tick
		run inbox-send --channel sms jane-doe "again"
		[ "$status" -eq 3 ]
		# the office clears it by hand when the customer says it is
		# a mobile after all
		h=$(printf %s $JANE | sha1sum | cut -c1-40)
		sed -i '/^sms-unreachable:/d' "addr/${h:0:2}/$h"
		git_commit "test: $JANE takes SMS again"
		tick
	done
	[ "$(sent -c | cut -f4)" = "Code 30005
Code 30006
Code 21614
Code 21211" ]
}

@test "other failures do not mark the number" {
	send "Hello"
	tick
	callback "$PID" failed 30008 "Unknown error" >/dev/null
	! addr_rec $JANE | grep -q '^sms-unreachable' || false
	tick
	run inbox-send jane-doe "again"
	[ "$status" -eq 0 ]
}

@test "a landline with an email: the next message goes by email, SMS is refused" {
	inbox-contact edit jane-doe --add-email jane@doe.example >/dev/null
	tick
	send "Your part is in"
	tick
	callback "$PID" undelivered 30006 >/dev/null
	tick
	run --separate-stderr inbox-send jane-doe "Your part is in (by email)"
	[ "$status" -eq 0 ]
	[ "$(sent -c | cut -f1,2,4)" = "sms	$JANE	Your part is in
email	jane@doe.example	Your part is in (by email)" ]
}

@test "an automatic message to a landline is refused too" {
	cat >>inbox.yaml <<-'EOF'

	staff:
	  office: {name: Olive Office, role: office}
	  mike: {name: Mike Rivera, role: tech}
	EOF
	git_commit "test: staff"
	send "Hello"
	tick
	callback "$PID" undelivered 21614 >/dev/null
	INBOX_NOW=1795446000	# Monday 09:00 in Chicago
	run --separate-stderr inbox-job schedule J1 --customer jane-doe \
	    --at 2026-11-24T09:00 --tech mike
	[ "$status" -eq 2 ]
	[ "$(echo "$stderr" | head -n 1)" = "inbox-send: $JANE cannot receive SMS (21614 (2026-11-22T08:55:20Z)); try another channel" ]
	[ "$(sent -c | wc -l)" -eq 1 ]
}

@test "30003 and 30007 are tried again within send.tries, then fail" {
	sed -i 's/^  tries: 5 /  tries: 3 /' inbox.yaml
	git_commit "test: three tries"
	send "Your part is in"
	tick
	run --separate-stderr callback "$PID" undelivered 30003 "Unreachable destination handset"
	[ "$status" -eq 0 ]
	[ "$output" = "$ID" ]
	[ "$(headers)" = "X-Inbox-Tries: 1
X-Inbox-Status: queued
X-Inbox-Error: 30003 Unreachable destination handset
X-Inbox-Next-Try: 2026-11-22T08:56:20Z" ]
	[ "$(cat idx/queue/*)" = "$ID" ]
	[ "$(git log -1 --format=%s)" = \
	    "inbox-recv: retry later $ID: 30003 Unreachable destination handset" ]
	! addr_rec $JANE | grep -q '^sms-unreachable' || false
	# not before the next try
	run inbox-send --flush
	[ "$output" = "" ]
	INBOX_NOW=$((SUN + 180))
	run inbox-send --flush
	[ "$output" = "$ID	sent	$PID" ]
	tick
	callback "$PID" failed 30007 "Carrier violation" >/dev/null
	[ "$(headers)" = "X-Inbox-Tries: 2
X-Inbox-Status: queued
X-Inbox-Error: 30007 Carrier violation
X-Inbox-Next-Try: 2026-11-22T08:59:20Z" ]
	INBOX_NOW=$((SUN + 300))	# backing off: not yet
	run inbox-send --flush
	[ "$output" = "" ]
	INBOX_NOW=$((SUN + 360))
	inbox-send --flush >/dev/null
	tick
	callback "$PID" undelivered 30003 "Unreachable destination handset" >/dev/null
	# the third try was the last
	[ "$(headers)" = "X-Inbox-Tries: 3
X-Inbox-Status: undelivered
X-Inbox-Error: 30003 Unreachable destination handset" ]
	[ -z "$(ls idx/queue)" ]
	[ "$(inbox-ls --failed | cut -f1)" = $CJ ]
	# each try went out once
	[ "$(ls tmp/outbox | wc -l)" -eq 1 ]
	all_committed
}

@test "21610: the carrier says the number opted out" {
	send "Hello"
	tick
	callback "$PID" failed 21610 "Attempt to send to unsubscribed recipient" >/dev/null
	[ "$(addr_rec $JANE | sed 's/ [^ ]*\.vm$/ MSG/')" = "contact: jane-doe
address: $JANE
optout: 2026-11-22T08:55:20Z
optout-keyword: provider 21610
optout-message: MSG" ]
	tick
	run --separate-stderr inbox-send jane-doe "again"
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-send: $JANE opted out (provider 21610 at 2026-11-22 08:55)" ]
}

@test "a callback for a provider id we do not know: exit 1, said" {
	run --separate-stderr callback "spool:nope.msg" undelivered 30006
	[ "$status" -eq 1 ]
	[ "$stderr" = "inbox-recv: no message with provider id spool:nope.msg" ]
	[ ! -e addr ] || [ -z "$(grep -rl sms-unreachable addr)" ]
}
