#!/usr/bin/env bats
# inbox-sync: two and three stores in step through a bare remote, on a
# file remote and over a real git daemon on 127.0.0.1; merges by rule
# that converge whichever side merges; the sending-host rule; an
# unreachable remote leaves the store as it was.

load helper
bats_require_minimum_version 1.5.0

X=+15125550100		# conversation eff5a9af2f8e
Y=+15125550101		# conversation 16aedeec85a0
CX=eff5a9af2f8e
CY=16aedeec85a0
# Monday 2026-11-23 09:00 in Chicago: the office is open
MONDAY=1795446000

setup() {
	export INBOX_NOW=$MONDAY
	unset SSH_AUTH_SOCK INBOX_DIR
	T=$BATS_TEST_TMPDIR
	R=$T/remote.git
	A=$T/a
	B=$T/b
	: >"$T/pids"
	git init -q --bare -b main "$R"
	inbox-init -q "$A" >/dev/null
	git -C "$A" remote add origin "$R"
	inbox-sync -q -C "$A"
	inbox-sync -q --clone "$R" "$B"
}

teardown() {
	local pid
	# git daemon writes its pid without a newline
	[ ! -e "$T/daemon.pid" ] || echo "$(cat "$T/daemon.pid")" >>"$T/pids"
	while read -r pid; do
		kill "$pid" 2>/dev/null || true
	done <"$T/pids"
}

# on STORE CMD...: run an inbox command in a store.
on() {
	local d=$1
	shift
	INBOX_DIR=$d "$@"
}

# sms STORE SID FROM TEXT: the customer texts that store's webhook.
sms() {
	twilio_sms "$2" "$3" "$4" | INBOX_DIR=$1 inbox-recv >/dev/null
}

tree() {
	git -C "$1" rev-parse 'HEAD^{tree}'
}

# Message files of a store, and their unique names (once each if no
# message is duplicated).
nmsgs() {
	find "$1/conv" -path '*/new/*' -type f -o -path '*/cur/*' -type f |
	    wc -l
}
uniqs() {
	find "$1/conv" -path '*/new/*' -type f -o -path '*/cur/*' -type f |
	    sed 's,.*/,,; s/:2,.*//' | LC_ALL=C sort
}

state() {
	cat "$1/conv/${2:0:2}/$2/state"
}

# The store's work tree is exactly HEAD's tree (a scratch index: the
# store's own is not kept by design).
clean() {
	local idx="$T/scratch-index"
	rm -f "$idx"
	(cd "$1" && GIT_INDEX_FILE=$idx git add -A &&
	    GIT_INDEX_FILE=$idx git diff --cached --quiet HEAD)
}

# Every store given has the same tree, a clean work tree and a clean
# object database; the remote too.
same() {
	local t s
	t=$(tree "$1")
	for s in "$@"; do
		[ "$(tree "$s")" = "$t" ]
		clean "$s"
		git -C "$s" fsck --no-dangling --no-progress
	done
	git -C "$R" fsck --no-dangling --no-progress
	[ "$(git -C "$R" rev-parse 'main^{tree}')" = "$t" ]
}

# daemon: serve $T over git:// on a free port ($PORT), push allowed.
# --detach returns before the daemon writes its pid file and listens:
# wait until it answers (no sleeping: each try fails at once until then).
daemon() {
	local i=0
	PORT=$(free_port)
	git daemon --export-all --enable=receive-pack --base-path="$T" \
	    --listen=127.0.0.1 --port="$PORT" --reuseaddr --detach \
	    --pid-file="$T/daemon.pid" 3>&-
	until git ls-remote "git://127.0.0.1:$PORT/remote.git" \
	    >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -lt 2000 ] || return 1
	done
	echo "$(cat "$T/daemon.pid")" >>"$T/pids"
}

