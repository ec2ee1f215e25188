#!/usr/bin/env bats
# inbox-link: link and unlink a conversation and a job (a system line in
# the thread); attach an unknown address to a customer, moving its
# conversation; move one message elsewhere or detach it; the reason in
# the commit trailer.

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

# A job record made by hand (inbox-job writes these): job ID [CUSTOMER]
job() {
	local h
	h=$(printf %s "$1" | sha1sum | cut -c1-2)
	mkdir -p "jobs/$h"
	printf 'customer: %s\n' "${2:-x}" >"jobs/$h/$1"
	git reset -q
	git add -f "jobs/$h/$1"
	git -c user.name=t -c user.email=t@t commit -q -m "job $1"
}

# The texts of the system lines of a conversation, oldest first.
system_lines() {
	inbox-ls -m --all --all-time --customer "$1" --type system 2>/dev/null |
	    sort -t/ -k2 | cut -f8
}

# The conversation of a contact: sha1("contact:ID")[0:12].
contact_conv() {
	printf 'contact:%s' "$1" | sha1sum | cut -c1-12
}

need_contact() {
	[ -x "$INBOX_BUILD/inbox-contact" ] ||
	    skip "build/inbox-contact is not built yet (inbox-contact add)"
}

setup() {
	export INBOX_NOW=$MONDAY
	new_store
	A1=$(recv_sms SM1 $A "The boiler is leaking")
	tick
	B1=$(recv_sms SM2 $B "Can you quote a new tap?")
	tick
	job J1001
	job J1002
}

