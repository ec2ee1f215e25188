/*
 * test-packread.c - objects read out of packs that git made (packread.c):
 * every object of a history of many small changes, deltified deep with
 * OFS_DELTA and then with REF_DELTA, read twice (the second time through
 * the cache of bases) and hashed again to its name; the pack entry each
 * was read out of, its stream inflated again; headers; names not
 * there; a pack made after the first look found; and corrupt packs and
 * indexes refused with an error, never read wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "crypto.h"
#include "packread.h"
#include "unit.h"
#include "util.h"

static char root[] = "/tmp/inbox-unit-packread-XXXXXX";
static char objects[64];

static int
sh(const char *cmd, struct sb *out)
{
	return unit_sh(root, cmd, out);
}

static int wrong;	/* objects read without an error, but not right */

static const char *const tname[] = { "", "commit", "tree", "blob", "tag" };

/*
 * The entry pr_last_entry() gives for the object just read (DATA, LEN,
 * T): a whole object's stream inflates to it, a delta's to as many bytes
 * as its header says.  With BASE, git's delta base of it or zeros (when
 * git's list is of the packs r reads), a whole object is one git keeps
 * whole and a REF_DELTA's base is git's.
 */
static int
entry_ok(struct preader *r, const void *data, size_t len, git_object_t t,
    const char *base)
{
	static const char zeros[] = "0000000000000000000000000000000000000000";
	struct pr_entry pe;
	unsigned char *z, *out;
	uLongf n;
	int ok, whole;
	char hex[41];

	if (pr_last_entry(r, &pe) < 0 || pe.len == 0 || pe.len > 1u << 24)
		return 0;
	whole = pe.type >= 1 && pe.type <= 4;
	if (whole ? pe.type != (int)t || pe.size != len || (base &&
	    strcmp(base, zeros)) : pe.type != 6 && pe.type != 7)
		return 0;
	if (pe.type == 7 && base) {
		git_oid_tostr(hex, sizeof(hex), &pe.base);
		if (strcmp(hex, base))
			return 0;
	}
	z = malloc(pe.len);
	n = (uLongf)pe.size;
	out = malloc(n + 1);
	ok = z && out && pread(pe.fd, z, pe.len, (off_t)pe.off) ==
	    (ssize_t)pe.len && uncompress(out, &n, z, (uLong)pe.len) == Z_OK &&
	    n == pe.size && (!whole || !memcmp(out, data, len));
	free(z);
	free(out);
	return ok;
}

/*
 * Every object git lists, read and hashed again: the number read right,
 * *deltas gets how many git stored as deltas.
 */
static int
read_all(struct preader *r, int *total, int *deltas, int list)
{
	static struct sb out = SB_INIT;
	struct sb lines = SB_INIT;
	int good = 0;

	*total = *deltas = 0;
	if (list && sh("git cat-file --batch-all-objects --batch-check="
	    "'%(objectname) %(objecttype) %(objectsize) %(deltabase)'",
	    &out) != 0)
		return -1;
	sb_add(&lines, out.buf, out.len);
	for (char *line = strtok(lines.buf, "\n"); line;
	    line = strtok(NULL, "\n")) {
		char name[41], type[8], base[41], hdr[64];
		unsigned long long size;
		unsigned char sum[SHA1_LEN];
		git_oid id;
		void *data;
		size_t len, hlen;
		git_object_t t, ht;
		struct md m;
		int e;

		if (sscanf(line, "%40s %7s %llu %40s", name, type, &size,
		    base) != 4 || git_oid_fromstr(&id, name) < 0)
			return -1;
		(*total)++;
		*deltas += strcmp(base, "0000000000000000000000000000000000000000") != 0;
		e = pr_read(r, &id, NULL, &data, &len, &t);
		if (e == GIT_ENOTFOUND) {	/* as libgit2 does */
			pr_refresh(r);
			e = pr_read(r, &id, NULL, &data, &len, &t);
		}
		if (e != 0)
			continue;
		hlen = (size_t)snprintf(hdr, sizeof(hdr), "%s %zu",
		    t > 0 && t < 5 ? tname[t] : "?", len) + 1;
		sha1_init(&m);
		md_update(&m, hdr, hlen);
		md_update(&m, data, len);
		md_final(&m, sum);
		if (!memcmp(sum, id.id, SHA1_LEN) && len == size &&
		    !strcmp(tname[t], type) && ((char *)data)[len] == '\0' &&
		    entry_ok(r, data, len, t, list ? base : NULL) &&
		    pr_header(r, &id, &len, &ht) == 0 && len == size &&
		    ht == t && pr_exists(r, &id) == 1)
			good++;
		else
			wrong++;
		free(data);
	}
	sb_release(&lines);
	return good;
}

static int
last_error(const char *part)
{
	const git_error *e = git_error_last();

	if (e && e->message && strstr(e->message, part))
		return 1;
	printf("# last error: %s\n", e && e->message ? e->message : "none");
	return 0;
}

