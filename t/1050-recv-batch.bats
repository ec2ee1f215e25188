#!/usr/bin/env bats
# inbox-recv --batch: JSON lines and mboxes, one commit per batch, a bad
# record reported and the rest filed.

load helper
load data/outbound

D="$BATS_TEST_DIRNAME/data"

setup() {
	new_store
	no_autoreply
	N0=$(commits)
}

msgfile() {
	ls conv/"${1:0:2}"/"${1%%/*}"/*/"${1#*/}"*
}

@test "batch: JSON lines, one commit, a bad line reported, the rest filed" {
	run inbox-recv --batch <"$D/batch.jsonl"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 5 ]
	[ "${lines[0]}" = "inbox-recv: record 3: bad JSON at line 1: unexpected token near end of file" ]
	[ "${lines[1]%%/*}" = bfda3c3376e9 ]
	[ "${lines[2]%%/*}" = "$(addr_conv +15557650002)" ]
	[ "${lines[3]%%/*}" = bfda3c3376e9 ]
	[ "${lines[4]%%/*}" = "$(addr_conv +15557650003)" ]
	[ "$(commits)" -eq $((N0 + 1)) ]
	[ "$(git log -1 --format=%s)" = "inbox-recv: batch of 4 events" ]
	[ "$(git log -1 --format=%b | grep -c '^Provider-Id: ')" -eq 4 ]
	all_committed
	run inbox-ls
	[ "$output" = "$(printf '%s\t1\t2026-11-22T08:04:00Z\tvoice\t+15557650003\tVoice call - missed\nbfda3c3376e9\t2\t2026-11-22T08:03:00Z\tsms\t+15557654321\tNever mind, found it\n%s\t1\t2026-11-22T08:01:00Z\tportal\t+15557650002\tPlease call before coming' "$(addr_conv +15557650003)" "$(addr_conv +15557650002)")" ]
}

@test "batch: all good records: exit 0, one commit" {
	run inbox-recv --batch --format json < <(grep -v 'batch-0003' "$D/batch.jsonl")
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[ "$(commits)" -eq $((N0 + 1)) ]
}

@test "batch: the same batch again files nothing and makes no commit" {
	inbox-recv --batch <"$D/batch.jsonl" >/dev/null 2>&1 || true
	before=$(snapshot)
	run inbox-recv --batch <"$D/batch.jsonl"
	[ "$status" -eq 1 ]
	[ "$(snapshot)" = "$before" ]
}

@test "batch: every record bad is malformed input (65), no commit" {
	before=$(snapshot)
	run inbox-recv --batch --format json < <(printf '{"type":"fax"}\n{"type":\n')
	[ "$status" -eq 65 ]
	[ "${lines[0]}" = 'inbox-recv: record 1: unknown event type "fax"' ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(snapshot)" = "$before" ]
}

@test "batch: blank lines and CRLF line ends are fine" {
	run inbox-recv --batch < <(printf '\n%s\r\n\r\n%s\r\n' \
	    '{"type":"message","id":"c1","from":"+15557654321","body":"one"}' \
	    '{"type":"message","id":"c2","from":"+15557654321","body":"two"}')
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(tail -n 1 "$(msgfile "${lines[1]}")")" = two ]
}

@test "batch: Twilio status callbacks, one a line" {
	id=$(outbound +15557654321 SM7a9c0e1b3d5f7a9c0e2b4d6f8a0c2e4b)
	run inbox-recv --batch < <(cat "$D/twilio-status-delivered.form"; echo
	    cat "$D/twilio-status-sent.form"; echo; cat "$D/twilio-status-read.form")
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n%s\n%s' "$id" "$id" "$id")" ]
	grep -qx 'X-Inbox-Status: read' "$(msgfile "$id")"
	[ "$(commits)" -eq $((N0 + 2)) ]
}

@test "batch: an unknown status among good records exits 1" {
	run inbox-recv --batch < <(cat "$D/twilio-status-delivered.form"; echo
	    twilio_sms SM00000000000000000000000000000001 +15557654321 hello)
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "inbox-recv: no message with provider id SM7a9c0e1b3d5f7a9c0e2b4d6f8a0c2e4b" ]
	[ "${lines[1]%%/*}" = bfda3c3376e9 ]
	[ "$(git log -1 --format=%s)" = "inbox-recv: batch of 2 events" ]
}

