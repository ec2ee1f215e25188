#!/usr/bin/env bats
# inbox-log: the audit trail from git, one change per line (time, actor,
# command, summary, reason) or one JSON object per line, for a
# conversation, a customer, a job, a staff member or an address.

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

# One inbox-log line: when actor command summary [reason]
line() {
	printf '%s\t%s\t%s\t%s\t%s' "$1" "$2" "$3" "$4" "${5:--}"
}

# A job record made by hand (inbox-job writes these): job ID
job() {
	local h
	h=$(printf %s "$1" | sha1sum | cut -c1-2)
	mkdir -p "jobs/$h"
	printf 'customer: x\n' >"jobs/$h/$1"
	git reset -q
	git add -f "jobs/$h/$1"
	git -c user.name=t -c user.email=t@t commit -q --date="@$INBOX_NOW" \
	    -m "job $1"
}

setup() {
	export INBOX_NOW=$MONDAY
	new_store
	recv_sms SM1 $A "The boiler is leaking" >/dev/null	# 15:00
	tick
	recv_sms SM2 $B "Can you quote a new tap?" >/dev/null	# 15:01
	tick
}

@test "log: who archived this and why, from git alone" {
	INBOX_USER=alice inbox-archive --reason "Spam, no job" $CA >/dev/null
	run --separate-stderr inbox-log $CA
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "${lines[0]}" = "$(line 2026-11-23T15:02:00Z alice inbox-archive \
	    'archive 1 conversation: Spam, no job' 'Spam, no job')" ]
	# the same facts with plain git
	[ "$(git log -1 --format='%an%x09%(trailers:key=Reason,valueonly)' -- conv/ef/$CA)" = \
	    "$(printf 'alice\tSpam, no job')" ]
}

@test "log: a conversation's history, newest first" {
	inbox-assign $CA dispatch >/dev/null
	tick
	INBOX_USER=dispatch inbox-flag --read $CA >/dev/null
	tick
	INBOX_USER=dispatch inbox-archive --close --reason "fixed the valve" $CA >/dev/null
	tick
	inbox-assign $CB alice >/dev/null	# not this conversation
	run inbox-log $CA
	[ "$status" -eq 0 ]
	[ "$output" = "$(
	    line 2026-11-23T15:04:00Z dispatch inbox-archive \
		'close 1 conversation: fixed the valve' 'fixed the valve'; echo
	    line 2026-11-23T15:03:00Z dispatch inbox-flag \
		'mark read 1 conversation'; echo
	    line 2026-11-23T15:02:00Z office inbox-assign \
		'assign 1 conversation to dispatch'; echo
	    line 2026-11-23T15:00:00Z office inbox-recv "sms from $A")" ]
}

@test "log: a phone number or a prefix names the conversation" {
	run inbox-log '(512) 555-0101'
	[ "$status" -eq 0 ]
	[ "$output" = "$(line 2026-11-23T15:01:00Z office inbox-recv "sms from $B")" ]
	run inbox-log 16ae
	[ "$output" = "$(line 2026-11-23T15:01:00Z office inbox-recv "sms from $B")" ]
}

@test "log: -n keeps the newest N" {
	inbox-archive $CA >/dev/null
	tick
	inbox-archive -U $CA >/dev/null
	run inbox-log -n 2 $CA
	[ "$status" -eq 0 ]
	[ "$output" = "$(
	    line 2026-11-23T15:03:00Z office inbox-archive 'unarchive 1 conversation'; echo
	    line 2026-11-23T15:02:00Z office inbox-archive 'archive 1 conversation')" ]
}

@test "log: --json, one object per line" {
	INBOX_USER=alice inbox-archive --reason "Spam, no job" $CA >/dev/null
	head=$(git rev-parse HEAD)
	recv=$(git rev-parse HEAD~2)
	run inbox-log --json $CA
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n%s' \
	    '{"time":"2026-11-23T15:02:00Z","actor":"alice","command":"inbox-archive","summary":"archive 1 conversation: Spam, no job","reason":"Spam, no job","commit":"'$head'"}' \
	    '{"time":"2026-11-23T15:00:00Z","actor":"office","command":"inbox-recv","summary":"sms from +15125550100","commit":"'$recv'"}')" ]
}

@test "log: with no selection, the whole store" {
	run inbox-log
	[ "$status" -eq 0 ]
	[ "$output" = "$(
	    line 2026-11-23T15:01:00Z office inbox-recv "sms from $B"; echo
	    line 2026-11-23T15:00:00Z office inbox-recv "sms from $A"; echo
	    line 2026-11-23T15:00:00Z office inbox-init 'new store')" ]
}

@test "log: --user, what one person did" {
	INBOX_USER=alice inbox-assign $CA alice >/dev/null
	tick
	inbox-archive $CB >/dev/null
	tick
	INBOX_USER=alice inbox-block --reason spam $B >/dev/null
	run inbox-log --user alice
	[ "$status" -eq 0 ]
	[ "$output" = "$(
	    line 2026-11-23T15:04:00Z alice inbox-block 'block: spam' spam; echo
	    line 2026-11-23T15:02:00Z alice inbox-assign \
		'assign 1 conversation to alice')" ]
}

