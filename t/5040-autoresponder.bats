#!/usr/bin/env bats
# The after-hours autoresponder: business hours per weekday and holidays,
# in business.timezone; a customer who writes while the office is closed
# gets the after-hours template at most once per conversation per closed
# period; never a blocked or opted-out number; never an email from a
# machine (Auto-Submitted, Precedence: bulk).

load helper
load data/outbound
bats_require_minimum_version 1.5.0

A=+15125550100	# conversation eff5a9af2f8e
B=+15125550101	# conversation 16aedeec85a0
CA=eff5a9af2f8e
CB=16aedeec85a0
SUN=1795337600		# Sunday 2026-11-22 02:53 in Chicago: closed all day
MON0730=1795440600	# Monday 07:30: not open yet
MON0900=1795446000	# Monday 09:00: open
MON1630=1795473000	# Monday 16:30: open (22:30 in UTC)
MON1730=1795476600	# Monday 17:30: closed
TUE0700=1795525200	# Tuesday 07:00: still the same closed period
THU1000=1795708800	# Thursday 2026-11-26 10:00: a holiday

REPLY="Thanks for your message to Fieldco Plumbing & Heating. Our office is closed right now; we will reply as soon as we open. For an emergency call +15550001111."

norm() {
	sed -E 's/\.M([0-9]{6})P[0-9]+Q[0-9]+R[0-9a-f]{8}\.[A-Za-z0-9-]+/.U/g'
}

hours() {
	cat >>inbox.yaml <<-'EOF'

	hours:
	  mon: "08:00-17:00"
	  tue: "08:00-17:00"
	  wed: "08:00-17:00"
	  thu: "08:00-17:00"
	  fri: "08:00-17:00"
	  sat: closed
	  sun: closed
	holidays: [2026-11-26, 2026-12-25]
	EOF
	git_commit "test: business hours"
}

# An email from FROM with extra header lines HDRS (may be empty).
email() {
	printf 'From: Jean Dupont <%s>\nTo: office@fieldco.example\nSubject: Boiler\nDate: %s\nMessage-ID: <%s@example.org>\n%sMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\nThe boiler is leaking again.\n' \
	    "$1" "$(date -u -R -d "@$INBOX_NOW")" "$INBOX_NOW" "$2"
}

setup() {
	export INBOX_NOW=$SUN
	new_store
	hours
}

