#!/usr/bin/env bats
# Job hooks: the shipped defaults and the messages they send; the hook
# contract (only executable files run, the store as working directory,
# the documented environment and the event JSON on stdin, stdout to
# stderr, a timeout); a failing hook is reported, recorded on the job and
# never loses the event; inbox-job rerun fires it again without a
# duplicate; on-my-way at most once per 15 minutes.

load helper
load data/outbound
bats_require_minimum_version 1.5.0

JANE=+15125550100
CJ=4c596136f8e3		# conversation of contact jane-doe
MON9=1795446000		# Monday 2026-11-23 09:00 in Chicago (15:00Z)

staff() {
	cat >>inbox.yaml <<-'EOF'

	staff:
	  office: {name: Olive Office, role: office}
	  mike: {name: Mike Rivera, role: tech}
	  tina: {name: Tina Tech, role: tech}
	EOF
	git_commit "test: staff"
}

norm() {
	sed -E 's/\.M([0-9]{6})P[0-9]+Q[0-9]+R[0-9a-f]{8}\.[A-Za-z0-9-]+/.U/g'
}

jobrec() {
	cat jobs/*/"$1" | norm
}

subjects() {
	git log --format='%an%x09%s' "$@"
}

# hook NAME BODY: install a hook (a sh script) and commit it.
hook() {
	printf '#!/bin/sh\n%s\n' "$2" >"hooks/$1"
	chmod +x "hooks/$1"
	git_commit "test: hook $1"
}

schedule() {
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    --tech mike --address "12 Elm St" "$@"
}

setup() {
	export INBOX_NOW=$MON9
	T=$BATS_TEST_TMPDIR
	new_store
	staff
	customer jane-doe "Jane Doe" $JANE
	tick
}

@test "the shipped hooks: confirmation, new confirmation, on my way with the ETA, completion with the invoice, payment link" {
	schedule >/dev/null 2>&1
	tick
	inbox-job reschedule J1 --at 2026-11-24T13:30 >/dev/null 2>&1
	tick
	inbox-job enroute J1 --eta 20 >/dev/null 2>&1
	tick
	inbox-job done J1 --invoice-url https://pay.example/i/1 >/dev/null 2>&1
	tick
	inbox-job invoice J1 --url https://pay.example/i/1 >/dev/null 2>&1
	[ "$(sent)" = "$JANE	confirmation	Hi Jane, this is Fieldco Plumbing & Heating. Your appointment is confirmed for Tuesday November 24 at 9:00 AM. Reply here if you need to change it.
$JANE	confirmation	Hi Jane, Fieldco Plumbing & Heating here. Your appointment has moved to Tuesday November 24 at 1:30 PM. Reply here if that does not suit you.
$JANE	on-my-way	Hi Jane, Mike from Fieldco Plumbing & Heating is on the way and should be with you in about 20 minutes.
$JANE	completion	Hi Jane, your job is complete. Thank you for choosing Fieldco Plumbing & Heating! Your invoice: https://pay.example/i/1
$JANE	payment-link	Hi Jane, your invoice from Fieldco Plumbing & Heating is ready. You can pay securely here: https://pay.example/i/1" ]
	[ "$(ls tmp/outbox | cut -c1-10)" = "1795446060
1795446120
1795446180
1795446240
1795446300" ]
	[ "$(jobrec J1 | grep '^sent\.')" = "sent.confirmation: 2 2026-11-23T15:02:00Z $CJ/1795446120.U
sent.on-my-way: 2 2026-11-23T15:03:00Z $CJ/1795446180.U
sent.completion: 2 2026-11-23T15:04:00Z $CJ/1795446240.U
sent.payment-link: 2 2026-11-23T15:05:00Z $CJ/1795446300.U" ]
	[ "$(subjects -15 | grep -v '^t	')" = "office	inbox-send: sent sms to $JANE
office	inbox-send: queue sms to $JANE (payment-link)
office	inbox-job: invoice J1
office	inbox-send: sent sms to $JANE
office	inbox-send: queue sms to $JANE (completion)
office	inbox-job: done J1
office	inbox-send: sent sms to $JANE
office	inbox-send: queue sms to $JANE (on-my-way)
office	inbox-job: enroute J1
office	inbox-send: sent sms to $JANE
office	inbox-send: queue sms to $JANE (confirmation)
office	inbox-job: reschedule J1 for jane-doe at 2026-11-24T19:30:00Z
office	inbox-send: sent sms to $JANE
office	inbox-send: queue sms to $JANE (confirmation)
office	inbox-job: schedule J1 for jane-doe at 2026-11-24T15:00:00Z" ]
	all_committed
}

@test "on my way without an ETA; completion without an invoice" {
	schedule >/dev/null 2>&1
	tick
	inbox-job enroute J1 >/dev/null 2>&1
	tick
	inbox-job done J1 >/dev/null 2>&1
	[ "$(sent | sed 1d)" = "$JANE	on-my-way	Hi Jane, Mike from Fieldco Plumbing & Heating is on the way to you now.
$JANE	completion	Hi Jane, your job is complete. Thank you for choosing Fieldco Plumbing & Heating!" ]
}

@test "the tech's name comes from the staff list, or is the login" {
	printf '  dave: {role: tech}\n' >>inbox.yaml
	git_commit "test: dave has no name"
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    --tech dave >/dev/null 2>&1
	tick
	inbox-job enroute J1 --eta 5 >/dev/null 2>&1
	[ "$(sent | sed -n 2p | cut -f3)" = \
	    "Hi Jane, dave from Fieldco Plumbing & Heating is on the way and should be with you in about 5 minutes." ]
}

@test "a canceled job sends nothing: there is no job-canceled hook" {
	schedule >/dev/null 2>&1
	tick
	run --separate-stderr inbox-job cancel J1
	[ "$status" -eq 0 ]
	[ "$output" = J1 ]
	[ "$stderr" = "" ]
	[ "$(sent | cut -f2)" = confirmation ]
}

@test "only executable hooks run: chmod -x turns one off" {
	chmod -x hooks/job-scheduled
	git_commit "test: no confirmations"
	run --separate-stderr schedule
	[ "$status" -eq 0 ]
	[ "$output" = J1 ]
	[ "$stderr" = "" ]
	[ ! -e tmp/outbox ]
	! jobrec J1 | grep -q '^sent\.' || false
	[ "$(subjects -1)" = \
	    "office	inbox-job: schedule J1 for jane-doe at 2026-11-24T15:00:00Z" ]
	# rerun wants an executable hook
	run --separate-stderr inbox-job rerun J1 job-scheduled
	[ "$status" -eq 64 ]
	[ "$stderr" = "inbox-job: no executable hook job-scheduled" ]
}

@test "the contract: the store as working directory, the environment, the event as JSON on stdin" {
	hook tech-en-route "pwd >\"$T/pwd\"
env | grep -E '^INBOX_(DIR|USER|EVENT|CONV|CUSTOMER|JOB|MESSAGE|TECH|JOB_AT|ETA|INVOICE_URL)=' | LC_ALL=C sort >\"$T/env\"
cat >\"$T/stdin\""
	schedule >/dev/null 2>&1
	tick
	run --separate-stderr inbox-job enroute J1 --eta 30
	[ "$status" -eq 0 ]
	[ "$output" = J1 ]
	[ "$stderr" = "" ]
	[ "$(cat "$T/pwd")" = "$(cd "$S" && pwd -P)" ]
	[ "$(cat "$T/env")" = "INBOX_CONV=$CJ
INBOX_CUSTOMER=jane-doe
INBOX_DIR=$(cd "$S" && pwd -P)
INBOX_ETA=30
INBOX_EVENT=tech-en-route
INBOX_INVOICE_URL=
INBOX_JOB=J1
INBOX_JOB_AT=2026-11-24T15:00:00Z
INBOX_MESSAGE=
INBOX_TECH=mike
INBOX_USER=office" ]
	[ "$(norm <"$T/stdin")" = "{\"event\":\"tech-en-route\",\"job\":\"J1\",\"customer\":\"jane-doe\",\"conversation\":\"$CJ\",\"at\":\"2026-11-24T15:00:00Z\",\"address\":\"12 Elm St\",\"tech\":\"mike\",\"rev\":\"1\",\"status\":\"en-route\",\"created\":\"2026-11-23T15:01:00Z\",\"updated\":\"2026-11-23T15:02:00Z\",\"sent.confirmation\":\"1 2026-11-23T15:01:00Z $CJ/1795446060.U\",\"eta\":\"30\"}" ]
}

@test "hook output goes to stderr: stdout carries only the job id" {
	hook job-scheduled 'echo "to stdout"; echo "to stderr" >&2'
	run --separate-stderr schedule
	[ "$status" -eq 0 ]
	[ "$output" = J1 ]
	[ "$stderr" = "to stdout
to stderr" ]
	# in a pipeline too
	tick
	[ "$(inbox-job schedule J2 --customer jane-doe --at 2026-11-25T09:00 \
	    2>/dev/null | cat)" = J2 ]
}

@test "a hanging hook is killed at INBOX_HOOK_TIMEOUT; the failure is recorded" {
	hook tech-en-route "echo \$\$ >\"$T/pid\"; echo waiting; sleep 30"
	schedule >/dev/null 2>&1
	tick
	SECONDS=0
	run --separate-stderr env INBOX_HOOK_TIMEOUT=1 inbox-job enroute J1
	[ "$SECONDS" -lt 10 ]
	[ "$status" -eq 2 ]
	[ "$output" = J1 ]
	[ "$stderr" = "waiting
hook tech-en-route killed after 1s
inbox-job: hook tech-en-route failed for J1 (exit 124); it is recorded on the job: run inbox-job rerun J1 tech-en-route" ]
	! kill -0 "$(cat "$T/pid")" 2>/dev/null || false
	[ "$(jobrec J1 | grep '^hook-failed:')" = \
	    "hook-failed: tech-en-route 124 2026-11-23T15:02:00Z" ]
}

@test "hooks.timeout in inbox.yaml bounds a hook too" {
	sed -i 's/^  timeout: 30 /  timeout: 1  /' inbox.yaml
	git_commit "test: 1s hooks"
	grep -q '^  timeout: 1 ' inbox.yaml
	hook job-scheduled 'sleep 30'
	SECONDS=0
	run --separate-stderr schedule
	[ "$SECONDS" -lt 10 ]
	[ "$status" -eq 2 ]
	[ "$(jobrec J1 | grep '^hook-failed:')" = \
	    "hook-failed: job-scheduled 124 2026-11-23T15:01:00Z" ]
}

@test "a failing hook: exit 2, the rerun command named, recorded on the job, the event kept" {
	hook job-done 'echo "the SMS gateway is down"; exit 3'
	schedule >/dev/null 2>&1
	tick
	run --separate-stderr inbox-job done J1 --invoice-url https://pay.example/i/1
	[ "$status" -eq 2 ]
	[ "$output" = J1 ]
	[ "$stderr" = "the SMS gateway is down
inbox-job: hook job-done failed for J1 (exit 3); it is recorded on the job: run inbox-job rerun J1 job-done" ]
	# the event stands: the job is done, the tech has left
	[ "$(jobrec J1 | grep -E '^(status|invoice-url|hook-failed):')" = "status: done
invoice-url: https://pay.example/i/1
hook-failed: job-done 3 2026-11-23T15:02:00Z" ]
	[ "$(subjects -2)" = "office	inbox-job: hook job-done failed for J1
office	inbox-job: done J1" ]
	[ "$(git log -1 --format=%B)" = "inbox-job: hook job-done failed for J1

Job: J1" ]
	all_committed
}

@test "rerun: fires the hook again, clears the failure, sends once" {
	cp hooks/job-done "$T/job-done"
	hook job-done 'exit 1'
	schedule >/dev/null 2>&1
	tick
	run inbox-job done J1
	[ "$status" -eq 2 ]
	[ "$(sent | cut -f2)" = confirmation ]
	# fixed: the shipped hook again
	cp "$T/job-done" hooks/job-done
	git_commit "test: hook fixed"
	tick
	run --separate-stderr inbox-job rerun J1 job-done
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(echo "$stderr" | norm)" = \
	    "$(printf '%s/1795446180.U\tsent\tspool:1795446180.U.msg' $CJ)" ]
	! jobrec J1 | grep -q '^hook-failed:' || false
	[ "$(subjects -3)" = "office	inbox-job: hook job-done ran for J1
office	inbox-send: sent sms to $JANE
office	inbox-send: queue sms to $JANE (completion)" ]
	# again: the completion went out, so nothing more is sent
	tick
	run --separate-stderr inbox-job rerun J1 done
	[ "$status" -eq 0 ]
	[ "$(echo "$stderr" | norm)" = \
	    "inbox-send: J1 completion already sent: $CJ/1795446180.U" ]
	[ "$(sent | cut -f2)" = "confirmation
completion" ]
}

@test "rerun of a hook that already sent never sends a duplicate" {
	schedule >/dev/null 2>&1
	tick
	n=$(commits)
	run --separate-stderr inbox-job rerun J1 job-scheduled
	[ "$status" -eq 0 ]
	[ "$(echo "$stderr" | norm)" = \
	    "inbox-send: J1 confirmation already sent: $CJ/1795446060.U" ]
	[ "$(commits)" -eq "$n" ]
	[ "$(sent | wc -l)" -eq 1 ]
}

@test "a failing hook of a JSON event: the event is filed, the failure recorded" {
	hook job-scheduled 'exit 7'
	run --separate-stderr inbox-recv <<-'EOF'
	{"type":"job","event":"scheduled","job":"J1","customer":"jane-doe","at":"2026-11-24T09:00"}
	EOF
	[ "$status" -eq 0 ]
	[ "$output" = J1 ]
	[ "$stderr" = "inbox-recv: hook job-scheduled failed for J1 (exit 7); inbox-job rerun J1 job-scheduled" ]
	[ "$(jobrec J1 | grep -E '^(status|hook-failed):')" = "status: scheduled
hook-failed: job-scheduled 7 2026-11-23T15:01:00Z" ]
}

@test "never twice: on my way at most once per 15 minutes per job" {
	schedule >/dev/null 2>&1
	tick
	inbox-job enroute J1 --eta 30 >/dev/null 2>&1
	tick 600
	run --separate-stderr inbox-job enroute J1 --eta 20
	[ "$status" -eq 0 ]
	[ "$(echo "$stderr" | norm)" = \
	    "inbox-send: J1 on-my-way already sent: $CJ/1795446120.U" ]
	tick 299
	inbox-job enroute J1 --eta 10 >/dev/null 2>&1
	[ "$(sent | grep -c on-my-way)" -eq 1 ]
	tick 1	# 15 minutes after the first
	inbox-job enroute J1 --eta 5 >/dev/null 2>&1
	[ "$(sent | grep on-my-way | cut -f3)" = "Hi Jane, Mike from Fieldco Plumbing & Heating is on the way and should be with you in about 30 minutes.
Hi Jane, Mike from Fieldco Plumbing & Heating is on the way and should be with you in about 5 minutes." ]
}

@test "never twice: a second done or invoice of the same job sends nothing new" {
	schedule >/dev/null 2>&1
	tick
	inbox-job done J1 --invoice-url https://pay.example/i/1 >/dev/null 2>&1
	tick
	inbox-job invoice J1 --url https://pay.example/i/1 >/dev/null 2>&1
	tick
	run --separate-stderr inbox-job invoice J1 --url https://pay.example/i/1
	[ "$status" -eq 0 ]
	[ "$(echo "$stderr" | norm)" = \
	    "inbox-send: J1 payment-link already sent: $CJ/1795446180.U" ]
	[ "$(sent | cut -f2)" = "confirmation
completion
payment-link" ]
}

@test "a reschedule earns a new confirmation; rerunning its hook sends no second one" {
	schedule >/dev/null 2>&1
	tick
	inbox-job reschedule J1 --at 2026-11-24T10:00 >/dev/null 2>&1
	tick
	run --separate-stderr inbox-job rerun J1 reschedule
	[ "$status" -eq 0 ]
	[ "$(echo "$stderr" | norm)" = \
	    "inbox-send: J1 confirmation already sent: $CJ/1795446120.U" ]
	[ "$(sent | cut -f3)" = "Hi Jane, this is Fieldco Plumbing & Heating. Your appointment is confirmed for Tuesday November 24 at 9:00 AM. Reply here if you need to change it.
Hi Jane, Fieldco Plumbing & Heating here. Your appointment has moved to Tuesday November 24 at 10:00 AM. Reply here if that does not suit you." ]
}

@test "a hook's send obeys the rules: a blocked customer gets nothing, the hook failure says why" {
	inbox-block $JANE >/dev/null
	tick
	run --separate-stderr schedule
	[ "$status" -eq 2 ]
	[ "$output" = J1 ]
	[ "$stderr" = "inbox-send: $JANE is blocked
inbox-job: hook job-scheduled failed for J1 (exit 3); it is recorded on the job: run inbox-job rerun J1 job-scheduled" ]
	[ ! -e tmp/outbox ]
}

@test "rerun refuses a hook its job has moved past: no on-my-way once the job is done" {
	schedule >/dev/null 2>&1
	tick
	inbox-job enroute J1 >/dev/null 2>&1
	tick
	inbox-job done J1 >/dev/null 2>&1
	tick
	inbox-job schedule J2 --customer jane-doe --at 2026-11-25T09:00 \
	    >/dev/null 2>&1
	tick
	inbox-job cancel J2 >/dev/null 2>&1
	tick
	inbox-job schedule J3 --customer jane-doe --at 2026-11-26T09:00 \
	    >/dev/null 2>&1
	tick 3600	# long past the 15 minutes of an on-my-way
	n=$(commits)
	while IFS='|' read -r job hook msg; do
		run --separate-stderr inbox-job rerun "$job" "$hook"
		[ "$status" -eq 64 ]
		[ "$output" = "" ]
		[ "$stderr" = "inbox-job: $msg" ]
	done <<-'EOF'
	J1|tech-en-route|job J1 is done: tech-en-route does not apply
	J1|enroute|job J1 is done: tech-en-route does not apply
	J1|reminder|job J1 is done: reminder does not apply
	J1|job-scheduled|job J1 is done: job-scheduled does not apply
	J2|job-rescheduled|job J2 is canceled: job-rescheduled does not apply
	J2|reminder|job J2 is canceled: reminder does not apply
	J2|invoice-sent|job J2 is not invoiced: invoice-sent does not apply
	J3|job-done|job J3 is scheduled: job-done does not apply
	J3|tech-en-route|job J3 is scheduled: tech-en-route does not apply
	EOF
	[ "$(commits)" -eq "$n" ]
	[ "$(sent | cut -f2)" = "confirmation
on-my-way
completion
confirmation
confirmation" ]
}
