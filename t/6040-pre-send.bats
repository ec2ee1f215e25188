#!/usr/bin/env bats
# The pre-send hook: the store's hooks/pre-send, when executable, runs as
# each message is handed to its transport and may refuse it with a
# reason (the first line it prints): inbox-send exits 3, the message is
# kept with status "refused" and the reason, and that is committed.

load helper
load data/outbound
bats_require_minimum_version 1.5.0

JANE=+15125550100
CJ=4c596136f8e3		# conversation of contact jane-doe
SUN=1795337600		# Sunday 2026-11-22 08:53:20Z

norm() {
	sed -E 's/\.M([0-9]{6})P[0-9]+Q[0-9]+R[0-9a-f]{8}\.[A-Za-z0-9-]+/.U/g'
}

msgfile() {
	ls "conv/${1:0:2}/${1%%/*}"/*/"${1#*/}"*
}

# The one outbound message's id.
only_id() {
	local f
	f=$(grep -l '^X-Inbox-Direction: out' conv/*/*/cur/*)
	[ "$(echo "$f" | wc -l)" -eq 1 ] || return 1
	f=${f##*/}
	echo "${f%%/*}" | sed "s#^#$CJ/#; s#:2,S\$##"
}

pre_send() {
	printf '#!/bin/sh\n%s\n' "$1" >hooks/pre-send
	chmod +x hooks/pre-send
	git_commit "test: pre-send"
}

staff() {
	cat >>inbox.yaml <<-'EOF'

	staff:
	  office: {name: Olive Office, role: office}
	  mike: {name: Mike Rivera, role: tech}
	EOF
	git_commit "test: staff"
}

setup() {
	export INBOX_NOW=$SUN
	T=$BATS_TEST_TMPDIR
	new_store
	customer jane-doe "Jane Doe" $JANE
	tick
}

@test "the shipped pre-send is a sample, not executable: nothing is refused" {
	[ -f hooks/pre-send ]
	[ ! -x hooks/pre-send ]
	run inbox-send --automatic --type notice jane-doe "Sunday notice"
	[ "$status" -eq 0 ]
	run inbox-send jane-doe "Sunday reply"
	[ "$status" -eq 0 ]
}

