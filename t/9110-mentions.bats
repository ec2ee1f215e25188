#!/usr/bin/env bats
# Mentions and notifications: @login in a note or a team message names a
# member of staff, who joins the thread when they may be in it; the
# post-send hook gets INBOX_MENTIONS and INBOX_NOTIFY (the members to
# tell: less the author, those who muted the thread, and those who want
# only mentions unless mentioned; never anyone outside the thread).

load helper
load data/outbound
bats_require_minimum_version 1.5.0

JEAN=+15557654321
CJ=62c4ade7e979		# conversation of contact jean
TEAM=c431b4ed4c76	# team:all

setup() {
	T=$BATS_TEST_TMPDIR
	new_store
	no_autoreply
	cat >>inbox.yaml <<-'EOF'

	staff:
	  office: {name: Olive Office, role: office}
	  ada: {name: Ada Admin, role: admin, notify: mentions}
	  bob: {name: Bob Builder, role: tech}
	  tina: {name: Tina Tech, role: tech}
	  ted:
	    name: Ted Tech
	    role: tech
	    customers.chat: false
	  nina: {name: Nina Nights, role: tech, notify: none}
	EOF
	# a post-send hook that writes down what it was told
	cat >hooks/post-send <<-'EOF'
	#!/bin/sh
	printf '%s|%s|%s|%s\n' "$INBOX_USER" "$INBOX_CONV" "$INBOX_NOTIFY" \
	    "$INBOX_MENTIONS" >>"$HOOKLOG"
	echo "post-send ran for $INBOX_MESSAGE"
	EOF
	chmod +x hooks/post-send
	git_commit "test: staff, post-send hook"
	export HOOKLOG=$T/hook.log
	: >"$HOOKLOG"
	customer jean "Jean Dupont" $JEAN
	recv_sms SM1 $JEAN 'The boiler is leaking' >/dev/null
}

members() {
	sed -n 's/^member: //p' "conv/${1:0:2}/$1/state" | tr '\n' ' '
}

msgfile() {
	ls conv/"${1:0:2}"/"${1%%/*}"/*/"${1#*/}"*
}

@test "a note: @bob joins the customer's thread and is told; an email address is no mention" {
	run --separate-stderr inbox-send --note jean '@bob please check the valve, mail x@bob.example, and @nobody'
	[ "$status" -eq 0 ]
	m=$(cut -f1 <<<"$output")
	[ "$output" = "$m	note" ]
	# the hook's words go to stderr, never into the pipeline
	[ "$stderr" = "post-send ran for $m" ]
	[ "$(members $CJ)" = "bob " ]
	[ "$(cat "$HOOKLOG")" = "office|$CJ|bob|bob" ]
	[ "$(sed -n 's/^X-Inbox-Mentions: //p' "$(msgfile "$m")")" = bob ]
	[ "$(git log -1 --format=%s)" = "inbox-send: note in $CJ, mentioning bob" ]
	# bob now sees the thread
	[ "$(INBOX_USER=bob inbox-ls | cut -f1)" = $CJ ]
}

@test "a team message: mentions are told, members too, the author never" {
	inbox-send -q team 'Morning all' 2>/dev/null
	: >"$HOOKLOG"
	tick
	INBOX_USER=bob run --separate-stderr inbox-send team '@ada @tina the van is back'
	[ "$status" -eq 0 ]
	# ada wants mentions only (mentioned here), nina nothing at all
	[ "$(cat "$HOOKLOG")" = "bob|$TEAM|office ada tina ted|ada tina" ]
	: >"$HOOKLOG"
	tick
	INBOX_USER=bob inbox-send -q team 'Lunch at 12' 2>/dev/null
	[ "$(cat "$HOOKLOG")" = "bob|$TEAM|office tina ted|" ]
	# a mention in a team thread is anyone on the staff, ted too
	: >"$HOOKLOG"
	inbox-send -q team '@ted can you cover?' 2>/dev/null
	[ "$(cut -d'|' -f4 "$HOOKLOG")" = ted ]
}

