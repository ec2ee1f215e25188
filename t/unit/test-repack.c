/*
 * test-repack.c - the store's own full repack (repack.c) on a history git
 * made: many versions of a file and a directory, a file larger than a
 * delta's 64 KB copy changed in its middle, a tag, a merge, a commit only
 * a reflog names, objects both packed and loose.  Afterwards every object
 * git lists is read back and hashed again, git fsck --strict passes, the
 * chains of deltas are at most 50 long; a store missing an object fails
 * with class 2 and keeps every file it had.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "packread.h"
#include "repack.h"
#include "unit.h"
#include "util.h"

static char root[] = "/tmp/inbox-unit-repack-XXXXXX";

static int
sh(const char *cmd, struct sb *out)
{
	return unit_sh(root, cmd, out);
}

static long
num(const char *cmd)
{
	struct sb out = SB_INIT;
	long n;

	sh(cmd, &out);	/* grep -c counting none fails */
	n = out.len ? strtol(out.buf, NULL, 10) : -1;

	sb_release(&out);
	return n;
}

static const char *const tname[] = { "", "commit", "tree", "blob", "tag" };

/* Every object git lists as reached, read out of the packs and hashed:
 * the number read right. */
static long
read_back(long *total)
{
	struct sb out = SB_INIT;
	char objects[128];
	struct preader *r;
	long good = 0;

	snprintf(objects, sizeof(objects), "%s/.git/objects", root);
	r = pr_new(objects);
	*total = 0;
	if (sh("git rev-list --objects --all --reflog | cut -d' ' -f1", &out))
		return -1;
	for (char *l = strtok(out.buf, "\n"); l; l = strtok(NULL, "\n")) {
		unsigned char sum[SHA1_LEN];
		char hdr[64];
		git_oid id;
		git_object_t t;
		void *data;
		size_t len;
		struct md m;

		(*total)++;
		if (git_oid_fromstr(&id, l) < 0 ||
		    pr_read(r, &id, NULL, &data, &len, &t) != 0)
			continue;
		sha1_init(&m);
		md_update(&m, hdr, (size_t)snprintf(hdr, sizeof(hdr), "%s %zu",
		    t > 0 && t < 5 ? tname[t] : "?", len) + 1);
		md_update(&m, data, len);
		md_final(&m, sum);
		good += memcmp(sum, id.id, SHA1_LEN) == 0;
		free(data);
	}
	pr_free(r);
	sb_release(&out);
	return good;
}

static const char history[] =
    "set -e; git init -q -b main .; "
    "git config user.name office; git config user.email o@example.com; "
    "mkdir -p a/b c1 c2; "
    "for c in 1 2; do printf 'X-Inbox-Channel: sms\\nX-Inbox-Direction: "
    "out\\nX-Inbox-Type: reminder\\nTo: +1512555010%s\\n\\nA reminder "
    "of your appointment tomorrow between 9 and 11 am. Reply C to "
    "confirm or R to reschedule. Reply STOP to opt out.\\n' $c "
    ">c$c/msg; done; "
    "awk 'BEGIN { srand(2); for (i = 0; i < 8000; i++) "
    "printf \"%08x%08x\\n\", rand() * 2^32, rand() * 2^32 }' >big; "
    "for i in $(seq 1 130); do "
    "  echo \"line $i of the notes, with some words\" >>a/b/notes; "
    "  echo \"$i\" >a/f$((i % 7)); "
    "  if [ $i = 60 ]; then sed -i '4000s/^/changed /' big; fi; "
    "  git add -A; git commit -q -m \"change $i\"; "
    "  if [ $i = 70 ]; then git gc -q; fi; "
    "done; "
    "git tag -a v1 -m tagged HEAD~5; "
    "git checkout -q -b side HEAD~20; echo side >side; git add side; "
    "git commit -q -m side; git checkout -q main; "
    "git merge -q --no-edit side; "
    "echo gone >gone; git add gone; git commit -q -m gone; "
    "git reset -q --hard HEAD~1";

