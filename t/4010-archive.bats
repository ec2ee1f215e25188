#!/usr/bin/env bats
# inbox-archive: archived conversations leave the default list with every
# message kept, and come back with -U, the next inbound message or a new
# send; --close and --reopen move between Open and Closed.

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

# The ids inbox-ls prints with these options.
ids() {
	inbox-ls "$@" | cut -f1
}

setup() {
	export INBOX_NOW=$MONDAY
	new_store
	recv_sms SM1 $A "The boiler is leaking" >/dev/null
	tick
	recv_sms SM2 $B "Can you quote a new tap?" >/dev/null
	tick
}

@test "archive: prints the id, hides it from inbox-ls, one commit" {
	n=$(git rev-list --count HEAD)
	run --separate-stderr inbox-archive $CA
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
	[ "$stderr" = "" ]
	[ "$(git rev-list --count HEAD)" -eq $((n + 1)) ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s' \
	    'inbox-archive: archive 1 conversation' "Conversation: $CA")" ]
	[ "$(state $CA | grep '^archived:')" = "archived: 2026-11-23T15:02:00Z" ]
	[ "$(ids)" = $CB ]
	[ "$(ids --archived)" = $CA ]
	[ "$(ids --all)" = "$(printf '%s\n%s' $CB $CA)" ]
	all_committed
}

@test "archive: every message is kept, only the state changes" {
	msgs=$(find conv -path '*/new/*' -o -path '*/cur/*' | LC_ALL=C sort)
	inbox-archive $CA >/dev/null
	[ "$(find conv -path '*/new/*' -o -path '*/cur/*' | LC_ALL=C sort)" = "$msgs" ]
	[ "$(git show --format= --name-only HEAD)" = "conv/ef/$CA/state" ]
	run inbox-ls -m --archived
	[ "$(echo "$output" | cut -f1 | cut -d/ -f1)" = $CA ]
	run inbox-show $CA
	[ "$status" -eq 0 ]
	[[ "$output" == *"The boiler is leaking"* ]]
}

@test "archive: who archived it and why is in the commit" {
	INBOX_USER=alice run inbox-archive --reason "Spam, no job" $CA
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
	[ "$(git log -1 --format='%an <%ae>')" = "alice <alice@fieldco.example>" ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s\n%s' \
	    'inbox-archive: archive 1 conversation: Spam, no job' \
	    "Conversation: $CA" 'Reason: Spam, no job')" ]
}

@test "archive: several ids, one commit, each id printed" {
	run inbox-archive $CA $CB
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n%s' $CA $CB)" ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s\n%s' \
	    'inbox-archive: archive 2 conversations' \
	    "Conversation: $CA" "Conversation: $CB")" ]
	run inbox-ls
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
}

@test "archive: ids on stdin from inbox-ls; -q prints nothing" {
	run sh -c 'inbox-ls | inbox-archive -q'
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(ids --archived)" = "$(printf '%s\n%s' $CB $CA)" ]
}

@test "archive: -0 reads NUL-separated ids and prints them NUL-terminated" {
	run sh -c "printf '%s\0%s\0' $CA $CB | inbox-archive -0 | tr '\\0' '\\n'"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n%s' $CA $CB)" ]
}

@test "archive: archiving twice: exit 1, nothing changed" {
	inbox-archive $CA >/dev/null
	tick
	remember
	run --separate-stderr inbox-archive $CA
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-archive: $CA is already archived" ]
	unchanged
}

@test "archive: -U brings it back" {
	inbox-archive $CA >/dev/null
	tick
	run inbox-archive -U $CA
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
	! state $CA | grep -q '^archived:'
	[ "$(git log -1 --format=%s)" = 'inbox-archive: unarchive 1 conversation' ]
	[ "$(ids)" = "$(printf '%s\n%s' $CB $CA)" ]
	run inbox-ls --archived
	[ "$status" -eq 1 ]
}

@test "archive: --unarchive is -U" {
	inbox-archive $CA >/dev/null
	tick
	run inbox-archive --unarchive $CA
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
}

@test "archive: unarchiving what is not archived: exit 1, nothing changed" {
	remember
	run --separate-stderr inbox-archive -U $CA
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-archive: $CA is not archived" ]
	unchanged
}

@test "archive: the next inbound message brings it back" {
	inbox-archive $CA $CB >/dev/null
	tick
	recv_sms SM3 $A "Hello? Still leaking" >/dev/null
	! state $CA | grep -q '^archived:'
	[ "$(ids)" = $CA ]
	[ "$(ids --archived)" = $CB ]
	run inbox-ls -m --all-time -s boiler
	[ "${#lines[@]}" -eq 1 ]
	[ "$(inbox-ls -m --customer $CA | wc -l)" -eq 2 ]
}

@test "archive: a new send brings it back" {
	[ -x "$INBOX_BUILD/inbox-send" ] || skip "build/inbox-send is not built"
	inbox-archive $CA >/dev/null
	tick
	inbox-send $CA "We can come at 3pm" >/dev/null
	! state $CA | grep -q '^archived:'
	[ "$(ids)" = "$(printf '%s\n%s' $CA $CB)" ]
}

@test "archive: an unknown id: exit 1, nothing changed" {
	remember
	run --separate-stderr inbox-archive 0123456789ab
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-archive: no conversation 0123456789ab" ]
	unchanged
}

@test "archive: an unknown id among good ones: the rest archived, exit 1" {
	run --separate-stderr inbox-archive $CA 0123456789ab $CB
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf '%s\n%s' $CA $CB)" ]
	[ "$stderr" = "inbox-archive: no conversation 0123456789ab" ]
	[ "$(git log -1 --format=%s)" = 'inbox-archive: archive 2 conversations' ]
}

