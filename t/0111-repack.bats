#!/usr/bin/env bats
# inbox-maint --full: every object the history reaches packed again into
# one pack of the store's own making, old versions as deltas of newer
# ones, checked before anything old is removed.

load helper

setup() {
	new_store
	recv_sms SM1 +15125550100 "Boiler leaking" >/dev/null
	tick
	recv_sms SM2 +15125550101 "Tap dripping" >/dev/null
	tick
	recv_sms SM3 +15125550100 "Still leaking" >/dev/null
	export GIT_AUTHOR_NAME=office GIT_AUTHOR_EMAIL=office@example.com
	export GIT_COMMITTER_NAME=office GIT_COMMITTER_EMAIL=office@example.com
}

# side N: refs/heads/side gets a commit whose notes.txt is the first N
# lines of the same pseudo-random ones, made N seconds after the store's
# first commit
side() {
	local blob tree parent c

	blob=$(awk -v n="$1" 'BEGIN { srand(1); for (i = 1; i <= n; i++)
	    printf "%d %08x%08x\n", i, rand() * 2^32, rand() * 2^32 }' |
	    git hash-object -w --stdin)
	tree=$(printf '100644 blob %s\tnotes.txt\n' "$blob" | git mktree)
	parent=$(git rev-parse -q --verify refs/heads/side || true)
	c=$(GIT_COMMITTER_DATE="@$((INBOX_NOW + 3600 + $1)) +0000" \
	    git commit-tree ${parent:+-p "$parent"} -m "notes $1" "$tree")
	git update-ref refs/heads/side "$c"
	echo "$c"
}

# every object the refs and reflogs reach, as git lists them
reached() {
	git rev-list --objects --all --reflog | cut -d' ' -f1 | sort
}

@test "maint --full: everything refs, reflogs, tags and merges reach is kept" {
	for n in 1 2 3; do side $n >/dev/null; done
	git tag -a v1 -m "first three" side
	gone=$(side 4)
	git update-ref refs/heads/side "$(git rev-parse side~1)"
	merge=$(git commit-tree -p main -p side -m merge "$(git rev-parse main^{tree})")
	git update-ref refs/heads/merged "$merge"
	show_before=$(inbox-show "$(inbox-ls --all | head -1 | cut -f1)")
	ls_before=$(inbox-ls --all)
	want=$(reached)
	commits=$(git rev-list --all --reflog | wc -l)
	run inbox-maint --full
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^packed$'\t'[0-9]+\ objects,\ [0-9]+\ as\ deltas,\ [0-9]+\ as\ they\ were,\ from\ $commits\ commits$ ]]
	[ "$(loose)" -eq 0 ]
	[ "$(packs)" -eq 1 ]
	[ ! -e .git/objects/repack.tmp ]
	git fsck --full --strict --no-dangling 2>&1
	[ "$(reached)" = "$want" ]
	[ "$(git cat-file -t v1)" = tag ]
	[ "$(git cat-file -t "$gone")" = commit ]
	[ "$(git show "$gone:notes.txt" | wc -l)" -eq 4 ]
	[ "$(inbox-ls --all)" = "$ls_before" ]
	[ "$(inbox-show "$(inbox-ls --all | head -1 | cut -f1)")" = "$show_before" ]
	git verify-pack .git/objects/pack/pack-*.idx
}

@test "maint --full: old versions are deltas of the next, in chains of 50 at most" {
	for n in $(seq 40 110); do side "$n" >/dev/null; done
	run inbox-maint --full
	[ "$status" -eq 0 ]
	deltas=$(printf '%s\n' "${lines[0]}" | sed 's/.*objects, \([0-9]*\) as deltas.*/\1/')
	[ "$deltas" -ge 69 ]
	git verify-pack -v .git/objects/pack/pack-*.idx >"$BATS_TEST_TMPDIR/vp"
	longest=$(sed -n 's/^chain length = \([0-9]*\):.*/\1/p' "$BATS_TEST_TMPDIR/vp" |
	    sort -n | tail -1)
	[ "$longest" -ge 2 ]
	[ "$longest" -le 50 ]
	for k in 0 30 50 70; do
		[ "$(git show "side~$k:notes.txt" | wc -l)" -eq $((110 - k)) ]
	done
	git fsck --full --strict --no-dangling 2>&1
	# its versions packed whole by git take more than twice the room
	git rev-list --objects side | git pack-objects -q --window=0 --no-reuse-delta \
	    "$BATS_TEST_TMPDIR/whole" >/dev/null
	blobs() {
		git verify-pack -v "$1" | awk '$2 == "blob" { s += $4 } END { print s }'
	}
	ours=$(git rev-list --objects side | cut -d' ' -f1 |
	    git cat-file --batch-check='%(objecttype) %(objectsize:disk)' |
	    awk '$1 == "blob" { s += $2 } END { print s }')
	whole=$(blobs "$BATS_TEST_TMPDIR"/whole-*.idx)
	[ "$ours" -lt $((whole / 2)) ]
}