int
main(void)
{
	struct repack_stats st;
	struct sb out = SB_INIT;
	char git[128], first[256];
	long total, good, commits, deep;

	if (!mkdtemp(root)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	git_libgit2_init();
	snprintf(git, sizeof(git), "%s/.git", root);
	CHECK(sh(history, NULL) == 0, "git makes a history");
	commits = num("git rev-list --all --reflog | wc -l");
	CHECK(num("find .git/objects -path '*/objects/[0-9a-f][0-9a-f]/*' | wc -l") > 0 &&
	    num("ls .git/objects/pack/*.pack | wc -l") == 1,
	    "objects both loose and packed");

	CHECK(repack_full(git, &st) == 0, "repacked");
	CHECK(st.reused > 0 && st.reused < st.objects,
	    "what git's pack kept whole copied, the loose deflated");
	CHECK_INT((long)st.commits, commits, "every commit walked");
	CHECK(st.deltas > 150, "old versions stored as deltas");
	CHECK_INT(num("ls .git/objects/pack/*.pack | wc -l"), 1, "one pack");
	CHECK_INT(num("find .git/objects -path '*/objects/[0-9a-f][0-9a-f]/*' | wc -l"), 0,
	    "no loose object");
	CHECK_INT(num("test -e .git/objects/repack.tmp; echo $?"), 1,
	    "its lists removed");
	good = read_back(&total);
	CHECK(total > 400, "git lists the history's objects");
	CHECK_INT(good, total, "every object read back and hashed right");
	CHECK_INT((long)st.objects, total, "the pack holds just those");
	CHECK(sh("git fsck --full --strict --no-dangling 2>&1", &out) ==
	    0 && out.len == 0, "git fsck --strict passes");
	if (out.len)
		printf("# %s\n", out.buf);
	deep = num("git verify-pack -v .git/objects/pack/*.idx | "
	    "sed -n 's/^chain length = \\([0-9]*\\):.*/\\1/p' | sort -n | "
	    "tail -1");
	CHECK(deep >= 20 && deep <= 50, "chains of deltas 50 long at most");
	CHECK(num("git cat-file -p main:big | sed -n 4000p | "
	    "grep -c '^changed '") == 1 &&
	    num("git cat-file -p main~80:big | grep -c '^changed '") == 0,
	    "a file past a copy's 64 KB, both versions");
	CHECK_INT(num("printf 'main~80:big\\nmain:big\\n' | git cat-file "
	    "--batch-check='%(objectname) %(deltabase)' | "
	    "awk '{ n[NR] = $1; b[NR] = $2 } END { print b[1] == n[2] }'"),
	    1, "the old one a delta of the new");
	CHECK_INT(num("printf 'main:c1/msg\\nmain:c2/msg\\n' | git cat-file "
	    "--batch-check='%(objectname) %(deltabase)' | awk '{ n[NR] = $1; "
	    "b[NR] = $2 } END { print b[1] == n[2] || b[2] == n[1] }'"),
	    1, "a message a delta of another like it, in another folder");
	CHECK_INT(num("git cat-file -t $(git rev-parse 'HEAD@{1}') | "
	    "grep -c commit"), 1, "a commit only a reflog names kept");
	CHECK_INT(num("git cat-file -t v1 | grep -c tag"), 1, "a tag kept");

	/* again, on its own pack: the same objects, every one copied as
	 * it was, and the same pack to the byte */
	sh("ls .git/objects/pack/*.pack", &out);
	snprintf(first, sizeof(first), "%s", out.buf);
	CHECK(repack_full(git, &st) == 0 && (long)st.objects == total,
	    "repacks its own pack");
	CHECK_INT((long)st.reused, (long)st.objects, "copying what it had");
	sh("ls .git/objects/pack/*.pack", &out);
	CHECK_STR(out.buf, first, "the same pack");
	good = read_back(&total);
	CHECK_INT(good, total, "every object read back again");

	/* a missing object: an error, nothing removed */
	CHECK(sh("echo more >>a/b/notes && git add -A && "
	    "git commit -q -m more", NULL) == 0, "a commit of loose objects");
	CHECK(sh("rm -f .git/objects/$(git rev-parse HEAD:a/b/notes | "
	    "sed 's,^..,&/,')", NULL) == 0, "one of them removed");
	sh("find .git/objects -type f | sort | xargs md5sum", &out);
	{
		char *before = xmalloc(out.len + 1);

		memcpy(before, out.buf, out.len + 1);
		inbox_error_clear();
		CHECK(repack_full(git, &st) < 0, "fails");
		CHECK_INT(inbox_errcode(), INBOX_EFAIL, "with class 2");
		sh("find .git/objects -type f | sort | xargs md5sum", &out);
		CHECK_STR(out.buf, before, "every file as it was");
		free(before);
	}

	sb_release(&out);
	if (!unit_failed) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		unit_sh("/", cmd, NULL);
	}
	git_libgit2_shutdown();
	return UNIT_DONE();
}