@test "a message to the customer: only staff who may talk to customers join by a mention" {
	run --separate-stderr inbox-send jean 'Hi Jean, @tina and @ted will come at 10'
	[ "$status" -eq 0 ]
	[ "$(members $CJ)" = "tina " ]
	[ "$(cat "$HOOKLOG")" = "office|$CJ|tina|tina" ]
	# the text the customer gets is as typed
	m=$(cut -f1 <<<"$output")
	[ "$(sed '1,/^$/d' "tmp/outbox/${m#*/}.msg")" = "Hi Jean, @tina and @ted will come at 10" ]
}

@test "notify: a member is told of each message; office staff outside the thread never" {
	inbox-assign -q --add-member bob $CJ
	inbox-assign -q --add-member ada $CJ
	inbox-assign -q --add-member nina $CJ
	: >"$HOOKLOG"
	# tina is no member: she may not write there
	INBOX_USER=tina run --separate-stderr inbox-send -q --note jean 'Part ordered'
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-send: tina may not write in $CJ (not a member)" ]
	[ "$(cat "$HOOKLOG")" = "" ]
	INBOX_USER=bob inbox-send -q jean 'Coming at 10' 2>/dev/null
	# office is not a member: not told; ada only on mentions; nina never
	[ "$(cat "$HOOKLOG")" = "bob|$CJ||" ]
	: >"$HOOKLOG"
	inbox-send -q jean 'Bob is on his way' 2>/dev/null
	[ "$(cat "$HOOKLOG")" = "office|$CJ|bob|" ]
	: >"$HOOKLOG"
	inbox-send -q --note jean '@ada @nina please call the supplier' 2>/dev/null
	[ "$(cat "$HOOKLOG")" = "office|$CJ|bob ada|ada nina" ]
}

@test "mute: inbox-flag --mute takes one out of INBOX_NOTIFY, --unmute puts them back" {
	inbox-assign -q --add-member bob $CJ
	inbox-assign -q --add-member tina $CJ
	INBOX_USER=bob run inbox-flag --mute $CJ
	[ "$status" -eq 0 ]
	[ "$output" = $CJ ]
	[ "$(git log -1 --format='%an %s')" = "bob inbox-flag: mute 1 conversation" ]
	grep -qx 'muted: bob' "conv/62/$CJ/state"
	: >"$HOOKLOG"
	inbox-send -q jean 'On our way' 2>/dev/null
	[ "$(cat "$HOOKLOG")" = "office|$CJ|tina|" ]
	# muting twice says so and changes nothing
	s=$(snapshot)
	INBOX_USER=bob run --separate-stderr inbox-flag --mute $CJ
	[ "$status" -eq 1 ]
	[ "$stderr" = "inbox-flag: $CJ is already muted for bob" ]
	[ "$(snapshot)" = "$s" ]
	# a mention still reaches a muted member? no: muted is muted
	: >"$HOOKLOG"
	inbox-send -q --note jean '@bob the part came' 2>/dev/null
	[ "$(cat "$HOOKLOG")" = "office|$CJ|tina|bob" ]
	INBOX_USER=bob inbox-flag -q --unmute $CJ
	: >"$HOOKLOG"
	inbox-send -q jean 'Done' 2>/dev/null
	[ "$(cat "$HOOKLOG")" = "office|$CJ|bob tina|" ]
}

@test "a failing post-send hook is reported and changes nothing about the send" {
	printf '#!/bin/sh\necho "cannot reach the pager"\nexit 3\n' >hooks/post-send
	git_commit "test: failing hook"
	run --separate-stderr inbox-send jean 'Hi'
	[ "$status" -eq 0 ]
	m=$(cut -f1 <<<"$output")
	[ "$output" = "$m	sent	spool:${m#*/}.msg" ]
	[ "$stderr" = "inbox-send: post-send hook failed for $m
cannot reach the pager" ]
}
