#!/usr/bin/env bats
# Crash injection: inbox-recv killed at each point of lib/fault.h it
# passes, then inbox-fsck --repair: the message is in HEAD and the work
# tree exactly once, git fsck is clean, a second fsck finds nothing, and
# the provider's retry of the unacknowledged webhook files nothing twice.
#
# Builds its own binaries with -DINBOX_FAULT into build-fault/ (make
# B=build-fault FAULT=1), so the normal build is left alone.

load helper
bats_require_minimum_version 1.5.0

FAULT_BUILD="$INBOX_SRC/build-fault"

setup_file() {
	make -C "$INBOX_SRC" B=build-fault FAULT=1 -j2 build-fault/inbox-init \
	    build-fault/inbox-recv build-fault/inbox-fsck >/dev/null
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
	mkdir -p "idx/pid/${h:0:2}"
	echo "$conv/1795337000.M000000P1Q1R00000000.test" >"idx/pid/${h:0:2}/$h"
	git reset -q
	git add "$out" "idx/pid/${h:0:2}/$h"
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
