#!/usr/bin/env bats
# inbox-assign: an owner for conversations, or none; members added and
# removed; ids as arguments, on stdin, or from inbox-ls through xargs;
# unknown staff and unknown ids refused with nothing changed.

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

# Staff logins in inbox.yaml, each in the office role (it may assign),
# the edit committed with git.
staff() {
	{
		echo
		echo 'staff:'
		for s in "$@"; do
			printf '  %s:\n    name: %s\n    role: office\n' "$s" "$s"
		done
	} >>inbox.yaml
	git reset -q
	git add -f inbox.yaml
	git -c user.name=t -c user.email=t@t commit -q -m 'staff'
}

# Two unknown senders, one text each, a minute apart; staff configured.
setup() {
	export INBOX_NOW=$MONDAY
	new_store
	staff office dispatch alice
	recv_sms SM1 $A "The boiler is leaking" >/dev/null
	tick
	recv_sms SM2 $B "Can you quote a new tap?" >/dev/null
	tick
}

@test "assign: the conversation ids are sha1(addr:NUMBER)[0:12]" {
	[ "$(addr_conv $A)" = $CA ]
	[ "$(addr_conv $B)" = $CB ]
	run inbox-ls
	[ "$output" = "$(printf '%s\t1\t2026-11-23T15:01:00Z\tsms\t%s\t%s\n%s\t1\t2026-11-23T15:00:00Z\tsms\t%s\t%s' \
	    $CB $B 'Can you quote a new tap?' $CA $A 'The boiler is leaking')" ]
}