@test "link: ID JOB links them, a system line in the thread, one commit" {
	n=$(git rev-list --count HEAD)
	run --separate-stderr inbox-link $CA J1001
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
	[ "$stderr" = "" ]
	[ "$(git rev-list --count HEAD)" -eq $((n + 1)) ]
	[ "$(state $CA | grep '^job:')" = "job: J1001" ]
	[ "$(system_lines $CA)" = "Linked job J1001 by office" ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s\n%s' \
	    "inbox-link: link $CA to job J1001" "Conversation: $CA" \
	    'Job: J1001')" ]
	[ "$(inbox-ls --job J1001 | cut -f1)" = $CA ]
	all_committed
}

@test "link: the system line is a message file by the acting user" {
	INBOX_USER=alice inbox-link $CA J1001 >/dev/null
	f=$(ls conv/ef/$CA/cur/*)
	[ "$(sed -n '1,4p' "$f")" = "$(printf '%s\n' \
	    'X-Inbox-Channel: system' 'X-Inbox-Direction: sys' \
	    'X-Inbox-Type: system' 'X-Inbox-Author: alice')" ]
	[ "$(sed '1,/^$/d' "$f")" = "Linked job J1001 by alice" ]
	# it neither counts as unread nor becomes the preview
	[ "$(inbox-ls --customer $CA | cut -f2,6)" = "$(printf '1\tThe boiler is leaking')" ]
}

@test "link: --reason goes into the system line and the trailer" {
	run inbox-link --reason "quote accepted" $CA J1001
	[ "$status" -eq 0 ]
	[ "$(system_lines $CA)" = "Linked job J1001 by office: quote accepted" ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s\n%s\n%s' \
	    "inbox-link: link $CA to job J1001" 'Reason: quote accepted' \
	    "Conversation: $CA" 'Job: J1001')" ]
}

@test "link: a conversation can hold two jobs; a phone number names it" {
	inbox-link $CA J1001 >/dev/null
	tick
	run inbox-link '(512) 555-0100' J1002
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
	[ "$(state $CA | grep '^job:')" = "$(printf 'job: J1001\njob: J1002')" ]
	[ "$(inbox-ls --job J1002 | cut -f1)" = $CA ]
}

@test "link: linking twice: exit 1, nothing changed" {
	inbox-link $CA J1001 >/dev/null
	tick
	remember
	run --separate-stderr inbox-link $CA J1001
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-link: $CA is already linked to job J1001" ]
	unchanged
}

@test "link: a job that does not exist: exit 1, nothing changed" {
	remember
	run --separate-stderr inbox-link $CA J9999
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-link: no job J9999" ]
	unchanged
}

@test "link: a job id that is not a name: exit 64, nothing changed" {
	remember
	run --separate-stderr inbox-link $CA 'J 1001'
	[ "$status" -eq 64 ]
	[ "$stderr" = "inbox-link: 'J 1001' is not a job id" ]
	run --separate-stderr inbox-link $CA ../jobs
	[ "$status" -eq 64 ]
	unchanged
}

@test "link: an unknown conversation: exit 1, nothing changed" {
	remember
	run --separate-stderr inbox-link 0123456789ab J1001
	[ "$status" -eq 1 ]
	[ "$stderr" = "inbox-link: no conversation 0123456789ab" ]
	unchanged
}

@test "link: --unlink" {
	inbox-link $CA J1001 >/dev/null
	tick
	run inbox-link --unlink --reason "wrong customer" $CA J1001
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
	! state $CA | grep -q '^job:'
	[ "$(system_lines $CA)" = "$(printf '%s\n%s' \
	    'Linked job J1001 by office' \
	    'Unlinked job J1001 by office: wrong customer')" ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s\n%s\n%s' \
	    "inbox-link: unlink $CA from job J1001" 'Reason: wrong customer' \
	    "Conversation: $CA" 'Job: J1001')" ]
	run inbox-ls --job J1001
	[ "$status" -eq 1 ]
}

@test "link: unlinking what is not linked: exit 1, nothing changed" {
	remember
	run --separate-stderr inbox-link --unlink $CA J1001
	[ "$status" -eq 1 ]
	[ "$stderr" = "inbox-link: $CA is not linked to job J1001" ]
	run --separate-stderr inbox-link --unlink $CA J9999
	[ "$status" -eq 1 ]
	[ "$stderr" = "inbox-link: $CA is not linked to job J9999" ]
	unchanged
}

@test "link: --attach moves an unknown address's conversation into the customer's" {
	need_contact
	inbox-contact add --id jean --name "Jean Dupont" --phone +15125550200 >/dev/null
	tick
	CJ=$(contact_conv jean)
	n=$(git rev-list --count HEAD)
	run --separate-stderr inbox-link --attach $A jean
	[ "$status" -eq 0 ]
	[ "$output" = $CJ ]
	[ "$stderr" = "" ]
	[ "$(git rev-list --count HEAD)" -eq $((n + 1)) ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s\n%s\n%s' \
	    "inbox-link: attach $A to jean (1 messages moved)" \
	    "Conversation: $CJ" "From-Conversation: $CA" 'Contact: jean')" ]
	# the message moved, the old conversation is gone
	[ -f "conv/${CJ:0:2}/$CJ/new/${A1#*/}" ]
	[ ! -e "conv/ef/$CA/state" ]
	[ "$(inbox-ls --all | cut -f1,5)" = "$(printf '%s\t%s\n%s\t%s' \
	    $CJ 'Jean Dupont' $CB $B)" ]
	[ "$(state $CJ | grep -E '^(kind|contact|address):')" = "$(printf '%s\n' \
	    'kind: customer' 'contact: jean' "address: $A")" ]
	grep -qx "phone: $A" contacts/*/jean
	[ "$(system_lines $CJ)" = "Attached $A to jean by office" ]
	all_committed
}

@test "link: after --attach the address's next message joins the customer" {
	need_contact
	inbox-contact add --id jean --name "Jean Dupont" --phone +15125550200 >/dev/null
	tick
	inbox-link --attach $A jean >/dev/null
	tick
	id=$(recv_sms SM3 $A "It is Jean again")
	[ "${id%%/*}" = "$(contact_conv jean)" ]
	[ ! -e "conv/ef/$CA/state" ]
}

@test "link: --attach keeps the assignee, members and jobs" {
	need_contact
	inbox-contact add --id jean --name "Jean Dupont" --phone +15125550200 >/dev/null
	tick
	inbox-assign $CA dispatch >/dev/null
	inbox-assign --add-member alice $CA >/dev/null
	inbox-link $CA J1001 >/dev/null
	tick
	inbox-link --attach $A jean >/dev/null
	CJ=$(contact_conv jean)
	[ "$(state $CJ | grep -E '^(assignee|member|job):' | LC_ALL=C sort)" = \
	    "$(printf '%s\n' 'assignee: dispatch' 'job: J1001' 'member: alice' \
	    'member: dispatch')" ]
	[ "$(inbox-ls --job J1001 | cut -f1)" = $CJ ]
	[ "$(system_lines $CJ)" = "$(printf '%s\n%s' \
	    'Linked job J1001 by office' "Attached $A to jean by office")" ]
}

@test "link: --attach refusals: exit code, nothing changed" {
	need_contact
	inbox-contact add --id jean --name "Jean Dupont" --phone +15125550200 >/dev/null
	inbox-contact add --id bob --name "Bob Smith" --phone $B >/dev/null
	tick
	remember
	run --separate-stderr inbox-link --attach +15125550200 jean
	[ "$status" -eq 1 ]
	[ "$stderr" = "inbox-link: +15125550200 already belongs to jean" ]
	unchanged
	run --separate-stderr inbox-link --attach $B jean
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-link: $B already belongs to bob" ]
	unchanged
	run --separate-stderr inbox-link --attach $A nobody
	[ "$status" -eq 1 ]
	[ "$stderr" = "inbox-link: no contact nobody" ]
	unchanged
	run --separate-stderr inbox-link --attach bogus jean
	[ "$status" -eq 65 ]
	[ "$stderr" = "inbox-link: 'bogus' is not a phone number" ]
	unchanged
}

@test "link: --move MESSAGE CONVERSATION" {
	n=$(git rev-list --count HEAD)
	run --separate-stderr inbox-link --move $A1 $CB --reason "same family"
	[ "$status" -eq 0 ]
	[ "$output" = "$CB/${A1#*/}" ]
	[ "$stderr" = "" ]
	[ "$(git rev-list --count HEAD)" -eq $((n + 1)) ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s\n%s\n%s' \
	    "inbox-link: move $A1 to $CB" 'Reason: same family' \
	    "Message: $CB/${A1#*/}" "From-Message: $A1")" ]
	[ -f "conv/16/$CB/new/${A1#*/}" ]
	[ ! -e "conv/ef/$CA/new/${A1#*/}" ]
	[ "$(system_lines $CB)" = "Moved here from $CA by office: same family" ]
	# the provider id follows the message
	h=$(printf %s SM1 | sha1sum | cut -c1-40)
	[ "$(cat idx/pid/${h:0:2}/${h:2:2}/$h)" = "$CB/${A1#*/}" ]
	all_committed
}

@test "link: --move to a customer makes the customer's conversation" {
	need_contact
	inbox-contact add --id jean --name "Jean Dupont" --phone +15125550200 >/dev/null
	tick
	CJ=$(contact_conv jean)
	run inbox-link --move $B1 jean
	[ "$status" -eq 0 ]
	[ "$output" = "$CJ/${B1#*/}" ]
	[ "$(state $CJ | grep -E '^(kind|contact):')" = "$(printf '%s\n' \
	    'kind: customer' 'contact: jean')" ]
	[ "$(system_lines $CJ)" = "Moved here from $CB by office" ]
}

@test "link: moving a message into the conversation it is in: exit 64, nothing changed" {
	remember
	run --separate-stderr inbox-link --move $A1 $CA
	[ "$status" -eq 64 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-link: $A1 is already in $CA" ]
	run --separate-stderr inbox-link --move $A1 $A
	[ "$status" -eq 64 ]
	unchanged
}

@test "link: moving a message that is not there: exit 1, nothing written" {
	need_contact
	inbox-contact add --id jean --name "Jean Dupont" --phone +15125550200 >/dev/null
	tick
	remember
	run --separate-stderr inbox-link --move $CA/1795446000.nosuch jean
	[ "$status" -eq 1 ]
	[ "$stderr" = "inbox-link: no message $CA/1795446000.nosuch" ]
	unchanged
	run --separate-stderr inbox-link --move $A1 0123456789ab
	[ "$status" -eq 1 ]
	unchanged
	run --separate-stderr inbox-link --move nosuch $CB
	[ "$status" -eq 64 ]
	[ "$stderr" = "inbox-link: 'nosuch' is not a message id (CONV/UNIQ)" ]
	unchanged
}

@test "link: --detach puts a message in a conversation of its own" {
	C=$(printf 'anon:%s' "${A1#*/}" | sha1sum | cut -c1-12)
	run inbox-link --detach $A1 --reason "not this customer"
	[ "$status" -eq 0 ]
	[ "$output" = "$C/${A1#*/}" ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s\n%s\n%s' \
	    "inbox-link: detach $A1 to $C" 'Reason: not this customer' \
	    "Message: $C/${A1#*/}" "From-Message: $A1")" ]
	[ "$(state $C | grep -E '^(kind|status):')" = "$(printf '%s\n' \
	    'kind: anon' 'status: open')" ]
	[ "$(system_lines $C)" = "Detached from $CA by office: not this customer" ]
	[ -z "$(find conv/ef/$CA -type f ! -name state)" ]
	all_committed
}

@test "link: detaching a message that is not there: exit 1, nothing written" {
	remember
	run --separate-stderr inbox-link --detach $CA/1795446000.nosuch
	[ "$status" -eq 1 ]
	[ "$stderr" = "inbox-link: no message $CA/1795446000.nosuch" ]
	unchanged
}

@test "link: a --reason with a control character: exit 65, nothing changed" {
	remember
	run --separate-stderr inbox-link --reason "$(printf 'a\nb')" $CA J1001
	[ "$status" -eq 65 ]
	[ "$stderr" = "inbox-link: --reason has control characters or is not UTF-8" ]
	unchanged
}

@test "link: usage errors exit 64 and change nothing" {
	remember
	run --separate-stderr inbox-link $CA
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = "usage: inbox-link [-q] [-C DIR] [-u USER] [--reason TEXT] [--unlink] ID JOB" ]
	run --separate-stderr inbox-link $CA J1001 J1002
	[ "$status" -eq 64 ]
	run --separate-stderr inbox-link --detach $A1 $CB
	[ "$status" -eq 64 ]
	run --separate-stderr inbox-link --move --detach $A1 $CB
	[ "$status" -eq 64 ]
	run --separate-stderr inbox-link --unlink --attach $A jean
	[ "$status" -eq 64 ]
	unchanged
}

@test "link: -q prints nothing" {
	run inbox-link -q $CA J1001
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(state $CA | grep '^job:')" = "job: J1001" ]
}
