#!/usr/bin/env bats
# inbox-fsck: every state a crash can leave, found by hand-made examples,
# reported one line each and repaired in one commit; a second repair
# finds nothing; git fsck stays clean.

load helper
bats_require_minimum_version 1.5.0

setup() {
	# Friday 10:00 in the sample's time zone: office hours, so no
	# after-hours answer adds a message and a commit to each receipt
	export INBOX_NOW=1795190400
}

# A store with one received SMS; $ID is CONV/UNIQ, $M its file, $D its
# conversation directory.
setup_msg() {
	new_store
	ID=$(recv_sms SM1 +15125550100 "Leaking tap")
	CONV=${ID%%/*}
	UNIQ=${ID#*/}
	D=conv/${CONV:0:2}/$CONV
	M=$D/new/$UNIQ
	[ -f "$M" ]
}

# git fsck finds no error (dangling objects from crashes are fine).
git_fsck_clean() {
	run git fsck --no-dangling
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

# After a repair: nothing left, no new commit, git fsck clean.
second_run_clean() {
	local head
	head=$(git rev-parse HEAD)
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(git rev-parse HEAD)" = "$head" ]
	git_fsck_clean
}

# Commit files with git itself, as a person would (the index first made
# to match HEAD: the inbox tools never maintain it).
git_commit() {
	local msg=$1
	shift
	git reset -q
	git add -f "$@"
	git -c user.name=t -c user.email=t@t commit -q -m "$msg"
}

# Move refs/heads/main back one commit, as if the last commit was lost.
lose_last_commit() {
	git update-ref refs/heads/main HEAD~1
}

@test "fsck: a fresh store is clean" {
	new_store
	run inbox-fsck
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "fsck: a store with messages is clean, and a check changes nothing" {
	setup_msg
	tick
	recv_sms SM2 +15125550199 "Boiler noise" >/dev/null
	before=$(snapshot)
	run inbox-fsck
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(snapshot)" = "$before" ]
}

@test "fsck: -q prints nothing and exits 1 on a problem" {
	setup_msg
	echo half >"$D/tmp/$UNIQ"
	run inbox-fsck -q
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
}

@test "fsck: a message delivered but not committed is committed" {
	setup_msg
	N=$D/new/1795337700.M000000P1Q1R0badf00d.test
	sed 's/^X-Inbox-Provider-Id: .*/X-Inbox-Provider-Id: SM77/' "$M" >"$N"
	run inbox-fsck
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'uncommitted\t%s\tin the work tree, not in HEAD' "$N")" ]
	head=$(git rev-parse HEAD)
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'repaired\t%s\tuncommitted: committed' "$N")" ]
	[ "$(git log -1 --format=%s)" = "inbox-fsck: repair (1 fix)" ]
	[ "$(git log -1 --format=%an)" = office ]
	[ "$(git rev-parse HEAD~1)" = "$head" ]
	git log -1 --format=%B | grep -qx "Repaired: uncommitted $N"
	[ "$(git show "HEAD:$N" | cksum)" = "$(cksum <"$N")" ]
	second_run_clean
}

@test "fsck: a file changed after its commit differs from HEAD" {
	setup_msg
	echo "note: x" >>"$D/state"
	run inbox-fsck
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'uncommitted\t%s\tdiffers from HEAD' "$D/state")" ]
	run inbox-fsck --repair -u alice
	[ "$status" -eq 0 ]
	[ "$(git log -1 --format=%an)" = alice ]
	[ "$(git show "HEAD:$D/state" | cksum)" = "$(cksum <"$D/state")" ]
	second_run_clean
}

@test "fsck: a committed file deleted from the work tree is restored" {
	setup_msg
	cp "$M" "$BATS_TEST_TMPDIR/orig"
	rm "$M"
	run inbox-fsck
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'missing\t%s\tin HEAD, not in the work tree' "$M")" ]
	head=$(git rev-parse HEAD)
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'repaired\t%s\tmissing: restored from HEAD' "$M")" ]
	cmp "$M" "$BATS_TEST_TMPDIR/orig"
	[ "$(git rev-parse HEAD)" = "$head" ]
	second_run_clean
}

