#!/usr/bin/env bats
# Opt-out: every STOP keyword variant, recorded on the address and in
# git; near-misses that must not opt out; texts that ask to stop in other
# words flagged for a person; START and friends opt back in; HELP and
# INFO get the help template; the one STOP confirmation; a send to an
# opted-out number refused on every path: by hand, from a hook, from the
# queue after the STOP came in, on --retry.

load helper
load data/outbound
bats_require_minimum_version 1.5.0

JANE=+15125550100
CJ=4c596136f8e3		# conversation of contact jane-doe
SUN=1795337600		# Sunday 2026-11-22 08:53:20Z

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

# The address record of ADDR.
addr_rec() {
	local h
	h=$(printf %s "$1" | sha1sum | cut -c1-40)
	norm <"addr/${h:0:2}/$h"
}

# The message file of an id CONV/UNIQ.
msgfile() {
	ls "conv/${1:0:2}/${1%%/*}"/*/"${1#*/}"*
}

setup() {
	export INBOX_NOW=$SUN
	new_store
	customer jane-doe "Jane Doe" $JANE
	tick
}

@test "every opt-out keyword, any case, blanks and trailing punctuation" {
	k=0
	while IFS='|' read -r body word; do
		k=$((k + 1))
		n=$(printf '+1512555%04d' $((200 + k)))
		run --separate-stderr recv_sms "SMk$k" "$n" "$body"
		echo "'$body': $status $output $stderr"
		[ "$status" -eq 0 ]
		[ "$stderr" = "" ]
		id=$output
		[ "$(addr_rec "$n")" = "optout: 2026-11-22T08:54:20Z
optout-keyword: $word
optout-message: $(echo "$id" | norm)
address: $n" ]
		grep -qx "X-Inbox-Keyword: $word" "$(msgfile "$id")"
		[ "$(git log -1 --format=%s)" = \
		    "inbox-recv: sms from $n: opted out ($word)" ]
	done <<-'EOF'
	STOP|STOP
	stop|STOP
	Stop.|STOP
	 stop |STOP
	STOP!!!|STOP
	sToP?|STOP
	StopAll|STOPALL
	STOPALL|STOPALL
	unsubscribe|UNSUBSCRIBE
	Unsubscribe.|UNSUBSCRIBE
	CANCEL|CANCEL
	cancel|CANCEL
	End|END
	end.|END
	QUIT|QUIT
	quit!|QUIT
	Revoke|REVOKE
	OPTOUT|OPTOUT
	optout|OPTOUT
	Arret|ARRET
	ARRET.|ARRET
	EOF
	[ $k -eq 21 ]
	[ "$(inbox-ls --opted-out | wc -l)" -eq 21 ]
	[ ! -e tmp/outbox ]
	all_committed
}

@test "near-misses do not opt out; asking to stop in other words needs a person" {
	k=0
	while IFS='|' read -r body flagged; do
		k=$((k + 1))
		n=$(printf '+1512555%04d' $((300 + k)))
		recv_sms "SMn$k" "$n" "$body" >/dev/null
		tick
		! grep -q '^optout' "addr/$(printf %s "$n" | sha1sum | cut -c1-2)/$(printf %s "$n" | sha1sum | cut -c1-40)" 2>/dev/null || false
		c=$(conv_of "$n")
		if [ "$flagged" = yes ]; then
			inbox-ls --attention | cut -f1 | grep -qx "$c"
		else
			! inbox-ls --attention | cut -f1 | grep -qx "$c" || false
		fi
	done <<-'EOF'
	stopcock leaking|no
	Stopcock is leaking again.|no
	don't stop the work|no
	Can you stop by on Tuesday?|no
	Cancel my appointment tomorrow please|no
	End of the day works for me|no
	Quit early if you like|no
	Stopping by later?|no
	please stop texting me|yes
	Stop. Thank you|yes
	STOP, thanks|yes
	Stop sending these|yes
	Can you stop messaging me|yes
	unsubscribe me please|yes
	EOF
	[ "$(inbox-ls --attention | cut -f6)" = "unsubscribe me please
Can you stop messaging me
Stop sending these
STOP, thanks
Stop. Thank you
please stop texting me" ]
	run inbox-ls --opted-out
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	f=$(msgfile "$(conv_of +15125550310)/$(ls conv/*/"$(conv_of +15125550310)"/new | head -n 1)")
	grep -qx 'X-Inbox-Attention: asks to stop' "$f"
	! grep -q '^X-Inbox-Keyword:' "$f" || false
}

@test "the opt-out is recorded on the address and in git; inbox-log --consent shows the history" {
	run recv_sms SM1 $JANE "Stop."
	id=$output
	[ "$(addr_rec $JANE)" = "contact: jane-doe
address: $JANE
optout: 2026-11-22T08:54:20Z
optout-keyword: STOP
optout-message: $(echo "$id" | norm)" ]
	[ "$(git log -1 --format=%B | norm)" = "inbox-recv: sms from $JANE (Jane Doe): opted out (STOP)

Conversation: $CJ
Message: $(echo "$id" | norm)
Provider-Id: SM1" ]
	tick 3600
	run recv_sms SM2 $JANE "STOP"	# again: the first STOP stands
	[ "$(addr_rec $JANE | sed -n 3,4p)" = "optout: 2026-11-22T08:54:20Z
optout-keyword: STOP" ]
	tick 3600
	run recv_sms SM3 $JANE "start"
	id3=$output
	[ "$(addr_rec $JANE)" = "contact: jane-doe
address: $JANE
optin: 2026-11-22T10:54:20Z START $(echo "$id3" | norm)" ]
	tick 3600
	recv_sms SM4 $JANE "unsubscribe" >/dev/null
	run --separate-stderr inbox-log --consent '(512) 555-0100'
	[ "$status" -eq 0 ]
	[ "$output" = "2026-11-22T11:54:20Z	office	inbox-recv	sms from $JANE (Jane Doe): opted out (UNSUBSCRIBE)	-
2026-11-22T10:54:20Z	office	inbox-recv	sms from $JANE (Jane Doe): opted in (START)	-
2026-11-22T08:54:20Z	office	inbox-recv	sms from $JANE (Jane Doe): opted out (STOP)	-
2026-11-22T08:53:20Z	office	inbox-contact	add customer jane-doe (Jane Doe)	-" ]
	run inbox-log --consent +15125550199
	[ "$status" -eq 1 ]
}

@test "every opt-in keyword brings the number back" {
	k=0
	for body in START unstop Restart. SUBSCRIBE enroll " Yes "; do
		k=$((k + 1))
		recv_sms "SMo$k" $JANE "STOP" >/dev/null
		tick
		run --separate-stderr inbox-send jane-doe "test $k"
		[ "$status" -eq 3 ]
		recv_sms "SMi$k" $JANE "$body" >/dev/null
		w=$(echo "$body" | tr -d ' .' | tr a-z A-Z)
		[ "$(git log -1 --format=%s)" = \
		    "inbox-recv: sms from $JANE (Jane Doe): opted in ($w)" ]
		! addr_rec $JANE | grep -q '^optout' || false
		tick
		run inbox-send jane-doe "test $k"
		[ "$status" -eq 0 ]
		tick
	done
	[ "$(sent | cut -f3)" = "test 1
test 2
test 3
test 4
test 5
test 6" ]
	[ "$(inbox-log --consent $JANE | cut -f3 | sort | uniq -c | sed 's/^ *//')" = "1 inbox-contact
12 inbox-recv" ]
}

@test "START from a number that never opted out changes nothing on it" {
	recv_sms SM1 +15125550199 "Start" >/dev/null
	[ "$(git log -1 --format=%s)" = "inbox-recv: sms from +15125550199" ]
	run inbox-log --consent +15125550199
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
}

@test "HELP and INFO get the help template; compliance.help-reply: false turns it off" {
	run --separate-stderr recv_sms SM1 $JANE "help"
	[ "$status" -eq 0 ]
	tick
	recv_sms SM2 +15125550199 "INFO?" >/dev/null 2>&1
	[ "$(sent)" = "$JANE	help	Fieldco Plumbing & Heating: appointment texts. Reply STOP to opt out, START to opt back in. Questions? Call +15550001111.
+15125550199	help	Fieldco Plumbing & Heating: appointment texts. Reply STOP to opt out, START to opt back in. Questions? Call +15550001111." ]
	# the help reply is an answer: night-time quiet hours do not hold it
	! grep -q '^X-Inbox-Send-After:' tmp/outbox/* || false
	printf 'compliance:\n  help-reply: false\n' >>inbox.yaml
	git_commit "test: no help reply"
	tick
	recv_sms SM3 +15125550188 "HELP" >/dev/null 2>&1
	[ "$(sent | wc -l)" -eq 2 ]
}

@test "compliance.stop-confirmation: true sends exactly one confirmation" {
	printf 'compliance:\n  stop-confirmation: true\n' >>inbox.yaml
	git_commit "test: confirm opt-outs"
	run --separate-stderr recv_sms SM1 $JANE "STOP"
	[ "$status" -eq 0 ]
	tick
	recv_sms SM2 $JANE "stop" >/dev/null 2>&1
	tick
	recv_sms SM3 $JANE "STOP!!" >/dev/null 2>&1
	[ "$(sent)" = "$JANE	stop-confirmation	You have been unsubscribed from Fieldco Plumbing & Heating texts and will receive no more messages. Reply START to opt back in." ]
	# and nothing else after it
	tick
	run --separate-stderr inbox-send jane-doe "Are you sure?"
	[ "$status" -eq 3 ]
	[ "$(sent | wc -l)" -eq 1 ]
}

@test "without compliance.stop-confirmation nothing answers a STOP" {
	run --separate-stderr recv_sms SM1 $JANE "STOP"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ ! -e tmp/outbox ]
}

@test "a manual send to an opted-out number: exit 3 before anything is queued" {
	recv_sms SM1 $JANE "STOP" >/dev/null
	tick
	n=$(commits)
	for target in jane-doe $JANE '(512) 555-0100' $CJ; do
		run --separate-stderr inbox-send "$target" "Hello?"
		[ "$status" -eq 3 ]
		[ "$output" = "" ]
		[ "$stderr" = "inbox-send: $JANE opted out (STOP at 2026-11-22 08:54)" ]
	done
	run --separate-stderr inbox-send --template thanks jane-doe
	[ "$status" -eq 3 ]
	[ "$(commits)" -eq "$n" ]
	[ ! -e tmp/outbox ]
	[ -z "$(ls idx/queue 2>/dev/null)" ]
}

@test "email still reaches a customer who opted out of texts" {
	inbox-contact edit jane-doe --add-email jane@doe.example >/dev/null
	tick
	recv_sms SM1 $JANE "STOP" >/dev/null
	tick
	run inbox-send --channel email jane-doe "Your invoice is attached"
	[ "$status" -eq 0 ]
	[ "$(sent | cut -f1,3)" = "jane@doe.example	Your invoice is attached" ]
}

@test "a hook's send is refused too: the job is filed, the hook's failure says why" {
	staff
	recv_sms SM1 $JANE "STOP" >/dev/null
	INBOX_NOW=1795446000	# Monday 09:00 in Chicago
	run --separate-stderr inbox-job schedule J1 --customer jane-doe \
	    --at 2026-11-24T09:00 --tech mike
	[ "$status" -eq 2 ]
	[ "$output" = J1 ]
	[ "$stderr" = "inbox-send: $JANE opted out (STOP at 2026-11-22 08:54)
inbox-job: hook job-scheduled failed for J1 (exit 3); it is recorded on the job: run inbox-job rerun J1 job-scheduled" ]
	[ ! -e tmp/outbox ]
	grep -qx 'hook-failed: job-scheduled 3 2026-11-23T15:00:00Z' jobs/*/J1
}

@test "a message queued before the STOP is refused when flushed, and on --retry" {
	run inbox-send --at 2026-11-22T12:00 jane-doe "Your part has arrived"
	[ "$status" -eq 0 ]
	id=$(echo "$output" | cut -f1)
	[ "$(echo "$output" | cut -f2,3)" = "scheduled	next try 2026-11-22T18:00:00Z" ]
	tick
	recv_sms SM1 $JANE "Stop" >/dev/null
	INBOX_NOW=1795370400	# 18:00Z
	run --separate-stderr inbox-send --flush
	[ "$status" -eq 1 ]
	[ "$output" = "$id	failed	$JANE opted out (STOP at 2026-11-22 08:55)" ]
	[ "$(grep -E '^X-Inbox-(Status|Error):' "$(msgfile "$id")")" = \
	    "X-Inbox-Status: failed
X-Inbox-Error: refused: $JANE opted out (STOP at 2026-11-22 08:55)" ]
	[ "$(git log -1 --format=%s)" = \
	    "inbox-send: failed $id: refused: $JANE opted out (STOP at 2026-11-22 08:55)" ]
	[ ! -e tmp/outbox ]
	[ -z "$(ls idx/queue 2>/dev/null)" ]
	inbox-ls --failed | cut -f1 | grep -qx $CJ
	# a retry is refused the same way
	tick
	run --separate-stderr inbox-send --retry "$id"
	[ "$status" -eq 3 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-send: $JANE opted out (STOP at 2026-11-22 08:55)" ]
	[ ! -e tmp/outbox ]
	[ -z "$(ls idx/queue 2>/dev/null)" ]
	grep -qx 'X-Inbox-Status: failed' "$(msgfile "$id")"
	all_committed
}

@test "a message queued for the morning by quiet hours, then STOP: refused at the flush" {
	staff
	INBOX_NOW=1795413600	# Monday 00:00 in Chicago: quiet
	inbox-job schedule J1 --customer jane-doe --at 2026-11-24T09:00 \
	    --tech mike >/dev/null 2>&1
	tick
	recv_sms SM1 $JANE "STOP" >/dev/null
	INBOX_NOW=1795442400	# 08:00
	run --separate-stderr inbox-send --flush
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | cut -f2,3)" = "failed	$JANE opted out (STOP at 2026-11-23 06:01)" ]
	[ ! -e tmp/outbox ]
}

@test "inbox-ls --opted-out lists the conversations of opted-out numbers" {
	recv_sms SM1 +15125550199 "Hi, quote for a boiler?" >/dev/null
	tick
	recv_sms SM2 $JANE "END" >/dev/null
	[ "$(inbox-ls --opted-out | cut -f1,5,6)" = "$CJ	Jane Doe	END" ]
	[ "$(inbox-ls | wc -l)" -eq 2 ]
}
