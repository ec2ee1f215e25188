#!/usr/bin/env bats
# inbox-remind: the reminder hook fires once per job when its reminder
# is due (the day before from 17:00 business time, or remind.hours-before
# ahead); safe to run every five minutes; canceled and done jobs are
# skipped; after downtime it catches up, but never reminds of a job
# already started.

load helper
load data/outbound
bats_require_minimum_version 1.5.0

JANE=+15125550100
BOB=+15125550177
CJ=4c596136f8e3		# conversation of contact jane-doe
MON9=1795446000		# Monday 2026-11-23 09:00 in Chicago (15:00Z)
MON17=1795474800	# Monday 2026-11-23 17:00 in Chicago (23:00Z)

staff() {
	cat >>inbox.yaml <<-'EOF'

	staff:
	  office: {name: Olive Office, role: office}
	  mike: {name: Mike Rivera, role: tech}
	EOF
	git_commit "test: staff"
}

norm() {
	sed -E 's/\.M([0-9]{6})P[0-9]+Q[0-9]+R[0-9a-f]{8}\.[A-Za-z0-9-]+/.U/g'
}

jobrec() {
	cat jobs/*/"$1" | norm
}

reminders() {
	sent | awk -F'\t' '$2 == "reminder"'
}

# remind_every FROM TO: inbox-remind -q every five minutes from FROM to
# TO (epoch seconds), as cron would; the job ids it printed without -q
# are collected in $T/fired, one "TIME JOB" a line.
remind_every() {
	local t=$1 out
	: >"$T/fired"
	while [ "$t" -le "$2" ]; do
		out=$(INBOX_NOW=$t inbox-remind 2>>"$T/remind.err") ||
		    return 1
		[ -z "$out" ] || printf '%s\n' "$out" | LC_ALL=C sort |
		    sed "s/^/$(date -u -d "@$t" +%FT%TZ) /" >>"$T/fired"
		t=$((t + 300))
	done
}

setup() {
	export INBOX_NOW=$MON9
	T=$BATS_TEST_TMPDIR
	new_store
	staff
	customer jane-doe "Jane Doe" $JANE
	customer bob-ray "Bob Ray" $BOB
	tick
	# Jane's job is Tuesday 09:00, Bob's Tuesday 14:00 (Chicago)
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    --tech mike >/dev/null 2>&1
	tick
	inbox-job schedule J2 --customer bob-ray --at 2026-11-24T14:00 \
	    >/dev/null 2>&1
	tick
}

@test "remind: nothing before 17:00 the day before, then each job once" {
	INBOX_NOW=$((MON17 - 300))
	run --separate-stderr inbox-remind
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$stderr" = "" ]
	INBOX_NOW=$MON17
	run --separate-stderr inbox-remind
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | LC_ALL=C sort)" = "J1
J2" ]
	[ "$(reminders | LC_ALL=C sort)" = "$JANE	reminder	Hi Jane, a reminder from Fieldco Plumbing & Heating: we will see you Tuesday November 24 at 9:00 AM. Reply here if anything has changed.
$BOB	reminder	Hi Bob, a reminder from Fieldco Plumbing & Heating: we will see you Tuesday November 24 at 2:00 PM. Reply here if anything has changed." ]
	[ "$(jobrec J1 | grep '^sent.reminder:' | cut -d' ' -f1-3)" = \
	    "sent.reminder: 1 2026-11-23T23:00:00Z" ]
	tick 300
	n=$(commits)
	run --separate-stderr inbox-remind
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$stderr" = "" ]
	[ "$(commits)" -eq "$n" ]
}

@test "remind: every five minutes through the evening and night, one reminder per job" {
	# Monday 12:00 to Tuesday 10:00 in Chicago
	remind_every 1795456800 1795521600
	[ "$(cat "$T/fired")" = "2026-11-23T23:00:00Z J1
2026-11-23T23:00:00Z J2" ]
	# only inbox-send's status lines, from the hooks
	[ "$(cut -f2 "$T/remind.err")" = "sent
sent" ]
	[ "$(reminders | wc -l)" -eq 2 ]
	[ "$(sent | cut -f1,2)" = "$JANE	confirmation
$BOB	confirmation
$JANE	reminder
$BOB	reminder" ] || [ "$(sent | cut -f1,2)" = "$JANE	confirmation
$BOB	confirmation
$BOB	reminder
$JANE	reminder" ]
}

@test "remind: -q prints nothing; --dry-run lists without sending" {
	INBOX_NOW=$MON17
	n=$(commits)
	run --separate-stderr inbox-remind --dry-run
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | LC_ALL=C sort)" = "J1
J2" ]
	[ "$(commits)" -eq "$n" ]
	[ -z "$(reminders)" ]
	run --separate-stderr inbox-remind -q
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(reminders | wc -l)" -eq 2 ]
}

@test "remind: canceled and done jobs are skipped" {
	inbox-job cancel J1 >/dev/null 2>&1
	tick
	inbox-job done J2 >/dev/null 2>&1
	INBOX_NOW=$MON17
	run --separate-stderr inbox-remind
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ -z "$(reminders)" ]
}

@test "remind: remind.hours-before: 24 reminds a day ahead to the minute" {
	printf 'remind:\n  hours-before: 24\n' >>inbox.yaml
	git_commit "test: 24 hours before"
	# J1 is Tuesday 15:00Z: due Monday 15:00Z, J2 Monday 20:00Z
	[ "$(inbox-remind)" = J1 ]
	INBOX_NOW=1795463940	# Monday 19:59Z
	[ "$(inbox-remind)" = "" ]
	INBOX_NOW=1795464000	# Monday 20:00Z
	[ "$(inbox-remind)" = J2 ]
	[ "$(inbox-remind)" = "" ]
	[ "$(reminders | cut -f1)" = "$JANE
$BOB" ]
}

@test "remind: remind.at and remind.days-before move the time" {
	printf 'remind:\n  at: "09:30"\n  days-before: 2\n' >>inbox.yaml
	git_commit "test: two days before at 09:30"
	INBOX_NOW=1795361400	# Sunday 2026-11-22 09:30 Chicago (15:30Z)
	[ "$(INBOX_NOW=$((INBOX_NOW - 60)) inbox-remind)" = "" ]
	[ "$(inbox-remind | LC_ALL=C sort)" = "J1
J2" ]
}

@test "remind: a reschedule earns a new reminder; a reminder sent stays sent" {
	INBOX_NOW=$MON17
	inbox-remind -q 2>/dev/null
	tick
	inbox-job reschedule J1 --at 2026-11-25T09:00 >/dev/null 2>&1
	tick
	# the new reminder is due Tuesday 17:00
	[ "$(inbox-remind)" = "" ]
	INBOX_NOW=1795561200	# Tuesday 2026-11-24 17:00 Chicago
	[ "$(inbox-remind)" = J1 ]
	[ "$(inbox-remind)" = "" ]
	[ "$(reminders | grep "^$JANE" | cut -f3)" = "Hi Jane, a reminder from Fieldco Plumbing & Heating: we will see you Tuesday November 24 at 9:00 AM. Reply here if anything has changed.
Hi Jane, a reminder from Fieldco Plumbing & Heating: we will see you Wednesday November 25 at 9:00 AM. Reply here if anything has changed." ]
	[ "$(jobrec J1 | grep '^sent.reminder:' | cut -d' ' -f1-3)" = \
	    "sent.reminder: 2 2026-11-24T23:00:00Z" ]
}

@test "remind: rerunning the reminder hook never sends a duplicate" {
	INBOX_NOW=$MON17
	inbox-remind -q 2>/dev/null
	tick
	run --separate-stderr inbox-job rerun J1 reminder
	[ "$status" -eq 0 ]
	[ "$(echo "$stderr" | norm)" = \
	    "inbox-send: J1 reminder already sent: $CJ/1795474800.U" ]
	[ "$(reminders | wc -l)" -eq 2 ]
}

@test "remind: after downtime it catches up, held for the sending window, never for a job already started" {
	# down from Monday 16:00 until Tuesday 07:00 Chicago (13:00Z): J1
	# (09:00) and J2 (14:00) are still ahead; the reminders wait for
	# 08:00, when the sending window opens
	INBOX_NOW=1795525200
	run --separate-stderr inbox-remind
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | LC_ALL=C sort)" = "J1
J2" ]
	[ -z "$(reminders)" ]
	[ "$(inbox-ls --all -s Jane | cut -f1)" = $CJ ]
	[ "$(grep -l '^X-Inbox-Type: reminder' conv/*/*/cur/* | xargs grep -h '^X-Inbox-\(Status\|Send-After\):' | LC_ALL=C sort | uniq -c | sed 's/^ *//')" = "2 X-Inbox-Send-After: 2026-11-24T14:00:00Z
2 X-Inbox-Status: scheduled" ]
	[ "$(INBOX_NOW=1795529400 inbox-remind)" = "" ]
	INBOX_NOW=1795529400	# 08:10
	run inbox-send --flush
	[ "$status" -eq 0 ]
	[ "$(reminders | wc -l)" -eq 2 ]
	# down until Tuesday 09:05: J1 has started, J2 has not
	inbox-job reschedule J2 --at 2026-11-24T15:00 >/dev/null 2>&1
	inbox-job reschedule J1 --at 2026-11-24T09:00 >/dev/null 2>&1
	INBOX_NOW=1795532700
	run --separate-stderr inbox-remind
	[ "$status" -eq 0 ]
	[ "$output" = J2 ]
	[ "$(reminders | wc -l)" -eq 3 ]
}

