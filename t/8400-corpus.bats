#!/usr/bin/env bats
# The hostile-input corpus, t/bad/: every file is fed to the command that
# reads it, and each must be refused with exactly one line on stderr that
# starts with the command's name, a documented exit status (never 0, never
# a crash: 128 and up, a sanitizer report or a timeout fail), nothing on
# stdout, and HEAD and the work tree unchanged.  The file name says who
# reads it:
#
#	recv-FORMAT-*.{form,json,query,eml}  inbox-recv --format FORMAT, and
#	                                     inbox-recv guessing the format
#	yaml-*.yaml                          inbox.yaml, for inbox-ls and
#	                                     inbox-recv
#	id-*.txt                             an id for inbox-show (argument),
#	                                     inbox-assign and inbox-archive
#	                                     (a line of stdin)
#	phone-*.txt                          the target of inbox-send
#
# The inputs too large to keep in git (10 MB lines, a 2 MB inbox.yaml)
# are made here.  Each test prints how many inputs it tried.

load helper
load data/outbound
bats_require_minimum_version 1.5.0

BAD="$BATS_TEST_DIRNAME/bad"
C=eff5a9af2f8e	# the conversation of +15125550100

setup() {
	T=$BATS_TEST_TMPDIR
	new_store
	no_autoreply
	# something in the store, so "unchanged" means something
	recv_sms SM1 +15125550100 "Boiler leaking" >/dev/null
	: >"$T/failed"
	tried=0
}

# refuse LABEL CODES INPUT CMD...: CMD with INPUT on stdin is refused with
# one of the exit statuses CODES ("65 1"), one line on stderr starting
# with the command's name, and changes nothing.  A failure is noted in
# $T/failed under LABEL (the input's name) so that one run lists every
# bad case.
refuse() {
	local label=$1 codes=$2 in=$3 name before why=""
	shift 3
	name=${1##*/}
	[ "$name" = env ] && name=${3##*/}
	before=$(snapshot)
	run --separate-stderr timeout 60 "$@" <"$in"
	if [ "$status" -ge 124 ]; then
		why="exit $status (a crash or a hang)"
	elif [[ " $codes " != *" $status "* ]]; then
		why="exit $status, not one of $codes"
	elif [ "${#stderr_lines[@]}" -ne 1 ]; then
		why="${#stderr_lines[@]} lines on stderr"
	elif [[ "$stderr" != "$name: "* && "$stderr" != "usage: $name "* ]]; then
		why="stderr does not start with $name"
	elif [ -n "$output" ]; then
		why="something on stdout"
	elif [ "$(snapshot)" != "$before" ]; then
		why="the store changed"
	fi
	tried=$((tried + 1))
	if [ -n "$why" ]; then
		printf '%s: %s: %s\n  stderr: %s\n' "$label" "$*" "$why" \
		    "$(printf '%s' "$stderr" | head -c 300)" >>"$T/failed"
	fi
	return 0
}

# The end of each test: the figure, and every failure at once.
verdict() {
	echo "# $tried hostile inputs tried ($1)" >&3
	echo "$tried" >>"$BATS_FILE_TMPDIR/tried"
	if [ -s "$T/failed" ]; then
		cat "$T/failed"
		return 1
	fi
}

@test "corpus: webhooks and mail, with their format and guessed" {
	local f fmt n=0
	for f in "$BAD"/recv-*; do
		fmt=${f##*/recv-}
		fmt=${fmt%%-*}
		refuse "${f##*/}" "1 65" "$f" inbox-recv -q --format "$fmt"
		refuse "${f##*/}" "1 65" "$f" inbox-recv -q
		n=$((n + 1))
	done
	[ "$n" -ge 80 ]
	verdict "$n webhook and mail inputs, twice each"
}

@test "corpus: 10 MB lines and deep nesting made here" {
	local big=$T/big
	head -c 10485760 /dev/zero | tr '\0' a >"$T/ten-mb"
	{ twilio_sms SMbig +15125550100 x; cat "$T/ten-mb"; } >"$big.form"
	refuse ten-mb.form "65" "$big.form" inbox-recv -q --format twilio
	{ printf '{"type":"message","from":"+15125550100","body":"'
	  cat "$T/ten-mb"; printf '"}'; } >"$big.json"
	refuse ten-mb.json "65" "$big.json" inbox-recv -q --format json
	{ printf 'From: <jean@example.org>\nSubject: '; cat "$T/ten-mb"
	  printf '\n\nHi\n'; } >"$big.eml"
	refuse ten-mb.eml "65" "$big.eml" inbox-recv -q --format email
	{ printf '{"type":"message","from":"+15125550100","x":'
	  head -c 100000 /dev/zero | tr '\0' '['; } >"$big-deep.json"
	refuse deep-100000.json "65" "$big-deep.json" inbox-recv -q --format json
	{ cat "$T/ten-mb"; echo; } >"$big.id"
	refuse ten-mb.id "1 64 65" "$big.id" inbox-assign -q office
	# an inbox.yaml over 1 MiB
	{ printf 'business:\n  name: '; head -c 2097152 "$T/ten-mb"
	  echo; } >inbox.yaml
	refuse two-mb.yaml "65" /dev/null inbox-ls
	git checkout -q inbox.yaml
	verdict "6 made here"
}

@test "corpus: broken inbox.yaml, for inbox-ls (65) and inbox-recv (75)" {
	local f n=0
	twilio_sms SM2 +15125550100 "Hello" >"$T/sms"
	for f in "$BAD"/yaml-*; do
		cp "$f" inbox.yaml
		refuse "${f##*/}" "65" /dev/null inbox-ls
		# the provider is asked to try again once it is fixed
		refuse "${f##*/}" "75" "$T/sms" inbox-recv -q
		n=$((n + 1))
	done
	git checkout -q inbox.yaml
	[ "$n" -ge 20 ]
	verdict "$n inbox.yaml files, twice each"
}

@test "corpus: ids for inbox-show, inbox-assign and inbox-archive" {
	local f id n=0
	for f in "$BAD"/id-*; do
		if ! tr -d '\n' <"$f" | grep -q -P '\x00'; then
			id=$(cat "$f")
			refuse "${f##*/}" "1 64 65" /dev/null inbox-show -- "$id"
		fi
		refuse "${f##*/}" "1 64 65" "$f" inbox-assign -q office
		refuse "${f##*/}" "1 64 65" "$f" inbox-archive -q
		n=$((n + 1))
	done
	[ "$n" -ge 15 ]
	verdict "$n ids, up to three commands each"
}

@test "corpus: phone numbers and addresses for inbox-send" {
	local f n=0
	for f in "$BAD"/phone-*; do
		refuse "${f##*/}" "1 3 64 65" /dev/null inbox-send -q -- "$(cat "$f")" Hello
		n=$((n + 1))
	done
	[ "$n" -ge 15 ]
	verdict "$n targets"
	[ -z "$(ls tmp/outbox 2>/dev/null)" ]
}

@test "corpus: the figures" {
	local total=0 k
	[ -s "$BATS_FILE_TMPDIR/tried" ]
	while read -r k; do
		total=$((total + k))
	done <"$BATS_FILE_TMPDIR/tried"
	echo "# $(ls "$BAD" | wc -l) files in t/bad/ and 6 made here: $total runs, every one refused, nothing changed" >&3
}
