#!/usr/bin/env bats
# The proof: a scripted week of a small plumbing business, time pinned.
# Jobs are scheduled (by hand and by the field-service platform's JSON),
# one is rescheduled, one canceled; cron runs inbox-remind and
# inbox-send --flush every five minutes through the evenings; techs go
# en route and finish; invoices go out; a customer texts at 23:00 while
# the office is closed.  With the spool transport we assert exactly which
# messages went out, to whom, with what text, in which order; who was a
# member of which thread at each step; and what git log says.

load helper
load data/outbound
bats_require_minimum_version 1.5.0

JANE=+15125550100
BOB=+15125550177
ANN=+15125550144
CARL=+15125550166
CJ=4c596136f8e3		# conversations of contacts jane-doe,
CB=15c2ae520734		# bob-ray,
CA=dd16134f1d18		# ann-lee
CC=d09886e89a84		# and carl-ito

# clock "2026-11-23 09:00": set the time, as read on a clock in Chicago.
clock() {
	INBOX_NOW=$(TZ=America/Chicago date -d "$1" +%s)
	export INBOX_NOW
}

# cron FROM TO: what the crontab does (share/crontab), every five
# minutes from FROM to TO, Chicago time; the job ids inbox-remind printed
# are collected in $T/reminded as "TIME JOB".
cron() {
	local t end out
	t=$(TZ=America/Chicago date -d "$1" +%s)
	end=$(TZ=America/Chicago date -d "$2" +%s)
	while [ "$t" -le "$end" ]; do
		INBOX_NOW=$t inbox-send --flush -q 2>>"$T/cron.err" || return 1
		out=$(INBOX_NOW=$t inbox-remind 2>>"$T/cron.err") || return 1
		[ -z "$out" ] || printf '%s\n' "$out" | sed \
		    "s/^/$(TZ=America/Chicago date -d "@$t" '+%a %H:%M') /" \
		    >>"$T/reminded"
		t=$((t + 300))
	done
}

members() {
	sed -n 's/^member: //p' "conv/${1:0:2}/$1/state" 2>/dev/null |
	    tr '\n' ' ' | sed 's/ $//'
}

# step NAME: note who is a member of each customer's thread now.
step() {
	printf '%s\tjane: %s\tbob: %s\tann: %s\tcarl: %s\n' "$1" \
	    "$(members $CJ)" "$(members $CB)" "$(members $CA)" \
	    "$(members $CC)" >>"$T/members"
}

setup() {
	T=$BATS_TEST_TMPDIR
	clock "2026-11-22 18:00"	# Sunday evening: the store is set up
	new_store
	cat >>inbox.yaml <<-'EOF'

	staff:
	  office: {name: Olive Office, role: office}
	  mike: {name: Mike Rivera, role: tech}
	  tina: {name: Tina Torres, role: tech}

	hours:
	  mon: "08:00-17:00"
	  tue: "08:00-17:00"
	  wed: "08:00-17:00"
	  thu: "08:00-17:00"
	  fri: "08:00-17:00"
	  sat: closed
	  sun: closed
	holidays: [2026-11-26]
	EOF
	git_commit "test: staff and hours"
	customer jane-doe "Jane Doe" $JANE
	tick
	customer bob-ray "Bob Ray" $BOB
	tick
	customer ann-lee "Ann Lee" $ANN
	: >"$T/members"
	: >"$T/reminded"
	: >"$T/cron.err"
}

