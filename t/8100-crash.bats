#!/usr/bin/env bats
# Crash injection: inbox-recv killed at each point of lib/fault.h it
# passes, then inbox-fsck --repair: the message is in HEAD and the work
# tree exactly once, git fsck is clean, a second fsck finds nothing, and
# the provider's retry of the unacknowledged webhook files nothing twice.
# Then the same for inbox-send (queue, the "sending" rewrite, the
# transport, the rewrite of the outcome, its commit), inbox-send --flush,
# inbox-assign and inbox-archive: after the repair every message is there
# once, nothing half-written is left, and a message the transport may
# have taken is never handed to it again.
#
# Builds its own binaries with -DINBOX_FAULT into build-fault/ (make
# B=build-fault FAULT=1), so the normal build is left alone;
# INBOX_FAULT_BUILD names another directory for them.

load helper
bats_require_minimum_version 1.5.0

FAULT_BUILD=${INBOX_FAULT_BUILD:-$INBOX_SRC/build-fault}

setup_file() {
	local b
	for b in inbox-init inbox-recv inbox-fsck inbox-send inbox-assign \
	    inbox-archive inbox-maint inbox-ls; do
		set -- "$@" "$FAULT_BUILD/$b"
	done
	make -C "$INBOX_SRC" B="$FAULT_BUILD" FAULT=1 -j2 "$@" >/dev/null
}

setup() {
	export PATH="$FAULT_BUILD:$PATH"
	new_store
	twilio_sms SM1 +15125550100 "Crash test" >"$BATS_TEST_TMPDIR/sms"
}

# The inbound message is in HEAD and in the work tree exactly once (the
# after-hours hook may have answered it: outbound messages do not count).
once() {
	[ "$(git grep -l '^X-Inbox-Direction: in$' HEAD -- conv | wc -l)" -eq 1 ]
	[ "$(grep -rl '^X-Inbox-Direction: in$' conv | wc -l)" -eq 1 ]
	m=$(grep -rl '^X-Inbox-Direction: in$' conv)
	grep -qx "Crash test" "$m"
	git cat-file -e "HEAD:$m"
	git cat-file -e "HEAD:$(dirname "$(dirname "$m")")/state"
	git grep -q '^X-Inbox-Provider-Id: SM1$' HEAD -- "$m"
	[ -z "$(ls tmp/spool)" ]
}

