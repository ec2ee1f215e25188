#!/usr/bin/env bats
# inbox-flag: read, unread (back to the top of the list), flagged, all
# read under inbox-ls filters, and resolving missed calls and voicemails,
# which stay in the Unread filter until resolved even once opened.

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

# The message files of a conversation, subdir/name, oldest first.
files() {
	local d="conv/${1:0:2}/$1"
	{ ls "$d/new" | sed 's|^|new/|'; ls "$d/cur" | sed 's|^|cur/|'; } |
	    sort -t/ -k2
}

# The file of message id CONV/UNIQ.
msgfile() {
	ls conv/"${1:0:2}"/"${1%%/*}"/*/"${1#*/}"*
}

# A missed call from a number (a Twilio voice status callback).
missed_call() {
	printf 'CallSid=%s&From=%s&To=%%2B15550001111&Direction=inbound&CallStatus=no-answer' \
	    "$1" "$(urlenc "$2")" | inbox-recv
}

# Two texts from A a minute apart, then one from B.
setup() {
	export INBOX_NOW=$MONDAY
	new_store
	A1=$(recv_sms SM1 $A "The boiler is leaking")
	tick
	A2=$(recv_sms SM2 $A "Water everywhere now")
	tick
	B1=$(recv_sms SM3 $B "Can you quote a new tap?")
	tick
}

