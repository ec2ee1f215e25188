#!/usr/bin/env bats
# inbox-job: job records under jobs/, linked to the customer's
# conversation; the tech a member of it while the job is open; ls, show,
# rerun; the same events as JSON through inbox-recv; maintenance-request
# threads shared by a tenant and a service pro.

load helper
load data/outbound
bats_require_minimum_version 1.5.0

JANE=+15125550100
CJ=4c596136f8e3		# conversation of contact jane-doe
MON9=1795446000		# Monday 2026-11-23 09:00 in Chicago (15:00Z)

# The staff: office (office role), mike and tina (techs).  Committed.
staff() {
	cat >>inbox.yaml <<-'EOF'

	staff:
	  office: {name: Olive Office, role: office}
	  mike: {name: Mike Rivera, role: tech}
	  tina: {name: Tina Tech, role: tech}
	EOF
	git_commit "test: staff"
}

# Unique names without their pid, counter, random part and host.
norm() {
	sed -E 's/\.M([0-9]{6})P[0-9]+Q[0-9]+R[0-9a-f]{8}\.[A-Za-z0-9-]+/.U/g'
}

members() {
	state "$1" | sed -n 's/^member: //p' | tr '\n' ' '
}

jobrec() {
	cat jobs/*/"$1" | norm
}

subjects() {
	git log --format='%an%x09%s' "$@"
}

setup() {
	export INBOX_NOW=$MON9
	new_store
	staff
	customer jane-doe "Jane Doe" $JANE
	tick
}

@test "schedule: prints only the job id, files the job, links the conversation" {
	run --separate-stderr inbox-job schedule J1 --customer jane-doe \
	    --at 2026-11-24T09:00 --tech mike --address "12 Elm St"
	[ "$status" -eq 0 ]
	[ "$output" = J1 ]
	# the hook's words (inbox-send's status line) go to stderr
	[ "$(echo "$stderr" | norm)" = \
	    "$(printf '%s/1795446060.U\tsent\tspool:1795446060.U.msg' $CJ)" ]
	[ -f jobs/88/J1 ]
	[ "$(jobrec J1)" = "customer: jane-doe
conversation: $CJ
at: 2026-11-24T15:00:00Z
address: 12 Elm St
tech: mike
rev: 1
status: scheduled
created: 2026-11-23T15:01:00Z
updated: 2026-11-23T15:01:00Z
sent.confirmation: 1 2026-11-23T15:01:00Z $CJ/1795446060.U" ]
	[ "$(state $CJ)" = "kind: customer
contact: jane-doe
status: open
created: 2026-11-23T15:01:00Z
job: J1
member: mike
address: $JANE" ]
	[ "$(subjects -3)" = "office	inbox-send: sent sms to $JANE
office	inbox-send: queue sms to $JANE (confirmation)
office	inbox-job: schedule J1 for jane-doe at 2026-11-24T15:00:00Z" ]
	[ "$(git log -1 --format=%B HEAD~2)" = "inbox-job: schedule J1 for jane-doe at 2026-11-24T15:00:00Z

Job: J1
Conversation: $CJ" ]
	[ "$(sent)" = "$JANE	confirmation	Hi Jane, this is Fieldco Plumbing & Heating. Your appointment is confirmed for Tuesday November 24 at 9:00 AM. Reply here if you need to change it." ]
	all_committed
}

@test "schedule -q prints nothing; the job is still filed" {
	run --separate-stderr inbox-job -q schedule J1 --customer jane-doe \
	    --at 2026-11-24T09:00
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(inbox-job ls)" = "J1	scheduled	2026-11-24T15:00:00Z	jane-doe	-" ]
}

@test "schedule: a customer given by phone number finds the contact" {
	inbox-job schedule J1 --customer '(512) 555-0100' \
	    --at 2026-11-24T09:00 >/dev/null 2>&1
	[ "$(jobrec J1 | sed -n 1,2p)" = "customer: jane-doe
conversation: $CJ" ]
}

@test "reschedule: a new time and revision; the tech moves to the new one" {
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    --tech mike >/dev/null 2>&1
	tick
	run --separate-stderr inbox-job reschedule J1 --at 2026-11-25T13:30 \
	    --tech tina
	[ "$status" -eq 0 ]
	[ "$output" = J1 ]
	[ "$(jobrec J1 | grep -E '^(at|tech|rev|status|updated):')" = \
	    "at: 2026-11-25T19:30:00Z
tech: tina
rev: 2
status: scheduled
updated: 2026-11-23T15:02:00Z" ]
	[ "$(members $CJ)" = "tina " ]
	[ "$(git log -1 --format=%s HEAD~2)" = \
	    "inbox-job: reschedule J1 for jane-doe at 2026-11-25T19:30:00Z" ]
}

@test "reschedule to another tech: the old one stays while he has another open job of that customer" {
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    --tech mike >/dev/null 2>&1
	tick
	inbox-job schedule J2 --customer jane-doe --at 2026-11-25T09:00 \
	    --tech mike >/dev/null 2>&1
	tick
	inbox-job reschedule J1 --at 2026-11-24T13:00 --tech tina >/dev/null 2>&1
	[ "$(members $CJ)" = "mike tina " ]
	[ "$(state $CJ | grep '^job:')" = "job: J1
job: J2" ]
}

@test "done and cancel: the tech leaves the thread unless he still has another open job of that customer" {
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    --tech mike >/dev/null 2>&1
	tick
	inbox-job schedule J2 --customer jane-doe --at 2026-11-25T09:00 \
	    --tech mike >/dev/null 2>&1
	tick
	inbox-job schedule J3 --customer jane-doe --at 2026-11-25T11:00 \
	    --tech tina >/dev/null 2>&1
	[ "$(members $CJ)" = "mike tina " ]
	tick
	run inbox-job done J1
	[ "$status" -eq 0 ]
	[ "$(members $CJ)" = "mike tina " ]	# J2 is still open
	tick
	inbox-job cancel J2 >/dev/null 2>&1
	[ "$(members $CJ)" = "tina " ]
	tick
	inbox-job cancel J3 >/dev/null 2>&1
	[ "$(members $CJ)" = "" ]
	[ "$(jobrec J2 | grep -E '^(status|canceled):')" = "status: canceled
canceled: 2026-11-23T15:05:00Z" ]
	[ "$(subjects -2 --grep='^inbox-job')" = "office	inbox-job: cancel J3
office	inbox-job: cancel J2" ]
}

@test "done: a tech who is also the conversation's assignee stays a member" {
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    --tech mike >/dev/null 2>&1
	tick
	inbox-assign $CJ mike >/dev/null
	tick
	inbox-job done J1 >/dev/null 2>&1
	[ "$(members $CJ)" = "mike " ]
}

@test "enroute, done, invoice: status, eta, invoice link, the times" {
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    --tech mike >/dev/null 2>&1
	tick
	[ "$(inbox-job enroute J1 --eta 25 2>/dev/null)" = J1 ]
	[ "$(jobrec J1 | grep -E '^(status|eta):')" = "status: en-route
eta: 25" ]
	tick
	[ "$(inbox-job done J1 2>/dev/null)" = J1 ]
	tick
	[ "$(inbox-job invoice J1 --url https://pay.example/i/77 2>/dev/null)" = J1 ]
	[ "$(jobrec J1 | grep -vE '^sent\.')" = "customer: jane-doe
conversation: $CJ
at: 2026-11-24T15:00:00Z
tech: mike
rev: 1
status: done
created: 2026-11-23T15:01:00Z
updated: 2026-11-23T15:04:00Z
eta: 25
done: 2026-11-23T15:03:00Z
invoice-url: https://pay.example/i/77" ]
	[ "$(jobrec J1 | grep -E '^sent\.' | cut -d' ' -f1,2)" = "sent.confirmation: 1
sent.on-my-way: 1
sent.completion: 1
sent.payment-link: 1" ]
	[ "$(subjects --grep='^inbox-job')" = "office	inbox-job: invoice J1
office	inbox-job: done J1
office	inbox-job: enroute J1
office	inbox-job: schedule J1 for jane-doe at 2026-11-24T15:00:00Z" ]
}

@test "done --invoice-url records the link with the completion" {
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    >/dev/null 2>&1
	tick
	inbox-job done J1 --invoice-url https://pay.example/i/9 >/dev/null 2>&1
	[ "$(jobrec J1 | grep '^invoice-url:')" = \
	    "invoice-url: https://pay.example/i/9" ]
}

@test "events that make no sense are refused and change nothing" {
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    --tech mike >/dev/null 2>&1
	tick
	inbox-job schedule J2 --customer jane-doe --at 2026-11-24T11:00 \
	    >/dev/null 2>&1
	tick
	inbox-job done J2 >/dev/null 2>&1
	tick
	n=$(commits)
	while IFS='|' read -r want msg args; do
		# shellcheck disable=SC2086
		run --separate-stderr inbox-job $args
		echo "$args: $status $stderr"
		[ "$status" -eq "$want" ]
		[ "$output" = "" ]
		[ "$stderr" = "inbox-job: $msg" ]
	done <<-'EOF'
	64|job J1 is already scheduled (use reschedule)|schedule J1 --customer jane-doe --at 2026-11-25T09:00
	1|no job J9 (schedule it first)|enroute J9
	1|no job J9 (schedule it first)|reschedule J9 --at 2026-11-25T09:00
	64|job J2 is done|enroute J2
	64|job J2 is done|reschedule J2 --at 2026-11-25T09:00
	64|job J2 is done|cancel J2
	64|schedule needs --customer and --at|schedule J5 --customer jane-doe
	64|schedule needs --customer and --at|schedule J5 --at 2026-11-25T09:00
	64|unknown customer 'nobody'|schedule J5 --customer nobody --at 2026-11-25T09:00
	64|unknown staff member bob|schedule J5 --customer jane-doe --at 2026-11-25T09:00 --tech bob
	64|invoice needs --url|invoice J1
	64|'../x' is not a job id|enroute ../x
	1|no job J9|rerun J9 job-done
	64|no executable hook post-recv|rerun J1 post-recv
	EOF
	[ "$(commits)" -eq "$n" ]
	[ -z "$(ls jobs/*/J5 2>/dev/null)" ]
	run inbox-job frobnicate J1
	[ "$status" -eq 64 ]
	run inbox-job schedule J1 --eta soon
	[ "$status" -eq 64 ]
}