clean() {
	run git fsck --no-dangling
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	run inbox-fsck
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

# crash POINT: recv killed there, repaired, retried by the provider.
crash() {
	run env INBOX_FAULT="$1" inbox-recv <"$BATS_TEST_TMPDIR/sms"
	[ "$status" -eq 137 ]
	run inbox-fsck -q
	[ "$status" -eq 1 ]
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	once
	clean
	# no answer reached the provider: it sends the webhook again
	run inbox-recv <"$BATS_TEST_TMPDIR/sms"
	[ "$status" -eq 0 ]
	once
	clean
}

# crash_retry POINT: the provider's retry comes before the repair.
crash_retry() {
	run env INBOX_FAULT="$1" inbox-recv <"$BATS_TEST_TMPDIR/sms"
	[ "$status" -eq 137 ]
	run inbox-recv <"$BATS_TEST_TMPDIR/sms"
	[ "$status" -eq 0 ]
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	once
	clean
}

@test "crash: the fault build is in use" {
	[ "$(command -v inbox-recv)" = "$FAULT_BUILD/inbox-recv" ]
	run env INBOX_FAULT=while-locked inbox-recv <"$BATS_TEST_TMPDIR/sms"
	[ "$status" -eq 137 ]
}

@test "crash: while-locked" {
	crash while-locked
}

@test "crash: after-tmp-write" {
	crash after-tmp-write
}

@test "crash: after-fsync" {
	crash after-fsync
}

@test "crash: after-rename" {
	crash after-rename
}

@test "crash: after-blob" {
	crash after-blob
}

@test "crash: after-tree" {
	crash after-tree
}

@test "crash: before-ref-update" {
	crash before-ref-update
}

@test "crash, retry, then repair: while-locked" {
	crash_retry while-locked
}

@test "crash, retry, then repair: after-tmp-write" {
	crash_retry after-tmp-write
}

@test "crash, retry, then repair: after-fsync" {
	crash_retry after-fsync
}

@test "crash, retry, then repair: after-rename" {
	crash_retry after-rename
}

@test "crash, retry, then repair: after-blob" {
	crash_retry after-blob
}

@test "crash, retry, then repair: after-tree" {
	crash_retry after-tree
}

@test "crash, retry, then repair: before-ref-update" {
	crash_retry before-ref-update
}

@test "crash: mid-rewrite of a message by a status callback" {
	inbox-recv <"$BATS_TEST_TMPDIR/sms" >/dev/null
	# an outbound message the status is about, committed by hand
	m=$(grep -rl '^X-Inbox-Direction: in$' conv)
	d=$(dirname "$(dirname "$m")")
	conv=$(basename "$d")
	out=$d/cur/1795337000.M000000P1Q1R00000000.test:2,S
	printf '%s\n' 'X-Inbox-Channel: sms' 'X-Inbox-Direction: out' \
	    'X-Inbox-Type: manual' 'X-Inbox-Status: sent' \
	    'X-Inbox-Provider-Id: SMout1' 'Date: Sun, 22 Nov 2026 08:50:00 +0000' \
	    'From: <+15550001111>' 'To: <+15125550100>' '' 'On our way' >"$out"
	h=$(printf %s SMout1 | sha1sum | cut -c1-40)
	mkdir -p "idx/pid/${h:0:2}/${h:2:2}"
	echo "$conv/1795337000.M000000P1Q1R00000000.test" >"idx/pid/${h:0:2}/${h:2:2}/$h"
	git reset -q
	git add "$out" "idx/pid/${h:0:2}/${h:2:2}/$h"
	git -c user.name=t -c user.email=t@t commit -q -m outbound
	printf 'MessageSid=SMout1&MessageStatus=delivered' >"$BATS_TEST_TMPDIR/status"
	run env INBOX_FAULT=mid-rewrite inbox-recv <"$BATS_TEST_TMPDIR/status"
	[ "$status" -eq 137 ]
	[ -f "$d/tmp/1795337000.M000000P1Q1R00000000.test.rewrite" ]
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "$(printf 'repaired\t%s\tstale-tmp: removed' "$d/tmp/1795337000.M000000P1Q1R00000000.test.rewrite")" ]
	[[ "${lines[1]}" == "repaired	tmp/spool/"*"	spooled: filed as $conv/1795337000.M000000P1Q1R00000000.test" ]]
	grep -qx 'X-Inbox-Status: delivered' "$out"
	git grep -q '^X-Inbox-Status: delivered$' HEAD -- "$out"
	once
	clean
	run inbox-recv <"$BATS_TEST_TMPDIR/status"
	[ "$status" -eq 0 ]
	once
	clean
}

# --- inbox-send, inbox-send --flush ------------------------------------

C=eff5a9af2f8e	# the conversation of +15125550100

# The customer's SMS, filed; the office is open (no hours configured).
conversation() {
	inbox-recv <"$BATS_TEST_TMPDIR/sms" >/dev/null
	[ -d "conv/${C:0:2}/$C" ]
}

# Copies of the outbound text in the work tree, and in HEAD.
out_wt() {
	grep -rlx 'Crash send' conv | wc -l
}
out_head() {
	git grep -l '^Crash send$' HEAD -- conv | wc -l
}

# Files the spool transport handed over (tmp/outbox/).
spooled() {
	find tmp/outbox -type f 2>/dev/null | wc -l
}

# The status of the one outbound copy, or "none".
out_status() {
	local m
	m=$(grep -rlx 'Crash send' conv) || { echo none; return; }
	sed -n 's/^X-Inbox-Status: //p' "$m"
}

# Nothing half-written in a maildir, the inbound message once, the
# outbound one at most once and the same in HEAD.
settled() {
	once
	[ -z "$(find conv -path '*/tmp/*' -type f)" ]
	[ "$(out_wt)" -le 1 ]
	[ "$(out_wt)" -eq "$(out_head)" ]
}

# send_crash STATUS SPOOL POINT CMD...: CMD killed at POINT, repaired;
# two flushes (now, and past the time a "sending" message is stale) must
# leave the outbound message with STATUS ("none": never written) and
# SPOOL copies handed to the transport: never more than one, and never
# a second one after the crash.
send_crash() {
	local want=$1 wspool=$2 point=$3 before
	shift 3
	run env INBOX_FAULT="$point" "$@"
	[ "$status" -eq 137 ]
	before=$(spooled)
	[ "$before" -le 1 ]
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	settled
	clean
	run inbox-send -q --flush
	[ "$status" -eq 0 ]
	tick 3600
	run inbox-send -q --flush
	[ "$status" -eq 0 ]
	settled
	clean
	[ "$(out_status)" = "$want" ]
	[ "$(spooled)" -eq "$wspool" ]
	[ "$(spooled)" -ge "$before" ]
	# nothing is left waiting in the queue
	[ -z "$(ls idx/queue 2>/dev/null)" ]
	[ -z "$(git ls-tree --name-only HEAD idx/queue/)" ]
}

