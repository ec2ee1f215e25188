#!/usr/bin/env bats
# Quiet hours: automatic messages (never a person's reply) wait for the
# sending window in the customer's time zone (quiet.window, default
# 08:00-21:00; quiet.types.TYPE; quiet.regions.REGION for a contact's
# region:), in the queue with X-Inbox-Send-After, and go out on the next
# inbox-send --flush; across a time-zone boundary and a daylight-saving
# change; a reminder that would arrive after its job started is dropped
# and recorded, never sent late.

load helper
load data/outbound
bats_require_minimum_version 1.5.0

JANE=+15125550100
CJ=4c596136f8e3		# conversation of contact jane-doe
SUN=1795337600		# Sunday 2026-11-22 02:53 in Chicago
MON0759=1795442340	# Monday 2026-11-23 07:59 in Chicago (13:59Z)
MON0800=1795442400	# Monday 08:00 (14:00Z)
MON2130=1795491000	# Monday 21:30 (03:30Z Tuesday)

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

msgfile() {
	ls "conv/${1:0:2}/${1%%/*}"/*/"${1#*/}"*
}

# The outbound messages of the store: TYPE STATUS SEND-AFTER, in order.
outbound() {
	local f
	for f in $(ls conv/*/*/cur/* 2>/dev/null | LC_ALL=C sort -t/ -k5); do
		grep -q '^X-Inbox-Direction: out' "$f" || continue
		awk '/^X-Inbox-Type: / { t = $2 } /^X-Inbox-Status: / { s = $2 }
		    /^X-Inbox-Send-After: / { a = $2 } /^$/ { exit }
		    END { print t, s, (a == "" ? "-" : a) }' "$f"
	done
}

# contact_set ID KEY VALUE: a line on a contact's record, committed.
contact_set() {
	printf '%s: %s\n' "$2" "$3" >>"$(ls contacts/*/"$1")"
	git_commit "test: $1 $2"
}

setup() {
	export INBOX_NOW=$SUN
	new_store
	staff
	customer jane-doe "Jane Doe" $JANE
	tick
}

@test "an automatic message at night waits in the queue for 08:00, then goes on the flush" {
	run --separate-stderr inbox-job schedule J1 --customer jane-doe \
	    --at 2026-11-24T09:00 --tech mike
	[ "$status" -eq 0 ]
	[ "$output" = J1 ]
	[ "$(echo "$stderr" | norm)" = \
	    "$(printf '%s/1795337660.U\tscheduled\tnext try 2026-11-22T14:00:00Z' $CJ)" ]
	[ ! -e tmp/outbox ]
	[ "$(outbound)" = "confirmation scheduled 2026-11-22T14:00:00Z" ]
	[ "$(cat idx/queue/* | norm)" = "$CJ/1795337660.U" ]
	[ "$(git log -1 --format=%s)" = \
	    "inbox-send: schedule sms to $JANE (confirmation)" ]
	# the flush before the window: nothing due, nothing said
	INBOX_NOW=1795355940	# 07:59 Chicago
	run --separate-stderr inbox-send --flush
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ ! -e tmp/outbox ]
	INBOX_NOW=1795356000	# 08:00 Chicago
	run --separate-stderr inbox-send --flush
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | norm)" = \
	    "$(printf '%s/1795337660.U\tsent\tspool:1795337660.U.msg' $CJ)" ]
	[ "$(sent | cut -f1,2)" = "$JANE	confirmation" ]
	[ "$(outbound)" = "confirmation sent 2026-11-22T14:00:00Z" ]
	[ -z "$(ls idx/queue)" ]
	all_committed
}

@test "a person's reply is never held" {
	run --separate-stderr inbox-send jane-doe "On our way to the emergency"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | cut -f2)" = sent ]
	[ "$(sent)" = "$JANE	manual	On our way to the emergency" ]
}

@test "an automatic send by hand (--automatic) waits like a hook's" {
	run --separate-stderr inbox-send --automatic --type notice jane-doe \
	    "Water will be off 9-11"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | cut -f2,3)" = "scheduled	next try 2026-11-22T14:00:00Z" ]
	[ ! -e tmp/outbox ]
}

@test "after 21:00 it waits for the next morning" {
	INBOX_NOW=$MON2130
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    --tech mike >/dev/null 2>&1
	[ "$(outbound)" = "confirmation scheduled 2026-11-24T14:00:00Z" ]
	INBOX_NOW=1795492740	# 21:59 Monday
	inbox-send --flush >/dev/null
	[ ! -e tmp/outbox ]
	INBOX_NOW=1795528800	# 08:00 Tuesday
	inbox-send --flush >/dev/null
	[ "$(sent | cut -f2)" = confirmation ]
}