@test "log: --job, the links and unlinks of a job" {
	job J1001
	tick
	inbox-link $CA J1001 >/dev/null
	tick
	inbox-archive $CB >/dev/null
	tick
	INBOX_USER=alice inbox-link --unlink --reason "wrong customer" $CA J1001 >/dev/null
	tick
	inbox-link $CB J1001 >/dev/null
	run inbox-log --job J1001
	[ "$status" -eq 0 ]
	[ "$output" = "$(
	    line 2026-11-23T15:06:00Z office inbox-link "link $CB to job J1001"; echo
	    line 2026-11-23T15:05:00Z alice inbox-link \
		"unlink $CA from job J1001" 'wrong customer'; echo
	    line 2026-11-23T15:03:00Z office inbox-link "link $CA to job J1001")" ]
}

@test "log: --consent, what happened to an address" {
	inbox-block --reason "abusive" $A >/dev/null
	tick
	inbox-assign $CA alice >/dev/null	# not the address record
	tick
	INBOX_USER=alice inbox-block -U --reason "apologised" '(512) 555-0100' >/dev/null
	run inbox-log --consent $A
	[ "$status" -eq 0 ]
	[ "$output" = "$(
	    line 2026-11-23T15:04:00Z alice inbox-block 'unblock: apologised' apologised; echo
	    line 2026-11-23T15:02:00Z office inbox-block 'block: abusive' abusive)" ]
}

@test "log: --consent shows a STOP" {
	recv_sms SM3 $A "STOP" >/dev/null
	run inbox-log --consent $A
	[ "$status" -eq 0 ]
	[ "$output" = "$(line 2026-11-23T15:02:00Z office inbox-recv \
	    "sms from $A: opted out (STOP)")" ]
}

@test "log: --customer, the contact and its conversation" {
	[ -x "$INBOX_BUILD/inbox-contact" ] ||
	    skip "build/inbox-contact is not built yet (inbox-contact add)"
	inbox-contact add --id jean --name "Jean Dupont" --phone +15125550200 >/dev/null
	tick
	INBOX_USER=alice inbox-link --attach $A jean --reason "her mobile" >/dev/null
	tick
	inbox-archive $CB >/dev/null
	run inbox-log --customer jean
	[ "$status" -eq 0 ]
	[ "$output" = "$(
	    line 2026-11-23T15:03:00Z alice inbox-link \
		"attach $A to jean (1 messages moved)" 'her mobile'; echo
	    line 2026-11-23T15:02:00Z office inbox-contact \
		'add customer jean (Jean Dupont)')" ]
}

@test "log: an attached conversation that is gone still has its past" {
	[ -x "$INBOX_BUILD/inbox-contact" ] ||
	    skip "build/inbox-contact is not built yet (inbox-contact add)"
	inbox-contact add --id jean --name "Jean Dupont" --phone +15125550200 >/dev/null
	tick
	INBOX_USER=alice inbox-link --attach $A jean >/dev/null
	[ ! -e conv/ef/$CA/state ]
	run inbox-log $CA
	[ "$status" -eq 0 ]
	[ "$output" = "$(
	    line 2026-11-23T15:03:00Z alice inbox-link \
		"attach $A to jean (1 messages moved)"; echo
	    line 2026-11-23T15:00:00Z office inbox-recv "sms from $A")" ]
}

@test "log: commits made with plain git show with command '-'" {
	job J1001
	run inbox-log -n 1
	[ "$output" = "$(line 2026-11-23T15:02:00Z t - 'job J1001')" ]
}

@test "log: nothing matched: exit 1, no output" {
	run --separate-stderr inbox-log --user nobody
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "" ]
	run --separate-stderr inbox-log --job J9999
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
}

@test "log: an unknown conversation: exit 1 with a message" {
	run --separate-stderr inbox-log nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-log: no conversation nosuch" ]
}

@test "log: usage errors exit 64" {
	run --separate-stderr inbox-log --user office --job J1
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = "usage: inbox-log [-C DIR] [-u USER] [--json] [-n N] [ID | --customer CUSTOMER |" ]
	run --separate-stderr inbox-log $CA $CB
	[ "$status" -eq 64 ]
	run --separate-stderr inbox-log -n 0
	[ "$status" -eq 64 ]
	[ "$stderr" = "inbox-log: -n wants a positive number" ]
	run --separate-stderr inbox-log --job 'J 1'
	[ "$status" -eq 64 ]
	[ "$stderr" = "inbox-log: 'J 1' is not a job id" ]
}

@test "log: inbox-log changes nothing" {
	before=$(snapshot)
	inbox-log >/dev/null
	inbox-log --json $CA >/dev/null
	[ "$(snapshot)" = "$before" ]
}