@test "flag: --read marks every inbound message read, one commit" {
	n=$(git rev-list --count HEAD)
	run --separate-stderr inbox-flag --read $CA
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
	[ "$stderr" = "" ]
	[ "$(files $CA)" = "$(printf 'cur/%s:2,S\ncur/%s:2,S' ${A1#*/} ${A2#*/})" ]
	[ "$(git rev-list --count HEAD)" -eq $((n + 1)) ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s' \
	    'inbox-flag: mark read 1 conversation' "Conversation: $CA")" ]
	run inbox-ls --unread
	[ "$(echo "$output" | cut -f1,2)" = "$(printf '%s\t1' $CB)" ]
	all_committed
}

@test "flag: --read on a read conversation: exit 1, nothing changed" {
	inbox-flag --read $CA >/dev/null
	tick
	remember
	run --separate-stderr inbox-flag --read $CA
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-flag: $CA: nothing to mark" ]
	unchanged
}

@test "flag: --read leaves outbound and system messages alone" {
	[ -x "$INBOX_BUILD/inbox-send" ] || skip "build/inbox-send is not built"
	inbox-send -q $CA "On our way" >/dev/null
	tick
	out=$(ls conv/ef/$CA/cur | grep -v "^${A1#*/}\|^${A2#*/}")
	inbox-flag --read $CA >/dev/null
	[ "$(ls conv/ef/$CA/cur | grep -v "^${A1#*/}\|^${A2#*/}")" = "$out" ]
}

@test "flag: --unread marks the newest inbound message unread again" {
	inbox-flag --read $CA $CB >/dev/null
	tick
	run inbox-flag --unread $CA
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
	[ "$(files $CA)" = "$(printf 'cur/%s:2,S\ncur/%s:2,' ${A1#*/} ${A2#*/})" ]
	[ "$(git log -1 --format=%s)" = 'inbox-flag: mark unread 1 conversation' ]
	run inbox-ls --unread
	[ "$(echo "$output" | cut -f1,2)" = "$(printf '%s\t1' $CA)" ]
}

@test "flag: --unread keeps it at the top of the unanswered order" {
	inbox-flag --read $CA $CB >/dev/null
	tick
	# B is the most recent; A, marked unread, goes before it
	[ "$(inbox-ls --order unanswered | cut -f1)" = "$(printf '%s\n%s' $CB $CA)" ]
	inbox-flag --unread $CA >/dev/null
	[ "$(inbox-ls --order unanswered | cut -f1)" = "$(printf '%s\n%s' $CA $CB)" ]
}

@test "flag: --unread when the newest is unread already: exit 1, nothing changed" {
	remember
	run --separate-stderr inbox-flag --unread $CA
	[ "$status" -eq 1 ]
	[ "$stderr" = "inbox-flag: $CA: nothing to mark" ]
	unchanged
}

@test "flag: --flag marks the newest message, --unflag clears them all" {
	run inbox-flag --flag $CA
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
	[ "$(files $CA)" = "$(printf 'new/%s\ncur/%s:2,F' ${A1#*/} ${A2#*/})" ]
	[ "$(git log -1 --format=%s)" = 'inbox-flag: flag 1 conversation' ]
	[ "$(inbox-ls --flagged | cut -f1)" = $CA ]
	# flagged is not read
	[ "$(inbox-ls --unread | cut -f1,2)" = "$(printf '%s\t1\n%s\t2' $CB $CA)" ]
	tick
	run inbox-flag --unflag $CA
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
	[ "$(files $CA)" = "$(printf 'new/%s\ncur/%s:2,' ${A1#*/} ${A2#*/})" ]
	[ "$(git log -1 --format=%s)" = 'inbox-flag: unflag 1 conversation' ]
	run inbox-ls --flagged
	[ "$status" -eq 1 ]
}

@test "flag: flagging twice, unflagging what is not flagged: exit 1, no commit" {
	inbox-flag --flag $CA >/dev/null
	tick
	remember
	run --separate-stderr inbox-flag --flag $CA
	[ "$status" -eq 1 ]
	[ "$stderr" = "inbox-flag: $CA: nothing to mark" ]
	unchanged
	run --separate-stderr inbox-flag --unflag $CB
	[ "$status" -eq 1 ]
	[ "$stderr" = "inbox-flag: $CB: nothing to mark" ]
	unchanged
}

@test "flag: --read keeps the flag" {
	inbox-flag --flag $CA >/dev/null
	tick
	inbox-flag --read $CA >/dev/null
	[ "$(files $CA)" = "$(printf 'cur/%s:2,S\ncur/%s:2,FS' ${A1#*/} ${A2#*/})" ]
}

@test "flag: ids on stdin from inbox-ls, -q, -0" {
	run sh -c 'inbox-ls | inbox-flag -q --read'
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(git log -1 --format=%s)" = 'inbox-flag: mark read 2 conversations' ]
	tick
	run sh -c "inbox-flag -0 --flag $CA $CB | tr '\\0' '\\n'"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n%s' $CA $CB)" ]
}

@test "flag: --all-read marks everything the default list shows" {
	run inbox-flag --all-read
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n%s' $CB $CA)" ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s\n%s' \
	    'inbox-flag: mark all read 2 conversations' \
	    "Conversation: $CB" "Conversation: $CA")" ]
	run inbox-ls --unread
	[ "$status" -eq 1 ]
	all_committed
}

@test "flag: --all-read takes the inbox-ls filters" {
	inbox-assign $CB dispatch >/dev/null
	tick
	run inbox-flag --all-read --assignee dispatch
	[ "$status" -eq 0 ]
	[ "$output" = $CB ]
	[ "$(inbox-ls --unread | cut -f1)" = $CA ]
	tick
	run inbox-flag --all-read --unassigned --channel sms
	[ "$output" = $CA ]
}

@test "flag: --all-read leaves archived conversations unless asked" {
	inbox-archive $CA >/dev/null
	tick
	run inbox-flag --all-read
	[ "$output" = $CB ]
	tick
	run inbox-flag --all-read --archived
	[ "$output" = $CA ]
}

@test "flag: --all-read with nothing unread: exit 0, nothing changed" {
	inbox-flag --all-read >/dev/null
	tick
	remember
	run --separate-stderr inbox-flag --all-read
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$stderr" = "" ]
	unchanged
}

@test "flag: a missed call stays unread after the thread is opened" {
	id=$(missed_call CA1 +15125550102)
	C=${id%%/*}
	[ "$C" = "$(addr_conv +15125550102)" ]
	[ "$(inbox-ls --unread | head -n 1 | cut -f1,2,4,6)" = \
	    "$(printf '%s\t1\tvoice\tVoice call - missed' $C)" ]
	tick
	inbox-show $C >/dev/null	# opening marks it read
	[ "$(files $C)" = "cur/${id#*/}:2,S" ]
	[ "$(inbox-ls --unread | head -n 1 | cut -f1,2)" = "$(printf '%s\t1' $C)" ]
	tick
	run inbox-flag --read $C
	[ "$status" -eq 1 ]
	[ "$(inbox-ls --unread | head -n 1 | cut -f1,2)" = "$(printf '%s\t1' $C)" ]
}

@test "flag: --resolve takes a missed call out of the Unread filter" {
	id=$(missed_call CA1 +15125550102)
	C=${id%%/*}
	tick
	inbox-show $C >/dev/null
	tick
	run --separate-stderr inbox-flag --resolve $C
	[ "$status" -eq 0 ]
	[ "$output" = $C ]
	[ "$stderr" = "" ]
	[ "$(grep '^X-Inbox-Resolved:' "$(msgfile "$id")")" = \
	    "X-Inbox-Resolved: office 2026-11-23T15:05:00Z" ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s' \
	    'inbox-flag: resolve 1 conversation' "Conversation: $C")" ]
	[ "$(inbox-ls --unread | cut -f1)" = "$(printf '%s\n%s' $CB $CA)" ]
	all_committed
}

@test "flag: --resolve before opening marks the call read too" {
	id=$(missed_call CA1 +15125550102)
	C=${id%%/*}
	tick
	INBOX_USER=alice run inbox-flag --resolve $C
	[ "$status" -eq 0 ]
	[ "$(files $C)" = "cur/${id#*/}:2,S" ]
	[ "$(grep '^X-Inbox-Resolved:' "$(msgfile "$id")")" = \
	    "X-Inbox-Resolved: alice 2026-11-23T15:04:00Z" ]
	[ "$(inbox-ls --unread | cut -f1)" = "$(printf '%s\n%s' $CB $CA)" ]
}

@test "flag: --resolve a voicemail" {
	id=$(printf 'CallSid=CA2&From=%%2B15125550102&To=%%2B15550001111&Direction=inbound&CallStatus=completed&CallDuration=0&RecordingUrl=https%%3A%%2F%%2Fapi.twilio.com%%2Frec%%2FRE1&RecordingDuration=42' |
	    inbox-recv)
	C=${id%%/*}
	[ "$(inbox-ls --unread | head -n 1 | cut -f1,6)" = "$(printf '%s\tVoicemail - 0:42' $C)" ]
	tick
	run inbox-flag --resolve $C
	[ "$status" -eq 0 ]
	[ "$(inbox-ls --unread | cut -f1)" = "$(printf '%s\n%s' $CB $CA)" ]
}

@test "flag: resolving twice, or a text: exit 1, nothing changed" {
	id=$(missed_call CA1 +15125550102)
	C=${id%%/*}
	tick
	inbox-flag --resolve $C >/dev/null
	tick
	remember
	run --separate-stderr inbox-flag --resolve $C $CA
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "$(printf '%s\n%s' "inbox-flag: $C: nothing to mark" \
	    "inbox-flag: $CA: nothing to mark")" ]
	unchanged
}

@test "flag: an unknown id: exit 1, nothing changed" {
	remember
	run --separate-stderr inbox-flag --read 0123456789ab
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-flag: no conversation 0123456789ab" ]
	unchanged
}

@test "flag: usage errors exit 64 and change nothing" {
	remember
	run --separate-stderr inbox-flag $CA
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = "usage: inbox-flag [-0q] [-C DIR] [-u USER] (--read | --unread | --flag | --unflag |" ]
	run --separate-stderr inbox-flag --read --unread $CA
	[ "$status" -eq 64 ]
	run --separate-stderr inbox-flag --read --assignee dispatch $CA
	[ "$status" -eq 64 ]
	run --separate-stderr inbox-flag --all-read $CA
	[ "$status" -eq 64 ]
	run --separate-stderr inbox-flag --all-read --order sideways
	[ "$status" -eq 64 ]
	[ "$stderr" = "inbox-flag: unknown order 'sideways'" ]
	unchanged
}