@test "quiet.window and quiet.types.TYPE" {
	sed -i -e 's/^  window: "08:00-21:00"/  window: "07:00-22:00"/' \
	    -e '/^  window:/a\  types:\n    reminder: "10:00-18:00"' inbox.yaml
	git_commit "test: our windows"
	INBOX_NOW=1795525200	# Tuesday 07:00 Chicago
	inbox-job schedule J1 --customer jane-doe --at 2026-11-25T09:00 \
	    --tech mike >/dev/null 2>&1
	tick
	inbox-job rerun J1 reminder >/dev/null 2>&1
	[ "$(outbound)" = "confirmation sent -
reminder scheduled 2026-11-24T16:00:00Z" ]
}

@test "the customer's time zone: a Los Angeles customer is woken no earlier than 08:00 Pacific" {
	contact_set jane-doe timezone America/Los_Angeles
	INBOX_NOW=1795444200	# Monday 08:30 Chicago, 06:30 Los Angeles
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    --tech mike >/dev/null 2>&1
	[ "$(outbound)" = "confirmation scheduled 2026-11-23T16:00:00Z" ]
	INBOX_NOW=1795449600	# 10:00 Chicago, 08:00 Los Angeles
	inbox-send --flush >/dev/null
	[ "$(sent | cut -f2)" = confirmation ]
	# and no later than 21:00 Pacific, which is 23:00 in Chicago
	INBOX_NOW=1795496400	# Monday 23:00 Chicago, 21:00 Los Angeles
	inbox-job reschedule J1 --at 2026-11-24T10:00 >/dev/null 2>&1
	[ "$(outbound | tail -n 1)" = "confirmation scheduled 2026-11-24T16:00:00Z" ]
	INBOX_NOW=1795489200	# Monday 21:00 Chicago, 19:00 Los Angeles
	customer bob-ray "Bob Ray" +15125550177
	contact_set bob-ray timezone America/Los_Angeles
	inbox-job schedule J2 --customer bob-ray --at 2026-11-24T13:00 \
	    >/dev/null 2>&1
	[ "$(sent | cut -f1,2)" = "$JANE	confirmation
+15125550177	confirmation" ]
}

@test "quiet.regions.REGION for a contact's region" {
	sed -i '/^  window:/a\  regions:\n    FL: "09:30-20:00"' inbox.yaml
	git_commit "test: Florida"
	contact_set jane-doe region FL
	customer bob-ray "Bob Ray" +15125550177
	INBOX_NOW=1795446000	# Monday 09:00 Chicago
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    --tech mike >/dev/null 2>&1
	tick
	inbox-job schedule J2 --customer bob-ray --at 2026-11-24T10:00 \
	    >/dev/null 2>&1
	[ "$(outbound)" = "confirmation scheduled 2026-11-23T15:30:00Z
confirmation sent -" ]
}

@test "daylight saving: on 2027-03-14 the window opens at 08:00 CDT, 13:00Z" {
	INBOX_NOW=1804910400	# Friday 2027-03-12 22:00 CST
	inbox-job schedule J1 --customer jane-doe --at 2027-03-16T09:00 \
	    --tech mike >/dev/null 2>&1
	INBOX_NOW=1804996800	# Saturday 2027-03-13 22:00 CST
	inbox-job reschedule J1 --at 2027-03-17T09:00 >/dev/null 2>&1
	[ "$(outbound)" = "confirmation scheduled 2027-03-13T14:00:00Z
confirmation scheduled 2027-03-14T13:00:00Z" ]
	# the first confirmation, for the old time, was replaced by the
	# reschedule's before it could go: it is dropped, not sent late
	INBOX_NOW=1805029140	# Sunday 07:59 CDT
	inbox-send --flush >/dev/null
	[ "$(sent | wc -l)" -eq 0 ]
	INBOX_NOW=1805029200	# Sunday 08:00 CDT
	inbox-send --flush >/dev/null
	[ "$(sent | cut -f3)" = "Hi Jane, Fieldco Plumbing & Heating here. Your appointment has moved to Wednesday March 17 at 9:00 AM. Reply here if that does not suit you." ]
}

@test "daylight saving: the reminder is the day before at 17:00 local time either side of the change" {
	INBOX_NOW=1804946400	# Saturday 2027-03-13 08:00 CST
	inbox-job schedule J1 --customer jane-doe --at 2027-03-14T09:00 \
	    --tech mike >/dev/null 2>&1
	tick
	inbox-job schedule J2 --customer jane-doe --at 2027-03-15T09:00 \
	    --tech mike >/dev/null 2>&1
	[ "$(INBOX_NOW=1804978740 inbox-remind)" = "" ]	# Sat 16:59 CST
	[ "$(INBOX_NOW=1804978800 inbox-remind)" = J1 ]	# Sat 17:00 CST
	[ "$(INBOX_NOW=1805061540 inbox-remind)" = "" ]	# Sun 16:59 CDT
	[ "$(INBOX_NOW=1805061600 inbox-remind)" = J2 ]	# Sun 17:00 CDT
	[ "$(sent | cut -f2 | sort | uniq -c | sed 's/^ *//')" = "2 confirmation
2 reminder" ]
}

@test "a reminder that would arrive after its job started is dropped and recorded, not sent late" {
	# Jane's job is Tuesday 07:30; the reminder fires at 22:00 Monday,
	# after the window closed, and waits for 08:00 Tuesday
	INBOX_NOW=1795446000
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T07:30 \
	    --tech mike >/dev/null 2>&1
	INBOX_NOW=1795492800	# Monday 22:00
	[ "$(inbox-remind 2>/dev/null)" = J1 ]
	[ "$(outbound)" = "confirmation sent -
reminder scheduled 2026-11-24T14:00:00Z" ]
	INBOX_NOW=1795528800	# Tuesday 08:00
	run --separate-stderr inbox-send --flush
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | norm)" = \
	    "$(printf '%s/1795492800.U\tdropped\tthe job had already started' $CJ)" ]
	[ "$(sent | cut -f2)" = confirmation ]
	id=$(echo "$output" | cut -f1)
	[ "$(grep -E '^X-Inbox-(Status|Error):' "$(msgfile "$id")")" = \
	    "X-Inbox-Status: dropped
X-Inbox-Error: the job had already started" ]
	[ "$(git log -1 --format=%B)" = "inbox-send: dropped $id: the job had already started

Message: $id
Reason: the job had already started" ]
	[ -z "$(ls idx/queue)" ]
	# never tried again
	tick
	run inbox-send --flush
	[ "$output" = "" ]
	run inbox-remind
	[ "$output" = "" ]
	all_committed
}

@test "after-hours, help and the STOP confirmation are answers: never held" {
	cat >>inbox.yaml <<-'EOF'
	hours:
	  sun: closed
	compliance:
	  stop-confirmation: true
	EOF
	git_commit "test: closed on Sunday"
	recv_sms SM1 $JANE "Leak!" >/dev/null 2>&1
	tick
	recv_sms SM2 +15125550199 "help" >/dev/null 2>&1
	tick
	recv_sms SM3 +15125550177 "stop" >/dev/null 2>&1
	[ "$(sent | cut -f1,2)" = "$JANE	after-hours
+15125550199	help
+15125550177	stop-confirmation" ]
	! grep -q '^X-Inbox-Send-After:' tmp/outbox/* || false
}

@test "inbox-send --at inside the window is kept; an automatic --at at night moves to the morning" {
	INBOX_NOW=1795446000	# Monday 09:00
	run inbox-send --automatic --type notice --at 2026-11-23T12:00 \
	    jane-doe "Water off at noon"
	[ "$(echo "$output" | cut -f2,3)" = "scheduled	next try 2026-11-23T18:00:00Z" ]
	run inbox-send --automatic --type notice --at 2026-11-23T23:00 \
	    jane-doe "Water back on"
	[ "$(echo "$output" | cut -f2,3)" = "scheduled	next try 2026-11-24T14:00:00Z" ]
	run inbox-send --at 2026-11-23T23:00 jane-doe "Call me back"
	[ "$(echo "$output" | cut -f2,3)" = "scheduled	next try 2026-11-24T05:00:00Z" ]
}

@test "a reminder held for the morning is not sent once its job is canceled" {
	INBOX_NOW=1795446000
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    --tech mike >/dev/null 2>&1
	INBOX_NOW=1795492800	# Monday 22:00: held for 08:00
	inbox-remind -q 2>/dev/null
	INBOX_NOW=1795525200	# Tuesday 07:00: the customer cancels
	inbox-job cancel J1 >/dev/null 2>&1
	INBOX_NOW=1795528800	# 08:00
	run inbox-send --flush
	[ "$(echo "$output" | cut -f2)" = dropped ]
	[ "$(sent | cut -f2)" = confirmation ]
}

@test "a reminder held for the morning is not sent with the old time after a reschedule" {
	INBOX_NOW=1795446000
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    --tech mike >/dev/null 2>&1
	INBOX_NOW=1795492800	# Monday 22:00: held for 08:00
	inbox-remind -q 2>/dev/null
	INBOX_NOW=1795525200	# Tuesday 07:00: moved to Thursday
	inbox-job reschedule J1 --at 2026-11-26T09:00 >/dev/null 2>&1
	INBOX_NOW=1795528800	# 08:00
	inbox-send --flush >/dev/null
	! sent | grep -q 'Tuesday November 24 at 9:00 AM. Reply here if anything' || false
}
