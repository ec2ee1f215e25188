/*
 * test-pack.c - bulk writing (repo_bulk(), pack.c): blobs and trees of a
 * commit go into one pack, stored or deflated by size, read back before
 * the pack is finished and through libgit2's own pack reader after; git
 * itself checks the pack, its index and every object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repo.h"
#include "unit.h"
#include "util.h"

static char root[] = "/tmp/inbox-unit-pack-XXXXXX";

/* The output of a shell command run in the repository, trimmed. */
static int
sh(const char *cmd, struct sb *out)
{
	return unit_sh(root, cmd, out);
}

/* A file of the work tree written as it is, for git to compare. */
static int
write_file_at(const char *path, const char *data, size_t n)
{
	struct sb p = SB_INIT;
	int r;

	sb_addf(&p, "%s/loose", root);
	r = mkdir_p(p.buf);
	sb_reset(&p);
	sb_addf(&p, "%s/%s", root, path);
	if (r == 0)
		r = write_atomic(p.buf, data, n, 0644);
	sb_release(&p);
	return r;
}

/* n bytes of a pattern that does not repeat in short order */
static char *
bytes(size_t n, unsigned seed)
{
	char *p = xmalloc(n + 1);

	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (char)(' ' + (seed >> 16) % 90);
	}
	p[n] = '\0';
	return p;
}

/* Reads of a commit by id keep its trees (repo.c tree_at()): every
 * file of 40 directories, in an order that pushes trees out, and a
 * listing whose callback reads (its tree pushed out meanwhile). */
struct walk {
	struct repo *r;
	const char *id;
	int n, bad;
};

static int
walk_cb(const char *name, int is_dir, void *arg)
{
	struct walk *w = arg;
	struct sb p = SB_INIT, got = SB_INIT, want = SB_INIT;

	if (!is_dir || strncmp(name, "at", 2) != 0)
		return 0;
	sb_addf(&p, "%s/sub/f", name);
	sb_addf(&want, "file %s\n", name);
	if (repo_read(w->r, w->id, p.buf, &got) != 0 ||
	    strcmp(got.buf ? got.buf : "", want.buf) != 0)
		w->bad++;
	w->n++;
	sb_release(&p);
	sb_release(&got);
	sb_release(&want);
	return 0;
}

static void
at_id(struct repo *r)
{
	struct repo_change ch[40];
	char paths[40][32], texts[40][32], id[OID_HEX];
	struct sb got = SB_INIT;
	struct walk w = { r, id, 0, 0 };
	int ok = 1;

	memset(ch, 0, sizeof(ch));
	for (int i = 0; i < 40; i++) {
		snprintf(paths[i], sizeof(paths[i]), "at%02d/sub/f", i);
		snprintf(texts[i], sizeof(texts[i]), "file at%02d\n", i);
		ch[i].path = paths[i];
		ch[i].data = texts[i];
		ch[i].len = strlen(texts[i]);
	}
	CHECK_INT(repo_commit(r, ch, 40, "office", "office@inbox",
	    1795338100, "forty directories\n", id), 0, "a commit of 40 dirs");
	for (int k = 0; k < 3; k++)
		for (int i = 0; i < 40; i++) {
			int j = (i * 7 + k * 13) % 40;

			sb_reset(&got);
			if (repo_read(r, id, paths[j], &got) != 0 ||
			    strcmp(got.buf ? got.buf : "", texts[j]) != 0)
				ok = 0;
		}
	CHECK(ok, "every file read at the commit's id, trees pushed out");
	CHECK_INT(repo_read(r, id, "at07/sub/none", &got), 1,
	    "a file not there: 1");
	CHECK_INT(repo_read(r, id, "at07/sub/f/x", &got), 1,
	    "a file taken for a directory: 1");
	CHECK_INT(repo_read(r, id, "nowhere/f", &got), 1,
	    "a directory not there: 1");
	CHECK_INT(repo_ls_tree(r, id, "", walk_cb, &w), 0, "a listing");
	CHECK(w.n == 40 && w.bad == 0, "a listing whose callback reads "
	    "files of every directory");
	sb_release(&got);
}