# crash_send STATUS SPOOL POINT: inbox-send TARGET TEXT.
crash_send() {
	conversation
	send_crash "$1" "$2" "$3" inbox-send -q "$C" "Crash send"
}

# crash_flush STATUS SPOOL POINT: a message scheduled an hour ago, then
# inbox-send --flush.
crash_flush() {
	conversation
	inbox-send -q --at +1h "$C" "Crash send"
	[ "$(out_status)" = scheduled ]
	tick 3600
	send_crash "$1" "$2" "$3" inbox-send -q --flush
}

@test "crash send: while-locked (nothing written)" {
	crash_send none 0 while-locked
}

@test "crash send: after-tmp-write (only tmp/, removed)" {
	crash_send none 0 after-tmp-write
}

@test "crash send: after-fsync (only tmp/, removed)" {
	crash_send none 0 after-fsync
}

@test "crash send: after-rename (queued uncommitted: committed, sent)" {
	crash_send sent 1 after-rename
}

@test "crash send: after-blob of the queue commit" {
	crash_send sent 1 after-blob
}

@test "crash send: after-tree of the queue commit" {
	crash_send sent 1 after-tree
}

@test "crash send: before-ref-update of the queue commit" {
	crash_send sent 1 before-ref-update
}

@test "crash send: while-locked for the delivery" {
	crash_send sent 1 while-locked:2
}

@test "crash send: mid-rewrite to sending (still queued: sent once)" {
	crash_send sent 1 mid-rewrite
}

@test "crash send: before-transport (failed as interrupted, never sent)" {
	crash_send failed 0 before-transport
}

@test "crash send: while-locked after the transport (taken once, never again)" {
	crash_send failed 1 while-locked:3
}

@test "crash send: mid-rewrite of the outcome (taken once, never again)" {
	crash_send failed 1 mid-rewrite:2
}

@test "crash send: after-blob of the outcome commit" {
	crash_send sent 1 after-blob:2
}

@test "crash send: after-tree of the outcome commit" {
	crash_send sent 1 after-tree:2
}

@test "crash send: before-ref-update of the outcome commit" {
	crash_send sent 1 before-ref-update:2
}

@test "crash send: a message interrupted mid-delivery says so" {
	crash_send failed 1 while-locked:3
	m=$(grep -rlx 'Crash send' conv)
	grep -qx 'X-Inbox-Error: delivery was interrupted; the provider may have it: check before retrying' "$m"
}

@test "crash send: a sent message a crash left in the queue is let go by the next flush" {
	conversation
	inbox-send -q "$C" "Crash send"
	[ "$(out_status)" = sent ]
	# what a crash between the outcome's rewrite and the dequeue leaves
	# (no fault point falls there; t/8310-soak.bats found it)
	m=$(grep -rlx 'Crash send' conv)
	u=${m##*/}
	u=${u%%:*}
	echo "$C/$u" >"idx/queue/$u"
	git reset -q
	git add "idx/queue/$u"
	git -c user.name=t -c user.email=t@t commit -q -m "left in the queue"
	run inbox-send --flush
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(git log -1 --format=%s)" = "inbox-send: unqueue $C/$u: sent" ]
	[ -z "$(ls idx/queue)" ]
	[ -z "$(git ls-tree --name-only HEAD idx/queue/)" ]
	[ "$(spooled)" -eq 1 ]
	settled
	clean
}

@test "crash flush: while-locked" {
	crash_flush sent 1 while-locked
}

@test "crash flush: mid-rewrite to sending" {
	crash_flush sent 1 mid-rewrite
}

@test "crash flush: before-transport" {
	crash_flush failed 0 before-transport
}

@test "crash flush: while-locked after the transport" {
	crash_flush failed 1 while-locked:2
}

@test "crash flush: mid-rewrite of the outcome" {
	crash_flush failed 1 mid-rewrite:2
}

@test "crash flush: after-blob" {
	crash_flush sent 1 after-blob
}

@test "crash flush: after-tree" {
	crash_flush sent 1 after-tree
}

@test "crash flush: before-ref-update" {
	crash_flush sent 1 before-ref-update
}

# --- inbox-assign, inbox-archive ----------------------------------------

# state_crash FIELD POINT CMD...: CMD killed at POINT, repaired, run
# again: the conversation's state has FIELD exactly once, in HEAD as in
# the work tree, and the message is still there once.
state_crash() {
	local field=$1 point=$2 s=conv/${C:0:2}/$C/state
	shift 2
	conversation
	run env INBOX_FAULT="$point" "$@"
	[ "$status" -eq 137 ]
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	once
	clean
	[ "$(git show "HEAD:$s" | grep -c "^$field")" -le 1 ]
	# the person tries again: done, or done already
	run "$@"
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ]
	once
	clean
	[ "$(git show "HEAD:$s" | grep -c "^$field")" -eq 1 ]
	[ "$(grep -c "^$field" "$s")" -eq 1 ]
}