@test "closed: the after-hours reply, once per conversation per closed period" {
	run --separate-stderr recv_sms SM1 $A "Is anyone there? Water everywhere"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | norm)" = "$CA/1795337600.U" ]
	[ "$(echo "$stderr" | norm)" = \
	    "$(printf '%s/1795337600.U\tsent\tspool:1795337600.U.msg' $CA)" ]
	[ "$(sent)" = "$A	after-hours	$REPLY" ]
	grep -qx 'after-hours: 2026-11-22T08:53:20Z' conv/ef/$CA/state
	[ "$(git log -3 --format='%an%x09%s')" = "office	inbox-send: sent sms to $A
office	inbox-send: queue sms to $A (after-hours)
office	inbox-recv: sms from $A" ]
	tick 3600
	run --separate-stderr recv_sms SM2 $A "Hello??"
	[ "$status" -eq 0 ]
	[ "$stderr" = "inbox-send: $CA after-hours already sent: after-hours reply of 2026-11-22T08:53:20Z" ]
	# Monday 07:30 is still the weekend's closed period; Tuesday 07:00
	# is the next one
	INBOX_NOW=$MON0730
	recv_sms SM3 $A "Still leaking" >/dev/null 2>&1
	INBOX_NOW=$TUE0700
	recv_sms SM4 $A "And again" >/dev/null 2>&1
	[ "$(sent | cut -f1,2)" = "$A	after-hours
$A	after-hours" ]
	[ "$(ls tmp/outbox | cut -c1-10)" = "1795337600
1795525200" ]
	all_committed
}

@test "open: no reply; the same conversation later that evening gets one" {
	INBOX_NOW=$MON0900
	run --separate-stderr recv_sms SM1 $A "Can you come Tuesday?"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ ! -e tmp/outbox ]
	INBOX_NOW=$MON1730
	recv_sms SM2 $A "Any news?" >/dev/null 2>&1
	INBOX_NOW=$((MON1730 + 1800))
	recv_sms SM3 $A "Hello?" >/dev/null 2>&1
	INBOX_NOW=$TUE0700
	recv_sms SM4 $A "Morning" >/dev/null 2>&1
	[ "$(sent | cut -f1,2)" = "$A	after-hours" ]
	[ "$(ls tmp/outbox | cut -c1-10)" = 1795476600 ]
}

@test "hours are the business's time zone, not UTC" {
	INBOX_NOW=$MON0730	# 13:30 in UTC
	recv_sms SM1 $A "Early bird" >/dev/null 2>&1
	INBOX_NOW=$MON1630	# 22:30 in UTC
	recv_sms SM2 $B "Late question" >/dev/null 2>&1
	[ "$(sent | cut -f1,2)" = "$A	after-hours" ]
}

@test "a holiday is closed all day" {
	INBOX_NOW=$THU1000
	recv_sms SM1 $A "Happy Thanksgiving, can you come?" >/dev/null 2>&1
	[ "$(sent | cut -f1,2)" = "$A	after-hours" ]
}

@test "each conversation has its own closed period" {
	recv_sms SM1 $A "one" >/dev/null 2>&1
	tick
	recv_sms SM2 $B "two" >/dev/null 2>&1
	tick
	recv_sms SM3 $A "three" >/dev/null 2>&1
	[ "$(sent | cut -f1,2)" = "$A	after-hours
$B	after-hours" ]
}

@test "the reply goes out at night: the quiet hours do not hold it" {
	INBOX_NOW=1795413600	# Monday 00:00 in Chicago
	recv_sms SM1 $A "Burst pipe!" >/dev/null 2>&1
	[ "$(sent | cut -f1,2)" = "$A	after-hours" ]
	[ "$(grep -h '^X-Inbox-Send-After:' conv/ef/$CA/cur/* | wc -l)" -eq 0 ]
}

@test "never to a blocked number" {
	inbox-block $A >/dev/null
	tick
	run --separate-stderr recv_sms SM1 $A "Let me in"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ ! -e tmp/outbox ]
}

@test "never to an opted-out number" {
	recv_sms SM1 $A "STOP" >/dev/null 2>&1
	tick
	run recv_sms SM2 $A "why do you not answer"
	[ "$status" -eq 0 ]
	[ ! -e tmp/outbox ]
	[ -z "$(grep -l '^X-Inbox-Direction: out' conv/ef/$CA/*/* 2>/dev/null)" ]
}

@test "a keyword gets its own answer, not the after-hours reply" {
	recv_sms SM1 $A "STOP" >/dev/null 2>&1
	tick
	recv_sms SM2 $B "help" >/dev/null 2>&1
	[ "$(sent | cut -f1,2)" = "$B	help" ]
}

@test "email: a person gets the reply by email; a machine does not" {
	email jean@example.org "" | inbox-recv >/dev/null 2>&1
	tick
	for h in 'Auto-Submitted: auto-replied' 'Auto-Submitted: auto-generated' \
	    'Precedence: bulk' 'Precedence: list'; do
		email bot@example.org "$h
" | inbox-recv >/dev/null 2>&1
		tick
	done
	# a person may say "Auto-Submitted: no"
	email ann@example.org 'Auto-Submitted: no
' | inbox-recv >/dev/null 2>&1
	[ "$(sent | cut -f1,2)" = "jean@example.org	after-hours
ann@example.org	after-hours" ]
	f=$(ls tmp/outbox | head -n 1)
	[ "$(grep -E '^(To|Subject|In-Reply-To):' "tmp/outbox/$f")" = "To: <jean@example.org>
In-Reply-To: <1795337600@example.org>
Subject: Re: Boiler" ]
}

@test "without hours the office is always open: no reply" {
	sed -i '/^hours:/,/^holidays:/d' inbox.yaml
	git_commit "test: no hours"
	run --separate-stderr recv_sms SM1 $A "Hello"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ ! -e tmp/outbox ]
}

@test "the hook turned off (chmod -x): no reply" {
	chmod -x hooks/after-hours
	git_commit "test: no autoresponder"
	run --separate-stderr recv_sms SM1 $A "Hello"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ ! -e tmp/outbox ]
}

@test "an edited after-hours template is what goes out" {
	printf 'Description: ours\n\nClosed till Monday 8am. Emergencies: {{business.phone}}\n' \
	    >templates/after-hours
	git_commit "test: our words"
	recv_sms SM1 $A "Hello" >/dev/null 2>&1
	[ "$(sent)" = "$A	after-hours	Closed till Monday 8am. Emergencies: +15550001111" ]
}

@test "hours that run past midnight" {
	sed -i 's/^  sun: closed/  sun: "22:00-03:00"/' inbox.yaml
	git_commit "test: night shift on Sunday"
	# Sunday 02:53 belongs to Saturday, which is closed
	recv_sms SM1 $A "one" >/dev/null 2>&1
	INBOX_NOW=1795410000	# Sunday 23:00 in Chicago: open
	recv_sms SM2 $B "two" >/dev/null 2>&1
	INBOX_NOW=1795415400	# Monday 00:30: Sunday's range runs on
	recv_sms SM3 $B "three" >/dev/null 2>&1
	INBOX_NOW=1795424400	# Monday 03:00: closed
	recv_sms SM4 $B "four" >/dev/null 2>&1
	[ "$(sent | cut -f1,2)" = "$A	after-hours
$B	after-hours" ]
	[ "$(ls tmp/outbox | cut -c1-10)" = "1795337600
1795424400" ]
}
