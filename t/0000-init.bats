#!/usr/bin/env bats
# inbox-init and the inbox dispatcher: layout, first commit, refusals,
# usage, secrets never committed.

load helper
load data/outbound

@test "init: prints the directory and makes the layout" {
	run inbox-init "$BATS_TEST_TMPDIR/s"
	[ "$status" -eq 0 ]
	[ "$output" = "$BATS_TEST_TMPDIR/s" ]
	cd "$BATS_TEST_TMPDIR/s"
	[ -d .git/inbox ]
	[ -d secrets ] && [ -d tmp ]
	[ "$(stat -c %a secrets)" = 700 ]
	[ "$(git ls-files)" = "$({ printf '.gitignore\ninbox.yaml\n'
	    (cd "$INBOX_SRC" && find hooks -type f)
	    (cd "$INBOX_SHAREDIR" && find templates -type f); } |
	    LC_ALL=C sort)" ]
}

@test "init: hooks and templates copied, only executable hooks executable" {
	new_store
	for f in "$INBOX_SRC"/hooks/*; do
		cmp "$f" "hooks/${f##*/}"
		if [ -x "$f" ]; then
			[ -x "hooks/${f##*/}" ]
			[ "$(git ls-files -s "hooks/${f##*/}" | cut -c1-6)" = 100755 ]
		else
			[ ! -x "hooks/${f##*/}" ]
		fi
	done
	for f in "$INBOX_SHAREDIR"/templates/*; do
		cmp "$f" "templates/${f##*/}"
	done
}

@test "init: -q prints nothing" {
	run inbox-init -q "$BATS_TEST_TMPDIR/s"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ -d "$BATS_TEST_TMPDIR/s/.git/inbox" ]
}

@test "init: .gitignore keeps secrets/ and tmp/ out" {
	new_store
	grep -qx 'secrets/' .gitignore
	grep -qx 'tmp/' .gitignore
	echo x >tmp/junk
	echo y >secrets/thing
	[ "$(git status --porcelain)" = "" ]
}

@test "init: inbox.yaml is the shared sample, byte for byte" {
	new_store
	cmp inbox.yaml "$INBOX_SHAREDIR/inbox.yaml"
	[ "$(git show HEAD:inbox.yaml | cksum)" = "$(cksum <inbox.yaml)" ]
}

@test "init: one first commit, 'inbox-init: new store', by the user" {
	new_store
	[ "$(git rev-list --count HEAD)" -eq 1 ]
	[ "$(git log -1 --format=%s)" = "inbox-init: new store" ]
	[ "$(git log -1 --format=%an)" = office ]
	[ "$(git log -1 --format=%at)" = "$INBOX_NOW" ]
	[ "$(git status --porcelain)" = "" ]
}

@test "init: -u names the author" {
	inbox-init -q -u alice "$BATS_TEST_TMPDIR/s"
	[ "$(git -C "$BATS_TEST_TMPDIR/s" log -1 --format=%an)" = alice ]
}

@test "init: without DIR uses INBOX_DIR" {
	export INBOX_DIR="$BATS_TEST_TMPDIR/envstore"
	run inbox-init
	[ "$status" -eq 0 ]
	[ "$output" = "$INBOX_DIR" ]
	[ -d "$INBOX_DIR/.git/inbox" ]
}

@test "init: refuses an existing store, exit 2, nothing changed" {
	new_store
	before=$(snapshot)
	run inbox-init "$S"
	[ "$status" -eq 2 ]
	[ "$output" = "inbox-init: $S is already a store" ]
	[ "$(snapshot)" = "$before" ]
	[ "$(git rev-list --count HEAD)" -eq 1 ]
}

@test "init: refuses a plain git repository" {
	git init -q "$BATS_TEST_TMPDIR/g"
	run inbox-init "$BATS_TEST_TMPDIR/g"
	[ "$status" -eq 2 ]
	[ "$output" = "inbox-init: $BATS_TEST_TMPDIR/g is already a git repository; give a new directory" ]
	[ ! -e "$BATS_TEST_TMPDIR/g/inbox.yaml" ]
	[ ! -e "$BATS_TEST_TMPDIR/g/.git/inbox" ]
}

@test "init: usage errors exit 64" {
	run inbox-init -x
	[ "$status" -eq 64 ]
	[ "${lines[0]}" = "inbox-init: invalid option -- 'x'" ]
	[ "${lines[1]}" = "usage: inbox-init [-q] [-C DIR] [-u USER] [DIR]" ]
	run inbox-init a b
	[ "$status" -eq 64 ]
	[ "$output" = "usage: inbox-init [-q] [-C DIR] [-u USER] [DIR]" ]
	[ ! -e a ] && [ ! -e b ]
}

@test "init: --help on stdout, exit 0" {
	run inbox-init --help
	[ "$status" -eq 0 ]
	[ "$output" = "usage: inbox-init [-q] [-C DIR] [-u USER] [DIR]" ]
}

@test "init: --version" {
	run inbox-init --version
	[ "$status" -eq 0 ]
	[ "$output" = "inbox-init 0.1.0" ]
	run inbox --version
	[ "$status" -eq 0 ]
	[ "$output" = "inbox 0.1.0" ]
}

@test "inbox: 'inbox init' runs inbox-init" {
	run inbox init -q "$BATS_TEST_TMPDIR/s"
	[ "$status" -eq 0 ]
	[ -d "$BATS_TEST_TMPDIR/s/.git/inbox" ]
	[ "$(git -C "$BATS_TEST_TMPDIR/s" log -1 --format=%s)" = "inbox-init: new store" ]
}

@test "inbox: 'inbox ls' runs inbox-ls with its arguments" {
	new_store
	recv_sms SM00000000000000000000000000000001 +15557654321 'Boiler leaking' >/dev/null
	run inbox ls --json
	[ "$status" -eq 0 ]
	[ "$output" = "$(inbox-ls --json)" ]
	run inbox ls --channel email
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
}

@test "inbox: unknown command and usage exit 64" {
	run inbox nosuch
	[ "$status" -eq 64 ]
	[ "$output" = "inbox: inbox-nosuch: No such file or directory (not an inbox command)" ]
	run inbox
	[ "$status" -eq 64 ]
	[ "${lines[0]}" = "usage: inbox [--version] [-h] COMMAND [ARG ...]" ]
	run inbox ../inbox-ls
	[ "$status" -eq 64 ]
	run inbox -x
	[ "$status" -eq 64 ]
}

@test "secrets: a token in secrets/ never reaches git history" {
	new_store
	no_autoreply
	n0=$(commits)
	tok=7f3c9a1e5b2d4f608e1a3c5b7d9f0e2a
	printf '%s\n' "$tok" >secrets/twilio-token
	chmod 600 secrets/twilio-token
	for i in 1 2 3; do
		tick
		recv_sms "SM0000000000000000000000000000000$i" +15557654321 \
		    "message $i" >/dev/null
	done
	inbox-show "$(conv_of +15557654321)" >/dev/null
	[ "$(commits)" -eq $((n0 + 4)) ]
	git add -A
	[ "$(git status --porcelain)" = "" ]
	[ "$(git ls-files secrets)" = "" ]
	run sh -c "git log --all -p | grep -c '$tok'"
	[ "$output" = 0 ]
	run grep -r "$tok" .git
	[ "$status" -eq 1 ]
}
