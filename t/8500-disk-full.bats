#!/usr/bin/env bats
# Resources.  A full disk (a small tmpfs, so root only): inbox-recv and
# inbox-send fail with 75 at whatever step the space runs out (the spool,
# the index, the maildir, a state file, a git object, the tree, the ref),
# leave nothing half-written, and recover once space returns: the
# provider's retry files the message once, a send is either queued for
# the next flush or not there at all (so running it again sends it once),
# and a message the transport took is never handed over twice.  And a
# hook that hangs (after-hours) is killed at its timeout.  A provider that
# hangs is cut off at the transport timeout: t/3100-transports.bats.

load helper
load data/outbound
bats_require_minimum_version 1.5.0

# Pages (4 KiB) left free after the filler: 0 fails at the first write,
# the larger ones in git's objects, the tree, the ref, the outcome.
LEVELS="0 1 2 3 4 5 6 8 10 11 12 13 14 16 20 24 32"

setup() {
	T=$BATS_TEST_TMPDIR
	D=$T/disk
}

teardown() {
	if [ -n "$MOUNTED" ]; then
		cd /
		umount "$D" 2>/dev/null || umount -l "$D"
	fi
}

# A 1 MiB tmpfs at $D (a fresh store takes about 270 KiB of it in 4 KiB
# pages; 400 KiB leaves too little for a send and its retry), or skip.
tmpfs() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	mkdir -p "$D"
	mount -t tmpfs -o size=1m tmpfs "$D" 2>/dev/null ||
	    skip "cannot mount a tmpfs here"
	MOUNTED=1
}

# full PAGES: fill the disk, then free PAGES pages.
full() {
	dd if=/dev/zero of="$D/filler" bs=4k 2>/dev/null || true
	[ "$1" -eq 0 ] || truncate -s "-$(($1 * 4))k" "$D/filler"
}