@test "the week" {
	[ "$(printf 'contact:%s' ann-lee | sha1sum | cut -c1-12)" = $CA ]
	[ "$(printf 'contact:%s' carl-ito | sha1sum | cut -c1-12)" = $CC ]

	# Monday: the office books three jobs
	clock "2026-11-23 09:00"
	[ "$(inbox-job schedule J1 --customer jane-doe --at "2026-11-24 09:00" \
	    --tech mike --address "12 Elm St" 2>/dev/null)" = J1 ]
	step "Mon 09:00 J1 scheduled"
	clock "2026-11-23 09:05"
	[ "$(inbox-job schedule J2 --customer bob-ray --at "2026-11-24 14:00" \
	    --tech tina --address "4 Oak Ave" 2>/dev/null)" = J2 ]
	step "Mon 09:05 J2 scheduled"
	clock "2026-11-23 09:10"
	[ "$(inbox-job schedule J3 --customer ann-lee --at "2026-11-25 10:00" \
	    --tech mike 2>/dev/null)" = J3 ]
	step "Mon 09:10 J3 scheduled"
	# Bob asks for Wednesday afternoon; Ann cancels
	clock "2026-11-23 11:00"
	[ "$(inbox-job reschedule J2 --at "2026-11-25 15:00" 2>/dev/null)" = J2 ]
	step "Mon 11:00 J2 rescheduled"
	clock "2026-11-23 12:00"
	[ "$(inbox-job cancel J3 2>/dev/null)" = J3 ]
	step "Mon 12:00 J3 canceled"

	# Monday evening and night: cron every five minutes
	cron "2026-11-23 16:00" "2026-11-23 23:00"
	[ "$(cat "$T/reminded")" = "Mon 17:00 J1" ]

	# Jane texts at 23:05, the office is closed: one after-hours reply
	clock "2026-11-23 23:05"
	recv_sms SM1 $JANE "Is it still 9 tomorrow? The gate code is 4411" \
	    >/dev/null 2>&1
	clock "2026-11-23 23:10"
	recv_sms SM2 $JANE "Thanks" >/dev/null 2>&1
	step "Mon 23:10 Jane wrote"

	# Tuesday 07:00: the booking platform books J4 for a new customer
	# for Friday; the confirmation waits for 08:00, when the sending
	# window opens, and cron's flush sends it
	clock "2026-11-24 07:00"
	[ "$(inbox-recv 2>/dev/null <<-'EOF'
	{"type":"job","event":"booked","job":"J4","customer":{"id":"carl-ito","name":"Carl Ito","phone":"+1 512 555 0166"},"at":"2026-11-27T11:00:00-06:00","tech":"tina","address":"9 Pine Rd"}
	EOF
	)" = J4 ]
	step "Tue 07:00 J4 booked"
	[ "$(grep -h '^X-Inbox-\(Status\|Send-After\):' conv/${CC:0:2}/$CC/cur/*)" = \
	    "X-Inbox-Status: scheduled
X-Inbox-Send-After: 2026-11-24T14:00:00Z" ]
	[ "$(ls tmp/outbox | wc -l)" -eq 6 ]
	cron "2026-11-24 07:05" "2026-11-24 08:30"
	[ "$(ls tmp/outbox | wc -l)" -eq 7 ]

	# Mike drives to Jane, finishes, the invoice goes out
	clock "2026-11-24 08:40"
	[ "$(INBOX_USER=mike inbox-job enroute J1 --eta 20 2>/dev/null)" = J1 ]
	step "Tue 08:40 J1 en route"
	clock "2026-11-24 10:30"
	[ "$(INBOX_USER=mike inbox-job done J1 \
	    --invoice-url https://pay.example/inv/1001 2>/dev/null)" = J1 ]
	step "Tue 10:30 J1 done"
	clock "2026-11-24 10:35"
	[ "$(inbox-job invoice J1 --url https://pay.example/inv/1001 \
	    2>/dev/null)" = J1 ]

	# Tuesday evening: the reminder of Wednesday's job
	cron "2026-11-24 16:30" "2026-11-24 18:00"

	# Wednesday: Tina at Bob's; she reports en route twice, Bob hears
	# it once
	clock "2026-11-25 14:30"
	[ "$(INBOX_USER=tina inbox-job enroute J2 --eta 25 2>/dev/null)" = J2 ]
	clock "2026-11-25 14:35"
	[ "$(INBOX_USER=tina inbox-job enroute J2 --eta 20 2>/dev/null)" = J2 ]
	step "Wed 14:35 J2 en route"
	clock "2026-11-25 16:00"
	[ "$(INBOX_USER=tina inbox-job done J2 2>/dev/null)" = J2 ]
	step "Wed 16:00 J2 done"
	clock "2026-11-25 16:05"
	[ "$(inbox-job invoice J2 --url https://pay.example/inv/1002 \
	    2>/dev/null)" = J2 ]

	# Thursday is a holiday; cron still reminds Carl of Friday
	cron "2026-11-26 16:30" "2026-11-26 18:00"

	# Friday: Tina at Carl's
	clock "2026-11-27 10:40"
	[ "$(INBOX_USER=tina inbox-job enroute J4 2>/dev/null)" = J4 ]
	clock "2026-11-27 12:15"
	[ "$(INBOX_USER=tina inbox-job done J4 2>/dev/null)" = J4 ]
	step "Fri 12:15 J4 done"

	# --- what went out, to whom, with what words, in which order ---
	[ "$(sent)" = "$JANE	confirmation	Hi Jane, this is Fieldco Plumbing & Heating. Your appointment is confirmed for Tuesday November 24 at 9:00 AM. Reply here if you need to change it.
$BOB	confirmation	Hi Bob, this is Fieldco Plumbing & Heating. Your appointment is confirmed for Tuesday November 24 at 2:00 PM. Reply here if you need to change it.
$ANN	confirmation	Hi Ann, this is Fieldco Plumbing & Heating. Your appointment is confirmed for Wednesday November 25 at 10:00 AM. Reply here if you need to change it.
$BOB	confirmation	Hi Bob, Fieldco Plumbing & Heating here. Your appointment has moved to Wednesday November 25 at 3:00 PM. Reply here if that does not suit you.
$JANE	reminder	Hi Jane, a reminder from Fieldco Plumbing & Heating: we will see you Tuesday November 24 at 9:00 AM. Reply here if anything has changed.
$JANE	after-hours	Thanks for your message to Fieldco Plumbing & Heating. Our office is closed right now; we will reply as soon as we open. For an emergency call +15550001111.
$CARL	confirmation	Hi Carl, this is Fieldco Plumbing & Heating. Your appointment is confirmed for Friday November 27 at 11:00 AM. Reply here if you need to change it.
$JANE	on-my-way	Hi Jane, Mike from Fieldco Plumbing & Heating is on the way and should be with you in about 20 minutes.
$JANE	completion	Hi Jane, your job is complete. Thank you for choosing Fieldco Plumbing & Heating! Your invoice: https://pay.example/inv/1001
$JANE	payment-link	Hi Jane, your invoice from Fieldco Plumbing & Heating is ready. You can pay securely here: https://pay.example/inv/1001
$BOB	reminder	Hi Bob, a reminder from Fieldco Plumbing & Heating: we will see you Wednesday November 25 at 3:00 PM. Reply here if anything has changed.
$BOB	on-my-way	Hi Bob, Tina from Fieldco Plumbing & Heating is on the way and should be with you in about 25 minutes.
$BOB	completion	Hi Bob, your job is complete. Thank you for choosing Fieldco Plumbing & Heating!
$BOB	payment-link	Hi Bob, your invoice from Fieldco Plumbing & Heating is ready. You can pay securely here: https://pay.example/inv/1002
$CARL	reminder	Hi Carl, a reminder from Fieldco Plumbing & Heating: we will see you Friday November 27 at 11:00 AM. Reply here if anything has changed.
$CARL	on-my-way	Hi Carl, Tina from Fieldco Plumbing & Heating is on the way to you now.
$CARL	completion	Hi Carl, your job is complete. Thank you for choosing Fieldco Plumbing & Heating!" ]
	# the spool's names are the times the messages were written (read
	# in Chicago); Carl's confirmation, written at 07:00, left at 08:00
	[ "$(for f in $(ls tmp/outbox); do TZ=America/Chicago date -d "@${f%%.*}" '+%a %H:%M'; done)" = "Mon 09:00
Mon 09:05
Mon 09:10
Mon 11:00
Mon 17:00
Mon 23:05
Tue 07:00
Tue 08:40
Tue 10:30
Tue 10:35
Tue 17:00
Wed 14:30
Wed 16:00
Wed 16:05
Thu 17:00
Fri 10:40
Fri 12:15" ]
	[ "$(grep -h '^X-Inbox-Status-Time:' conv/$(printf %.2s $CC)/$CC/cur/* | head -n 1)" = \
	    "X-Inbox-Status-Time: 2026-11-24T14:00:00Z" ]
	# every message sent, nothing left in the queue, cron said nothing
	[ -z "$(ls idx/queue)" ]
	[ "$(grep -h '^X-Inbox-Status:' conv/*/*/cur/* | sort | uniq -c |
	    sed 's/^ *//')" = "17 X-Inbox-Status: sent" ]
	[ "$(cut -f2 "$T/cron.err")" = "sent
sent
sent" ]	# the reminder hooks' inbox-send
	# each reminder once, when it was due
	[ "$(cat "$T/reminded")" = "Mon 17:00 J1
Tue 17:00 J2
Thu 17:00 J4" ]

	# --- who was a member of which thread at each step ---
	[ "$(cat "$T/members")" = "Mon 09:00 J1 scheduled	jane: mike	bob: 	ann: 	carl: 
Mon 09:05 J2 scheduled	jane: mike	bob: tina	ann: 	carl: 
Mon 09:10 J3 scheduled	jane: mike	bob: tina	ann: mike	carl: 
Mon 11:00 J2 rescheduled	jane: mike	bob: tina	ann: mike	carl: 
Mon 12:00 J3 canceled	jane: mike	bob: tina	ann: 	carl: 
Mon 23:10 Jane wrote	jane: mike	bob: tina	ann: 	carl: 
Tue 07:00 J4 booked	jane: mike	bob: tina	ann: 	carl: tina
Tue 08:40 J1 en route	jane: mike	bob: tina	ann: 	carl: tina
Tue 10:30 J1 done	jane: 	bob: tina	ann: 	carl: tina
Wed 14:35 J2 en route	jane: 	bob: tina	ann: 	carl: tina
Wed 16:00 J2 done	jane: 	bob: 	ann: 	carl: tina
Fri 12:15 J4 done	jane: 	bob: 	ann: 	carl: " ]

	# --- the jobs at the end of the week ---
	[ "$(inbox-job ls --all | LC_ALL=C sort)" = "J1	done	2026-11-24T15:00:00Z	jane-doe	mike
J2	done	2026-11-25T21:00:00Z	bob-ray	tina
J3	canceled	2026-11-25T16:00:00Z	ann-lee	mike
J4	done	2026-11-27T17:00:00Z	carl-ito	tina" ]
	run inbox-job ls
	[ "$output" = "" ]
	[ "$(grep -h '^sent\.' jobs/*/J2 | cut -d' ' -f1-3)" = "sent.confirmation: 2 2026-11-23T17:00:00Z
sent.reminder: 2 2026-11-24T23:00:00Z
sent.on-my-way: 2 2026-11-25T20:30:00Z
sent.completion: 2 2026-11-25T22:00:00Z
sent.payment-link: 2 2026-11-25T22:05:00Z" ]
	! grep -q '^hook-failed:' jobs/*/* || false

	# --- what git says ---
	[ "$(git log --format='%an%x09%s' | sed '/^test	/,$d')" = "tina	inbox-send: sent sms to $CARL
tina	inbox-send: queue sms to $CARL (completion)
tina	inbox-job: done J4
tina	inbox-send: sent sms to $CARL
tina	inbox-send: queue sms to $CARL (on-my-way)
tina	inbox-job: enroute J4
office	inbox-send: sent sms to $CARL
office	inbox-send: queue sms to $CARL (reminder)
office	inbox-send: sent sms to $BOB
office	inbox-send: queue sms to $BOB (payment-link)
office	inbox-job: invoice J2
tina	inbox-send: sent sms to $BOB
tina	inbox-send: queue sms to $BOB (completion)
tina	inbox-job: done J2
tina	inbox-job: enroute J2
tina	inbox-send: sent sms to $BOB
tina	inbox-send: queue sms to $BOB (on-my-way)
tina	inbox-job: enroute J2
office	inbox-send: sent sms to $BOB
office	inbox-send: queue sms to $BOB (reminder)
office	inbox-send: sent sms to $JANE
office	inbox-send: queue sms to $JANE (payment-link)
office	inbox-job: invoice J1
mike	inbox-send: sent sms to $JANE
mike	inbox-send: queue sms to $JANE (completion)
mike	inbox-job: done J1
mike	inbox-send: sent sms to $JANE
mike	inbox-send: queue sms to $JANE (on-my-way)
mike	inbox-job: enroute J1
office	inbox-send: sent sms to $CARL
office	inbox-send: schedule sms to $CARL (confirmation)
office	inbox-recv: schedule J4 for carl-ito at 2026-11-27T17:00:00Z
office	inbox-recv: sms from $JANE (Jane Doe)
office	inbox-send: sent sms to $JANE
office	inbox-send: queue sms to $JANE (after-hours)
office	inbox-recv: sms from $JANE (Jane Doe)
office	inbox-send: sent sms to $JANE
office	inbox-send: queue sms to $JANE (reminder)
office	inbox-job: cancel J3
office	inbox-send: sent sms to $BOB
office	inbox-send: queue sms to $BOB (confirmation)
office	inbox-job: reschedule J2 for bob-ray at 2026-11-25T21:00:00Z
office	inbox-send: sent sms to $ANN
office	inbox-send: queue sms to $ANN (confirmation)
office	inbox-job: schedule J3 for ann-lee at 2026-11-25T16:00:00Z
office	inbox-send: sent sms to $BOB
office	inbox-send: queue sms to $BOB (confirmation)
office	inbox-job: schedule J2 for bob-ray at 2026-11-24T20:00:00Z
office	inbox-send: sent sms to $JANE
office	inbox-send: queue sms to $JANE (confirmation)
office	inbox-job: schedule J1 for jane-doe at 2026-11-24T15:00:00Z
office	inbox-contact: add customer ann-lee (Ann Lee)
office	inbox-contact: add customer bob-ray (Bob Ray)
office	inbox-contact: add customer jane-doe (Jane Doe)" ]
	all_committed

	# --- and running it all again sends nothing more ---
	n=$(commits)
	clock "2026-11-27 23:30"
	inbox-remind -q
	inbox-send --flush -q
	for j in J1 J2 J4; do
		for h in job-scheduled reminder tech-en-route job-done \
		    invoice-sent; do
			inbox-job rerun $j $h >/dev/null 2>&1 || true
		done
	done
	[ "$(sent | wc -l)" -eq 17 ]
	[ "$(commits)" -eq "$n" ]
}
