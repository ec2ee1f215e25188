#!/usr/bin/env bats
# Templates: {{variables}} filled from the business, the customer and the
# job; a variable without a value is an error (exit 65, nothing sent),
# never "Hi ,"; the store's templates/ overrides share/templates/;
# inbox-template ls, show, render with the SMS segment count on stderr.

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
	EOF
	git_commit "test: staff"
}

jobrec() {
	cat jobs/*/"$1"
}

setup() {
	export INBOX_NOW=$MON9
	new_store
	staff
	customer jane-doe "Jane Doe" $JANE
	tick
}

@test "ls: every template with its description, sorted" {
	run --separate-stderr inbox-template ls
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "$output" = "after-hours	the autoresponder while the office is closed
completion	sent when the job is done
completion-invoice	sent when the job is done and the invoice is ready
confirmation	appointment confirmation, sent when a job is scheduled
help	the answer to HELP or INFO
need-photos	quick reply
on-my-way	sent when the tech is en route
on-my-way-eta	sent when the tech is en route and the ETA is known
payment-link	the payment link, sent when the invoice goes out
reminder	the day-before reminder
rescheduled	new confirmation, sent when a job is rescheduled
running-late	quick reply
stop-confirmation	the one confirmation sent after an opt-out, when enabled
thanks	quick reply" ]
}

@test "the store's templates/ overrides share/templates/; a missing one falls back" {
	rm templates/thanks
	printf 'Description: ours\n\nCheers {{customer.first_name}}, back soon.\n' \
	    >templates/need-photos
	printf 'Gate code please, {{customer.first_name}}?\n' >templates/gate-code
	git_commit "test: our templates"
	[ "$(inbox-template --json ls | grep -E '"(thanks|need-photos|gate-code)"')" = \
	    '{"name":"gate-code","local":true}
{"name":"need-photos","description":"ours","local":true}
{"name":"thanks","description":"quick reply","local":false}' ]
	[ "$(inbox-template ls | grep -E '^(thanks|need-photos|gate-code)')" = \
	    "gate-code	-
need-photos	ours
thanks	quick reply" ]
	inbox-send -q --template need-photos jane-doe
	tick
	inbox-send -q --template thanks jane-doe
	tick
	inbox-send -q --template gate-code jane-doe
	[ "$(sent)" = "$JANE	manual	Cheers Jane, back soon.
$JANE	manual	Thanks Jane! We have got your message and will get back to you shortly.
$JANE	manual	Gate code please, Jane?" ]
	[ "$(grep -h '^X-Inbox-Template:' tmp/outbox/*)" = "X-Inbox-Template: need-photos
X-Inbox-Template: thanks
X-Inbox-Template: gate-code" ]
}

@test "show: the text without its headers" {
	run --separate-stderr inbox-template show help
	[ "$status" -eq 0 ]
	[ "$output" = "{{business.name}}: appointment texts. Reply STOP to opt out, START to opt back in. Questions? Call {{business.phone}}." ]
	run --separate-stderr inbox-template show nope
	[ "$status" -eq 1 ]
	[ "$stderr" = "inbox-template: no template nope" ]
	run --separate-stderr inbox-template show ../inbox.yaml
	[ "$status" -eq 64 ]
	[ "$stderr" = "inbox-template: '../inbox.yaml' is not a template name" ]
}

@test "render --job: the job's and the customer's variables; the SMS segments on stderr" {
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    --tech mike --address "12 Elm St" >/dev/null 2>&1
	tick
	inbox-job enroute J1 --eta 25 >/dev/null 2>&1
	n=$(git rev-list --count HEAD)
	while IFS='|' read -r name text info; do
		run --separate-stderr inbox-template render "$name" --job J1
		[ "$status" -eq 0 ]
		[ "$output" = "$text" ]
		[ "$stderr" = "inbox-template: $info" ]
	done <<-'EOF'
	confirmation|Hi Jane, this is Fieldco Plumbing & Heating. Your appointment is confirmed for Tuesday November 24 at 9:00 AM. Reply here if you need to change it.|147 characters, 1 SMS segment (GSM-7)
	reminder|Hi Jane, a reminder from Fieldco Plumbing & Heating: we will see you Tuesday November 24 at 9:00 AM. Reply here if anything has changed.|136 characters, 1 SMS segment (GSM-7)
	on-my-way-eta|Hi Jane, Mike from Fieldco Plumbing & Heating is on the way and should be with you in about 25 minutes.|103 characters, 1 SMS segment (GSM-7)
	EOF
	# rendering changes nothing
	[ "$(git rev-list --count HEAD)" -eq "$n" ]
}

@test "render: segments: 160 GSM-7 characters are one, 161 two; an emoji makes it UCS-2" {
	x=$(printf 'x%.0s' $(seq 1 146))
	run --separate-stderr inbox-template render thanks \
	    --var customer.first_name="$x"
	[ "$status" -eq 0 ]
	[ "$stderr" = "inbox-template: 213 characters, 2 SMS segments (GSM-7)" ]
	printf 'Description: exactly 160\n\n{{a}}\n' >templates/t160
	run --separate-stderr inbox-template render t160 \
	    --var a="$(printf 'y%.0s' $(seq 1 160))"
	[ "$stderr" = "inbox-template: 160 characters, 1 SMS segment (GSM-7)" ]
	run --separate-stderr inbox-template render t160 \
	    --var a="$(printf 'y%.0s' $(seq 1 161))"
	[ "$stderr" = "inbox-template: 161 characters, 2 SMS segments (GSM-7)" ]
	run --separate-stderr inbox-template render t160 --var a="Zoë 😀"
	[ "$output" = "Zoë 😀" ]
	[ "$stderr" = "inbox-template: 5 characters, 1 SMS segment (UCS-2)" ]
}

@test "render --to and --var: a contact's variables, a caller's override" {
	run --separate-stderr inbox-template render thanks --to $JANE
	[ "$status" -eq 0 ]
	[ "$output" = "Thanks Jane! We have got your message and will get back to you shortly." ]
	run --separate-stderr inbox-template render thanks --to jane-doe \
	    --var customer.first_name=Janet
	[ "$output" = "Thanks Janet! We have got your message and will get back to you shortly." ]
	run inbox-template render thanks --var nonsense
	[ "$status" -eq 64 ]
}

@test "a missing variable: exit 65, the variable named, nothing rendered" {
	run --separate-stderr inbox-template render thanks
	[ "$status" -eq 65 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-template: template thanks: no value for {{customer.first_name}}" ]
	run --separate-stderr inbox-template render reminder --to jane-doe
	[ "$status" -eq 65 ]
	[ "$stderr" = "inbox-template: template reminder: no value for {{job.date}}" ]
	# an empty value is no value: never "Hi ,"
	run --separate-stderr inbox-template render thanks --var customer.first_name=
	[ "$status" -eq 65 ]
	[ "$output" = "" ]
}

@test "a missing variable in a send: exit 65, nothing queued, nothing committed" {
	n=$(commits)
	run --separate-stderr inbox-send --template confirmation jane-doe
	[ "$status" -eq 65 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-send: template confirmation: no value for {{job.date}}" ]
	[ "$(commits)" -eq "$n" ]
	[ ! -e tmp/outbox ]
	[ -z "$(ls idx/queue 2>/dev/null)" ]
	[ ! -e conv/${CJ:0:2}/$CJ ]
}

@test "a job for a number with no name: the hook's confirmation is refused, never 'Hi ,'" {
	run --separate-stderr inbox-job schedule J1 --customer +15125550144 \
	    --at 2026-11-24T09:00
	[ "$status" -eq 2 ]
	[ "$output" = J1 ]
	[ "$stderr" = "inbox-send: template confirmation: no value for {{customer.first_name}}
inbox-job: hook job-scheduled failed for J1 (exit 65); it is recorded on the job: run inbox-job rerun J1 job-scheduled" ]
	[ ! -e tmp/outbox ]
	[ "$(jobrec J1 | grep -E '^(customer|hook-failed):')" = "customer: +15125550144
hook-failed: job-scheduled 65 2026-11-23T15:01:00Z" ]
	! grep -rq 'Hi ,' conv tmp 2>/dev/null || false
	# with a template that needs no name, rerun sends it
	sed -i 's/^Hi {{customer.first_name}}, this/Hello, this/' \
	    templates/confirmation
	git_commit "test: no name needed"
	tick
	run --separate-stderr inbox-job rerun J1 job-scheduled
	[ "$status" -eq 0 ]
	[ "$(sent)" = "+15125550144	confirmation	Hello, this is Fieldco Plumbing & Heating. Your appointment is confirmed for Tuesday November 24 at 9:00 AM. Reply here if you need to change it." ]
	! jobrec J1 | grep -q '^hook-failed:' || false
}

@test "an on-my-way without a tech on the job is refused, not sent half-filled" {
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    >/dev/null 2>&1
	tick
	run --separate-stderr inbox-job enroute J1
	[ "$status" -eq 2 ]
	[ "$output" = J1 ]
	[ "$(echo "$stderr" | head -n 1)" = \
	    "inbox-send: template on-my-way: no value for {{tech.first_name}}" ]
	[ "$(sent | cut -f2)" = confirmation ]
}

@test "malformed templates are refused: exit 65" {
	printf 'Hi {{customer.first_name\n' >templates/open
	printf 'Hi {{}}\n' >templates/empty
	printf 'Hi \377\n' >templates/latin1
	while IFS='|' read -r name msg; do
		run --separate-stderr inbox-template render "$name" --to jane-doe
		[ "$status" -eq 65 ]
		[ "$stderr" = "inbox-template: $msg" ]
	done <<-'EOF'
	open|template open: '{{' without '}}'
	empty|template empty: empty or overlong variable
	latin1|template latin1 is not UTF-8
	EOF
}

@test "{{ name }} with blanks; headers stay out of the text; Subject for email" {
	printf 'Subject: Your visit, {{ customer.first_name }}\nDescription: x\n\nSee you soon, {{ customer.first_name }}.\n' \
	    >templates/visit
	run --separate-stderr inbox-template render visit --to jane-doe
	[ "$output" = "See you soon, Jane." ]
	inbox-contact edit jane-doe --add-email jane@doe.example >/dev/null
	tick
	inbox-send -q --channel email --template visit jane-doe
	f=$(ls tmp/outbox)
	[ "$(grep '^Subject:' "tmp/outbox/$f")" = "Subject: Your visit, Jane" ]
	[ "$(sent | cut -f1,3)" = "jane@doe.example	See you soon, Jane." ]
}

@test "dates and times follow templates.date-format and templates.time-format" {
	printf 'templates:\n  date-format: "%%d/%%m/%%Y"\n  time-format: "%%H:%%M"\n' \
	    >>inbox.yaml
	git_commit "test: formats"
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T14:30 \
	    >/dev/null 2>&1
	[ "$(inbox-template render reminder --job J1 2>/dev/null)" = \
	    "Hi Jane, a reminder from Fieldco Plumbing & Heating: we will see you 24/11/2026 at 14:30. Reply here if anything has changed." ]
}

@test "usage" {
	run inbox-template
	[ "$status" -eq 64 ]
	run inbox-template render
	[ "$status" -eq 64 ]
	run inbox-template frob x
	[ "$status" -eq 64 ]
}