@test "fsck: a restored executable keeps its mode" {
	new_store
	mkdir -p hooks
	printf '#!/bin/sh\nexit 0\n' >hooks/post-recv
	chmod 755 hooks/post-recv
	git_commit hook hooks/post-recv
	rm hooks/post-recv
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'repaired\thooks/post-recv\tmissing: restored from HEAD')" ]
	[ -x hooks/post-recv ]
	second_run_clean
}

@test "fsck: a message moved to cur/ before the commit: the move is committed" {
	setup_msg
	mv "$M" "$D/cur/$UNIQ:2,S"
	run inbox-fsck
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'uncommitted\t%s\tin the work tree, not in HEAD\nmissing\t%s\tin HEAD, not in the work tree' "$D/cur/$UNIQ:2,S" "$M")" ]
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'repaired\t%s\tuncommitted: committed\nrepaired\t%s\tmissing: removal committed (the message is at %s)' "$D/cur/$UNIQ:2,S" "$M" "$D/cur/$UNIQ:2,S")" ]
	[ ! -e "$M" ]
	[ "$(git ls-tree -r --name-only HEAD "$D" | grep -c "$UNIQ")" -eq 1 ]
	git cat-file -e "HEAD:$D/cur/$UNIQ:2,S"
	second_run_clean
}

@test "fsck: a half-written delivery in tmp/ is removed" {
	setup_msg
	printf 'X-Inbox-Chan' >"$D/tmp/1795337700.M000000P1Q1R0badf00d.test"
	run inbox-fsck
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'stale-tmp\t%s\ta delivery that never finished' "$D/tmp/1795337700.M000000P1Q1R0badf00d.test")" ]
	head=$(git rev-parse HEAD)
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'repaired\t%s\tstale-tmp: removed' "$D/tmp/1795337700.M000000P1Q1R0badf00d.test")" ]
	[ -z "$(ls "$D/tmp")" ]
	[ "$(git rev-parse HEAD)" = "$head" ]
	second_run_clean
}

@test "fsck: a tmp/ file is not stale while another command holds the lock" {
	setup_msg
	echo half >"$D/tmp/x"
	run flock .git/inbox/lock inbox-fsck
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "fsck: a spooled payload never filed is filed once, under its name" {
	new_store
	U=1795337600.M000000P1Q1R00000000.test
	mkdir -p tmp/spool
	twilio_sms SM9 +15125550100 "Water everywhere" >"tmp/spool/$U"
	run inbox-fsck
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'spooled\ttmp/spool/%s\ta raw payload received but not filed' "$U")" ]
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	M=$(find conv -path '*/new/*' -type f)
	CONV=$(basename "$(dirname "$(dirname "$M")")")
	[ "$output" = "$(printf 'repaired\ttmp/spool/%s\tspooled: filed as %s/%s' "$U" "$CONV" "$U")" ]
	[ ! -e "tmp/spool/$U" ]
	[ "$M" = "conv/${CONV:0:2}/$CONV/new/$U" ]
	grep -qx "Water everywhere" "$M"
	[ "$(git ls-tree -r --name-only HEAD conv | grep -c /new/)" -eq 1 ]
	[ "$(find conv -path '*/new/*' -type f | wc -l)" -eq 1 ]
	git log -1 --format=%B | grep -qx "Message: $CONV/$U"
	second_run_clean
}

@test "fsck: a spooled payload whose message was filed is not filed again" {
	setup_msg
	mkdir -p tmp/spool
	twilio_sms SM1 +15125550100 "Leaking tap" >"tmp/spool/$UNIQ"
	head=$(git rev-parse HEAD)
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'repaired\ttmp/spool/%s\tspooled: already filed as %s' "$UNIQ" "$ID")" ]
	[ ! -e "tmp/spool/$UNIQ" ]
	[ "$(git rev-parse HEAD)" = "$head" ]
	[ "$(find conv -path '*/new/*' -type f | wc -l)" -eq 1 ]
	second_run_clean
}

