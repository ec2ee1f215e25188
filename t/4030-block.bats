#!/usr/bin/env bats
# inbox-block: a blocked number's conversation is closed; what it sends
# later is kept but out of the inbox (inbox-ls --blocked); -U unblocks.

load helper
load data/outbound
bats_require_minimum_version 1.5.0

A=+15125550100	# conversation eff5a9af2f8e
B=+15125550101	# conversation 16aedeec85a0
CA=eff5a9af2f8e
CB=16aedeec85a0
# Monday 2026-11-23 09:00 in Chicago: the office is open, so inbox-recv
# fires no after-hours reply
MONDAY=1795446000

# The address record of ADDR.
addr_rec() {
	local h
	h=$(printf %s "$1" | sha1sum | cut -c1-40)
	cat "addr/${h:0:2}/$h"
}

ids() {
	inbox-ls "$@" | cut -f1
}

setup() {
	export INBOX_NOW=$MONDAY
	new_store
	recv_sms SM1 $A "Cheap loans!!!" >/dev/null
	tick
	recv_sms SM2 $B "Can you quote a new tap?" >/dev/null
	tick
}

@test "block: prints the number, closes its conversation, one commit" {
	n=$(git rev-list --count HEAD)
	run --separate-stderr inbox-block --reason "spam" $A
	[ "$status" -eq 0 ]
	[ "$output" = $A ]
	[ "$stderr" = "" ]
	[ "$(git rev-list --count HEAD)" -eq $((n + 1)) ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s\n%s\n%s' \
	    'inbox-block: block: spam' "Conversation: $CA" "Address: $A" \
	    'Reason: spam')" ]
	[ "$(addr_rec $A)" = "$(printf '%s\n%s\n%s' \
	    'blocked: 2026-11-23T15:02:00Z' 'blocked-reason: spam' "address: $A")" ]
	[ "$(state $CA | grep -E '^(status|blocked):')" = \
	    "$(printf 'status: closed\nblocked: 2026-11-23T15:02:00Z')" ]
	all_committed
}

@test "block: the conversation leaves the inbox, inbox-ls --blocked lists it" {
	inbox-block $A >/dev/null
	[ "$(ids)" = $CB ]
	[ "$(ids --blocked)" = $CA ]
	[ "$(ids --all)" = "$(printf '%s\n%s' $CB $CA)" ]
	run inbox-ls --closed
	[ "$status" -eq 1 ]
}

@test "block: a national number is normalised" {
	run inbox-block '(512) 555-0100'
	[ "$status" -eq 0 ]
	[ "$output" = $A ]
	[ "$(ids --blocked)" = $CA ]
}

@test "block: later inbound is kept but stays out of the inbox" {
	inbox-block $A >/dev/null
	tick
	run inbox-recv <<<"$(twilio_sms SM3 $A 'More cheap loans')"
	[ "$status" -eq 0 ]
	id=$output
	[ "${id%%/*}" = $CA ]
	[ -f "conv/ef/$CA/new/${id#*/}" ]
	[ "$(state $CA | grep -E '^(status|blocked):')" = \
	    "$(printf 'status: closed\nblocked: 2026-11-23T15:02:00Z')" ]
	[ "$(ids)" = $CB ]
	[ "$(inbox-ls --blocked | cut -f1,2,6)" = "$(printf '%s\t2\tMore cheap loans' $CA)" ]
	run inbox-ls --unread
	[ "$(echo "$output" | cut -f1)" = $CB ]
	all_committed
}

@test "block: a blocked caller's missed call is kept out too" {
	inbox-block $A >/dev/null
	tick
	printf 'CallSid=CA1&From=%%2B15125550100&To=%%2B15550001111&Direction=inbound&CallStatus=no-answer' |
	    inbox-recv >/dev/null
	[ "$(ids)" = $CB ]
	[ "$(inbox-ls --blocked | cut -f1,6)" = "$(printf '%s\tVoice call - missed' $CA)" ]
}

@test "block: nothing is sent to a blocked number" {
	[ -x "$INBOX_BUILD/inbox-send" ] || skip "build/inbox-send is not built"
	inbox-block $A >/dev/null
	tick
	remember
	run --separate-stderr inbox-send $CA "Hello"
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-send: $A is blocked" ]
	unchanged
}

@test "block: a number with no conversation yet" {
	run inbox-block +15125550199
	[ "$status" -eq 0 ]
	[ "$output" = +15125550199 ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s' \
	    'inbox-block: block' 'Address: +15125550199')" ]
	tick
	recv_sms SM3 +15125550199 "hi" >/dev/null
	C=$(addr_conv +15125550199)
	[ -n "$(ls conv/${C:0:2}/$C/new)" ]
	[ "$(state $C | grep '^status:')" = "status: closed" ]
	[ "$(ids)" = "$(printf '%s\n%s' $CB $CA)" ]
}

@test "block: the first message of a number blocked before it wrote is listed by --blocked" {
	inbox-block +15125550199 >/dev/null
	tick
	recv_sms SM3 +15125550199 "hi" >/dev/null
	C=$(addr_conv +15125550199)
	[ "$(ids --blocked)" = $C ]
	state $C | grep -q '^blocked: '
}

@test "block: an email address" {
	run inbox-block Spam@Example.COM
	[ "$status" -eq 0 ]
	[ "$output" = spam@example.com ]
}

@test "block: several numbers, from stdin too, one commit; -q" {
	run sh -c "printf '%s\n%s\n' $A $B | inbox-block -q --reason 'bulk'"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s\n%s\n%s\n%s\n%s' \
	    'inbox-block: block: bulk' "Conversation: $CA" "Address: $A" \
	    "Conversation: $CB" "Address: $B" 'Reason: bulk')" ]
	run inbox-ls
	[ "$status" -eq 1 ]
	[ "$(ids --blocked)" = "$(printf '%s\n%s' $CB $CA)" ]
}

@test "block: blocking twice: exit 1, nothing changed" {
	inbox-block $A >/dev/null
	tick
	remember
	run --separate-stderr inbox-block --reason again $A
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-block: $A is already blocked" ]
	unchanged
}

@test "block: -U unblocks; the conversation stays closed until reopened" {
	inbox-block --reason spam $A >/dev/null
	tick
	run inbox-block -U --reason "was a customer after all" $A
	[ "$status" -eq 0 ]
	[ "$output" = $A ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s\n%s\n%s' \
	    'inbox-block: unblock: was a customer after all' \
	    "Conversation: $CA" "Address: $A" \
	    'Reason: was a customer after all')" ]
	[ "$(addr_rec $A)" = "address: $A" ]
	! state $CA | grep -q '^blocked:'
	run inbox-ls --blocked
	[ "$status" -eq 1 ]
	[ "$(ids --closed)" = $CA ]
	tick
	inbox-archive --reopen $CA >/dev/null
	[ "$(ids)" = "$(printf '%s\n%s' $CB $CA)" ]
}

@test "block: after -U the next inbound message reopens it" {
	inbox-block $A >/dev/null
	tick
	inbox-block --unblock $A >/dev/null
	tick
	recv_sms SM3 $A "Sorry, wrong number earlier" >/dev/null
	[ "$(state $CA | grep '^status:')" = "status: open" ]
	[ "$(ids)" = "$(printf '%s\n%s' $CA $CB)" ]
}

@test "block: unblocking what is not blocked: exit 1, nothing changed" {
	remember
	run --separate-stderr inbox-block -U $A
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-block: $A is not blocked" ]
	unchanged
	run --separate-stderr inbox-block -U +15125550199
	[ "$status" -eq 1 ]
	[ "$stderr" = "inbox-block: +15125550199 is not blocked" ]
	unchanged
}

@test "block: one bad among good ones: the good blocked, worst exit" {
	run --separate-stderr inbox-block $A bogus
	[ "$status" -eq 65 ]
	[ "$output" = $A ]
	[ "$stderr" = "inbox-block: 'bogus' is not a phone number" ]
	[ "$(git log -1 --format=%s)" = 'inbox-block: block' ]
}

@test "block: bad input: exit 65, nothing changed" {
	remember
	run --separate-stderr inbox-block bogus
	[ "$status" -eq 65 ]
	[ "$stderr" = "inbox-block: 'bogus' is not a phone number" ]
	unchanged
	run --separate-stderr inbox-block --reason "$(printf 'a\nb')" $A
	[ "$status" -eq 65 ]
	[ "$stderr" = "inbox-block: --reason has control characters or is not UTF-8" ]
	unchanged
}

@test "block: usage errors exit 64" {
	remember
	run --separate-stderr inbox-block --frobnicate $A
	[ "$status" -eq 64 ]
	[ "${stderr##*$'\n'}" = "usage: inbox-block [-0qU] [-C DIR] [-u USER] [--reason TEXT] [ADDRESS...]" ]
	unchanged
}
