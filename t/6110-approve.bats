#!/usr/bin/env bats
# The approval queue: a member of staff who may only send gated writes a
# message that waits, undelivered, until someone with messages.approve
# approves it (delivered, the approver recorded) or rejects it (kept in
# the thread with the reason, which the author sees).

load helper
bats_require_minimum_version 1.5.0

A=+15125550100	# Pat Doe, customer cust1: conversation cc27c728a139
CA=cc27c728a139
MONDAY=1795446000	# 2026-11-23 09:00 in Chicago: the office is open

setup() {
	export INBOX_NOW=$MONDAY
	new_store
	customer cust1 "Pat Doe" $A
	cat >>inbox.yaml <<-'EOF'

	roles:
	  apprentice: [messages.view, messages.send_gated, customers.chat]
	staff:
	  olive: {name: Olive Office, role: office}
	  tina: {name: Tina Tech, role: tech}
	  gus: {name: Gus Gated, role: apprentice}
	EOF
	git add -f inbox.yaml
	git -c user.name=t -c user.email=t@t commit -q -m 'staff'
	export INBOX_USER=olive
	recv_sms SM1 $A "Can you do it cheaper?" >/dev/null
	inbox-assign -q --add-member gus $CA
	tick
}

# The file of message ID.
msgfile() {
	local d=conv/${1:0:2}/${1%%/*}
	ls "$d"/new/"${1#*/}"* "$d"/cur/"${1#*/}"* 2>/dev/null
}

# Header NAME of message ID.
header() {
	sed -n "/^\$/q; s/^$2: //p" "$(msgfile "$1")"
}

# gus writes a gated message; its id in $ID.
gated() {
	run --separate-stderr inbox-send -u gus $CA "${1:-Ten percent off for you}"
	[ "$status" -eq 0 ]
	ID=${output%%	*}
	[ "$output" = "$ID	pending_approval" ]
	[[ "$ID" == $CA/* ]]
}

outbox_count() {
	find tmp/outbox -type f 2>/dev/null | wc -l
}

@test "a gated send is filed pending_approval, not delivered, and listed" {
	gated
	[ -z "$stderr" ]
	[ "$(header "$ID" X-Inbox-Status)" = pending_approval ]
	[ "$(header "$ID" X-Inbox-Author)" = gus ]
	[ "$(outbox_count)" -eq 0 ]
	run --separate-stderr inbox-approve
	[ "$status" -eq 0 ]
	[ "$output" = "$ID	2026-11-23T15:01:00Z	gus	sms	$A	Ten percent off for you" ]
	run --separate-stderr inbox-approve --json
	[ "$output" = "{\"id\":\"$ID\",\"time\":\"2026-11-23T15:01:00Z\",\"author\":\"gus\",\"channel\":\"sms\",\"to\":\"$A\",\"text\":\"Ten percent off for you\"}" ]
	# a flush does not send it either
	inbox-send -q --flush
	[ "$(outbox_count)" -eq 0 ]
	[ "$(header "$ID" X-Inbox-Status)" = pending_approval ]
}

@test "someone with messages.send is not gated" {
	inbox-assign -q --add-member tina $CA
	run --separate-stderr inbox-send -u tina $CA "On my way"
	[ "$status" -eq 0 ]
	[[ "$output" == $CA/*"	sent	spool:"* ]]
	[ "$(outbox_count)" -eq 1 ]
	run inbox-approve
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "approve delivers it and records the approver" {
	gated
	tick
	run --separate-stderr inbox-approve --approve "$ID"
	[ "$status" -eq 0 ]
	[ "$output" = "$ID	sent" ]
	[ -z "$stderr" ]
	[ "$(outbox_count)" -eq 1 ]
	[ "$(header "$ID" X-Inbox-Status)" = sent ]
	[ "$(header "$ID" X-Inbox-Approved-By)" = "olive 2026-11-23T15:02:00Z" ]
	git log --format=%B | grep -qx "Approved-By: olive"
	[ "$(git log --format=%B --grep='^Approved-By: olive$' | sed -n 1p)" = \
	    "inbox-approve: approve $ID" ]
	run inbox-approve
	[ -z "$output" ]
	# the author sees it went
	run --separate-stderr inbox-show -n -u gus $CA
	[[ "$output" == *"$ID	2026-11-23T15:01:00Z	out	sms	sent	gus"* ]]
}

@test "reject keeps it with the reason, and the author sees why" {
	gated
	tick
	run --separate-stderr inbox-approve --reject --reason "we never discount" "$ID"
	[ "$status" -eq 0 ]
	[ "$output" = "$ID	rejected" ]
	[ "$(outbox_count)" -eq 0 ]
	[ "$(header "$ID" X-Inbox-Status)" = rejected ]
	[ "$(header "$ID" X-Inbox-Error)" = "rejected by olive: we never discount" ]
	[ "$(git log -1 --format=%B | grep '^Reason:')" = "Reason: we never discount" ]
	run inbox-approve
	[ -z "$output" ]
	run --separate-stderr inbox-show -n -u gus $CA
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -A2 -F "$ID")" = "$ID	2026-11-23T15:01:00Z	out	sms	rejected	gus
	error: rejected by olive: we never discount
	Ten percent off for you" ]
}

@test "a decided message is refused: approving twice, approving the rejected" {
	gated
	inbox-approve -q --approve "$ID"
	head=$(git rev-parse HEAD)
	run --separate-stderr inbox-approve --approve "$ID"
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-approve: $ID is sent, not waiting for approval" ]
	[ "$(outbox_count)" -eq 1 ]
	gated "Another try"
	inbox-approve -q --reject --reason no "$ID"
	run --separate-stderr inbox-approve --approve "$ID"
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-approve: $ID is rejected, not waiting for approval" ]
	run --separate-stderr inbox-approve --reject --reason again "$ID"
	[ "$status" -eq 3 ]
	[ "$(outbox_count)" -eq 1 ]
}

@test "only messages.approve may list, approve or reject; the author neither" {
	gated
	head=$(git rev-parse HEAD)
	for u in gus tina; do
		run --separate-stderr inbox-approve -u $u --approve "$ID"
		[ "$status" -eq 3 ]
		[ "$stderr" = "inbox-approve: $u may not do this (needs messages.approve)" ]
		run --separate-stderr inbox-approve -u $u --reject --reason x "$ID"
		[ "$status" -eq 3 ]
		[ "$stderr" = "inbox-approve: $u may not do this (needs messages.approve)" ]
		run --separate-stderr inbox-approve -u $u
		[ "$status" -eq 3 ]
		[ -z "$output" ]
		[ "$stderr" = "inbox-approve: $u may not do this (needs messages.approve)" ]
	done
	run --separate-stderr inbox-approve -u nobody --approve "$ID"
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-approve: nobody is not on the staff list" ]
	[ "$(git rev-parse HEAD)" = "$head" ]
	[ "$(header "$ID" X-Inbox-Status)" = pending_approval ]
	[ "$(outbox_count)" -eq 0 ]
}

@test "usage: --reject needs --reason, one mode at a time" {
	gated
	head=$(git rev-parse HEAD)
	run --separate-stderr inbox-approve --reject "$ID"
	[ "$status" -eq 64 ]
	[ -z "$output" ]
	[ "${stderr%%$'\n'*}" = "usage: inbox-approve [-0] [-C DIR] [-u USER] [--json]" ]
	run -64 inbox-approve --reason why "$ID"
	run -64 inbox-approve --approve --reason why "$ID"
	run -64 inbox-approve --approve --reject --reason why "$ID"
	run -64 inbox-approve "$ID"
	run -64 inbox-approve --reject --reason "" "$ID"
	[ "$(git rev-parse HEAD)" = "$head" ]
	[ "$(header "$ID" X-Inbox-Status)" = pending_approval ]
}

@test "the queue feeds the approver's pipeline" {
	gated "First"
	first=$ID
	gated "Second"
	second=$ID
	run --separate-stderr sh -c 'inbox-approve | inbox-approve --approve'
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | LC_ALL=C sort)" = "$(printf '%s\tsent\n%s\tsent' \
	    "$first" "$second" | LC_ALL=C sort)" ]
	[ "$(outbox_count)" -eq 2 ]
}