@test "a refusal: exit 3, the reason, status refused, committed, nothing sent" {
	pre_send 'echo "account on hold: unpaid invoice 1042"; echo "more detail"; exit 1'
	tick
	run --separate-stderr inbox-send jane-doe "Can we come Tuesday?"
	[ "$status" -eq 3 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-send: refused by the pre-send hook: account on hold: unpaid invoice 1042" ]
	[ ! -e tmp/outbox ]
	id=$(only_id)
	[ "$(grep -E '^X-Inbox-(Status|Error):' "$(msgfile "$id")")" = \
	    "X-Inbox-Status: refused
X-Inbox-Error: refused by the pre-send hook: account on hold: unpaid invoice 1042" ]
	[ "$(git log -2 --format='%an%x09%s')" = "office	inbox-send: refused $id: refused by the pre-send hook: account on hold: unpaid invoice 1042
office	inbox-send: queue sms to $JANE (manual)" ]
	[ "$(git log -1 --format=%B)" = "inbox-send: refused $id: refused by the pre-send hook: account on hold: unpaid invoice 1042

Message: $id
Reason: refused by the pre-send hook: account on hold: unpaid invoice 1042" ]
	[ -z "$(ls idx/queue)" ]
	# it stays refused: a flush does not pick it up, --retry will not
	run inbox-send --flush
	[ "$output" = "" ]
	run --separate-stderr inbox-send --retry "$id"
	[ "$status" -eq 64 ]
	[ "$stderr" = "inbox-send: $id is refused, not failed: nothing to retry" ]
	all_committed
}

@test "a refusal without words says so" {
	pre_send 'exit 1'
	tick
	run --separate-stderr inbox-send jane-doe "Hello"
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-send: refused by the pre-send hook: no reason given" ]
}

@test "the hook's environment, working directory and event JSON" {
	pre_send "env | grep -E '^INBOX_(DIR|USER|EVENT|CONV|CUSTOMER|MESSAGE|CHANNEL|TO|TYPE|JOB|AUTOMATIC)=' | LC_ALL=C sort >\"$T/env\"
cat >\"$T/stdin\"; pwd >\"$T/pwd\""
	tick
	run --separate-stderr inbox-send jane-doe "Hello"
	[ "$status" -eq 0 ]
	id=$(echo "$output" | cut -f1)
	[ "$(cat "$T/env")" = "INBOX_AUTOMATIC=0
INBOX_CHANNEL=sms
INBOX_CONV=$CJ
INBOX_CUSTOMER=jane-doe
INBOX_DIR=$(cd "$S" && pwd -P)
INBOX_EVENT=pre-send
INBOX_JOB=
INBOX_MESSAGE=$id
INBOX_TO=$JANE
INBOX_TYPE=manual
INBOX_USER=office" ]
	[ "$(cat "$T/stdin")" = "{\"event\":\"pre-send\",\"conversation\":\"$CJ\",\"customer\":\"jane-doe\",\"message\":\"$id\"}" ]
	[ "$(cat "$T/pwd")" = "$(cd "$S" && pwd -P)" ]
	[ "$(sent | cut -f3)" = Hello ]
}

@test "a rule for automatic messages only: the confirmation is refused, a person's reply goes" {
	staff
	pre_send '[ "$INBOX_AUTOMATIC" = 1 ] || exit 0
[ "$INBOX_TYPE" = confirmation ] || exit 0
echo "no confirmations for $INBOX_JOB: the customer books by phone"; exit 1'
	INBOX_NOW=1795446000	# Monday 09:00 in Chicago
	run --separate-stderr inbox-job schedule J1 --customer jane-doe \
	    --at 2026-11-24T09:00 --tech mike
	[ "$status" -eq 2 ]
	[ "$output" = J1 ]
	[ "$stderr" = "inbox-send: refused by the pre-send hook: no confirmations for J1: the customer books by phone
inbox-job: hook job-scheduled failed for J1 (exit 3); it is recorded on the job: run inbox-job rerun J1 job-scheduled" ]
	tick
	run inbox-send jane-doe "We will confirm by phone"
	[ "$status" -eq 0 ]
	tick
	inbox-job enroute J1 >/dev/null 2>&1
	[ "$(sent | cut -f2,3)" = "manual	We will confirm by phone
on-my-way	Hi Jane, Mike from Fieldco Plumbing & Heating is on the way to you now." ]
	# the refused confirmation counts as sent: a rerun does not try again
	tick
	run --separate-stderr inbox-job rerun J1 job-scheduled
	[ "$status" -eq 0 ]
	[ "$(echo "$stderr" | norm)" = "inbox-send: J1 confirmation already sent: $CJ/1795446000.U" ]
}

@test "the hook runs at delivery: a held message is checked when it is flushed" {
	staff
	pre_send "[ ! -e \"$T/hold\" ] || { echo 'on hold since the flood'; exit 1; }"
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    --tech mike >/dev/null 2>&1	# 02:53 in Chicago: held for 08:00
	tick
	: >"$T/hold"
	INBOX_NOW=1795356000	# 08:00 in Chicago
	run --separate-stderr inbox-send --flush
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | norm)" = "$CJ/1795337660.U	refused	refused by the pre-send hook: on hold since the flood" ]
	[ ! -e tmp/outbox ]
}

@test "a hanging pre-send hook is killed at the timeout and the send refused" {
	pre_send 'sleep 30'
	tick
	SECONDS=0
	run --separate-stderr env INBOX_HOOK_TIMEOUT=1 inbox-send jane-doe "Hello"
	[ "$SECONDS" -lt 10 ]
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-send: refused by the pre-send hook: hook pre-send killed after 1s" ]
	[ ! -e tmp/outbox ]
}

@test "the opt-out rules come first: a pre-send hook that allows all does not override them" {
	pre_send 'exit 0'
	recv_sms SM1 $JANE "STOP" >/dev/null
	tick
	run --separate-stderr inbox-send jane-doe "Hello"
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-send: $JANE opted out (STOP at 2026-11-22 08:54)" ]
}
