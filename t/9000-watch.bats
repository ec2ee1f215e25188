#!/usr/bin/env bats
# inbox-watch: a line per new message or status change as it lands,
# nothing for what was there before, nothing for a read; the inbox-ls
# filters; --json; exit 75 when it loses track of the store; -n and
# --timeout; the reader going away.
#
# Each watcher runs in the background with --timeout, so no test can
# hang; --ready says when its watches are set, and the test waits for
# that file, and for each line before the next delivery, with a bounded
# loop of read -t on a pipe nobody writes to: no sleeps, no races.

load helper
load data/outbound

D="$BATS_TEST_DIRNAME/data"
JEAN=+15557654321	# conversation bfda3c3376e9
CJ=bfda3c3376e9
MARC=+15557650002	# conversation 8f3519fbc0af
SID=SM7a9c0e1b3d5f7a9c0e2b4d6f8a0c2e4b	# Twilio status callbacks in t/data
T=2026-11-22T08:53:20Z			# INBOX_NOW

setup() {
	new_store
	no_autoreply
	R=$BATS_TEST_TMPDIR/ready
	OUT=$BATS_TEST_TMPDIR/out
	ERR=$BATS_TEST_TMPDIR/err
	W=
}

teardown() {
	if [ -n "$W" ]; then
		kill "$W" 2>/dev/null || :
	fi
}

# await CMD...: until CMD succeeds, at most 200 tries 0.05 s apart
await() {
	local i

	for ((i = 0; i < 200; i++)); do
		"$@" && return 0
		read -r -t 0.05 <> <(:) || :
	done
	return 1
}

has_lines() {
	[ "$(wc -l <"$OUT")" -ge "$1" ]
}

# watch ARGS...: start inbox-watch ARGS in the background (output in $OUT
# and $ERR) and wait until its watches are set
watch() {
	inbox-watch --ready "$R" "$@" >"$OUT" 2>"$ERR" 3>&- &
	W=$!
	await test -e "$R"
}

# finish: wait for the watcher to end; its exit status goes to $WS
finish() {
	WS=0
	wait "$W" || WS=$?
	W=
}

# line ID EVENT TIME DIR CHANNEL STATUS NAME PREVIEW
line() {
	local IFS=$'\t'

	printf '%s\n' "$*"
}

# Staff in inbox.yaml, each LOGIN:ROLE, committed with git.
staff() {
	{
		echo
		echo 'staff:'
		for s in "$@"; do
			printf '  %s:\n    name: %s\n    role: %s\n' "${s%%:*}" \
			    "${s%%:*}" "${s#*:}"
		done
	} >>inbox.yaml
	git add -f inbox.yaml
	git -c user.name=t -c user.email=t@t commit -q -m 'staff'
}

@test "watch: new messages as they land, nothing for what was there" {
	recv_sms SM00000000000000000000000000000001 $JEAN 'Before' >/dev/null
	watch -n 2 --timeout 20
	tick
	a=$(recv_sms SM00000000000000000000000000000002 $JEAN \
	    'Boiler leaking again')
	await has_lines 1
	tick
	b=$(recv_sms SM00000000000000000000000000000003 $MARC \
	    $'Radiator\tbanging\nall night')
	finish
	[ "$WS" -eq 0 ]
	[ "$(cat "$ERR")" = "" ]
	[ "$(cat "$OUT")" = "$(line "$a" new 2026-11-22T08:54:20Z in sms \
	    received $JEAN 'Boiler leaking again'
	    line "$b" new 2026-11-22T08:55:20Z in sms received $MARC \
	    'Radiator banging all night')" ]
}

@test "watch: a read or a flag is not news; a status change is" {
	recv_sms SM00000000000000000000000000000001 $JEAN 'Leak' >/dev/null
	watch -n 2 --timeout 20
	inbox-show $CJ >/dev/null		# new/X -> cur/X:2,S
	inbox-flag -q --flag $CJ
	id=$(outbound $JEAN $SID)		# status sent
	await has_lines 1
	inbox-recv <"$D/twilio-status-delivered.form" >/dev/null
	finish
	[ "$WS" -eq 0 ]
	[ "$(cat "$OUT")" = "$(line "$id" new 2026-11-22T08:55:00Z out sms \
	    sent $JEAN 'Technician arrives at 10:00 tomorrow.'
	    line "$id" status $T out sms delivered $JEAN \
	    'Technician arrives at 10:00 tomorrow.')" ]
}

