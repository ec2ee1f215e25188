#!/usr/bin/env bats
# inbox-maint: packs the loose objects commits leave (incrementally, or
# all of it with --full), rebuilds the cache.

load helper

setup() {
	new_store
	recv_sms SM1 +15125550100 "Boiler leaking" >/dev/null
	tick
	recv_sms SM2 +15125550101 "Tap dripping" >/dev/null
}

@test "maint: packs every loose object, keeps every commit, git fsck clean" {
	[ "$(loose)" -gt 0 ]
	before=$(git rev-parse HEAD)
	run inbox-maint
	[ "$status" -eq 0 ]
	[ "${lines[0]%%	*}" = objects ]
	[[ "${lines[0]}" == *"-> 0 loose" ]]
	[ "${lines[2]}" = "conversations	2 summarised" ]
	[ "$(loose)" -eq 0 ]
	[ "$(git rev-parse HEAD)" = "$before" ]
	git fsck --no-dangling 2>&1
	[ "$(inbox-ls | cut -f5 | sort)" = "+15125550100
+15125550101" ]
}

@test "maint: rebuilds a deleted cache; -q prints nothing; --no-pack leaves objects" {
	rm -f .git/inbox/summary
	n=$(loose)
	run inbox-maint -q --no-pack
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ -s .git/inbox/summary ]
	[ "$(loose)" -eq "$n" ]
}

@test "maint: a busy store exits 75; usage errors exit 64" {
	exec 9>.git/inbox/lock
	flock 9
	INBOX_LOCK_TIMEOUT=0 run inbox-maint
	[ "$status" -eq 75 ]
	exec 9>&-
	run inbox-maint extra
	[ "$status" -eq 64 ]
	[ "${lines[0]}" = "usage: inbox-maint [-q] [-C DIR] [-u USER] [--full | --no-pack]" ]
	run inbox-maint --full --no-pack
	[ "$status" -eq 64 ]
}

@test "maint: loose objects go into a pack; a big pack stays as it is" {
	git repack -a -d -q
	big=$(find .git/objects/pack -name 'pack-*.pack')
	[ "$(packs)" -eq 1 ]
	recv_sms SM3 +15125550102 "Radiator cold" >/dev/null
	printf '{"type":"message","id":"b-%d","from":"+1512555020%d","body":"Batch %d"}\n' \
	    1 1 1 2 2 2 | inbox-recv -q --batch
	[ "$(packs)" -eq 2 ]
	[ "$(loose)" -gt 0 ]
	run inbox-maint -q
	[ "$status" -eq 0 ]
	[ "$(loose)" -eq 0 ]
	[ -e "$big" ]
	[ "$(packs)" -le 3 ]
	git fsck --no-dangling 2>&1
	[ "$(inbox-ls --all | wc -l)" -eq 5 ]
}

@test "maint --full: one pack, and what no commit reaches is dropped" {
	printf '{"type":"message","id":"b-1","from":"+15125550201","body":"Batch"}\n' |
	    inbox-recv -q --batch
	stray=$(echo "nobody refers to this" | git hash-object -w --stdin)
	run inbox-maint -q --full
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(loose)" -eq 0 ]
	[ "$(packs)" -eq 1 ]
	! git cat-file -e "$stray"
	git fsck --no-dangling 2>&1
	[ "$(inbox-ls --all | wc -l)" -eq 3 ]
}