@test "fsck: crash after the rename: the delivered file is committed, not doubled" {
	setup_msg
	# the commit and everything after the delivery never happened
	lose_last_commit
	rm -r "$D/state" idx/pid/*
	mkdir -p tmp/spool
	twilio_sms SM1 +15125550100 "Leaking tap" >"tmp/spool/$UNIQ"
	run inbox-fsck
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'uncommitted\t%s\tin the work tree, not in HEAD\nspooled\ttmp/spool/%s\ta raw payload received but not filed' "$M" "$UNIQ")" ]
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'repaired\t%s\tuncommitted: committed\nrepaired\ttmp/spool/%s\tspooled: filed as %s' "$M" "$UNIQ" "$ID")" ]
	[ "$(git log -1 --format=%s)" = "inbox-fsck: repair (2 fixes)" ]
	[ "$(git ls-tree -r --name-only HEAD conv | grep -c /new/)" -eq 1 ]
	[ "$(find conv -path '*/new/*' -type f | wc -l)" -eq 1 ]
	git cat-file -e "HEAD:$D/state"
	[ -n "$(git ls-tree -r --name-only HEAD idx/pid)" ]
	second_run_clean
}

@test "fsck: a payload that cannot be parsed stays in the spool" {
	new_store
	mkdir -p tmp/spool
	printf 'garbage' >tmp/spool/1795337600.M000000P1Q1R00000000.test
	run --separate-stderr inbox-fsck --repair
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'spooled\ttmp/spool/1795337600.M000000P1Q1R00000000.test\ta raw payload received but not filed')" ]
	[[ "$stderr" == "inbox-fsck: cannot repair tmp/spool/1795337600.M000000P1Q1R00000000.test: cannot file it: "* ]]
	[ -f tmp/spool/1795337600.M000000P1Q1R00000000.test ]
	[ "$(git rev-list --count HEAD)" -eq 1 ]
}

@test "fsck: a stale refs/heads/main.lock is removed and commits work again" {
	setup_msg
	: >.git/refs/heads/main.lock
	touch -d '2000-01-01 00:00' .git/refs/heads/main.lock
	run inbox-fsck
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'stale-lock\t.git/refs/heads/main.lock\tleft behind: older than the lock timeout and the store is not locked')" ]
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'repaired\t.git/refs/heads/main.lock\tstale-lock: removed')" ]
	[ ! -e .git/refs/heads/main.lock ]
	tick
	run recv_sms SM2 +15125550100 "Still leaking"
	[ "$status" -eq 0 ]
	[ "$(git log -1 --format=%s)" = "inbox-recv: sms from +15125550100" ]
	second_run_clean
}

@test "fsck: a lock that is recent, or whose store is locked, is not stale" {
	setup_msg
	: >.git/refs/heads/main.lock
	: >"$D/state.lock"
	run inbox-fsck
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	touch -d '2000-01-01 00:00' .git/refs/heads/main.lock "$D/state.lock"
	run flock .git/inbox/lock inbox-fsck
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	run inbox-fsck
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'stale-lock\t.git/refs/heads/main.lock\tleft behind: older than the lock timeout and the store is not locked\nstale-lock\t%s\tleft behind: older than the lock timeout and the store is not locked' "$D/state.lock")" ]
}

@test "fsck: --repair waits for the store lock, then gives up with 75" {
	setup_msg
	export INBOX_LOCK_TIMEOUT=0
	run flock .git/inbox/lock inbox-fsck --repair
	[ "$status" -eq 75 ]
	[[ "$output" == "inbox-fsck: store is busy"* ]]
}

@test "fsck: a corrupt object of HEAD is reported, not repaired, no crash" {
	setup_msg
	oid=$(git rev-parse "HEAD:$M")
	obj=.git/objects/${oid:0:2}/${oid:2}
	chmod u+w "$obj"
	printf 'not a zlib stream' >"$obj"
	run inbox-fsck
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'corrupt\t%s\tobject %s is missing or corrupt' "$M" "$oid")" ]
	head=$(git rev-parse HEAD)
	run --separate-stderr inbox-fsck --repair
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'corrupt\t%s\tobject %s is missing or corrupt' "$M" "$oid")" ]
	[ "$stderr" = "inbox-fsck: not repairing: HEAD has missing or corrupt objects; get them back from another copy of the store (git fetch) or a backup first" ]
	[ "$(git rev-parse HEAD)" = "$head" ]
}

@test "fsck: a missing tree or commit object is reported" {
	setup_msg
	oid=$(git rev-parse "HEAD:$D")
	rm -f ".git/objects/${oid:0:2}/${oid:2}"
	run inbox-fsck
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'corrupt\t%s\tobject %s is missing or corrupt' "$D" "$oid")" ]
	oid=$(git rev-parse HEAD)
	rm -f ".git/objects/${oid:0:2}/${oid:2}"
	run inbox-fsck
	[ "$status" -eq 1 ]
	[[ "$output" == "$(printf 'corrupt\trefs/heads/main\t')git: HEAD's commit is missing or corrupt: "* ]]
}

@test "fsck: a broken message is reported and never touched by repair" {
	setup_msg
	B=$D/new/1795337700.M000000P1Q1R0badf00d.test
	printf 'just some text\n' >"$B"
	printf 'From: <x@example.com>\nX-Inbox-Channel: sms\n\nhi\n' >"$D/cur/1795337701.M0P1Q1R0.t:2,S"
	git_commit "add a message" "$D/cur/1795337701.M0P1Q1R0.t:2,S"
	before=$(cksum <"$B")
	run inbox-fsck
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "$(printf 'bad-message\t%s\tno X-Inbox-Direction header' "$D/cur/1795337701.M0P1Q1R0.t:2,S")" ]
	[ "${lines[1]}" = "$(printf 'uncommitted\t%s\tin the work tree, not in HEAD' "$B")" ]
	[[ "${lines[2]}" == "$(printf 'bad-message\t%s\tdoes not parse: ' "$B")"* ]]
	[ "${#lines[@]}" -eq 3 ]
	head=$(git rev-parse HEAD)
	run --separate-stderr inbox-fsck --repair
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$stderr" = "" ]
	[ "$(cksum <"$B")" = "$before" ]
	[ "$(git rev-parse HEAD)" = "$head" ]
	git_fsck_clean
}

@test "fsck: names that are not maildir names" {
	setup_msg
	cp "$M" "$D/cur/$UNIQ"
	cp "$M" "$D/new/bad:name"
	mkdir "$D/new/sub"
	git_commit names "$D/cur/$UNIQ" "$D/new/bad:name"
	run inbox-fsck
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'bad-name\t%s\tin cur/ without ":2," and flags\nduplicate\t%s\talso at %s\nbad-name\t%s\tnot a maildir name\nbad-name\t%s\ta directory in a maildir' \
	    "$D/cur/$UNIQ" "$M" "$D/cur/$UNIQ" "$D/new/bad:name" "$D/new/sub")" ]
}

@test "fsck: a copy in new/ of a message in cur/ is removed" {
	setup_msg
	cp "$M" "$D/cur/$UNIQ:2,S"
	run inbox-fsck
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'uncommitted\t%s\tin the work tree, not in HEAD\nduplicate\t%s\talso at %s' "$D/cur/$UNIQ:2,S" "$M" "$D/cur/$UNIQ:2,S")" ]
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'repaired\t%s\tuncommitted: committed\nrepaired\t%s\tduplicate: removed (a copy of %s)' "$D/cur/$UNIQ:2,S" "$M" "$D/cur/$UNIQ:2,S")" ]
	[ ! -e "$M" ]
	[ "$(git ls-tree -r --name-only HEAD "$D" | grep -c "$UNIQ")" -eq 1 ]
	second_run_clean
}

@test "fsck: a provider's message filed twice, once uncommitted: that copy goes" {
	setup_msg
	# a crash after the delivery, then the provider's retry
	N=$D/new/1795337500.M000000P1Q1R0badf00d.test
	cp "$M" "$N"
	run inbox-fsck
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'uncommitted\t%s\tin the work tree, not in HEAD\nduplicate\t%s\tthe same provider message as %s' "$N" "$N" "$M")" ]
	head=$(git rev-parse HEAD)
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'repaired\t%s\tuncommitted: removed as a duplicate\nrepaired\t%s\tduplicate: removed (a copy of %s)' "$N" "$N" "$M")" ]
	[ ! -e "$N" ] && [ -f "$M" ]
	[ "$(git rev-parse HEAD)" = "$head" ]
	second_run_clean
}

@test "fsck: the same message in two conversations is reported only" {
	setup_msg
	tick
	ID2=$(recv_sms SM2 +15125550199 "Other")
	C2=${ID2%%/*}
	D2=conv/${C2:0:2}/$C2
	cp "$M" "$D2/new/$UNIQ"
	git_commit copy "$D2/new/$UNIQ"
	run inbox-fsck --repair
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'duplicate\t%s\talso at %s' "$D2/new/$UNIQ" "$M")" ] ||
	    [ "$output" = "$(printf 'duplicate\t%s\talso at %s' "$M" "$D2/new/$UNIQ")" ]
	[ -f "$M" ] && [ -f "$D2/new/$UNIQ" ]
}

@test "fsck: --reindex makes git status clean and drops the summary cache" {
	setup_msg
	inbox-ls >/dev/null
	[ -n "$(git status --porcelain)" ]
	run inbox-fsck --reindex
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(git status --porcelain)" = "" ]
	[ ! -e .git/inbox/summary ]
	run inbox-ls
	[ "$status" -eq 0 ]
	[[ "$output" == "$CONV"* ]]
}

@test "fsck: --json prints one object a record" {
	setup_msg
	echo half >"$D/tmp/x"
	run inbox-fsck --json
	[ "$status" -eq 1 ]
	[ "$output" = "{\"kind\":\"stale-tmp\",\"path\":\"$D/tmp/x\",\"what\":\"a delivery that never finished\"}" ]
	run inbox-fsck --json --repair
	[ "$status" -eq 0 ]
	[ "$output" = "{\"kind\":\"repaired\",\"path\":\"$D/tmp/x\",\"what\":\"stale-tmp: removed\",\"problem\":\"stale-tmp\"}" ]
}

@test "fsck: several fixes make one commit with a trailer each" {
	setup_msg
	N=$D/new/1795337700.M000000P1Q1R0badf00d.test
	sed 's/^X-Inbox-Provider-Id: .*/X-Inbox-Provider-Id: SM77/' "$M" >"$N"
	echo "note: x" >>"$D/state"
	echo half >"$D/tmp/x"
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(git log -1 --format=%s)" = "inbox-fsck: repair (3 fixes)" ]
	[ "$(git log -1 --format=%B | grep -c '^Repaired: ')" -eq 3 ]
	[ "$(git rev-list --count HEAD)" -eq 3 ]
	second_run_clean
}

@test "fsck: usage" {
	new_store
	run inbox-fsck extra
	[ "$status" -eq 64 ]
	[ "${lines[0]}" = "usage: inbox-fsck [-q] [-C DIR] [-u USER] [--json] [--repair] [--reindex] [--refetch]" ]
	run inbox-fsck -h
	[ "$status" -eq 0 ]
	[ "$output" = "usage: inbox-fsck [-q] [-C DIR] [-u USER] [--json] [--repair] [--reindex] [--refetch]" ]
	run inbox-fsck -C "$BATS_TEST_TMPDIR/nowhere"
	[ "$status" -eq 2 ]
}