@test "ls: open jobs; --all adds done and canceled; -0, --json; show" {
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    --tech mike >/dev/null 2>&1
	tick
	inbox-job schedule J2 --customer jane-doe --at 2026-11-25T09:00 \
	    >/dev/null 2>&1
	tick
	inbox-job cancel J2 >/dev/null 2>&1
	run --separate-stderr inbox-job ls
	[ "$status" -eq 0 ]
	[ "$output" = "J1	scheduled	2026-11-24T15:00:00Z	jane-doe	mike" ]
	[ "$(inbox-job ls --all | LC_ALL=C sort)" = "J1	scheduled	2026-11-24T15:00:00Z	jane-doe	mike
J2	canceled	2026-11-25T15:00:00Z	jane-doe	-" ]
	[ "$(inbox-job -0 ls | tr '\0' '\n')" = J1 ]
	[ "$(inbox-job --json ls | norm)" = "{\"id\":\"J1\",\"customer\":\"jane-doe\",\"conversation\":\"$CJ\",\"at\":\"2026-11-24T15:00:00Z\",\"tech\":\"mike\",\"rev\":\"1\",\"status\":\"scheduled\",\"created\":\"2026-11-23T15:01:00Z\",\"updated\":\"2026-11-23T15:01:00Z\",\"sent.confirmation\":\"1 2026-11-23T15:01:00Z $CJ/1795446060.U\"}" ]
	run inbox-job show J2
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | norm)" = "job: J2
customer: jane-doe
conversation: $CJ
at: 2026-11-25T15:00:00Z
rev: 1
status: canceled
created: 2026-11-23T15:02:00Z
updated: 2026-11-23T15:03:00Z
sent.confirmation: 1 2026-11-23T15:02:00Z $CJ/1795446120.U
canceled: 2026-11-23T15:03:00Z" ]
	[ "$(inbox-job --json show J2 | cut -c1-44)" = \
	    '{"id":"J2","customer":"jane-doe","conversati' ]
	run --separate-stderr inbox-job show J9
	[ "$status" -eq 1 ]
	[ "$stderr" = "inbox-job: no job J9" ]
}

