#!/usr/bin/env bats
# The WhatsApp window: free-form text only within 24 hours of the
# customer's last inbound WhatsApp message (a Cloud API webhook or a
# Twilio whatsapp: From); once it has closed, exit 3 with the time it
# closed and the advice; a template with a WhatsApp-Template: header is
# allowed outside it (X-Inbox-WA-Template in the queued file).

load helper
load data/outbound
bats_require_minimum_version 1.5.0

D=$BATS_TEST_DIRNAME/data
JEAN=+15557654321
SUN=1795337600		# Sunday 2026-11-22 08:53:20Z
DAY=86400

norm() {
	sed -E 's/\.M([0-9]{6})P[0-9]+Q[0-9]+R[0-9a-f]{8}\.[A-Za-z0-9-]+/.U/g'
}

# A template with the provider-approved WhatsApp template behind it.
wa_template() {
	cat >templates/wa-update <<-'EOF'
	Description: appointment update, approved for WhatsApp
	WhatsApp-Template: appointment_update
	WhatsApp-Language: fr
	WhatsApp-Params: customer.first_name business.name

	Hi {{customer.first_name}}, {{business.name}} here about your appointment.
	EOF
	git_commit "test: a WhatsApp template"
}

setup() {
	export INBOX_NOW=$SUN
	new_store
	no_autoreply
	customer jean "Jean Dupont" $JEAN
	tick
}

@test "within 24 hours of a Twilio WhatsApp message: free-form text goes out on WhatsApp" {
	inbox-recv <"$D/twilio-whatsapp.form" >/dev/null
	C=$(conv_of $JEAN)
	grep -qx 'last-in.whatsapp: 2026-11-22T08:54:20Z' conv/${C:0:2}/$C/state
	tick 3600
	run --separate-stderr inbox-send jean "Tuesday 10:00 is fine"
	[ "$status" -eq 0 ]
	[ "$(sent -c)" = "whatsapp	$JEAN	manual	Tuesday 10:00 is fine" ]
	# still open one second before the 24 hours are up
	INBOX_NOW=$((SUN + 60 + DAY - 1))
	run inbox-send jean "Still there?"
	[ "$status" -eq 0 ]
	[ "$(sent -c | wc -l)" -eq 2 ]
}