# Both offices work offline: texts in each, then each office works the
# conversations it has.
offline_work() {
	sms "$A" SM1 $X "The boiler is leaking"
	tick
	sms "$B" SM2 $Y "Can you quote a new tap?"
	tick
	sms "$A" SM3 $X "Water on the floor now"
	tick
	on "$A" inbox-assign -q $CX alice
	tick
	on "$B" inbox-assign -q $CY bob
	tick
	on "$A" inbox-flag -q --read $CX
	tick
	on "$B" inbox-send -q $CY "A new tap is 120 dollars fitted"
	tick
	on "$A" inbox-send -q $CX "On our way"
	tick
	on "$B" inbox-archive -q $CY
	tick
}

@test "sync: a new store goes to an empty remote; --clone makes the second" {
	rm -rf "$R" "$B"
	git init -q --bare -b main "$R"
	run --separate-stderr inbox-sync -C "$A"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'origin\tpush\tin 0\tout 1')" ]
	[ "$stderr" = "" ]
	[ "$(git -C "$R" rev-parse main)" = "$(git -C "$A" rev-parse HEAD)" ]
	run inbox-sync --clone "$R" "$B"
	[ "$status" -eq 0 ]
	[ "$output" = "$B" ]
	[ -d "$B/.git/inbox" ]
	[ "$(stat -c %a "$B/secrets")" = 700 ]
	[ -d "$B/tmp" ]
	run inbox-sync -C "$B"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'origin\tup-to-date\tin 0\tout 0')" ]
	run inbox-sync -C "$B" --status
	[ "$output" = "$(printf 'origin\tahead 0\tbehind 0\tsynced 2026-11-23T15:00:00Z')" ]
	same "$A" "$B"
}

@test "sync: two offices work offline and converge, nothing lost or twice" {
	offline_work
	na=$(nmsgs "$A")
	nb=$(nmsgs "$B")
	[ "$na" -eq 3 ] && [ "$nb" -eq 2 ]
	run inbox-sync -C "$A"
	[ "$output" = "$(printf 'origin\tpush\tin 0\tout 6')" ]
	run inbox-sync -C "$B"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'origin\tmerge\tin 6\tout 6')" ]
	run inbox-sync -C "$A"
	[ "$output" = "$(printf 'origin\tfast-forward\tin 6\tout 0')" ]
	same "$A" "$B"
	[ "$(nmsgs "$A")" -eq $((na + nb)) ]
	[ "$(uniqs "$A" | uniq | wc -l)" -eq $((na + nb)) ]
	[ "$(uniqs "$A")" = "$(uniqs "$B")" ]
	# each office's work is in the other
	grep -qx 'assignee: alice' "$B/conv/ef/$CX/state"
	grep -q '^archived: ' "$A/conv/16/$CY/state"
	[ "$(ls "$A/conv/ef/$CX/new" | wc -l)" -eq 0 ]
	# the listing cache follows the merge
	[ "$(on "$A" inbox-ls | cut -f1)" = "$CX" ]
	[ "$(on "$A" inbox-ls --archived | cut -f1)" = "$CY" ]
	run inbox-sync -C "$B"
	[ "$output" = "$(printf 'origin\tup-to-date\tin 0\tout 0')" ]
}

@test "sync: the merged tree does not depend on which office merges" {
	sms "$A" SM1 $X "The boiler is leaking"
	inbox-sync -q -C "$A"
	inbox-sync -q -C "$B"
	tick
	offline_work
	on "$A" inbox-assign -q --add-member carol $CX
	tick
	on "$B" inbox-assign -q $CX dave
	tick
	on "$B" inbox-flag -q --flag $CX
	tick
	for s in a b remote.git; do cp -a "$T/$s" "$T/2$s"; done
	git -C "$T/2a" remote set-url origin "$T/2remote.git"
	git -C "$T/2b" remote set-url origin "$T/2remote.git"
	# A first, then B
	inbox-sync -q -C "$A"
	inbox-sync -q -C "$B"
	inbox-sync -q -C "$A"
	same "$A" "$B"
	# B first, then A
	inbox-sync -q -C "$T/2b"
	inbox-sync -q -C "$T/2a"
	inbox-sync -q -C "$T/2b"
	[ "$(tree "$T/2a")" = "$(tree "$A")" ]
	[ "$(tree "$T/2b")" = "$(tree "$A")" ]
	[ "$(git -C "$T/2a" rev-parse HEAD)" != "$(git -C "$A" rev-parse HEAD)" ]
}