@test "crash assign: while-locked" {
	state_crash 'assignee: office$' while-locked inbox-assign -q $C office
}

@test "crash assign: after-blob" {
	state_crash 'assignee: office$' after-blob inbox-assign -q $C office
}

@test "crash assign: after-tree" {
	state_crash 'assignee: office$' after-tree inbox-assign -q $C office
}

@test "crash assign: before-ref-update" {
	state_crash 'assignee: office$' before-ref-update \
	    inbox-assign -q $C office
}

@test "crash archive: while-locked" {
	state_crash 'archived: ' while-locked inbox-archive -q $C
}

@test "crash archive: after-blob" {
	state_crash 'archived: ' after-blob inbox-archive -q $C
}

@test "crash archive: after-tree" {
	state_crash 'archived: ' after-tree inbox-archive -q $C
}

@test "crash archive: before-ref-update" {
	state_crash 'archived: ' before-ref-update inbox-archive -q $C
}

# A batch is made durable at its commit (one syncfs, not an fsync a
# file): killed anywhere before, nothing of it is acknowledged, and the
# importer's run again files every message once.
batch_crash() {
	local i
	for i in $(seq 1 40); do
		printf '{"type":"message","id":"bat-%d","time":"2026-11-22T08:%02d:00Z","from":"+1512555%04d","body":"Batch %d"}\n' \
		    "$i" "$i" "$((i % 7))" "$i"
	done >"$BATS_TEST_TMPDIR/batch"
	head=$(git rev-parse HEAD)
	run env INBOX_FAULT="$1" inbox-recv --batch <"$BATS_TEST_TMPDIR/batch"
	[ "$status" -eq 137 ]
	[ "$(git rev-parse HEAD)" = "$head" ]
	[ -z "${2:-}" ] || inbox-fsck -q --repair || true
	run inbox-recv --batch <"$BATS_TEST_TMPDIR/batch"
	[ "$status" -eq 0 ]
	[ "$(git log -1 --format=%s)" = "inbox-recv: batch of 40 events" ] ||
	    [ -n "${2:-}" ]
	for i in $(seq 1 40); do
		[ "$(git grep -l "^Batch $i\$" HEAD -- conv | wc -l)" -eq 1 ]
		[ "$(grep -rlx "Batch $i" conv | wc -l)" -eq 1 ]
	done
	clean
}

@test "crash batch: in the middle of it, run again" {
	batch_crash after-rename:25
}

@test "crash batch: before the branch moves, run again" {
	batch_crash before-ref-update
}

@test "crash batch: in the middle of it, repaired, run again" {
	batch_crash after-tmp-write:30 repair
}

# inbox-maint --full killed when its pack is written but not in place,
# when it is in place and the old ones not yet removed, and when the old
# packs are gone but not the loose objects: every commit still reads
# whole, and the next run finishes the work.
@test "crash: inbox-maint --full at each step of its repack" {
	inbox-recv <"$BATS_TEST_TMPDIR/sms" >/dev/null
	git repack -a -d -q
	tick
	twilio_sms SM2 +15125550101 "Second" | inbox-recv >/dev/null
	want=$(git rev-list --objects --all --reflog | sort)
	list=$(inbox-ls --all)
	for point in repack-written repack-installed repack-dropped; do
		run env INBOX_FAULT="$point" inbox-maint -q --full
		[ "$status" -eq 137 ]
		git fsck --full --no-dangling 2>&1
		[ "$(git rev-list --objects --all --reflog | sort)" = "$want" ]
		[ "$(inbox-ls --all)" = "$list" ]
	done
	run inbox-maint -q --full
	[ "$status" -eq 0 ]
	[ ! -e .git/objects/repack.tmp ]
	[ "$(packs)" -eq 1 ]
	git fsck --full --strict --no-dangling 2>&1
	clean
}
