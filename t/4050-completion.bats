#!/usr/bin/env bats
# Shell completion: share/completions/inbox.bash sourced into bash and its
# functions called with COMP_WORDS/COMP_CWORD set; its option table
# checked against the commands' getopt tables; the zsh one beside it.

load helper
bats_require_minimum_version 1.5.0

A=+15125550100	# conversation eff5a9af2f8e
B=+15125550101	# conversation 16aedeec85a0
CA=eff5a9af2f8e
CB=16aedeec85a0
# Monday 2026-11-23 09:00 in Chicago: the office is open, so inbox-recv
# fires no after-hours reply
MONDAY=1795446000
BASHCOMP=$BATS_TEST_DIRNAME/../share/completions/inbox.bash
ZSHCOMP=$BATS_TEST_DIRNAME/../share/completions/_inbox

# complete WORD... : COMPREPLY, one per line, for the last word (which
# may be ""), the way bash calls the function registered for WORD[0].
complete_words() {
	local fn
	fn=$(complete -p "$1" 2>/dev/null | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
	[ -n "$fn" ] || fn=_inbox_command
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	[ "${#COMPREPLY[@]}" -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}"
}

# Each argument on a line of its own.
lines_of() {
	printf '%s\n' "$@"
}

# Staff in the office role, so that inbox-ls shows them everything.
staff() {
	{
		echo
		echo 'staff:'
		for s in "$@"; do
			printf '  %s:\n    name: %s\n    role: office\n' "$s" "$s"
		done
	} >>inbox.yaml
	git reset -q
	git add -f inbox.yaml
	git -c user.name=t -c user.email=t@t commit -q -m 'staff'
}

# The long options of cmd/inbox-CMD.c's getopt table (and the inbox-ls
# filters when it uses them), "=" after those that take a value.
source_options() {
	local f=$BATS_TEST_DIRNAME/../cmd/inbox-$1.c
	{
		cat "$f"
		grep -q "filter_longopts\|cli_filter_options" "$f" &&
		    cat "$BATS_TEST_DIRNAME/../lib/filter.c"
	} | sed -n 's/.*{ *"\([a-z0-9-]*\)", *\(no\|required\|optional\)_argument.*/--\1 \2/p' |
	    sed -e 's/ no$//' -e 's/ required$/=/' -e 's/ optional$/=/' |
	    LC_ALL=C sort -u
}

# The table's options for CMD, one per line, sorted.
table_options() {
	_inbox_options "$1" | tr -s ' \t' '\n\n' | grep -v '^$' | LC_ALL=C sort -u
}

setup() {
	export INBOX_NOW=$MONDAY
	new_store
	staff office dispatch alice
	recv_sms SM1 $A "The boiler is leaking" >/dev/null
	tick
	recv_sms SM2 $B "Can you quote a new tap?" >/dev/null
	tick
	# shellcheck source=/dev/null
	. "$BASHCOMP"
}

@test "completion: sourcing registers inbox and every inbox-* command" {
	[ "$(complete -p inbox)" = "complete -F _inbox inbox" ]
	[ "$(complete -p inbox-assign)" = "complete -F _inbox_command inbox-assign" ]
	for f in "$BATS_TEST_DIRNAME"/../cmd/inbox-*.c; do
		c=${f##*/}
		c=${c%.c}
		run complete -p "$c"
		[ "$status" -eq 0 ] || { echo "no completion for $c"; false; }
	done
}

@test "completion: inbox completes the command names" {
	run complete_words inbox a
	[ "$output" = "$(lines_of approve archive assign)" ]
	run complete_words inbox l
	[ "$output" = "$(lines_of link log ls)" ]
	run complete_words inbox bl
	[ "$output" = block ]
	run complete_words inbox --
	[ "$output" = "$(lines_of --help --version)" ]
	# every command inbox --help lists is offered
	run complete_words inbox ''
	for c in $(inbox --help | sed -n 's/^commands: //p'); do
		grep -qx "$c" <<<"$output" || { echo "missing $c"; false; }
	done
}

@test "completion: an inbox-* command on PATH is a command too" {
	mkdir "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/sh\necho "usage: inbox-frob [--wibble] [--wobble N]"\n' \
	    >"$BATS_TEST_TMPDIR/bin/inbox-frob"
	chmod +x "$BATS_TEST_TMPDIR/bin/inbox-frob"
	PATH=$BATS_TEST_TMPDIR/bin:$PATH
	run complete_words inbox fr
	[ "$output" = frob ]
	# its options come from its --help
	run complete_words inbox frob --w
	[ "$output" = "$(lines_of --wibble --wobble)" ]
}

@test "completion: long options of inbox-assign, inbox-archive, inbox-flag" {
	run complete_words inbox-assign --
	[ "$output" = "$(lines_of --none --add-member --remove-member --reason --help --version)" ]
	run complete_words inbox-archive --re
	[ "$output" = "$(lines_of --reopen --reason)" ]
	run complete_words inbox-block --u
	[ "$output" = --unblock ]
	run complete_words inbox-flag --all-read --un
	[ "$output" = "$(lines_of --unread --unflag --unmute --unassigned --until)" ]
	run complete_words inbox-link --
	[ "$output" = "$(lines_of --unlink --attach --move --detach --reason --help --version)" ]
	run complete_words inbox-log --c
	[ "$output" = "$(lines_of --customer --consent)" ]
}

@test "completion: the same through the inbox dispatcher" {
	run complete_words inbox archive --un
	[ "$output" = --unarchive ]
	run complete_words inbox assign --add-member a
	[ "$output" = alice ]
}

@test "completion: conversation ids from inbox-ls, newest first" {
	run complete_words inbox-archive ''
	[ "$output" = "$(lines_of $CB $CA)" ]
	run complete_words inbox-flag --read e
	[ "$output" = $CA ]
	run complete_words inbox show 1
	[ "$output" = $CB ]
	# archived ones too
	inbox-archive $CA >/dev/null
	run complete_words inbox-archive -U ''
	[ "$output" = "$(lines_of $CB $CA)" ]
}

@test "completion: inbox-assign offers ids and staff logins" {
	run complete_words inbox-assign ''
	[ "$output" = "$(lines_of $CB $CA office dispatch alice)" ]
	run complete_words inbox-assign $CA d
	[ "$output" = dispatch ]
	run complete_words inbox-assign --add-member ''
	[ "$output" = "$(lines_of office dispatch alice)" ]
	run complete_words inbox-assign --remove-member a
	[ "$output" = alice ]
	run complete_words inbox-ls --assignee ''
	[ "$output" = "$(lines_of office dispatch alice)" ]
	run complete_words inbox-log --user o
	[ "$output" = office ]
	run complete_words inbox-archive -u ''
	[ "$output" = "$(lines_of office dispatch alice)" ]
}

@test "completion: staff keys are read at any indentation, comments skipped" {
	cat >>inbox.yaml <<-EOF

	roles:
	    helper: [messages.view]
	EOF
	sed -i 's/^staff:$/staff:   # who works here/' inbox.yaml
	run _inbox_staff
	[ "$output" = "$(lines_of office dispatch alice)" ]
	printf 'business:\n  name: x\nstaff:\n    "bob":\n        name: Bob\n    # carol: gone\n    dave: {name: Dave}\n' \
	    >"$BATS_TEST_TMPDIR/inbox.yaml"
	COMP_WORDS=(inbox-assign -C "$BATS_TEST_TMPDIR" '')
	run _inbox_staff
	[ "$output" = "$(lines_of bob dave)" ]
}

@test "completion: -C DIR on the line picks the store" {
	S2=$BATS_TEST_TMPDIR/other
	inbox-init -q "$S2"
	(cd "$S2" && printf '\nstaff:\n  zoe:\n    role: admin\n' >>inbox.yaml)
	run complete_words inbox-assign -C "$S2" --add-member ''
	[ "$output" = zoe ]
	INBOX_DIR=$S2 run complete_words inbox-assign --add-member ''
	[ "$output" = zoe ]
	run complete_words inbox-archive -C "$S2" ''
	[ "$output" = "" ]
	run complete_words inbox-assign -C "$BATS_TEST_TMPDIR/none" ''
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "completion: -C completes directories" {
	mkdir "$BATS_TEST_TMPDIR/pick-a" "$BATS_TEST_TMPDIR/pick-b"
	touch "$BATS_TEST_TMPDIR/pick-c"
	run complete_words inbox-ls -C "$BATS_TEST_TMPDIR/pick"
	[ "$(LC_ALL=C sort <<<"$output")" = "$(lines_of "$BATS_TEST_TMPDIR/pick-a" "$BATS_TEST_TMPDIR/pick-b")" ]
}

@test "completion: the values some options take" {
	run complete_words inbox-ls --channel w
	[ "$output" = whatsapp ]
	run complete_words inbox-ls --order ''
	[ "$output" = "$(lines_of recent unanswered)" ]
	run complete_words inbox-flag --all-read --direction ''
	[ "$output" = "$(lines_of in out)" ]
	run complete_words inbox-recv --format k
	[ "$output" = kannel ]
	# free text: nothing offered
	run complete_words inbox-archive --reason ''
	[ "$output" = "" ]
	run complete_words inbox-ls -n ''
	[ "$output" = "" ]
}

@test "completion: an option's value is not taken for an argument" {
	# after "--reason TEXT" come ids again
	run complete_words inbox-archive --reason spam e
	[ "$output" = $CA ]
	# inbox-log takes one conversation
	run complete_words inbox-log $CA ''
	[ "$output" = "" ]
	run complete_words inbox-log -n 5 ''
	[ "$output" = "$(lines_of $CB $CA)" ]
}

@test "completion: inbox-link: a conversation, then a job" {
	h=$(printf %s J1001 | sha1sum | cut -c1-2)
	mkdir -p "jobs/$h"
	printf 'customer: x\n' >"jobs/$h/J1001"
	run complete_words inbox-link ''
	[ "$output" = "$(lines_of $CB $CA)" ]
	run complete_words inbox-link $CA ''
	[ "$output" = J1001 ]
	run complete_words inbox-link --unlink $CA J
	[ "$output" = J1001 ]
	run complete_words inbox-link --move $CA/x ''
	[ "$output" = "$(lines_of $CB $CA)" ]
	run complete_words inbox-link --detach ''
	[ "$output" = "" ]
}

@test "completion: subcommands of inbox-contact, inbox-job and inbox-template" {
	run complete_words inbox-contact ''
	[ "$output" = "$(lines_of add edit ls show import)" ]
	run complete_words inbox-job re
	[ "$output" = "$(lines_of reschedule rerun)" ]
	run complete_words inbox-template ''
	[ "$output" = "$(lines_of ls show render)" ]
	run complete_words inbox-template show after
	[ "$output" = after-hours ]
}

@test "completion: contact ids for inbox-contact show and --attach" {
	[ -x "$INBOX_BUILD/inbox-contact" ] ||
	    skip "build/inbox-contact is not built yet"
	inbox-contact add --id jean --name "Jean Dupont" --phone +15125550200 >/dev/null
	run complete_words inbox-contact show j
	[ "$output" = jean ]
	run complete_words inbox-link --attach $A ''
	[ "$output" = jean ]
	run complete_words inbox-ls --customer ''
	[ "$output" = jean ]
}

@test "completion: the option table matches every command's getopt table" {
	bad=0
	for f in "$BATS_TEST_DIRNAME"/../cmd/inbox-*.c; do
		c=${f##*/inbox-}
		c=${c%.c}
		if ! d=$(diff <(source_options "$c") <(table_options "$c")); then
			echo "inbox-$c: source (<) and completion table (>) differ:"
			echo "$d"
			bad=1
		fi
	done
	[ "$bad" -eq 0 ]
}

@test "completion: inbox.bash is shellcheck-clean" {
	command -v shellcheck >/dev/null || skip "shellcheck is not installed"
	run shellcheck -s bash "$BASHCOMP"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "completion: zsh: _inbox parses and has the same option table" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	run zsh -n "$ZSHCOMP"
	[ "$status" -eq 0 ]
	head -n 1 "$ZSHCOMP" | grep -q '^#compdef inbox inbox-approve '
	for f in "$BATS_TEST_DIRNAME"/../cmd/inbox-*.c; do
		c=${f##*/inbox-}
		c=${c%.c}
		z=$(zsh -f -c '. "$1"; _inbox_options "$2"' _ "$ZSHCOMP" "$c" |
		    tr -s ' \t' '\n\n' | grep -v '^$' | LC_ALL=C sort -u)
		[ "$z" = "$(table_options "$c")" ] ||
		    { echo "zsh and bash tables differ for $c"; false; }
		# and compdef names every command
		head -n 1 "$ZSHCOMP" | grep -q " inbox-$c\( \|$\)" ||
		    { echo "#compdef misses inbox-$c"; false; }
	done
}

@test "completion: zsh: _inbox completes through compadd" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	# compadd and _files stubbed: they record what would be offered
	zc() {
		zsh -f -c '
		. "$1"; shift
		compadd() {
			[[ $1 == -- ]] && shift
			local w
			for w; do [[ $w == ${PREFIX}* ]] && print -r -- $w; done
		}
		_files() { print -r -- "<files $*>" }
		words=("$@"); CURRENT=$#; PREFIX=${words[CURRENT]}
		_inbox' _ "$ZSHCOMP" "$@"
	}
	run zc inbox a
	[ "$output" = "$(lines_of approve archive assign)" ]
	run zc inbox-assign ''
	[ "$output" = "$(lines_of $CB $CA office dispatch alice)" ]
	run zc inbox assign --add-member d
	[ "$output" = dispatch ]
	run zc inbox-archive --re
	[ "$output" = "$(lines_of --reopen --reason)" ]
	run zc inbox-ls --channel w
	[ "$output" = whatsapp ]
	run zc inbox-ls -C ''
	[ "$output" = "<files -/>" ]
	run zc inbox-archive --reason spam e
	[ "$output" = $CA ]
}