@test "maint --full again: what its pack holds copied as it was, the same pack" {
	for n in $(seq 40 80); do side "$n" >/dev/null; done
	inbox-maint -q --full
	pack=$(ls .git/objects/pack/*.pack)
	run inbox-maint --full
	[ "$status" -eq 0 ]
	objects=$(sed 's/^packed\t\([0-9]*\) objects.*/\1/' <<<"${lines[0]}")
	reused=$(sed 's/.* \([0-9]*\) as they were.*/\1/' <<<"${lines[0]}")
	[ "$objects" -gt 100 ]
	[ "$reused" -eq "$objects" ]
	[ "$(ls .git/objects/pack/*.pack)" = "$pack" ]
	# a new version: deflated, and the version before it and its tree
	# made deltas of the new; the rest copied
	side 81 >/dev/null
	run inbox-maint --full
	[ "$status" -eq 0 ]
	[ "$(sed 's/.* \([0-9]*\) as they were.*/\1/' <<<"${lines[0]}")" -eq $((objects - 2)) ]
	[ "$(git show side:notes.txt | wc -l)" -eq 81 ]
	[ "$(git show side~40:notes.txt | wc -l)" -eq 41 ]
	git fsck --full --strict --no-dangling 2>&1
}

@test "maint --full: what nothing reaches goes, loose or packed; a kept pack stays" {
	stray=$(echo "nobody refers to this" | git hash-object -w --stdin)
	packed=$(echo "nor to this" | git hash-object -w --stdin)
	kept=$(echo "kept by hand" | git hash-object -w --stdin)
	echo "$packed" | git pack-objects -q .git/objects/pack/pack >/dev/null
	k=$(echo "$kept" | git pack-objects -q .git/objects/pack/pack)
	touch ".git/objects/pack/pack-$k.keep"
	git prune-packed
	run inbox-maint -q --full
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	! git cat-file -e "$stray"
	! git cat-file -e "$packed"
	git cat-file -e "$kept"
	[ -e ".git/objects/pack/pack-$k.pack" ]
	[ "$(packs)" -eq 2 ]
	[ "$(loose)" -eq 0 ]
	git fsck --full --no-dangling 2>&1
}

@test "maint --full: a store missing an object exits 2 and changes nothing" {
	blob=$(git rev-parse "HEAD:$(git ls-tree -r --name-only HEAD | grep /cur/ | head -1)")
	f=".git/objects/${blob:0:2}/${blob:2}"
	[ -f "$f" ]
	rm -f "$f"
	before=$(find .git/objects -type f | sort | xargs md5sum)
	run inbox-maint -q --full
	[ "$status" -eq 2 ]
	[ "$output" = "inbox-maint: repack: object $blob is missing" ]
	[ "$(find .git/objects -type f | sort | xargs md5sum)" = "$before" ]
	[ ! -e .git/objects/repack.tmp ]
}

@test "maint --full: what a run cut short left is cleared" {
	mkdir -p .git/objects/repack.tmp/pack
	echo half > .git/objects/repack.tmp/pack/tmp.pack
	echo half > .git/objects/repack.tmp/list
	run inbox-maint -q --full
	[ "$status" -eq 0 ]
	[ ! -e .git/objects/repack.tmp ]
	[ "$(packs)" -eq 1 ]
	git fsck --full --strict --no-dangling 2>&1
}

@test "maint --full: a pack read through deltas it made, by inbox and by git" {
	for i in $(seq 1 30); do
		tick
		recv_sms "SMx$i" +15125550100 "Update number $i on the boiler" >/dev/null
	done
	id=$(inbox-ls --all | grep 15125550100 | cut -f1)
	before=$(inbox-show "$id")
	log=$(git log --format='%H %s' main)
	run inbox-maint --full
	[ "$status" -eq 0 ]
	[ "$(inbox-show "$id")" = "$before" ]
	[ "$(git log --format='%H %s' main)" = "$log" ]
	git verify-pack -v .git/objects/pack/pack-*.idx | grep -q 'chain length = 1:'
	run inbox-ls -s boiler
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
}