@test "remind: down until after the job: no stale reminder" {
	INBOX_NOW=1795550400	# Tuesday 14:00 Chicago: both have started
	n=$(commits)
	run --separate-stderr inbox-remind
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ -z "$(reminders)" ]
	[ "$(commits)" -eq "$n" ]
}

@test "remind: a job en route is not reminded" {
	inbox-job enroute J1 >/dev/null 2>&1
	INBOX_NOW=$MON17
	[ "$(inbox-remind)" = J2 ]
}

@test "remind: a failing reminder hook: exit 1, recorded, tried again on the next run" {
	cp hooks/reminder "$T/reminder"
	printf '#!/bin/sh\necho no gateway; exit 4\n' >hooks/reminder
	git_commit "test: broken reminder"
	INBOX_NOW=$MON17
	run --separate-stderr inbox-remind
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | LC_ALL=C sort)" = "J1
J2" ]
	[ "$(echo "$stderr" | grep -c '^inbox-remind: reminder hook failed for J[12] (exit 4)$')" -eq 2 ]
	[ "$(jobrec J1 | grep '^hook-failed:')" = \
	    "hook-failed: reminder 4 2026-11-23T23:00:00Z" ]
	cp "$T/reminder" hooks/reminder
	git_commit "test: reminder fixed"
	tick 300
	run --separate-stderr inbox-remind
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | LC_ALL=C sort)" = "J1
J2" ]
	! jobrec J1 | grep -q '^hook-failed:' || false
	[ "$(reminders | wc -l)" -eq 2 ]
}

@test "remind: usage" {
	run inbox-remind extra
	[ "$status" -eq 64 ]
	run --separate-stderr inbox-remind --help
	[ "$status" -eq 0 ]
	[ "$output" = "usage: inbox-remind [-q] [-C DIR] [-u USER] [--dry-run]" ]
}

@test "remind: with the reminder hook turned off (chmod -x) there are no reminders" {
	chmod -x hooks/reminder
	git_commit "test: no reminders"
	INBOX_NOW=$MON17
	n=$(commits)
	for k in 1 2 3; do
		run --separate-stderr inbox-remind
		[ "$status" -eq 0 ]
		[ "$output" = "" ]
		[ "$stderr" = "" ]
		tick 300
	done
	[ "$(commits)" -eq "$n" ]
	[ -z "$(reminders)" ]
	# back on: the reminders that are still ahead go out
	chmod +x hooks/reminder
	git_commit "test: reminders again"
	[ "$(inbox-remind 2>/dev/null | LC_ALL=C sort)" = "J1
J2" ]
}