@test "ls in a store without jobs: nothing, exit 0" {
	run --separate-stderr inbox-job ls --all
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$stderr" = "" ]
}

@test "a tech reports en route and done on his own job, not on another's" {
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    --tech mike >/dev/null 2>&1
	tick
	run --separate-stderr env INBOX_USER=tina inbox-job enroute J1
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-job: tina may not do this (needs messages.assign)" ]
	run --separate-stderr env INBOX_USER=mike inbox-job reschedule J1 \
	    --at 2026-11-26T09:00
	[ "$status" -eq 3 ]
	run --separate-stderr env INBOX_USER=mike inbox-job enroute J1
	[ "$status" -eq 0 ]
	[ "$output" = J1 ]
	tick
	run --separate-stderr env INBOX_USER=mike inbox-job done J1
	[ "$status" -eq 0 ]
	[ "$(subjects -4 --grep='^inbox-job')" = "mike	inbox-job: done J1
mike	inbox-job: enroute J1
office	inbox-job: schedule J1 for jane-doe at 2026-11-24T15:00:00Z" ]
}

@test "JSON: a scheduled event through inbox-recv, customer by id" {
	run --separate-stderr inbox-recv <<-'EOF'
	{"type":"job","event":"scheduled","job":"J1","customer":"jane-doe","at":"2026-11-24T09:00","tech":"mike","address":"12 Elm St"}
	EOF
	[ "$status" -eq 0 ]
	[ "$output" = J1 ]
	[ "$(jobrec J1 | sed -n 1,7p)" = "customer: jane-doe
conversation: $CJ
at: 2026-11-24T15:00:00Z
address: 12 Elm St
tech: mike
rev: 1
status: scheduled" ]
	[ "$(members $CJ)" = "mike " ]
	[ "$(sent | cut -f1,2)" = "$JANE	confirmation" ]
	[ "$(subjects -3)" = "office	inbox-send: sent sms to $JANE
office	inbox-send: queue sms to $JANE (confirmation)
office	inbox-recv: schedule J1 for jane-doe at 2026-11-24T15:00:00Z" ]
	[ ! -e tmp/spool ] || [ -z "$(ls tmp/spool)" ]
}

@test "JSON: a customer object creates the contact; platform event names" {
	run --separate-stderr inbox-recv <<-'EOF'
	{"type":"job","event":"booked","job":"HCP-88","customer":{"name":"Bob Ray","phone":"(512) 555-0177","email":"bob@ray.example"},"at":"2026-11-24T10:00:00-06:00","tech":"tina"}
	EOF
	[ "$status" -eq 0 ]
	[ "$output" = HCP-88 ]
	[ "$(inbox-contact show bob-ray | grep -E '^(name|phone|email):')" = \
	    "name: Bob Ray
phone: +15125550177
email: bob@ray.example" ]
	CB=$(printf 'contact:bob-ray' | sha1sum | cut -c1-12)
	[ "$(jobrec HCP-88 | sed -n 1,3p)" = "customer: bob-ray
conversation: $CB
at: 2026-11-24T16:00:00Z" ]
	[ "$(members $CB)" = "tina " ]
	tick
	for ev in en-route completed invoiced; do
		printf '{"type":"job","event":"%s","job":"HCP-88","invoice_url":"https://pay.example/88","eta":12}\n' \
		    $ev | inbox-recv >/dev/null 2>&1
		tick
	done
	[ "$(jobrec HCP-88 | grep -E '^(status|eta|invoice-url):')" = "status: done
eta: 12
invoice-url: https://pay.example/88" ]
	[ "$(members $CB)" = "" ]
	[ "$(sent | cut -f1,2)" = "+15125550177	confirmation
+15125550177	on-my-way
+15125550177	completion
+15125550177	payment-link" ]
	# an existing customer given as an object is found, not added again
	run inbox-recv <<-'EOF'
	{"type":"job","event":"created","job":"HCP-89","customer":{"name":"Robert Ray","phone":"+15125550177"},"at":"2026-11-27T10:00"}
	EOF
	[ "$status" -eq 0 ]
	[ "$(jobrec HCP-89 | sed -n 1p)" = "customer: bob-ray" ]
	[ "$(inbox-contact ls --customers | cut -f1 | LC_ALL=C sort)" = "bob-ray
jane-doe" ]
	tick
	printf '{"type":"job","event":"cancelled","job":"HCP-89"}' |
	    inbox-recv >/dev/null 2>&1
	[ "$(jobrec HCP-89 | grep '^status:')" = "status: canceled" ]
}

@test "JSON: events that cannot be filed are refused, exit 65" {
	n=$(commits)
	while IFS='|' read -r msg json; do
		run --separate-stderr inbox-recv <<<"$json"
		echo "$json: $status $stderr"
		[ "$status" -eq 65 ]
		[ "$output" = "" ]
		[ "$stderr" = "inbox-recv: $msg" ]
	done <<-'EOF'
	job event "exploded" is not one I know|{"type":"job","event":"exploded","job":"J1"}
	job event "" is not one I know|{"type":"job","job":"J1"}
	job event needs a "job" id|{"type":"job","event":"scheduled","customer":"jane-doe","at":"2026-11-24T09:00"}
	job event needs a "job" id|{"type":"job","event":"scheduled","job":"a/b","customer":"jane-doe","at":"2026-11-24T09:00"}
	bad "at": next tuesday|{"type":"job","event":"scheduled","job":"J1","customer":"jane-doe","at":"next tuesday"}
	job customer needs an id that exists or a name|{"type":"job","event":"scheduled","job":"J1","customer":{"phone":"+15125550188"},"at":"2026-11-24T09:00"}
	EOF
	[ "$(commits)" -eq "$n" ]
	[ ! -e tmp/spool ] || [ -z "$(ls tmp/spool)" ]
}

@test "JSON: an event for an unknown job is refused, not lost silently" {
	n=$(commits)
	run --separate-stderr inbox-recv <<<'{"type":"job","event":"completed","job":"J404"}'
	[ "$status" -eq 65 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-recv: no job J404 (schedule it first)" ]
	[ "$(commits)" -eq "$n" ]
}

@test "service pro: a maintenance-request thread shared by tenant and pro" {
	customer pat-pro "Pat Pro" +15125550199
	tick
	run --separate-stderr inbox-job schedule J7 --customer jane-doe \
	    --at 2026-11-24T09:00 --tech mike --service-pro pat-pro
	[ "$status" -eq 0 ]
	[ "$output" = J7 ]
	M=$(printf 'job:J7' | sha1sum | cut -c1-12)
	[ "$(jobrec J7 | grep -E '^(service-pro|thread):')" = "service-pro: pat-pro
thread: $M" ]
	[ "$(state $M)" = "kind: maintenance
name: Maintenance request J7
status: open
created: 2026-11-23T15:02:00Z
participant: jane-doe
participant: pat-pro
job: J7
member: mike" ]
	tick
	run --separate-stderr inbox-send $M "The part arrives Thursday"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | norm)" = "$M/1795446180.U	sent	spool:1795446180.U.msg
$M/1795446180.U	sent	spool:1795446180.U.msg" ]
	[ "$(sent | grep manual)" = "$JANE	manual	The part arrives Thursday
+15125550199	manual	The part arrives Thursday" ]
	# both filed in the shared thread
	[ "$(ls conv/${M:0:2}/$M/cur | wc -l)" -eq 2 ]
	[ "$(inbox-ls --all -s 'Maintenance request J7' | cut -f1)" = $M ]
}

@test "service pro: the tech leaves the maintenance thread with the job" {
	customer pat-pro "Pat Pro" +15125550199
	tick
	inbox-job schedule J7 --customer jane-doe --at 2026-11-24T09:00 \
	    --tech mike --service-pro pat-pro >/dev/null 2>&1
	M=$(printf 'job:J7' | sha1sum | cut -c1-12)
	tick
	inbox-job reschedule J7 --at 2026-11-24T10:00 --tech tina >/dev/null 2>&1
	[ "$(members $M)" = "tina " ]
	[ "$(members $CJ)" = "tina " ]
	tick
	inbox-job done J7 >/dev/null 2>&1
	[ "$(members $M)" = "" ]
	[ "$(members $CJ)" = "" ]
	all_committed
}

@test "service pro: maintenance.threads: false keeps the job in the customer's thread only" {
	printf 'maintenance:\n  threads: false\n' >>inbox.yaml
	git_commit "test: no maintenance threads"
	customer pat-pro "Pat Pro" +15125550199
	tick
	inbox-job schedule J7 --customer jane-doe --at 2026-11-24T09:00 \
	    --service-pro pat-pro >/dev/null 2>&1
	M=$(printf 'job:J7' | sha1sum | cut -c1-12)
	[ ! -e conv/${M:0:2}/$M ]
	! jobrec J7 | grep -q '^thread:' || false
}
