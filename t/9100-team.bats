#!/usr/bin/env bats
# The team: "inbox-send team" writes in the thread of all staff, and
# "inbox-send @login" in a direct one; neither ever reaches a transport.
# Groups of contacts (tenants); --note, a staff-only note in a customer's
# thread; a customer's portal message, answered through the webhook
# transport (the stand-in's /hook).

load helper
load data/outbound
load data/servers
bats_require_minimum_version 1.5.0

JEAN=+15557654321
CJ=62c4ade7e979		# conversation of contact jean
TEAM=c431b4ed4c76	# team:all
BO=bb112c71bb50		# team:bob+office
PY=/usr/bin/python3

setup() {
	T=$BATS_TEST_TMPDIR
	: >"$T/pids"
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
	export no_proxy='*'
	new_store
	no_autoreply
	cat >>inbox.yaml <<-'EOF'

	staff:
	  office: {name: Olive Office, role: office}
	  bob: {name: Bob Builder, role: tech}
	  tina: {name: Tina Tech, role: tech}
	EOF
	git_commit "test: staff"
	customer jean "Jean Dupont" $JEAN
}

start_standin() {
	"$PY" "$INBOX_SRC/t/lib/standin.py" --port 0 --log "$T/standin.log" \
	    </dev/null >>"$T/server.out" 2>&1 3>&- &
	echo $! >>"$T/pids"
	poll test -s "$T/standin.log.ready"
	read -r P <"$T/standin.log.ready"
	BASE=http://127.0.0.1:$P
}

# The requests the stand-in had at /hook: PATH TAB BODY a line.
hooked() {
	$PY -c 'import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["path"].startswith("/hook"):
        print("%s\t%s" % (r["path"], r["body"]))' "$T/standin.log"
}

msgfile() {
	ls conv/"${1:0:2}"/"${1%%/*}"/*/"${1#*/}"*
}

hdr() {	# hdr ID FIELD: the value of a header field of a message
	sed -n "/^\$/q; s/^$2: //p" "$(msgfile "$1")"
}

# Nothing went to a transport.
no_transport() {
	[ ! -e tmp/outbox ] || [ -z "$(ls -A tmp/outbox)" ]
	[ ! -e idx/queue ] || [ -z "$(ls -A idx/queue)" ]
}