/* A history of small changes to a few files, and one large file. */
static int
history(void)
{
	return sh("git init -q . && git config user.name office && "
	    "git config user.email office@inbox && git config gc.auto 0 && "
	    ": > empty && head -c 300000 /dev/urandom | base64 > big && "
	    "for i in $(seq 1 60); do "
	    "  echo \"line $i of a conversation\" >> thread && "
	    "  sed -i \"$((i * 7))s/.*/changed $i/\" big && "
	    "  mkdir -p many d/$((i % 5)) && echo $i > d/$((i % 5))/f$i && "
	    "  git add -A && git commit -qm \"change $i\" || exit 1; "
	    "done && git tag -a -m v1 v1", NULL);
}

int
main(void)
{
	struct sb out = SB_INIT;
	struct preader *r;
	int total, deltas, good;
	git_oid none;
	void *data;
	size_t len;
	git_object_t t;

	git_libgit2_init();
	if (!mkdtemp(root) || history() != 0) {
		printf("Bail out! cannot make a history with git\n");
		return 1;
	}
	snprintf(objects, sizeof(objects), "%s/.git/objects", root);
	r = pr_new(objects);

	/* loose only: no pack, nothing found, no error */
	git_oid_fromstr(&none, "0123456789abcdef0123456789abcdef01234567");
	CHECK_INT(pr_read(r, &none, NULL, &data, &len, &t), GIT_ENOTFOUND,
	    "no packs: not found");

	CHECK_INT(sh("git repack -q -a -d -f --depth=50 --window=50", NULL), 0,
	    "git repack with OFS_DELTA");
	pr_refresh(r);
	good = read_all(r, &total, &deltas, 1);
	CHECK(total > 300, "a few hundred objects");
	CHECK(deltas > 50, "many of them deltas");
	CHECK_INT(good, total, "each read and hashed again to its name");
	CHECK_INT(wrong, 0, "none read wrong");
	CHECK_INT(read_all(r, &total, &deltas, 0), total,
	    "each again, bases from the cache");
	CHECK_INT(pr_read(r, &none, NULL, &data, &len, &t), GIT_ENOTFOUND,
	    "a name not there");
	CHECK_INT(pr_exists(r, &none), 0, "not there");
	CHECK_INT(pr_header(r, &none, &len, &t), GIT_ENOTFOUND,
	    "no header either");

	/* a new pack, the old one removed: found after a refresh */
	CHECK_INT(sh("git -c repack.useDeltaBaseOffset=false repack -q -a -d "
	    "-f --depth=50 --window=50", NULL), 0, "git repack with REF_DELTA");
	pr_refresh(r);
	CHECK_INT(read_all(r, &total, &deltas, 1), total,
	    "each read out of the new pack");

	/* more packs than are kept open at once */
	CHECK_INT(sh("for i in $(seq 1 70); do echo $i > many/$i && "
	    "git add many && git commit -qm \"pack $i\" && "
	    "git repack -q -d || exit 1; done", NULL), 0, "70 packs more");
	CHECK_INT(sh("ls .git/objects/pack/*.idx | wc -l", &out), 0, "ls");
	CHECK(atoi(out.buf) > 70, "seventy packs and more");
	pr_refresh(r);
	CHECK_INT(read_all(r, &total, &deltas, 1), total,
	    "each read, the packs opened and closed again");
	CHECK_INT(read_all(r, &total, &deltas, 0), total, "and again");
	/* repacked under the reader: the packs it closed are gone */
	CHECK_INT(sh("git repack -q -a -d", NULL), 0, "git repack -a -d");
	CHECK_INT(read_all(r, &total, &deltas, 0), total,
	    "each read, out of the new pack when its own was gone");

	/* corrupt: the pack's objects overwritten past its header */
	CHECK_INT(sh("p=$(ls -S .git/objects/pack/*.pack | head -n 1) && "
	    "chmod u+w $p && "
	    "s=$(stat -c %s $p) && "
	    "head -c $((s / 2)) /dev/zero | dd of=$p bs=1 seek=200 "
	    "conv=notrunc status=none", NULL), 0, "a pack corrupted");
	pr_free(r);
	r = pr_new(objects);
	good = read_all(r, &total, &deltas, 0);
	CHECK(good < total, "what is corrupt is not read");
	CHECK(good > 0, "what is not, is");
	CHECK_INT(wrong, 0, "and nothing read is wrong");
	CHECK(last_error(".git/objects/pack/pack-"), "the error names the pack");

	/* an index cut short */
	CHECK_INT(sh("i=$(ls -S .git/objects/pack/*.idx | head -n 1) && "
	    "chmod u+w $i && truncate -s 2000 $i", NULL), 0,
	    "an index cut short");
	pr_free(r);
	r = pr_new(objects);
	CHECK_INT(pr_read(r, &none, NULL, &data, &len, &t), -1,
	    "an index of the wrong size is an error");
	CHECK(last_error("wrong size"), "which says so");
	pr_free(r);

	sb_release(&out);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd) != 0)
			return 1;
	}
	git_libgit2_shutdown();
	return UNIT_DONE();
}