int
main(void)
{
	static const size_t sizes[] = { 0, 1, 100, 255, 256, 2048, 70000,
	    200000 };
	enum { N = sizeof(sizes) / sizeof(*sizes) };
	struct repo_change ch[N + 1];
	char *data[N], path[N][32], oid[OID_HEX];
	struct sb out = SB_INIT;
	struct repo *r;
	int ok;

	if (!mkdtemp(root) || repo_init(root) < 0 || repo_open(&r, root) < 0)
		return 1;
	memset(ch, 0, sizeof(ch));
	CHECK_INT(repo_bulk(r, 1), 0, "bulk on");
	for (size_t i = 0; i < N; i++) {
		data[i] = bytes(sizes[i], (unsigned)i + 1);
		snprintf(path[i], sizeof(path[i]), "d%zu/f%zu", i % 3, i);
		ch[i].path = path[i];
		ch[i].written = 1;
		CHECK_INT(repo_blob_write(r, data[i], sizes[i], ch[i].oid), 0,
		    "a blob into the pack");
	}
	/* the same contents twice: one object */
	ch[N].path = "again";
	ch[N].written = 1;
	CHECK_INT(repo_blob_write(r, data[3], sizes[3], ch[N].oid), 0,
	    "the same blob again");
	CHECK(memcmp(ch[N].oid, ch[3].oid, 20) == 0, "the same id");
	CHECK_INT(sh("find .git/objects -type f -path '*/tmp_pack_*' | wc -l",
	    &out), 0, "find");
	CHECK_STR(out.buf, "1", "one pack being written");
	CHECK_INT(repo_commit(r, ch, N + 1, "office", "office@inbox",
	    1795337600, "bulk\n", oid), 0, "the commit");
	CHECK_INT(sh("find .git/objects -type f ! -path '*/pack/*' | wc -l",
	    &out), 0, "find");
	CHECK_STR(out.buf, "0", "no loose object");
	CHECK_INT(sh("ls .git/objects/pack | grep -c '^pack-.*\\.idx$'", &out),
	    0, "ls");
	CHECK_STR(out.buf, "1", "one pack and its index");
	CHECK_INT(sh("ls .git/objects/pack | grep -c tmp_", &out), 256,
	    "no temporary pack left");
	CHECK_INT(sh("git verify-pack .git/objects/pack/pack-*.idx", &out), 0,
	    "git verify-pack");
	CHECK_INT(sh("git fsck --strict --no-dangling", &out), 0, "git fsck");
	CHECK_INT(sh("git rev-parse HEAD", &out), 0, "rev-parse");
	CHECK_STR(out.buf, oid, "the branch is at the commit");
	/* read back by libgit2, and by git */
	ok = 1;
	for (size_t i = 0; i < N; i++) {
		struct sb got = SB_INIT;
		char cmd[64];

		if (repo_read(r, "HEAD", path[i], &got) != 0 ||
		    got.len != sizes[i] || memcmp(got.buf ? got.buf : "",
		    data[i], sizes[i]) != 0)
			ok = 0;
		snprintf(cmd, sizeof(cmd), "git cat-file -s HEAD:%s", path[i]);
		if (sh(cmd, &out) != 0 || strtoul(out.buf, NULL, 10) !=
		    sizes[i])
			ok = 0;
		sb_release(&got);
	}
	CHECK(ok, "every size reads back whole, through libgit2 and git");
	/* small ones stored, big ones deflated: the pack is smaller than
	 * the contents only by the big ones' compression */
	CHECK_INT(sh("git verify-pack -v .git/objects/pack/pack-*.idx | "
	    "awk '$2 == \"blob\" && $3 == 255 { print ($4 > 255) }'", &out),
	    0, "verify-pack -v");
	CHECK_STR(out.buf, "1", "a small blob is stored");
	CHECK_INT(sh("git verify-pack -v .git/objects/pack/pack-*.idx | "
	    "awk '$2 == \"blob\" && $3 == 200000 { print ($4 < 200000) }'",
	    &out), 0, "verify-pack -v");
	CHECK_STR(out.buf, "1", "a big blob is deflated");
	CHECK_INT(sh("git verify-pack -v .git/objects/pack/pack-*.idx | "
	    "awk '$2 == \"blob\" && $3 == 2048 { print ($4 < 2048) }'",
	    &out), 0, "verify-pack -v");
	CHECK_STR(out.buf, "1", "a message-sized blob is deflated (small "
	    "window)");
	CHECK_INT(sh("git verify-pack -v .git/objects/pack/pack-*.idx | "
	    "awk '$2 == \"tree\" { n++; s += ($4 > $3) } "
	    "END { print (n > 0 && s == n) }'", &out), 0, "verify-pack -v");
	CHECK_STR(out.buf, "1", "every tree is stored");

	/* a second commit in bulk builds on the first pack */
	{
		struct repo_change c2 = { 0 };
		char oid2[OID_HEX];

		c2.path = "d0/f0";
		c2.written = 1;
		CHECK_INT(repo_blob_write(r, "changed\n", 8, c2.oid), 0,
		    "a blob for the second commit");
		CHECK_INT(repo_commit(r, &c2, 1, "office", "office@inbox",
		    1795337700, "bulk again\n", oid2), 0, "a second commit");
		CHECK_INT(sh("git show HEAD:d0/f0", &out), 0, "git show");
		CHECK_STR(out.buf, "changed", "the change is there");
		CHECK_INT(sh("git fsck --strict --no-dangling", &out), 0,
		    "git fsck after two packs");
	}
	/* bulk off: the repository is opened again, objects loose */
	CHECK_INT(repo_bulk(r, 0), 0, "bulk off");
	{
		struct repo_change c3 = { 0 };
		char oid3[OID_HEX], loose[] = "loose\n";

		c3.path = "after";
		c3.data = loose;
		c3.len = 6;
		CHECK_INT(repo_commit(r, &c3, 1, "office", "office@inbox",
		    1795337800, "not bulk\n", oid3), 0, "a commit after");
		CHECK_INT(sh("find .git/objects -type f ! -path '*/pack/*' | "
		    "wc -l", &out), 0, "find");
		CHECK(strcmp(out.buf, "0") != 0, "loose objects again");
		CHECK_INT(sh("git fsck --strict --no-dangling", &out), 0,
		    "git fsck after a loose commit");
	}
	/* every size loose: stored under 64 KB, deflated over, read back */
	{
		struct repo_change lc[N];
		char oid4[OID_HEX], lp[N][32], *ld[N];

		/* contents not in the pack already */
		memset(lc, 0, sizeof(lc));
		for (size_t i = 0; i < N; i++) {
			ld[i] = bytes(sizes[i], (unsigned)i + 100);
			snprintf(lp[i], sizeof(lp[i]), "loose/f%zu", i);
			lc[i].path = lp[i];
			lc[i].data = ld[i];
			lc[i].len = sizes[i];
		}
		CHECK_INT(repo_commit(r, lc, N, "office", "office@inbox",
		    1795337900, "loose\n", oid4), 0, "a loose commit");
		ok = 1;
		for (size_t i = 0; i < N; i++) {
			struct sb got = SB_INIT;
			char cmd[96];

			if (repo_read(r, "HEAD", lp[i], &got) != 0 ||
			    got.len != sizes[i] || memcmp(got.buf ? got.buf :
			    "", ld[i], sizes[i]) != 0)
				ok = 0;
			if (write_file_at(lp[i], ld[i], sizes[i]) < 0)
				ok = 0;
			snprintf(cmd, sizeof(cmd), "git cat-file blob HEAD:%s"
			    " | cmp -s - %s", lp[i], lp[i]);
			if (sh(cmd, &out) != 0)
				ok = 0;
			sb_release(&got);
		}
		CHECK(ok, "every size reads back loose, through libgit2 and "
		    "git");
		CHECK_INT(sh("f=.git/objects/$(git rev-parse HEAD:loose/f3 | "
		    "sed 's|^..|&/|'); stat -c %s $f", &out), 0, "stat");
		CHECK_INT((int)strtol(out.buf, NULL, 10), 255 + 9 + 11,
		    "a small loose object is stored: its bytes, its header "
		    "and zlib's 11");
		CHECK_INT(sh("f=.git/objects/$(git rev-parse HEAD:loose/f7 | "
		    "sed 's|^..|&/|'); stat -c %s $f", &out), 0, "stat");
		CHECK(strtol(out.buf, NULL, 10) < 200000,
		    "a big loose object is deflated");
		CHECK_INT(sh("find .git/objects -name 'tmp_*' | wc -l", &out),
		    0, "find");
		CHECK_STR(out.buf, "0", "no temporary object left");
		/* the same again: nothing to commit, no error */
		CHECK_INT(repo_commit(r, lc, N, "office", "office@inbox",
		    1795338000, "loose again\n", oid4), 1,
		    "the same contents again");
		CHECK_INT(sh("git fsck --strict --no-dangling", &out), 0,
		    "git fsck at the end");
		for (size_t i = 0; i < N; i++)
			free(ld[i]);
	}

	at_id(r);
	repo_close(r);
	for (size_t i = 0; i < N; i++)
		free(data[i]);
	sb_release(&out);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd) != 0)
			return 1;
	}
	return UNIT_DONE();
}