@test "team: the thread of all staff, delivered at once, never through a transport" {
	n=$(commits)
	run --separate-stderr inbox-send team 'Van 2 is at the shop today'
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	m=$(cut -f1 <<<"$output")
	[ "$output" = "$m	delivered" ]
	[[ $m == $TEAM/* ]]
	no_transport
	[ "$(commits)" -eq $((n + 1)) ]
	[ "$(git log -1 --format=%B)" = "inbox-send: team message in $TEAM

Conversation: $TEAM
Message: $m" ]
	[ "$(state $TEAM)" = "kind: team
name: Team
status: open
created: 2026-11-22T08:53:20Z
member: office
member: bob
member: tina" ]
	[ "$(sed -n '/^$/q; /^X-Inbox-\(Channel\|Status\|Direction\|Author\):/p' "$(msgfile "$m")")" = "X-Inbox-Channel: team
X-Inbox-Direction: out
X-Inbox-Status: delivered
X-Inbox-Author: office" ]
	[ "$(sed '1,/^$/d' "$(msgfile "$m")")" = "Van 2 is at the shop today" ]
	# the next one too: the thread stays the team's
	tick
	INBOX_USER=bob run inbox-send team 'Back at 3'
	[ "$status" -eq 0 ]
	[ "$(cut -f2 <<<"$output")" = delivered ]
	no_transport
	[ "$(inbox-ls --group team | cut -f1,5,6)" = "$TEAM	Team	Back at 3" ]
	[ "$(INBOX_USER=tina inbox-ls --group team | cut -f1)" = $TEAM ]
	[ "$(inbox-ls --group customer)" = "" ]
	# inbox-show has it, by name
	run inbox-show -n $TEAM
	[ "${lines[0]}" = "# Team [open]" ]
	all_committed
}

@test "@login: a direct thread between two, the same from either side; others may not see it" {
	run inbox-send @bob 'Can you take J7?'
	[ "$status" -eq 0 ]
	[[ $output == "$BO/"*"	delivered" ]]
	tick
	INBOX_USER=bob run inbox-send @office 'Yes, after lunch'
	[[ $output == "$BO/"*"	delivered" ]]
	no_transport
	[ "$(state $BO)" = "kind: team
name: bob, office
status: open
created: 2026-11-22T08:53:20Z
member: office
member: bob" ]
	[ "$(git log -1 --format='%an %s')" = "bob inbox-send: team message in $BO" ]
	[ "$(inbox-ls --group team | cut -f1,5,6)" = "$BO	bob, office	Yes, after lunch" ]
	[ "$(INBOX_USER=bob inbox-ls --group team | cut -f1)" = $BO ]
	[ "$(INBOX_USER=tina inbox-ls --group team)" = "" ]
	run --separate-stderr env INBOX_USER=tina inbox-show $BO
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-show: tina may not see $BO (not a member)" ]
	s=$(snapshot)
	run --separate-stderr inbox-send @nobody 'Hi'
	[ "$status" -eq 64 ]
	[ "$stderr" = "inbox-send: unknown staff member nobody" ]
	run --separate-stderr inbox-send @office 'Hi'
	[ "$status" -eq 64 ]
	[ "$stderr" = "inbox-send: a direct thread needs another member of staff" ]
	run --separate-stderr env INBOX_USER=tina inbox-send $BO 'Let me in'
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-send: tina may not write in $BO (not a member)" ]
	[ "$(snapshot)" = "$s" ]
}

@test "groups: contacts in a group are listed with inbox-ls --group" {
	inbox-contact add --id t4b --name 'Tenant 4B' --phone +15557650040 --group tenant >/dev/null
	inbox-contact add --id t5a --name 'Tenant 5A' --phone +15557650050 --group tenant >/dev/null
	recv_sms SM1 +15557650040 'The radiator is cold' >/dev/null
	recv_sms SM2 +15557650050 'No hot water' >/dev/null
	recv_sms SM3 $JEAN 'Hello' >/dev/null
	inbox-send -q team 'Tenants first today'
	[ "$(inbox-ls --group tenant | cut -f5 | sort)" = "Tenant 4B
Tenant 5A" ]
	[ "$(inbox-ls --group customer | cut -f1)" = $CJ ]
	[ "$(inbox-ls --group team | cut -f1)" = $TEAM ]
	[ "$(inbox-contact ls --group tenant | cut -f1)" = "t4b
t5a" ]
}

@test "--note: a staff-only note in the customer's thread, never sent" {
	recv_sms SM1 $JEAN 'The boiler is leaking' >/dev/null
	inbox-show $CJ >/dev/null
	# a minute on: in the same second the two are ordered by their
	# file names, whose process ids need not grow
	tick
	n=$(commits)
	run --separate-stderr inbox-send --note jean 'Gate code 4711; dog is friendly'
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	m=$(cut -f1 <<<"$output")
	[[ $m == $CJ/* ]]
	[ "$output" = "$m	note" ]
	no_transport
	[ "$(commits)" -eq $((n + 1)) ]
	[ "$(git log -1 --format=%s)" = "inbox-send: note in $CJ" ]
	[ "$(sed -n '/^$/q; /^X-Inbox-\(Channel\|Status\|Direction\|Address\):/p' "$(msgfile "$m")")" = "X-Inbox-Channel: note
X-Inbox-Direction: out
X-Inbox-Status: note
X-Inbox-Address: $CJ" ]
	# the thread's channel and addresses are the customer's still
	[ "$(state $CJ | grep -E '^(channel|address):')" = "address: $JEAN
channel: sms" ]
	[ "$(inbox-ls --all | cut -f1,6)" = "$CJ	Gate code 4711; dog is friendly" ]
	# the next reply goes by text, not as a note
	run inbox-send jean 'On our way'
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Channel)" = sms ]
	[ "$(ls tmp/outbox | wc -l)" -eq 1 ]
	# a note in an unknown number's thread adds no address
	u=$(addr_conv +15559990000)
	recv_sms SM2 +15559990000 'Hi' >/dev/null
	before=$(state "$u")
	inbox-send -q --note "$u" 'Probably the neighbour of Jean'
	[ "$(state "$u")" = "$before" ]
}

@test "portal: a customer's portal message lands in their thread; the answer goes back by webhook" {
	start_standin
	sed -i "s|^channels:\$|channels:\\n  portal:\\n    transport: webhook\\n    url: $BASE/hook/portal|" inbox.yaml
	git_commit "test: portal"
	inbox-contact edit jean --add-email jean@example.org >/dev/null
	run inbox-recv --format json <<-'EOF'
	{"type":"message","channel":"portal","from":"jean@example.org","name":"Jean Dupont","id":"portal-771","body":"Is my invoice ready?"}
	EOF
	[ "$status" -eq 0 ]
	in=$output
	[[ $in == $CJ/* ]]
	[ "$(hdr "$in" X-Inbox-Channel)" = portal ]
	[ "$(state $CJ | grep -E '^(channel|last-in.portal):')" = "channel: portal
last-in.portal: 2026-11-22T08:53:20Z" ]
	tick
	run inbox-send jean 'Yes, it went out this morning.'
	[ "$status" -eq 0 ]
	m=$(cut -f1 <<<"$output")
	[ "$output" = "$m	sent	$m" ]
	[ "$(hdr "$m" X-Inbox-Channel)" = portal ]
	[ "$(hooked)" = "/hook/portal	{\"id\":\"$m\",\"channel\":\"portal\",\"to\":\"jean\",\"text\":\"Yes, it went out this morning.\",\"type\":\"manual\",\"author\":\"office\",\"attachments\":[]}" ]
	no_transport
	all_committed
}