@test "assign: ID STAFF prints the id, sets assignee and member, one commit" {
	n=$(git rev-list --count HEAD)
	run --separate-stderr inbox-assign $CA dispatch
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
	[ "$stderr" = "" ]
	[ "$(git rev-list --count HEAD)" -eq $((n + 1)) ]
	[ "$(state $CA | grep -E '^(assignee|member):')" = "$(printf 'assignee: dispatch\nmember: dispatch')" ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s' \
	    'inbox-assign: assign 1 conversation to dispatch' \
	    "Conversation: $CA")" ]
	[ "$(git log -1 --format='%an <%ae>')" = "office <office@fieldco.example>" ]
	[ "$(git log -1 --format=%at)" = "$INBOX_NOW" ]
	all_committed
	! state $CB | grep -q assignee
}

@test "assign: STAFF first, then several ids (the xargs order), one commit" {
	n=$(git rev-list --count HEAD)
	run inbox-assign dispatch $CA $CB
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n%s' $CA $CB)" ]
	[ "$(git rev-list --count HEAD)" -eq $((n + 1)) ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s\n%s' \
	    'inbox-assign: assign 2 conversations to dispatch' \
	    "Conversation: $CA" "Conversation: $CB")" ]
	run inbox-ls --assignee dispatch
	[ "$(echo "$output" | cut -f1)" = "$(printf '%s\n%s' $CB $CA)" ]
}

@test "assign: ID... STAFF with the staff last" {
	run inbox-assign $CA $CB alice
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n%s' $CA $CB)" ]
	[ "$(state $CB | grep '^assignee:')" = "assignee: alice" ]
}

@test "assign: a phone number or a unique prefix names the conversation" {
	run inbox-assign '(512) 555-0100' dispatch
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
	run inbox-assign 16ae alice
	[ "$status" -eq 0 ]
	[ "$output" = $CB ]
}

@test "assign: ids from stdin, first TAB field of inbox-ls lines" {
	run sh -c 'inbox-ls | inbox-assign alice'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n%s' $CB $CA)" ]
	run inbox-ls --assignee alice --counts
	[ "${lines[0]}" = "$(printf 'all\t2')" ]
}

@test "assign: '-' reads the ids from stdin too" {
	run sh -c "printf '%s\n\n%s\n' $CA $CB | inbox-assign alice -"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n%s' $CA $CB)" ]
}

@test "assign: inbox-ls --unassigned -0 | xargs -0 inbox-assign dispatch" {
	inbox-assign $CA alice >/dev/null
	tick
	n=$(git rev-list --count HEAD)
	run sh -c 'inbox-ls --unassigned -0 | xargs -0 inbox-assign dispatch'
	[ "$status" -eq 0 ]
	[ "$output" = $CB ]
	[ "$(git rev-list --count HEAD)" -eq $((n + 1)) ]
	[ "$(state $CA | grep '^assignee:')" = "assignee: alice" ]
	[ "$(state $CB | grep '^assignee:')" = "assignee: dispatch" ]
	run inbox-ls --unassigned
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
}

@test "assign: the xargs pipeline with nothing unassigned changes nothing" {
	inbox-assign dispatch $CA $CB >/dev/null
	remember
	run sh -c 'inbox-ls --unassigned -0 | xargs -0 inbox-assign dispatch'
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	unchanged
}

@test "assign: -0 ends each printed id with NUL" {
	run sh -c "inbox-assign -0 dispatch $CA $CB | tr '\\0\\n' '\\n?'"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n%s' $CA $CB)" ]
}

@test "assign: -q prints nothing but still commits" {
	n=$(git rev-list --count HEAD)
	run inbox-assign -q $CA dispatch
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(git rev-list --count HEAD)" -eq $((n + 1)) ]
}

@test "assign: --reason goes into the commit trailer" {
	run inbox-assign --reason "Dana covers the north side" $CA dispatch
	[ "$status" -eq 0 ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s\n%s' \
	    'inbox-assign: assign 1 conversation to dispatch' \
	    "Conversation: $CA" 'Reason: Dana covers the north side')" ]
}

@test "assign: reassigning keeps the first assignee a member" {
	inbox-assign $CA dispatch >/dev/null
	tick
	run inbox-assign $CA alice
	[ "$status" -eq 0 ]
	[ "$(state $CA | grep -E '^(assignee|member):' | LC_ALL=C sort)" = \
	    "$(printf 'assignee: alice\nmember: alice\nmember: dispatch')" ]
	run inbox-ls --member dispatch
	[ "$(echo "$output" | cut -f1)" = $CA ]
}

@test "assign: --mine lists what is assigned to the acting user" {
	inbox-assign $CA dispatch >/dev/null
	run inbox-ls --mine -u dispatch
	[ "$(echo "$output" | cut -f1)" = $CA ]
	run inbox-ls --mine
	[ "$status" -eq 1 ]
}

@test "assign: assigning to the same person again is refused, no commit" {
	inbox-assign $CA dispatch >/dev/null
	remember
	run --separate-stderr inbox-assign $CA dispatch
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-assign: $CA is already assigned to dispatch" ]
	unchanged
}

@test "assign: one already assigned among others: the rest done, exit 1" {
	inbox-assign $CA dispatch >/dev/null
	tick
	run --separate-stderr inbox-assign dispatch $CA $CB
	[ "$status" -eq 1 ]
	[ "$output" = $CB ]
	[ "$stderr" = "inbox-assign: $CA is already assigned to dispatch" ]
	[ "$(git log -1 --format=%s)" = 'inbox-assign: assign 1 conversation to dispatch' ]
}

@test "assign: --none unassigns and keeps the member" {
	inbox-assign $CA dispatch >/dev/null
	tick
	run inbox-assign --none $CA
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
	[ "$(state $CA | grep -E '^(assignee|member):')" = "member: dispatch" ]
	[ "$(git log -1 --format=%B)" = "$(printf '%s\n\n%s' \
	    'inbox-assign: unassign 1 conversation' "Conversation: $CA")" ]
	run inbox-ls --unassigned
	[ "$(echo "$output" | cut -f1)" = "$(printf '%s\n%s' $CB $CA)" ]
}

@test "assign: --none on an unassigned conversation: exit 1, nothing changed" {
	remember
	run --separate-stderr inbox-assign --none $CA
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-assign: $CA is not assigned" ]
	unchanged
}

@test "assign: --add-member and --remove-member" {
	run inbox-assign --add-member alice $CA
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
	[ "$(git log -1 --format=%s)" = 'inbox-assign: add member to 1 conversation: alice' ]
	tick
	inbox-assign --add-member dispatch $CA >/dev/null
	[ "$(state $CA | grep -E '^(assignee|member):')" = "$(printf 'member: alice\nmember: dispatch')" ]
	tick
	run inbox-assign --remove-member alice $CA
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
	[ "$(git log -1 --format=%s)" = 'inbox-assign: remove member from 1 conversation: alice' ]
	[ "$(state $CA | grep -E '^(assignee|member):')" = "member: dispatch" ]
	# a member is not an assignee
	run inbox-ls --unassigned
	[ "$(echo "$output" | cut -f1)" = "$(printf '%s\n%s' $CB $CA)" ]
}

@test "assign: removing the assignee as a member unassigns too" {
	inbox-assign $CA dispatch >/dev/null
	tick
	run inbox-assign --remove-member dispatch $CA
	[ "$status" -eq 0 ]
	! state $CA | grep -E '^(assignee|member):'
	run inbox-ls --unassigned
	[ "$(echo "$output" | cut -f1)" = "$(printf '%s\n%s' $CB $CA)" ]
}

@test "assign: adding a member twice or removing a non-member: exit 1, no commit" {
	inbox-assign --add-member alice $CA >/dev/null
	remember
	run --separate-stderr inbox-assign --add-member alice $CA
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-assign: alice is already a member of $CA" ]
	unchanged
	run --separate-stderr inbox-assign --remove-member dispatch $CA
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-assign: dispatch is not a member of $CA" ]
	unchanged
}

@test "assign: unknown staff is refused with 64, nothing changed" {
	remember
	run --separate-stderr inbox-assign $CA bob
	[ "$status" -eq 64 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-assign: unknown staff member bob" ]
	unchanged
	run --separate-stderr inbox-assign bob $CA $CB
	[ "$status" -eq 64 ]
	[ "$stderr" = "inbox-assign: unknown staff member bob" ]
	unchanged
	run --separate-stderr inbox-assign --add-member bob $CA
	[ "$status" -eq 64 ]
	[ "$stderr" = "inbox-assign: unknown staff member bob" ]
	unchanged
	run --separate-stderr inbox-assign --remove-member bob $CA
	[ "$status" -eq 64 ]
	[ "$stderr" = "inbox-assign: unknown staff member bob" ]
	unchanged
}

@test "assign: a login that is not a valid name is refused with 64" {
	remember
	run --separate-stderr inbox-assign $CA 'bob@example.org'
	[ "$status" -eq 64 ]
	[ "$stderr" = "inbox-assign: 'bob@example.org' is not a staff login" ]
	unchanged
}

@test "assign: staff contacts (inbox-contact --staff) are staff too" {
	[ -x "$INBOX_BUILD/inbox-contact" ] ||
	    skip "build/inbox-contact is not built yet"
	# adding staff is a setting of the business: an admin does it
	printf '  boss:\n    name: Boss\n    role: admin\n' >>inbox.yaml
	inbox-contact add -u boss --name "Tom Tech" --staff --login tom >/dev/null
	tick
	run inbox-assign $CA tom
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
	[ "$(state $CA | grep '^assignee:')" = "assignee: tom" ]
}

@test "assign: a store with no staff list accepts any login" {
	# another store, with no staff: in inbox.yaml
	S=$BATS_TEST_TMPDIR/store2
	inbox-init -q "$S"
	export INBOX_DIR=$S
	cd "$S"
	recv_sms SM1 $A "hello" >/dev/null
	run inbox-assign $CA anyone
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
}

@test "assign: an unknown id: exit 1, the others assigned" {
	run --separate-stderr inbox-assign dispatch 0123456789ab $CB
	[ "$status" -eq 1 ]
	[ "$output" = $CB ]
	[ "$stderr" = "inbox-assign: no conversation 0123456789ab" ]
	[ "$(git log -1 --format=%s)" = 'inbox-assign: assign 1 conversation to dispatch' ]
}

@test "assign: only unknown ids: exit 1, nothing changed, no empty commit" {
	remember
	run --separate-stderr inbox-assign 0123456789ab +15125559999 dispatch
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "$(printf '%s\n%s' \
	    'inbox-assign: no conversation 0123456789ab' \
	    'inbox-assign: no conversation with +15125559999')" ]
	unchanged
}

@test "assign: usage errors exit 64 and change nothing" {
	remember
	run --separate-stderr inbox-assign
	[ "$status" -eq 64 ]
	[ "${stderr%%$'\n'*}" = "usage: inbox-assign [-0q] [-C DIR] [-u USER] [--reason TEXT] ID... STAFF" ]
	run --separate-stderr inbox-assign --none --add-member alice $CA
	[ "$status" -eq 64 ]
	[ "${stderr%% *}" = "usage:" ]
	run --separate-stderr inbox-assign --add-member alice --remove-member dispatch $CA
	[ "$status" -eq 64 ]
	[ "${stderr%% *}" = "usage:" ]
	run --separate-stderr inbox-assign --bogus $CA dispatch
	[ "$status" -eq 64 ]
	unchanged
}

@test "assign: a --reason with a control character: exit 65, nothing changed" {
	remember
	run --separate-stderr inbox-assign --reason "$(printf 'a\nb')" $CA dispatch
	[ "$status" -eq 65 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-assign: --reason has control characters or is not UTF-8" ]
	unchanged
}

@test "assign: --help prints the usage on stdout, exit 0" {
	run --separate-stderr inbox-assign --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: inbox-assign [-0q] [-C DIR] [-u USER] [--reason TEXT] ID... STAFF" ]
	[ "$stderr" = "" ]
}

@test "assign: through the inbox dispatcher" {
	run inbox assign $CA dispatch
	[ "$status" -eq 0 ]
	[ "$output" = $CA ]
}
