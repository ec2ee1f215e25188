#!/usr/bin/env bats
# inbox-ls --as-of: the inbox as it stood at a time, from git history
# ("what did the office see when the complaint came in?").  It is read out
# of the commit of that time, so it must show what was there then and
# write nothing now.

load helper
load data/outbound
bats_require_minimum_version 1.5.0

A=bfda3c3376e9	# +15557654321
B=8f3519fbc0af	# +15557650002

setup() {
	new_store
	no_autoreply
	# Monday: two customers write
	INBOX_NOW=2026-11-16T15:00:00Z recv_sms SMa1 +15557654321 \
	    'Boiler leaking again' >/dev/null
	INBOX_NOW=2026-11-16T16:00:00Z recv_sms SMb1 +15557650002 \
	    'Radiator banging' >/dev/null
	# Tuesday: A is read, assigned and archived; B gets a second message
	INBOX_NOW=2026-11-17T09:00:00Z inbox-show "$A" >/dev/null
	INBOX_NOW=2026-11-17T09:01:00Z inbox-assign -q "$A" dispatch
	INBOX_NOW=2026-11-17T09:02:00Z inbox-archive -q "$A"
	INBOX_NOW=2026-11-17T10:00:00Z recv_sms SMb2 +15557650002 \
	    'Also the backflow valve' >/dev/null
}

ls_at() {
	inbox-ls --as-of "$@"
}

@test "as-of: Monday evening, both open, unread, unassigned" {
	run ls_at 2026-11-16T20:00:00Z --all-time
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\t1\t2026-11-16T16:00:00Z\tsms\t+15557650002\tRadiator banging\n%s\t1\t2026-11-16T15:00:00Z\tsms\t+15557654321\tBoiler leaking again' "$B" "$A")" ]
	run ls_at 2026-11-16T20:00:00Z --unassigned --all-time
	[ "${#lines[@]}" -eq 2 ]
	run ls_at 2026-11-16T20:00:00Z --counts
	[ "$output" = "$(printf 'all\t2\nunread\t2\nunassigned\t2\nmine\t0')" ]
}

@test "as-of: between two changes shows the first and not the second" {
	# read and assigned, not yet archived
	run ls_at 2026-11-17T09:01:30Z --all-time --json
	[ "$status" -eq 0 ]
	a=$(grep "\"$A\"" <<<"$output")
	[[ $a == *'"unread":0'* ]]
	[[ $a == *'"assignee":"dispatch"'* ]]
	[[ $a == *'"archived":false'* ]]
	# a minute later it is archived: gone from the open list
	run ls_at 2026-11-17T09:02:30Z --all-time
	[ "$(cut -f1 <<<"$output")" = "$B" ]
	run ls_at 2026-11-17T09:02:30Z --archived --all-time
	[ "$(cut -f1 <<<"$output")" = "$A" ]
}

@test "as-of: a conversation that began later is not there" {
	run ls_at 2026-11-16T15:30:00Z --all --all-time
	[ "$(cut -f1 <<<"$output")" = "$A" ]
}

@test "as-of: today and the last 30 days are counted from then" {
	# a store with a history from October
	export INBOX_DIR="$BATS_TEST_TMPDIR/october"
	INBOX_NOW=2026-10-01T00:00:00Z inbox-init -q "$INBOX_DIR" >/dev/null
	cd "$INBOX_DIR"
	INBOX_NOW=2026-10-15T12:00:00Z recv_sms SMo1 +15557650007 \
	    'October: furnace noise' >/dev/null
	# 38 days before now: outside the default 30 days of now...
	run inbox-ls
	[ "$status" -eq 1 ]
	# ...inside those of 2026-10-20, and the week of 2026-10-16
	run ls_at 2026-10-20T12:00:00Z
	[ "$(cut -f6 <<<"$output")" = "October: furnace noise" ]
	run ls_at 2026-10-16T12:00:00Z --week
	[ "$(cut -f6 <<<"$output")" = "October: furnace noise" ]
	run ls_at 2026-10-20T12:00:00Z --today
	[ "$status" -eq 1 ]
}

@test "as-of: a store of more conversations than a first table holds" {
	for i in $(seq 1 1500); do
		printf '{"type":"message","id":"many-%d","time":"2026-11-18T10:00:00Z","from":"+1512666%04d","body":"Hello %d"}\n' \
		    "$i" "$i" "$i"
	done | INBOX_NOW=2026-11-18T10:00:00Z inbox-recv -q --batch
	INBOX_NOW=2026-11-19T10:00:00Z recv_sms SMz1 +15557650009 'later' \
	    >/dev/null
	run ls_at 2026-11-18T12:00:00Z --counts
	[ "$output" = "$(printf 'all\t1501\nunread\t1501\nunassigned\t1501\nmine\t0')" ]
	[ "$(ls_at 2026-11-18T12:00:00Z --all --all-time | wc -l)" -eq 1502 ]
}

@test "as-of: now is what inbox-ls shows" {
	[ "$(ls_at 2026-11-22T08:00:00Z --all --all-time --json)" = \
	    "$(inbox-ls --all --all-time --json)" ]
}

@test "as-of: messages, search and previews are those of then" {
	run ls_at 2026-11-16T20:00:00Z -m --all-time
	[ "${#lines[@]}" -eq 2 ]
	run ls_at 2026-11-16T20:00:00Z -s backflow
	[ "$status" -eq 1 ]
	run ls_at 2026-11-17T12:00:00Z -s backflow
	[ "$(cut -f1,6 <<<"$output")" = "$(printf '%s\tAlso the backflow valve' "$B")" ]
	run inbox-ls -s backflow
	[ "$(cut -f1 <<<"$output")" = "$B" ]
}

@test "as-of: a customer renamed since shows the old name then" {
	command -v inbox-contact >/dev/null || skip "needs inbox-contact"
	INBOX_NOW=2026-11-16T10:00:00Z customer bo "Bo Ng" +15557650003
	INBOX_NOW=2026-11-16T17:00:00Z recv_sms SMc1 +15557650003 \
	    'Gas smell' >/dev/null
	INBOX_NOW=2026-11-18T09:00:00Z inbox-contact edit -q bo \
	    --name 'Bo Ng-Lee'
	[ "$(inbox-ls --all-time -s gas | cut -f5)" = "Bo Ng-Lee" ]
	[ "$(ls_at 2026-11-17T12:00:00Z --all-time -s gas | cut -f5)" = \
	    "Bo Ng" ]
}

@test "as-of: it reads and writes nothing in the store" {
	remember
	ls_at 2026-11-16T20:00:00Z --all-time >/dev/null
	unchanged
	[ -z "$(ls "$S/tmp" | grep as-of)" ]
}

@test "as-of: before the first commit, exit 1; a bad time, 64" {
	run --separate-stderr ls_at 2020-01-01T00:00:00Z
	[ "$status" -eq 1 ]
	[[ $stderr == *"no history yet"* ]]
	run --separate-stderr ls_at yesterdayish
	[ "$status" -eq 64 ]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
}
