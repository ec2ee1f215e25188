#!/usr/bin/env bats
# Concurrent writers: 8 processes each receiving $CONC_N messages (one
# inbox-recv per message) into ten shared conversations while others
# assign, archive, send and flush.  Every message is there exactly once,
# there is one commit per operation that said it changed something, no
# command fails but with 75 (the documented lock timeout, safe to retry),
# git fsck and inbox-fsck are clean.  A killed lock holder never blocks
# the store past the lock timeout: the kernel drops its flock; a
# refs/heads/main.lock a crashed git left is refused at once with 75 and
# removed by inbox-fsck --repair.
#
# CONC_N messages per writer: 50 by default (400 inbox-recv; about 50 s on
# 2 busy cores beside the other commands; 20 under SAN=1), CONC_N=200 for
# the full 1600 (measured: 1600 inbox-recv alone take about 70 s there;
# see t/README).

load helper
load data/outbound
bats_require_minimum_version 1.5.0

# under the sanitizers every process is two to three times slower
if [[ "$INBOX_BUILD" == *-san ]] ||
    grep -q fsanitize "$INBOX_BUILD/.flags" 2>/dev/null; then
	: "${CONC_N:=20}"
fi
: "${CONC_N:=50}"
W=8

setup() {
	T=$BATS_TEST_TMPDIR
	new_store
	no_autoreply
}

# The ten shared conversations' numbers: +15125550100 .. +15125550109.
num() {
	printf '+151255501%02d' "$(($1 % 10))"
}

# writer W: $CONC_N messages, one inbox-recv each; "SID STATUS" a line.
writer() {
	local w=$1 i sid rc
	for i in $(seq 1 "$CONC_N"); do
		sid=SMw${w}m$i
		rc=0
		twilio_sms "$sid" "$(num "$i")" "writer $w message $i" |
		    inbox-recv -q 2>>"$T/err.$w" || rc=$?
		echo "$sid $rc"
	done >"$T/recv.$w"
}

# worker NAME CMD...: CMD run in a loop until $T/stop exists; "STATUS" a
# line.  The arguments may name {C}: one of the ten conversations in turn.
worker() {
	local name=$1 k=0 c rc
	shift
	until [ -e "$T/stop" ]; do
		k=$((k + 1))
		c=$(addr_conv "$(num "$k")")
		rc=0
		"${@//\{C\}/$c}" >>"$T/out.$name" 2>>"$T/err.$name" || rc=$?
		echo $rc >>"$T/rc.$name"
		sleep 0.02
	done
}

# count FILE STATUS: lines of FILE that are STATUS.
count() {
	grep -cx "$2" "$1" || true
}

@test "concurrency: $W writers x $CONC_N messages, with assign, archive, send and flush" {
	local w pids="" before start k
	# the ten conversations exist, so the others have something to do
	for k in 0 1 2 3 4 5 6 7 8 9; do
		recv_sms "SMseed$k" "$(num $k)" "seed $k" >/dev/null
	done
	before=$(git rev-parse HEAD)
	start=$SECONDS
	worker assign inbox-assign -q '{C}' office &
	pids="$pids $!"
	worker unassign inbox-assign -q --none '{C}' &
	pids="$pids $!"
	worker archive inbox-archive -q '{C}' &
	pids="$pids $!"
	worker send inbox-send -q '{C}' 'On our way' &
	pids="$pids $!"
	worker later inbox-send -q --at +30s '{C}' 'On our way' &
	pids="$pids $!"
	worker flush env INBOX_NOW=$((INBOX_NOW + 60)) inbox-send -q --flush &
	pids="$pids $!"
	for w in $(seq 1 $W); do
		writer "$w" &
		set -- "$@" $!
	done
	wait "$@"
	touch "$T/stop"
	# shellcheck disable=SC2086
	wait $pids
	INBOX_NOW=$((INBOX_NOW + 60)) inbox-send -q --flush
	echo "# $((W * CONC_N)) inbox-recv beside $(cat "$T"/rc.* | wc -l) other commands in $((SECONDS - start))s" >&3

	# no error but 75, and each 75 said why
	cat "$T"/recv.* | awk '$2 != 0 && $2 != 75 { print; bad = 1 }
	    END { exit bad }'
	for f in "$T"/rc.*; do
		awk '$1 != 0 && $1 != 1 && $1 != 75 { print FILENAME ": " $0;
		    bad = 1 } END { exit bad }' "$f"
	done
	known='store is busy\|already\|is not archived\|is not assigned'
	if grep -qv "$known" "$T"/err.*; then
		grep -v "$known" "$T"/err.* | head
		false
	fi
	# the provider retries what got 75: filed once then
	cat "$T"/recv.* | awk '$2 == 75 { print $1 }' | while read -r sid; do
		w=${sid#SMw}; w=${w%%m*}; k=${sid##*m}
		twilio_sms "$sid" "$(num "$k")" "writer $w message $k" |
		    inbox-recv -q
	done
	# every message once, in the work tree and in HEAD
	[ "$(grep -rl '^X-Inbox-Direction: in$' conv | wc -l)" -eq \
	    $((W * CONC_N + 10)) ]
	[ "$(git grep -l '^X-Inbox-Direction: in$' HEAD -- conv | wc -l)" -eq \
	    $((W * CONC_N + 10)) ]
	[ "$(grep -rh '^X-Inbox-Provider-Id: SMw' conv | sort -u | wc -l)" -eq \
	    $((W * CONC_N)) ]
	[ "$(grep -rh '^X-Inbox-Provider-Id: SMw' conv | wc -l)" -eq \
	    $((W * CONC_N)) ]
	# one commit per operation
	log=$(git log --format=%s "$before..HEAD")
	ok=$(cat "$T"/recv.* | awk '$2 == 0' | wc -l)
	retried=$(cat "$T"/recv.* | awk '$2 == 75' | wc -l)
	[ "$(echo "$log" | grep -c '^inbox-recv: ')" -eq $((ok + retried)) ]
	[ "$(echo "$log" | grep -c '^inbox-assign: assign ')" -eq \
	    "$(count "$T/rc.assign" 0)" ]
	[ "$(echo "$log" | grep -c '^inbox-assign: unassign ')" -eq \
	    "$(count "$T/rc.unassign" 0)" ]
	[ "$(echo "$log" | grep -c '^inbox-archive: ')" -eq \
	    "$(count "$T/rc.archive" 0)" ]
	# each message queued once, taken by the transport once, one commit
	# for each
	queued=$(grep -rlx 'On our way' conv | wc -l)
	echo "queued $queued; commits: $(echo "$log" | cut -d' ' -f1-2 |
	    sort | uniq -c | tr '\n' ' ')"
	echo "spooled $(find tmp/outbox -type f | wc -l); sent $(grep -rlx \
	    'X-Inbox-Status: sent' conv | wc -l)"
	[ "$queued" -gt 0 ]
	[ "$(echo "$log" | grep -c '^inbox-send: \(queue\|schedule\) ')" -eq "$queued" ]
	[ "$(grep -rlx 'X-Inbox-Status: sent' conv | wc -l)" -eq "$queued" ]
	[ "$(echo "$log" | grep -c '^inbox-send: sent ')" -eq "$queued" ]
	[ "$(find tmp/outbox -type f | wc -l)" -eq "$queued" ]
	[ -z "$(ls idx/queue)" ]
	# nothing else made a commit
	[ "$(echo "$log" | grep -vc '^inbox-\(recv\|assign\|archive\|send\): ')" \
	    -eq 0 ]
	echo "# $(echo "$log" | wc -l) commits: $((ok + retried)) recv ($retried after a 75), $queued sent" >&3
	run git fsck --no-dangling
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	run inbox-fsck
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