# A new store on the tmpfs with one conversation in it.
disk_store() {
	rm -rf "${D:?}"/*
	S=$D/store
	inbox-init -q "$S"
	export INBOX_DIR=$S
	cd "$S"
	no_autoreply
	recv_sms SM0 +15125550100 "First" >/dev/null
}

# Nothing half-written: no file in a maildir's tmp/, no NAME.lock, every
# message in new/ and cur/ a whole one (inbox-fsck reports a broken one).
whole() {
	[ -z "$(find conv -path '*/tmp/*' -type f)" ] &&
	    [ -z "$(find . -name '*.lock' -type f)" ] &&
	    ! inbox-fsck | grep -q '^bad-'
}

clean() {
	run git fsck --no-dangling
	[ "$status" -eq 0 ] || { echo "git fsck: $output"; return 1; }
	run inbox-fsck
	[ "$status" -eq 0 ] && [ "$output" = "" ] ||
	    { echo "inbox-fsck: $output"; return 1; }
}

@test "disk full: inbox-recv says 75 at every step, then files the retry once" {
	local k rc n seen=""
	tmpfs
	for k in $LEVELS; do
		disk_store
		full "$k"
		twilio_sms "SM$k" +15125550100 "Disk full $k" >"$T/sms"
		rc=0
		inbox-recv -q <"$T/sms" 2>"$T/err" || rc=$?
		echo "$k pages: exit $rc: $(cat "$T/err")"
		[ "$rc" -eq 0 ] || [ "$rc" -eq 75 ]
		[ "$rc" -eq 0 ] || [ "$(wc -l <"$T/err")" -eq 1 ]
		seen="$seen $rc"
		whole
		rm "$D/filler"
		# the provider's retry; a repair files what the first left
		[ "$rc" -eq 0 ] || inbox-recv -q <"$T/sms"
		inbox-fsck -q --repair
		n=$(grep -rl '^X-Inbox-Provider-Id: '"SM$k"'$' conv | wc -l)
		[ "$n" -eq 1 ]
		[ "$(git grep -l '^X-Inbox-Provider-Id: '"SM$k"'$' HEAD -- conv |
		    wc -l)" -eq 1 ]
		[ -z "$(ls tmp/spool)" ]
		clean
	done
	# the space ran out at every step but the last
	[[ "$seen" == *75* ]]
	echo "# inbox-recv on a full disk at ${LEVELS// /, } free pages: exit$seen" >&3
}

@test "disk full: inbox-send says 75 (nothing queued, or queued for the flush) or 2 (went out), never sends twice" {
	local k rc n seen="" text
	tmpfs
	for k in $LEVELS; do
		disk_store
		C=$(conv_of +15125550100)
		full "$k"
		text="Disk full $k"
		rc=0
		inbox-send -q "$C" "$text" 2>"$T/err" || rc=$?
		echo "$k pages: exit $rc: $(cat "$T/err")"
		[ "$rc" -eq 0 ] || [ "$rc" -eq 75 ] || [ "$rc" -eq 2 ]
		[ "$rc" -eq 0 ] || [ "$(wc -l <"$T/err")" -eq 1 ]
		[ "$rc" -ne 2 ] || grep -q 'went out.*do not send it again' "$T/err"
		seen="$seen $rc"
		whole
		rm "$D/filler"
		inbox-fsck -q --repair
		# not in the store: nothing was queued, so it is sent again
		if ! grep -rqlx "$text" conv; then
			[ "$rc" -eq 75 ]
			inbox-send -q "$C" "$text"
		fi
		inbox-send -q --flush
		INBOX_NOW=$((INBOX_NOW + 3600)) inbox-send -q --flush
		n=$(grep -rlx "$text" conv | wc -l)
		[ "$n" -eq 1 ]
		[ "$(git grep -l "^$text\$" HEAD -- conv | wc -l)" -eq 1 ]
		# handed to the transport exactly once
		[ "$(grep -rlx "$text" tmp/outbox | wc -l)" -eq 1 ]
		[ -z "$(ls idx/queue 2>/dev/null)" ]
		clean
	done
	[[ "$seen" == *75* ]]
	echo "# inbox-send on a full disk at ${LEVELS// /, } free pages: exit$seen" >&3
}

@test "disk full: inbox-maint --full says 75 and changes nothing, then repacks" {
	local k rc seen="" before
	tmpfs
	for k in 2 4 8 12 16 24; do
		disk_store
		for i in 1 2 3 4; do
			tick
			recv_sms "SM$k$i" +1512555020$i "Message $i" >/dev/null
		done
		git repack -d -q
		full "$k"
		before=$(find .git/objects -type f | sort | xargs md5sum)
		rc=0
		inbox-maint -q --full 2>"$T/err" || rc=$?
		echo "$k pages: exit $rc: $(cat "$T/err")"
		seen="$seen $rc"
		rm "$D/filler"
		[ ! -e .git/objects/repack.tmp ]
		if [ "$rc" -ne 0 ]; then
			[ "$rc" -eq 75 ]
			[ "$(wc -l <"$T/err")" -eq 1 ]
			[ "$(find .git/objects -type f | sort | xargs md5sum)" = "$before" ]
			inbox-maint -q --full
		fi
		[ "$(find .git/objects/pack -name '*.pack' | wc -l)" -eq 1 ]
		[ "$(inbox-ls --all | wc -l)" -eq 5 ]
		clean
	done
	[[ "$seen" == *75* ]]
	echo "# inbox-maint --full on a full disk at 2, 4, 8, 12, 16, 24 free pages: exit$seen" >&3
}

@test "after-hours: a hook that hangs is killed at its timeout; the message is filed" {
	new_store
	hours() {
		printf 'hours:\n  mon: closed\n  tue: closed\n  wed: closed\n  thu: closed\n  fri: closed\n  sat: closed\n  sun: closed\n' >>inbox.yaml
	}
	hours
	printf '#!/bin/sh\nsleep 60 &\necho $! >"%s/pid"\nwait\n' \
	    "$BATS_TEST_TMPDIR" >hooks/after-hours
	chmod +x hooks/after-hours
	git_commit "test: closed, and an after-hours hook that hangs"
	SECONDS=0
	run --separate-stderr env INBOX_HOOK_TIMEOUT=1 inbox-recv \
	    < <(twilio_sms SM1 +15125550100 "Anyone there?")
	[ "$SECONDS" -lt 10 ]
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$stderr" = "inbox-recv: after-hours hook failed for $(conv_of +15125550100)
hook after-hours killed after 1s" ]
	# killed with its children: the hook's sleep is gone too (or a
	# zombie nobody has reaped yet)
	p=$(cat "$BATS_TEST_TMPDIR/pid")
	! kill -0 "$p" 2>/dev/null || [ "$(ps -o stat= -p "$p" | cut -c1)" = Z ]
	[ "$(git grep -l '^X-Inbox-Provider-Id: SM1$' HEAD -- conv | wc -l)" -eq 1 ]
	run inbox-fsck
	[ "$status" -eq 0 ]
}