@test "watch: inbox-send's message is news, queued or already sent" {
	recv_sms SM00000000000000000000000000000001 $JEAN 'Leak' >/dev/null
	watch -n 1 --timeout 20
	inbox-send -q $CJ 'On our way'
	finish
	[ "$WS" -eq 0 ]
	local t=$'\t'
	re="^$CJ/[0-9]+\\.[^[:space:]]+${t}new$t$T${t}out${t}sms$t"
	re="$re(queued|sent)$t\\$JEAN${t}On our way\$"
	[[ "$(cat "$OUT")" =~ $re ]]
}

@test "watch: --unread leaves out what we send and what is read" {
	recv_sms SM00000000000000000000000000000001 $JEAN 'Leak' >/dev/null
	watch --unread -n 1 --timeout 20
	inbox-send -q $CJ 'On our way'
	outbound $JEAN $SID >/dev/null
	b=$(recv_sms SM00000000000000000000000000000002 $MARC 'Radiator')
	finish
	[ "$WS" -eq 0 ]
	[ "$(cat "$OUT")" = "$(line "$b" new $T in sms received $MARC \
	    Radiator)" ]
}

@test "watch: --channel is the message's channel" {
	watch --channel whatsapp -n 1 --timeout 20
	recv_sms SM00000000000000000000000000000001 $JEAN 'By text' >/dev/null
	id=$(inbox-recv <"$D/whatsapp-text.json")
	finish
	[ "$WS" -eq 0 ]
	[ "$(cat "$OUT")" = "$(line "$id" new 2026-11-22T08:53:34Z in \
	    whatsapp received $JEAN 'Boiler leaking in the basement')" ]
}

@test "watch: --mine, and what the user may see" {
	staff office:office mike:tech
	recv_sms SM00000000000000000000000000000001 $JEAN 'Leak' >/dev/null
	recv_sms SM00000000000000000000000000000002 $MARC 'Noise' >/dev/null
	inbox-assign -q $CJ office
	watch --mine -n 1 --timeout 20
	recv_sms SM00000000000000000000000000000003 $MARC 'Noise again' \
	    >/dev/null
	a=$(recv_sms SM00000000000000000000000000000004 $JEAN 'Leak again')
	finish
	[ "$WS" -eq 0 ]
	[ "$(cat "$OUT")" = "$(line "$a" new $T in sms received $JEAN \
	    'Leak again')" ]

	# a tech sees only the conversations he is assigned to or in
	inbox-assign -q 8f3519fbc0af mike
	rm -f "$R"
	watch -u mike -n 1 --timeout 20
	recv_sms SM00000000000000000000000000000005 $JEAN 'Leak 3' >/dev/null
	b=$(recv_sms SM00000000000000000000000000000006 $MARC 'Noise 3')
	finish
	[ "$WS" -eq 0 ]
	[ "$(cat "$OUT")" = "$(line "$b" new $T in sms received $MARC \
	    'Noise 3')" ]
}

@test "watch: --json, one object a line" {
	watch --json -n 2 --timeout 20
	a=$(recv_sms SM00000000000000000000000000000001 $JEAN $'Leak\tagain')
	await has_lines 1
	id=$(outbound $JEAN $SID)
	await has_lines 2
	finish
	[ "$WS" -eq 0 ]
	cat >"$BATS_TEST_TMPDIR/expect" <<-EOF
	{"id":"$a","conversation":"$CJ","event":"new","time":"$T","direction":"in","channel":"sms","type":"reply","status":"received","name":"$JEAN","read":false,"text":"Leak\\tagain\\n"}
	{"id":"$id","conversation":"$CJ","event":"new","time":"2026-11-22T08:55:00Z","direction":"out","channel":"sms","type":"manual","status":"sent","name":"$JEAN","read":true,"text":"Technician arrives at 10:00 tomorrow.\\n"}
	EOF
	diff -u "$BATS_TEST_TMPDIR/expect" "$OUT"

	rm -f "$R"
	watch --json -n 1 --timeout 20
	inbox-recv <"$D/twilio-status-delivered.form" >/dev/null
	finish
	[ "$WS" -eq 0 ]
	[ "$(cat "$OUT")" = '{"id":"'"$id"'","conversation":"'$CJ'","event":"status","time":"'$T'","direction":"out","channel":"sms","type":"manual","status":"delivered","previous":"sent","name":"'$JEAN'","read":true,"text":"Technician arrives at 10:00 tomorrow.\n"}' ]
}