@test "sync: three offices converge" {
	C=$T/c
	inbox-sync -q --clone "$R" "$C"
	offline_work
	sms "$C" SM7 +15125550102 "Is Friday free?"
	tick
	sms "$C" SM8 $X "Also the radiator"
	tick
	on "$C" inbox-assign -q $CX erin
	tick
	n=$(( $(nmsgs "$A") + $(nmsgs "$B") + $(nmsgs "$C") ))
	inbox-sync -q -C "$A"
	inbox-sync -q -C "$B"
	inbox-sync -q -C "$C"
	inbox-sync -q -C "$A"
	inbox-sync -q -C "$B"
	same "$A" "$B" "$C"
	[ "$(nmsgs "$C")" -eq "$n" ]
	[ "$(uniqs "$C" | uniq | wc -l)" -eq "$n" ]
	# C assigned last
	grep -qx 'assignee: erin' "$A/conv/ef/$CX/state"
}

@test "sync: concurrent assignment, the later one wins; member lines merge as sets" {
	sms "$A" SM1 $X "The boiler is leaking"
	on "$A" inbox-assign -q $CX alice
	on "$A" inbox-assign -q --add-member bob $CX
	inbox-sync -q -C "$A"
	inbox-sync -q -C "$B"
	tick
	on "$A" inbox-assign -q $CX carol
	tick
	on "$B" inbox-assign -q $CX dave
	on "$B" inbox-assign -q --remove-member bob $CX
	tick
	# A's last change to the file is later, but not to the assignment
	on "$A" inbox-archive -q $CX
	tick
	inbox-sync -q -C "$B"
	run inbox-sync -C "$A"
	[ "$output" = "$(printf 'origin\tmerge\tin 2\tout 3')" ]
	inbox-sync -q -C "$B"
	same "$A" "$B"
	run grep -E '^(assignee|member|archived):' "$A/conv/ef/$CX/state"
	[ "$output" = "assignee: dave
member: alice
member: carol
archived: 2026-11-23T15:03:00Z
member: dave" ]
	[ "$(git -C "$A" log -1 --format=%B)" = "inbox-sync: merge origin (0 paths from them, 1 merged by rule)

Merge-Rule: state conv/ef/$CX/state" ]
	[ "$(git -C "$A" log -1 --format=%an)" = office ]
	[ "$(git -C "$A" rev-list --parents -1 HEAD | wc -w)" -eq 3 ]
}

@test "sync: an archive older than a message the other office received is undone" {
	sms "$A" SM1 $X "The boiler is leaking"
	inbox-sync -q -C "$A"
	inbox-sync -q -C "$B"
	tick
	on "$A" inbox-archive -q $CX
	tick
	sms "$B" SM2 $X "Are you still coming?"
	tick
	inbox-sync -q -C "$A"
	inbox-sync -q -C "$B"
	inbox-sync -q -C "$A"
	same "$A" "$B"
	! grep -q '^archived:' "$A/conv/ef/$CX/state"
	grep -qx 'status: open' "$A/conv/ef/$CX/state"
}

@test "sync: a message's status only moves forward; flags from both sides" {
	sms "$A" SM1 $X "The boiler is leaking"
	tick	# the reply the last message, which inbox-flag CONV flags
	id=$(on "$A" inbox-send $CX "On our way" | cut -f1)
	pid=$(sed -n 's/^X-Inbox-Provider-Id: //p' "$A/conv/ef/$CX/cur/${id#*/}:2,S")
	inbox-sync -q -C "$A"
	inbox-sync -q -C "$B"
	status_cb() {
		printf 'MessageSid=%s&MessageStatus=%s&SmsStatus=%s&AccountSid=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&From=%%2B15550001111&To=%s&ApiVersion=2010-04-01' \
		    "$(urlenc "$pid")" "$2" "$2" "$(urlenc $X)" |
		    INBOX_DIR=$1 inbox-recv >/dev/null
	}
	tick
	status_cb "$A" read
	on "$A" inbox-flag -q --read $CX
	tick
	# later, but a lower status: it does not win
	status_cb "$B" delivered
	on "$B" inbox-flag -q --flag $CX
	tick
	inbox-sync -q -C "$A"
	inbox-sync -q -C "$B"
	inbox-sync -q -C "$A"
	same "$A" "$B"
	f=$(ls "$B/conv/ef/$CX/cur/${id#*/}"*)
	[ "$(echo "$f" | wc -l)" -eq 1 ]
	grep -qx 'X-Inbox-Status: read' "$f"
	# one file: read on A (status), flagged on B
	[ "$f" = "$B/conv/ef/$CX/cur/${id#*/}:2,FS" ]
	[ "$(uniqs "$B" | wc -l)" -eq 2 ]
	[ -z "$(ls "$B/conv/ef/$CX/new")" ]
	git -C "$B" log -1 --format=%B | grep -qx "Merge-Rule: message conv/ef/$CX/${id#*/}"
}

@test "sync: an opt-out on one side beats an older opt-in on the other" {
	sms "$A" SM1 $X "STOP"
	tick
	sms "$A" SM2 $X "START"
	tick
	sms "$B" SM3 $X "STOP"
	tick
	inbox-sync -q -C "$A"
	inbox-sync -q -C "$B"
	inbox-sync -q -C "$A"
	same "$A" "$B"
	h=$(printf %s "$X" | sha1sum | cut -c1-40)
	grep -qx 'optout: 2026-11-23T15:02:00Z' "$A/addr/${h:0:2}/$h"
	! grep -q '^optin:' "$A/addr/${h:0:2}/$h"
	run on "$A" inbox-send $CX "Hello again"
	[ "$status" -eq 3 ]
}

@test "sync: the customer's newer opt-in beats an older opt-out" {
	sms "$A" SM1 $X "STOP"
	tick
	sms "$B" SM2 $X "STOP"
	tick
	sms "$B" SM3 $X "START"
	tick
	inbox-sync -q -C "$A"
	inbox-sync -q -C "$B"
	inbox-sync -q -C "$A"
	same "$A" "$B"
	h=$(printf %s "$X" | sha1sum | cut -c1-40)
	! grep -q '^optout:' "$A/addr/${h:0:2}/$h"
	grep -q '^optin: 2026-11-23T15:02:00Z START ' "$A/addr/${h:0:2}/$h"
	run on "$A" inbox-send -q $CX "Hello again"
	[ "$status" -eq 0 ]
}

@test "sync: only the sending host delivers; B's queued message goes out from A" {
	grep -qs sync_may_send "$INBOX_SRC/cmd/inbox-send.c" \
	    "$INBOX_SRC/lib/outbox.c" ||
	    skip "inbox-send does not ask sync_may_send yet"
	printf 'sync:\n  sending-host: a\n' >>"$A/inbox.yaml"
	git -C "$A" -c user.name=test -c user.email=test@example.org \
	    commit -qam "sending host: a"
	run inbox-sync -C "$A" --set-host a
	[ "$output" = a ]
	inbox-sync -q -C "$B" --set-host b
	[ "$(cat "$B/.git/inbox/host")" = b ]
	sms "$A" SM1 $X "The boiler is leaking"
	inbox-sync -q -C "$A"
	inbox-sync -q -C "$B"
	id=$(on "$B" inbox-send --at +1h $CX "We can come at 10" | cut -f1)
	tick 7200
	on "$B" inbox-send --flush || true
	[ ! -e "$B/tmp/outbox" ] || [ -z "$(ls "$B/tmp/outbox")" ]
	[ -e "$B/idx/queue/${id#*/}" ]
	inbox-sync -q -C "$B"
	inbox-sync -q -C "$A"
	run on "$A" inbox-send --flush
	[ "$status" -eq 0 ]
	[ "${lines[0]%%	*}" = "$id" ]
	[ "$(ls "$A/tmp/outbox" | wc -l)" -eq 1 ]
	inbox-sync -q -C "$A"
	inbox-sync -q -C "$B"
	same "$A" "$B"
	[ ! -e "$B/idx/queue/${id#*/}" ]
	grep -qx 'X-Inbox-Status: sent' "$B/conv/ef/$CX/cur/${id#*/}:2,S"
	# and it never goes out twice
	on "$A" inbox-send --flush
	[ "$(ls "$A/tmp/outbox" | wc -l)" -eq 1 ]
}

@test "sync: over git daemon; a push the remote refuses is merged and retried" {
	daemon
	U=git://127.0.0.1:$PORT/remote.git
	git -C "$A" remote set-url origin "$U"
	git -C "$B" remote set-url origin "$U"
	# a third office's commit waits beside main on the server
	C=$T/c
	inbox-sync -q --clone "$R" "$C"
	sms "$C" SM9 +15125550102 "Is Friday free?"
	git -C "$C" push -q "$R" main:refs/heads/other
	# and moves main on the first push that arrives
	cat >"$R/hooks/pre-receive" <<-EOF
	#!/bin/sh
	[ -e "$T/moved" ] && exit 0
	: >"$T/moved"
	unset GIT_QUARANTINE_PATH
	git update-ref refs/heads/main refs/heads/other
	EOF
	chmod +x "$R/hooks/pre-receive"
	offline_work
	inbox-sync -q -C "$A" --pull
	run inbox-sync -C "$A"
	[ "$status" -eq 0 ]
	[ -e "$T/moved" ]
	[ "$output" = "$(printf 'origin\tmerge\tin 1\tout 7')" ]
	inbox-sync -q -C "$B"
	inbox-sync -q -C "$A"
	inbox-sync -q -C "$C"
	same "$A" "$B" "$C"
	[ "$(nmsgs "$A")" -eq 6 ]
}

@test "sync: an unreachable remote exits 75 and leaves the store as it was" {
	sms "$A" SM1 $X "The boiler is leaking"
	head=$(git -C "$A" rev-parse HEAD)
	before=$(cd "$A" && find . -path ./.git -prune -o -type f -print |
	    LC_ALL=C sort | xargs cksum)
	mv "$R" "$T/away.git"
	run --separate-stderr inbox-sync -C "$A"
	[ "$status" -eq 75 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-sync: origin: no repository at $R" ]
	# a server that does not answer
	git -C "$A" remote set-url origin "git://127.0.0.1:$(free_port)/remote.git"
	run --separate-stderr inbox-sync -C "$A"
	[ "$status" -eq 75 ]
	[[ "$stderr" == "inbox-sync: git://127.0.0.1:"*"/remote.git: "* ]]
	run inbox-sync -C "$A" --push
	[ "$status" -eq 75 ]
	[ "$(git -C "$A" rev-parse HEAD)" = "$head" ]
	[ "$(cd "$A" && find . -path ./.git -prune -o -type f -print |
	    LC_ALL=C sort | xargs cksum)" = "$before" ]
	clean "$A"
}

@test "sync: --pull, --push, --status" {
	sms "$A" SM1 $X "The boiler is leaking"
	run inbox-sync -C "$A" --status
	[ "$output" = "$(printf 'origin\tahead 1\tbehind 0\tsynced 2026-11-23T15:00:00Z')" ]
	run inbox-sync -C "$A" --push
	[ "$output" = "$(printf 'origin\tpush\tin 0\tout 1')" ]
	tick
	sms "$B" SM2 $Y "Can you quote a new tap?"
	# B is behind and ahead: --push refuses, changes nothing
	run --separate-stderr inbox-sync -C "$B" --push
	[ "$status" -eq 75 ]
	[ "$stderr" = "inbox-sync: origin has moved on: sync without --push to merge it first" ]
	run inbox-sync -C "$B" --pull
	[ "$output" = "$(printf 'origin\tmerge\tin 1\tout 0')" ]
	run inbox-sync -C "$B" --status
	[ "$output" = "$(printf 'origin\tahead 2\tbehind 0\tsynced 2026-11-23T15:01:00Z')" ]
	run inbox-sync -C "$B" --status --json
	[ "$output" = '{"remote":"origin","ahead":2,"behind":0,"synced":"2026-11-23T15:01:00Z"}' ]
	run inbox-sync -C "$B"
	[ "$output" = "$(printf 'origin\tpush\tin 0\tout 2')" ]
	inbox-sync -q -C "$A" --pull
	same "$A" "$B"
}

@test "sync: remotes from inbox.yaml, sync.default; no such remote" {
	git -C "$A" remote remove origin
	run --separate-stderr inbox-sync -C "$A"
	[ "$status" -eq 2 ]
	[ "$stderr" = "inbox-sync: no remote 'origin' (add one with git remote add, or under sync.remotes in inbox.yaml)" ]
	printf 'sync:\n  default: hq\n  remotes:\n    hq: %s\n' "$R" >>"$A/inbox.yaml"
	sms "$A" SM1 $X "The boiler is leaking"
	run inbox-sync -C "$A"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'hq\tpush\tin 0\tout 1')" ]
	[ "$(git -C "$A" rev-parse refs/remotes/hq/main)" = "$(git -C "$A" rev-parse HEAD)" ]
}

@test "sync: inbox-log shows both offices' actions with their actors" {
	sms "$A" SM1 $X "The boiler is leaking"
	inbox-sync -q -C "$A"
	inbox-sync -q -C "$B"
	tick
	INBOX_USER=alice on "$A" inbox-assign -q $CX alice
	tick
	INBOX_USER=bob on "$B" inbox-flag -q --read $CX
	tick
	inbox-sync -q -C "$A"
	INBOX_USER=bob inbox-sync -q -C "$B"
	inbox-sync -q -C "$A"
	run on "$A" inbox-log $CX
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(printf '2026-11-23T15:03:00Z\tbob\tinbox-sync\tmerge origin (1 path from them, 0 merged by rule)\t-')" ]
	[ "${lines[1]}" = "$(printf '2026-11-23T15:02:00Z\tbob\tinbox-flag\tmark read 1 conversation\t-')" ]
	[ "${lines[2]}" = "$(printf '2026-11-23T15:01:00Z\talice\tinbox-assign\tassign 1 conversation to alice\t-')" ]
}

@test "sync: a store made with git clone; an unrelated store is refused" {
	sms "$A" SM1 $X "The boiler is leaking"
	inbox-sync -q -C "$A"
	git clone -q "$R" "$T/g"
	run inbox-sync -C "$T/g"
	[ "$status" -eq 2 ]
	mkdir "$T/g/.git/inbox"
	run inbox-sync -C "$T/g"
	[ "$status" -eq 0 ]
	[ "$(nmsgs "$T/g")" -eq 1 ]
	INBOX_USER=other inbox-init -q "$T/other" >/dev/null
	git -C "$T/other" remote add origin "$R"
	run --separate-stderr inbox-sync -C "$T/other"
	[ "$status" -eq 2 ]
	[ "$stderr" = "inbox-sync: origin has a history unrelated to this store's (make the store with inbox-sync --clone)" ]
	run inbox-sync --clone "$R" "$T/g"
	[ "$status" -eq 2 ]
}

@test "sync: usage" {
	run inbox-sync --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: inbox-sync [-q] [-C DIR] [-u USER] [--json] [--pull | --push] [REMOTE]" ]
	run inbox-sync -C "$A" --pull --push
	[ "$status" -eq 64 ]
	run inbox-sync -C "$A" --status --set-host x
	[ "$status" -eq 64 ]
	run inbox-sync --clone "$R"
	[ "$status" -eq 64 ]
	run inbox-sync -C "$A" --set-host 'bad name'
	[ "$status" -eq 64 ]
	run inbox-sync -C "$A" a b
	[ "$status" -eq 64 ]
}
