#!/usr/bin/env bats
# inbox-ls -s and the word index behind it (.git/inbox/words and
# words.log): the index is a cache, so every answer must be the one a
# scan of the messages gives, whatever state the index is in.

load helper

setup() {
	new_store
	a=$(recv_sms SMa1 +15557650001 'The backflow preventer is leaking' |
	    cut -d/ -f1)
	tick
	b=$(recv_sms SMb1 +15557650002 'No hot water since Tuesday' |
	    cut -d/ -f1)
	tick
	c=$(recv_sms SMc1 +15557650003 'hot tub fine, water heater is not' |
	    cut -d/ -f1)
}

ids() {		# the conversation ids inbox-ls -s prints, sorted
	inbox-ls -s "$1" | cut -f1 | sort | tr '\n' ' '
}

sorted() {
	printf '%s\n' "$@" | sort | tr '\n' ' '
}

@test "search: a word, part of a word, any case" {
	[ "$(ids backflow)" = "$(sorted "$a")" ]
	[ "$(ids FLOW)" = "$(sorted "$a")" ]
	[ "$(ids water)" = "$(sorted "$b" "$c")" ]
	run inbox-ls -s plumbing
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	# the index is there and names the words
	grep -q '^backflow	' "$S/.git/inbox/words"
}

@test "search: a message that came after the index was made is found" {
	[ "$(ids backflow)" = "$(sorted "$a")" ]
	tick
	d=$(recv_sms SMd1 +15557650004 'second backflow question' | cut -d/ -f1)
	[ "$(ids backflow)" = "$(sorted "$a" "$d")" ]
	# it came through the log, not a rebuild
	grep -q "^$d	.* backflow" "$S/.git/inbox/words.log"
	! grep -q "^$d\$" "$S/.git/inbox/words"
}

@test "search: a phrase is looked for as typed, not word by word" {
	[ "$(ids 'hot water')" = "$(sorted "$b")" ]
	[ "$(ids 'water hot')" = "" ]
	[ "$(ids 'tub, fine')" = "" ]
	[ "$(ids 'tub fine,')" = "$(sorted "$c")" ]
	# only punctuation: every conversation is looked in
	[ "$(ids ',')" = "$(sorted "$c")" ]
}

@test "search: deleting or spoiling the index changes no answer" {
	want=$(ids water)
	rm "$S/.git/inbox/words" "$S/.git/inbox/words.log"
	[ "$(ids water)" = "$want" ]
	printf 'inbox-words 1 nonsense\n' >"$S/.git/inbox/words"
	[ "$(ids water)" = "$want" ]
	head -c 300 /dev/urandom >"$S/.git/inbox/words"
	[ "$(ids water)" = "$want" ]
	# a torn last line of the log is ignored
	printf '%s\t hot wat' "$a" >>"$S/.git/inbox/words.log"
	[ "$(ids water)" = "$want" ]
}

@test "search: history rewritten under the index is followed" {
	[ "$(ids heater)" = "$(sorted "$c")" ]
	# (commits do not go through git's index: fill it first, so that
	# reset knows which files to remove)
	git -C "$S" read-tree HEAD
	git -C "$S" reset -q --hard HEAD~1
	run inbox-ls -s heater
	[ "$status" -eq 1 ]
	[ "$(ids water)" = "$(sorted "$b")" ]
}

@test "search: a message moved to another conversation moves its words" {
	[ "$(ids backflow)" = "$(sorted "$a")" ]
	m=$(inbox-ls -m -s backflow | cut -f1)
	inbox-link --move "$m" "$c" --reason 'wrong number' >/dev/null
	[ "$(ids backflow)" = "$(sorted "$c")" ]
}

@test "search: the log is folded into the index when it grows" {
	[ "$(ids water)" = "$(sorted "$b" "$c")" ]
	tick
	d=$(recv_sms SMd1 +15557650004 'cold water only' | cut -d/ -f1)
	INBOX_WORDS_FOLD=0 run inbox-ls -s water
	[ "$(printf '%s\n' "$output" | cut -f1 | sort | tr '\n' ' ')" = \
	    "$(sorted "$b" "$c" "$d")" ]
	# folded: the log is empty, the index names the new conversation
	[ ! -s "$S/.git/inbox/words.log" ]
	grep -qx "$d" "$S/.git/inbox/words"
	[ "$(ids cold)" = "$(sorted "$d")" ]
	[ "$(ids backflow)" = "$(sorted "$a")" ]
}

@test "search: an email's text is searched as decoded, not as base64" {
	body=$(printf 'The sump pump alarm is beeping\n' | base64)
	inbox-recv >/dev/null <<-EOF
	From: Dana Reyes <dana@example.com>
	To: office@fieldco.example
	Subject: Alarm
	Date: Sun, 22 Nov 2026 08:00:00 +0000
	Message-ID: <sump-1@example.com>
	MIME-Version: 1.0
	Content-Type: text/plain; charset=utf-8
	Content-Transfer-Encoding: base64

	$body
	EOF
	run inbox-ls -s sump
	[ "$status" -eq 0 ]
	[ "$(cut -f5 <<<"$output")" = "dana@example.com" ]
	run inbox-ls -s 'pump alarm'
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
}

@test "search: inside a word longer than the index keeps" {
	long=$(printf 'x%.0s' $(seq 300))needle
	tick
	d=$(recv_sms SMd1 +15557650004 "code $long here" | cut -d/ -f1)
	[ "$(ids needle)" = "$(sorted "$d")" ]
	[ "$(ids xxxxneedle)" = "$(sorted "$d")" ]
}

@test "search: UTF-8 words are words" {
	tick
	d=$(recv_sms SMd1 +15557650004 'Danke, die Küche ist trocken' | cut -d/ -f1)
	[ "$(ids Küche)" = "$(sorted "$d")" ]
	[ "$(ids üche)" = "$(sorted "$d")" ]
}

@test "search: inbox-maint rebuilds the index, inbox-fsck --reindex forgets it" {
	ids water >/dev/null
	tick
	recv_sms SMd1 +15557650004 'cold water only' >/dev/null
	ids water >/dev/null
	[ -s "$S/.git/inbox/words.log" ]
	inbox-maint -q --no-pack
	[ ! -s "$S/.git/inbox/words.log" ]
	grep -q '^cold	' "$S/.git/inbox/words"
	inbox-fsck -q --reindex
	[ ! -e "$S/.git/inbox/words" ]
	[ "$(ids cold | wc -w)" -eq 1 ]
}

@test "search: -m lists the messages that have it" {
	tick
	recv_sms SMa2 +15557650001 'and the water is brown' >/dev/null
	run inbox-ls -m -s water
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
}