@test "archive: --close moves it to Closed" {
	run inbox-archive --close $CA
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
	[ "$(state $CA | grep -E '^(status|closed):')" = "$(printf 'status: closed\nclosed: 2026-11-23T15:02:00Z')" ]
	[ "$(git log -1 --format=%s)" = 'inbox-archive: close 1 conversation' ]
	[ "$(ids)" = $CB ]
	[ "$(ids --closed)" = $CA ]
	run inbox-ls --archived
	[ "$status" -eq 1 ]
}

@test "archive: --reopen moves it back to Open" {
	inbox-archive --close $CA >/dev/null
	tick
	run inbox-archive --reopen --reason "customer called back" $CA
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
	[ "$(state $CA | grep -E '^(status|closed):')" = "status: open" ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s\n%s' \
	    'inbox-archive: reopen 1 conversation: customer called back' \
	    "Conversation: $CA" 'Reason: customer called back')" ]
	[ "$(ids)" = "$(printf '%s\n%s' $CB $CA)" ]
}

@test "archive: closing twice, reopening what is open: exit 1, nothing changed" {
	inbox-archive --close $CA >/dev/null
	tick
	remember
	run --separate-stderr inbox-archive --close $CA
	[ "$status" -eq 1 ]
	[ "$stderr" = "inbox-archive: $CA is already closed" ]
	unchanged
	run --separate-stderr inbox-archive --reopen $CB
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-archive: $CB is not closed" ]
	unchanged
}

@test "archive: an inbound message reopens a closed conversation" {
	inbox-archive --close $CA >/dev/null
	tick
	recv_sms SM3 $A "Are you coming?" >/dev/null
	[ "$(state $CA | grep '^status:')" = "status: open" ]
	[ "$(ids)" = "$(printf '%s\n%s' $CA $CB)" ]
}

@test "archive: a blocked conversation is not reopened" {
	inbox-block $A >/dev/null
	tick
	remember
	run --separate-stderr inbox-archive --reopen $CA
	[ "$status" -eq 1 ]
	[ "$stderr" = "inbox-archive: $CA is blocked: unblock it with inbox-block -U" ]
	unchanged
}

@test "archive: archived and closed are independent" {
	inbox-archive --close $CA >/dev/null
	tick
	inbox-archive $CA >/dev/null
	[ "$(ids --archived)" = $CA ]
	run inbox-ls --closed
	[ "$status" -eq 1 ]
	tick
	inbox-archive -U $CA >/dev/null
	[ "$(ids --closed)" = $CA ]
}

@test "archive: a --reason with a control character: exit 65, nothing changed" {
	remember
	run --separate-stderr inbox-archive --reason "$(printf 'a\rb')" $CA
	[ "$status" -eq 65 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-archive: --reason has control characters or is not UTF-8" ]
	unchanged
}

@test "archive: usage errors exit 64 and change nothing" {
	remember
	run --separate-stderr inbox-archive -U --close $CA
	[ "$status" -eq 64 ]
	[ "$output" = "" ]
	[ "${stderr%%$'\n'*}" = "usage: inbox-archive [-0qU] [-C DIR] [-u USER] [--close | --reopen]" ]
	run --separate-stderr inbox-archive --close --reopen $CA
	[ "$status" -eq 64 ]
	run --separate-stderr inbox-archive --frobnicate $CA
	[ "$status" -eq 64 ]
	unchanged
}
