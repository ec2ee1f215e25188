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
	# the after-hours answer is the outbound message the status is about
	out=$(grep -rl '^X-Inbox-Direction: out$' conv)
	[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ]
	pid=$(sed -n 's/^X-Inbox-Provider-Id: //p' "$out")
	[ -n "$pid" ]
	printf 'MessageSid=%s&MessageStatus=delivered' "$(urlenc "$pid")" \
	    >"$BATS_TEST_TMPDIR/status"
	run env INBOX_FAULT=mid-rewrite inbox-recv <"$BATS_TEST_TMPDIR/status"
	[ "$status" -eq 137 ]
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == "repaired	conv/"*"/tmp/"*".rewrite	stale-tmp: removed" ]]
	[[ "${lines[1]}" == "repaired	tmp/spool/"*"	spooled: filed as "* ]]
	grep -qx 'X-Inbox-Status: delivered' "$out"
	git grep -q '^X-Inbox-Status: delivered$' HEAD -- "$out"
	[ "$(grep -rl '^X-Inbox-Direction: out$' conv | wc -l)" -eq 1 ]
	once
	clean
	run inbox-recv <"$BATS_TEST_TMPDIR/status"
	[ "$status" -eq 0 ]
	once
	clean
}