# hold_lock: a process that holds the store's flock (as a command does
# between store_lock and store_close) until it is killed; its pid in $H.
hold_lock() {
	(exec 9>>.git/inbox/lock && flock -x 9 && touch "$T/held" &&
	    exec sleep 120) &
	H=$!
	until [ -e "$T/held" ]; do sleep 0.01; done
}

@test "lock: a holder makes others wait, then 75 at INBOX_LOCK_TIMEOUT" {
	hold_lock
	before=$(snapshot)
	SECONDS=0
	run --separate-stderr env INBOX_LOCK_TIMEOUT=1 inbox-recv -q \
	    < <(twilio_sms SM1 +15125550100 "Hello")
	[ "$status" -eq 75 ]
	[ "$SECONDS" -le 3 ]
	[ "$stderr" = "inbox-recv: store is busy (locked by another command for 1s); try again" ]
	kill -9 "$H"
	wait "$H" || true
	# the payload was kept for the retry; the repair files it
	[ "$(ls tmp/spool | wc -l)" -eq 1 ]
	[ "$(snapshot)" = "$before" ]
	run env INBOX_LOCK_TIMEOUT=1 inbox-recv -q \
	    < <(twilio_sms SM1 +15125550100 "Hello")
	[ "$status" -eq 0 ]
}

@test "lock: a holder killed with SIGKILL blocks nobody: the kernel drops the flock" {
	hold_lock
	twilio_sms SM1 +15125550100 "Hello" >"$T/sms"
	SECONDS=0
	inbox-recv -q <"$T/sms" &
	r=$!
	sleep 0.5
	kill -0 "$r"	# waiting for the lock
	kill -9 "$H"
	wait "$r"	# and then it goes through at once
	[ "$SECONDS" -lt 5 ]
	[ "$(git grep -l '^X-Inbox-Provider-Id: SM1$' HEAD -- conv | wc -l)" -eq 1 ]
	run inbox-fsck
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "lock: a leftover refs/heads/main.lock: 75 at once, removed by inbox-fsck --repair" {
	recv_sms SM0 +15125550101 "First" >/dev/null
	: >.git/refs/heads/main.lock
	SECONDS=0
	run --separate-stderr inbox-recv -q < <(twilio_sms SM1 +15125550100 "Hello")
	[ "$status" -eq 75 ]
	[ "$SECONDS" -lt 10 ]
	[ "$stderr" = "inbox-recv: git: refs/heads/main.lock is there: another git is writing, or one died (inbox-fsck --repair removes a stale one); try again" ]
	# a fresh one may belong to a live git: left alone, and the repair's
	# own commit is refused the same way
	run inbox-fsck --repair
	[ "$status" -eq 75 ]
	[ -e .git/refs/heads/main.lock ]
	# past the lock timeout, with nobody holding the store: removed, and
	# the message the refused delivery left is committed
	touch -d '-1 hour' .git/refs/heads/main.lock
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(printf 'repaired\t.git/refs/heads/main.lock\tstale-lock: removed')" ]
	[ ! -e .git/refs/heads/main.lock ]
	[ "$(git grep -l '^X-Inbox-Provider-Id: SM1$' HEAD -- conv | wc -l)" -eq 1 ]
	# the provider's retry files nothing twice
	run inbox-recv -q < <(twilio_sms SM1 +15125550100 "Hello")
	[ "$status" -eq 0 ]
	[ "$(grep -rl '^X-Inbox-Provider-Id: SM1$' conv | wc -l)" -eq 1 ]
	run git fsck --no-dangling
	[ "$status" -eq 0 ]
	run inbox-fsck
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}