@test "just closed: exit 3 with the time it closed and the advice; nothing queued" {
	inbox-recv <"$D/twilio-whatsapp.form" >/dev/null
	INBOX_NOW=$((SUN + 60 + DAY))
	n=$(commits)
	run --separate-stderr inbox-send jean "Are you there?"
	[ "$status" -eq 3 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-send: WhatsApp window closed at 2026-11-23 08:54 UTC; use --template with an approved template, or --channel sms" ]
	[ "$(commits)" -eq "$n" ]
	[ ! -e tmp/outbox ]
	# the advice works: SMS goes
	run inbox-send --channel sms jean "Are you there?"
	[ "$status" -eq 0 ]
	[ "$(sent -c)" = "sms	$JEAN	manual	Are you there?" ]
}

@test "a WhatsApp Cloud API message opens the window at its own timestamp" {
	INBOX_NOW=$((SUN + 600))
	inbox-recv --format whatsapp <"$D/whatsapp-text.json" >/dev/null
	C=$(conv_of $JEAN)
	grep -qx 'last-in.whatsapp: 2026-11-22T08:53:34Z' conv/${C:0:2}/$C/state
	INBOX_NOW=$((1795337614 + DAY - 1))
	run inbox-send jean "Coming Tuesday"
	[ "$status" -eq 0 ]
	INBOX_NOW=$((1795337614 + DAY))
	run --separate-stderr inbox-send jean "Coming Tuesday?"
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-send: WhatsApp window closed at 2026-11-23 08:53 UTC; use --template with an approved template, or --channel sms" ]
	[ "$(sent -c | cut -f1,2,4)" = "whatsapp	$JEAN	Coming Tuesday" ]
}

@test "a newer WhatsApp message opens the window again" {
	inbox-recv <"$D/twilio-whatsapp.form" >/dev/null
	INBOX_NOW=$((SUN + 2 * DAY))
	run inbox-send jean "Hello?"
	[ "$status" -eq 3 ]
	sed 's/SMc3e5a7c9e0b2d4f6a8c1e2f0e4a6c8b1/SMc3e5a7c9e0b2d4f6a8c1e2f0e4a6c8b2/g' \
	    "$D/twilio-whatsapp.form" | inbox-recv >/dev/null
	tick
	run inbox-send jean "Hello!"
	[ "$status" -eq 0 ]
	[ "$(sent -c | cut -f1,4)" = "whatsapp	Hello!" ]
}

@test "outside the window a template with a WhatsApp-Template header is allowed" {
	wa_template
	inbox-recv <"$D/twilio-whatsapp.form" >/dev/null
	INBOX_NOW=$((SUN + 3 * DAY))
	run --separate-stderr inbox-send --template wa-update jean
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | cut -f2)" = sent ]
	f=tmp/outbox/$(ls tmp/outbox)
	[ "$(grep -E '^X-Inbox-(Channel|Template|WA-[A-Za-z]+):' "$f")" = "X-Inbox-Channel: whatsapp
X-Inbox-Template: wa-update
X-Inbox-WA-Template: appointment_update
X-Inbox-WA-Language: fr
X-Inbox-WA-Param: Jean
X-Inbox-WA-Param: Fieldco Plumbing & Heating" ]
	[ "$(sent -c | cut -f4)" = "Hi Jean, Fieldco Plumbing & Heating here about your appointment." ]
}

@test "inside the window the same template goes as free-form text" {
	wa_template
	inbox-recv <"$D/twilio-whatsapp.form" >/dev/null
	tick
	inbox-send -q --template wa-update jean
	f=tmp/outbox/$(ls tmp/outbox)
	grep -qx 'X-Inbox-Channel: whatsapp' "$f"
	! grep -q '^X-Inbox-WA-' "$f" || false
}

@test "a template without a WhatsApp-Template header is refused outside the window" {
	inbox-recv <"$D/twilio-whatsapp.form" >/dev/null
	INBOX_NOW=$((SUN + 3 * DAY))
	run --separate-stderr inbox-send --template thanks jean
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-send: WhatsApp window closed at 2026-11-23 08:54 UTC; use --template with an approved template, or --channel sms" ]
}

@test "a customer who never wrote on WhatsApp: only an approved template" {
	wa_template
	n=$(commits)
	run --separate-stderr inbox-send --channel whatsapp jean "Hello"
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-send: the customer has never written on WhatsApp, so only an approved template may be sent: use --template with a WhatsApp-Template, or --channel sms" ]
	[ "$(commits)" -eq "$n" ]
	run inbox-send --channel whatsapp --template wa-update jean
	[ "$status" -eq 0 ]
	grep -qx 'X-Inbox-WA-Template: appointment_update' tmp/outbox/*
}

@test "a WhatsApp parameter without a value is an error, exit 65" {
	cat >templates/wa-bad <<-'EOF'
	WhatsApp-Template: appointment_update
	WhatsApp-Params: job.date

	Hello from {{business.name}}.
	EOF
	inbox-recv <"$D/twilio-whatsapp.form" >/dev/null
	INBOX_NOW=$((SUN + 3 * DAY))
	run --separate-stderr inbox-send --template wa-bad jean
	[ "$status" -eq 65 ]
	[ "$stderr" = "inbox-send: template wa-bad: no value for WhatsApp parameter job.date" ]
}

@test "an automatic message on WhatsApp obeys the window too" {
	cat >>inbox.yaml <<-'EOF'

	staff:
	  office: {name: Olive Office, role: office}
	  mike: {name: Mike Rivera, role: tech}
	EOF
	git_commit "test: staff"
	inbox-recv <"$D/twilio-whatsapp.form" >/dev/null
	INBOX_NOW=1795356000	# Sunday 08:00 in Chicago: inside the window
	inbox-job schedule J1 --customer jean --at 2026-11-24T09:00 \
	    --tech mike >/dev/null 2>&1
	INBOX_NOW=1795446000	# Monday 09:00: closed
	run --separate-stderr inbox-job enroute J1
	[ "$status" -eq 2 ]
	[ "$(echo "$stderr" | head -n 1)" = "inbox-send: WhatsApp window closed at 2026-11-23 08:54 UTC; use --template with an approved template, or --channel sms" ]
	[ "$(sent -c | cut -f1,3)" = "whatsapp	confirmation" ]
}
