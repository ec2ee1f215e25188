#!/usr/bin/env bats
# The listing cache (.git/inbox/summary): a sorted body that a page is
# read from, a tail of changes appended since, compaction.  It is only a
# cache: whatever state it is in, inbox-ls must print what it prints from
# a cache rebuilt from nothing.

load helper
load data/outbound

C=.git/inbox/summary

setup() {
	new_store
	no_autoreply
	for i in 1 2 3 4 5 6; do
		tick
		recv_sms SM$i +1555765000$i "message $i" >/dev/null
	done
	inbox-ls >/dev/null
}

# every view of the inbox, as printed now
views() {
	inbox-ls --all --all-time --json
	inbox-ls -n 2 --all-time
	inbox-ls -n 2 --page 2 --all-time
	inbox-ls -n 3 --unassigned
	inbox-ls -n 1 --archived --all-time || true
	inbox-ls --counts
}

# views equal those from a cache made from nothing
same_as_rebuilt() {
	local now
	now=$(views)
	cp "$C" "$BATS_TEST_TMPDIR/cache"
	rm "$C"
	[ "$(views)" = "$now" ]
	cp "$BATS_TEST_TMPDIR/cache" "$C"
}

@test "cache: a page after each kind of change is the page of a rebuilt cache" {
	a=$(conv_of +15557650001)
	b=$(conv_of +15557650002)
	same_as_rebuilt
	tick
	recv_sms SM7 +15557650001 'again' >/dev/null
	same_as_rebuilt
	inbox-show "$b" >/dev/null
	same_as_rebuilt
	inbox-assign -q "$a" dispatch
	same_as_rebuilt
	inbox-archive -q "$b"
	same_as_rebuilt
	# a conversation that goes away: its address attached to a customer
	customer jane "Jane Roe" +15557659999
	inbox-link -q --attach +15557650003 jane
	same_as_rebuilt
	# the changes went on the tail; the body is still sorted
	[ "$(head -c 4 "$C")" = "$(printf 'V\t2\t')" ]
	[ "$(grep -c '^H' "$C")" -gt 1 ]
}

@test "cache: the body is most recent first and names its length" {
	rm "$C"
	inbox-ls >/dev/null
	body=$(head -n 1 "$C" | cut -f3)
	[ "$(tail -n +2 "$C" | wc -c)" -eq $((10#$body)) ]
	# the S lines' last-activity times never rise
	tail -n +2 "$C" | grep '^S' | cut -f15 | cut -d ' ' -f 11 >times
	sort -rn times | cmp - times
	[ "$(tail -n 1 "$C" | cut -f2)" = "$(git rev-parse HEAD)" ]
}

@test "cache: a tail grown past its limit is folded into the body" {
	tick
	INBOX_SUMMARY_TAIL=1 recv_sms SM8 +15557650008 'new one' >/dev/null
	INBOX_SUMMARY_TAIL=1 run inbox-ls -n 1
	[ "$(cut -f6 <<<"$output")" = "new one" ]
	# rewritten: one mark, at the end
	[ "$(grep -c '^H' "$C")" -eq 1 ]
	same_as_rebuilt
}

@test "cache: an old cache without the header is read, then rewritten" {
	want=$(views)
	tail -n +2 "$C" >"$C.old"
	mv "$C.old" "$C"
	[ "$(views)" = "$want" ]
	tick
	recv_sms SM9 +15557650009 'later' >/dev/null
	inbox-ls -n 1 >/dev/null
	[ "$(head -c 4 "$C")" = "$(printf 'V\t2\t')" ]
	same_as_rebuilt
}

@test "cache: a line a crash cut short does not swallow the next" {
	printf 'S\tabc' >>"$C"
	tick
	recv_sms SM10 +15557650010 'after the crash' >/dev/null
	run inbox-ls -n 1
	[ "$(cut -f6 <<<"$output")" = "after the crash" ]
	same_as_rebuilt
}

@test "cache: a commit made by git itself is caught up by a diff" {
	before=$(inbox-ls -n 1 | cut -f1)
	# git, not inbox: no journal line for this commit
	a=$(conv_of +15557650001)
	printf 'assignee: tech1\n' >>"conv/${a:0:2}/$a/state"
	git_commit 'by hand'
	run inbox-ls --assignee tech1 --all-time
	[ "$(cut -f1 <<<"$output")" = "$a" ]
	same_as_rebuilt
}