@test "watch: --timeout ends a quiet watch with 0 and no output" {
	run inbox-watch --timeout 0.2
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "watch: a commit that is no message is no event" {
	watch -n 1 --timeout 20
	inbox-contact add --id jean --name 'Jean Dupont' --phone $JEAN \
	    >/dev/null
	a=$(recv_sms SM00000000000000000000000000000001 $JEAN 'Leak')
	finish
	[ "$WS" -eq 0 ]
	[ "$(cat "$OUT")" = "$(line "$a" new $T in sms received \
	    'Jean Dupont' Leak)" ]
}

@test "watch: the store's refs moved away: exit 75, updates paused" {
	watch --timeout 20
	mv .git/refs/heads "$BATS_TEST_TMPDIR/heads"
	finish
	[ "$WS" -eq 75 ]
	[ "$(cat "$ERR")" = "inbox-watch: lost track of the store (.git/refs/heads moved); updates paused" ]
	[ "$(cat "$OUT")" = "" ]
}

@test "watch: the refs deleted, or the store moved: exit 75" {
	watch --timeout 20
	rm -rf .git/refs/heads
	finish
	[ "$WS" -eq 75 ]
	[[ "$(cat "$ERR")" =~ ^"inbox-watch: lost track of the store ("(.git/refs/heads deleted|refs/heads/main is gone)"); updates paused"$ ]]

	rm -f "$R"
	S2=$BATS_TEST_TMPDIR/store2
	inbox-init -q "$S2" >/dev/null
	export INBOX_DIR=$S2
	cd "$S2"
	watch --timeout 20
	mv "$S2" "$BATS_TEST_TMPDIR/moved"
	finish
	[ "$WS" -eq 75 ]
	[ "$(cat "$ERR")" = "inbox-watch: lost track of the store (the store moved); updates paused" ]
}

@test "watch: git pack-refs is not losing track" {
	watch -n 1 --timeout 20
	git pack-refs --all
	a=$(recv_sms SM00000000000000000000000000000001 $JEAN 'Still here')
	finish
	[ "$WS" -eq 0 ]
	[ "$(cat "$OUT")" = "$(line "$a" new $T in sms received $JEAN \
	    'Still here')" ]
}

@test "watch: the reader going away ends it quietly at once" {
	SECONDS=0
	(
		{
			inbox-watch --timeout 20 --ready "$R" 2>"$ERR"
			echo $? >"$BATS_TEST_TMPDIR/status"
		} | head -n 1 >"$OUT"
	) 3>&- &
	W=$!
	await test -e "$R"
	a=$(recv_sms SM00000000000000000000000000000001 $JEAN 'Leak')
	finish
	[ "$SECONDS" -lt 15 ]
	[ "$(cat "$BATS_TEST_TMPDIR/status")" = 0 ]
	[ "$(cat "$ERR")" = "" ]
	[ "$(cat "$OUT")" = "$(line "$a" new $T in sms received $JEAN Leak)" ]
}

@test "watch: bad -n and --timeout are usage errors" {
	run inbox-watch -n 0
	[ "$status" -eq 64 ]
	[ "$output" = "inbox-watch: -n wants a positive number" ]
	run inbox-watch --timeout soon
	[ "$status" -eq 64 ]
	[ "$output" = "inbox-watch: --timeout wants a number of seconds, not 'soon'" ]
	run inbox-watch stray
	[ "$status" -eq 64 ]
	[[ "$output" =~ ^usage:\ inbox-watch ]]
}