@test "batch: an mbox, a mail without From reported, the rest byte for byte" {
	run inbox-recv --batch <"$D/batch.mbox"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "inbox-recv: record 2: mail without a From address" ]
	a=${lines[1]} b=${lines[2]}
	[ "${a%%/*}" = "$(addr_conv jean.dupont@example.org)" ]
	[ "${b%%/*}" = "$(addr_conv maria.garcia@example.net)" ]
	tail -n +7 "$(msgfile "$a")" | cmp - "$D/email-plain.eml"
	tail -n +7 "$(msgfile "$b")" | cmp - "$D/email-attachment.eml"
	[ "$(commits)" -eq $((N0 + 1)) ]
	[ "$(git log -1 --format=%s)" = "inbox-recv: batch of 2 events" ]
	all_committed
}

@test "batch: an mbox of one mail without a trailing blank line" {
	run inbox-recv --batch < <(printf 'From x@example.net Sun Nov 22 08:00:00 2026\n'
	    cat "$D/email-plain.eml")
	[ "$status" -eq 0 ]
	tail -n +7 "$(msgfile "$output")" | cmp - "$D/email-plain.eml"
}

@test "batch: three hundred lines, still one commit" {
	for i in $(seq 1 300); do
		printf '{"type":"message","id":"bulk-%d","from":"+1555765%04d","body":"n %d"}\n' \
		    "$i" "$((i % 50))" "$i"
	done >"$BATS_TEST_TMPDIR/bulk.jsonl"
	run inbox-recv --batch -q <"$BATS_TEST_TMPDIR/bulk.jsonl"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(commits)" -eq $((N0 + 1)) ]
	[ "$(find conv -type f -path '*/new/*' | wc -l)" -eq 300 ]
	[ "$(inbox-ls | wc -l)" -eq 50 ]
}

@test "batch: its objects are one pack, not loose files, and git reads it" {
	local loose packs
	loose=$(find .git/objects -path '*/[0-9a-f][0-9a-f]/*' -type f | wc -l)
	packs=$(find .git/objects/pack -name '*.pack' | wc -l)
	awk 'BEGIN { for (i = 1; i <= 300; i++)
		printf "{\"type\":\"message\",\"id\":\"pk-%d\",\"time\":" \
		    "\"2026-11-22T08:%02d:00Z\",\"from\":\"+1512555%04d\"," \
		    "\"body\":\"Leak number %d\"}\n", i, i % 60, i % 120, i }' |
	    inbox-recv -q --batch
	[ "$(commits)" -eq $((N0 + 1)) ]
	[ "$(find .git/objects -path '*/[0-9a-f][0-9a-f]/*' -type f |
	    wc -l)" -eq "$loose" ]
	[ "$(find .git/objects/pack -name '*.pack' | wc -l)" -eq $((packs + 1)) ]
	[ -z "$(find .git/objects/pack -name 'tmp_*')" ]
	git verify-pack .git/objects/pack/pack-*.idx
	git fsck --no-dangling
	all_committed
	[ "$(git grep -l '^Leak number 300$' HEAD -- conv | wc -l)" -eq 1 ]
	[ "$(git grep -l '^Leak number' HEAD -- conv | wc -l)" -eq 300 ]
	[ "$(inbox-ls --all --all-time -s Leak | wc -l)" -eq 120 ]
	# and the next commit builds on it
	recv_sms SMafter +15125550001 "After the batch" >/dev/null
	git fsck --no-dangling
	[ "$(inbox-ls --all --all-time -s Leak | wc -l)" -eq 120 ]
}
