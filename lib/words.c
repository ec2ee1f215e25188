/*
 * words.c - the word index of inbox-ls -s (see words.h for the files).
 *
 * words:
 *	inbox-words 1 COMMIT NCONV NWORDS VOCABBYTES
 *	word<TAB>offset          NWORDS lines, sorted, VOCABBYTES in all
 *	conversation id          NCONV lines of 13 bytes
 *	n n n ...                a line per word at its offset from here:
 *	                         the conversations' line numbers above
 *
 * A search reads the words (a few hundred KB at 100,000 messages) and only
 * the postings of the words that match, through mmap.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conv.h"
#include "msg.h"
#include "summary.h"
#include "words.h"

#define LOG_MIN (1 << 20)	/* fold words.log in past this, or 1/4 */
#define IDW (CONV_ID_LEN + 1)	/* a conversation line */
#define WORD_MAX 256
#define LONG "~"		/* the mark of a conversation with a word
				 * longer than WORD_MAX */

int
words_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c & 0x80);
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c;
}

/* --- a set of words, each with a list of conversation numbers ------- */

struct word {
	char *w;
	int *post;
	size_t n, cap;
};

struct wset {
	struct word *v;
	size_t n, cap;
	size_t *slot;		/* index + 1; 0 empty */
	size_t nslot;
};

static void
wset_grow(struct wset *s)
{
	free(s->slot);
	s->nslot = s->nslot ? s->nslot * 2 : 256;
	s->slot = xcalloc(s->nslot, sizeof(*s->slot));
	for (size_t i = 0; i < s->n; i++) {
		size_t h = mem_hash(s->v[i].w, strlen(s->v[i].w)) &
		    (s->nslot - 1);

		while (s->slot[h])
			h = (h + 1) & (s->nslot - 1);
		s->slot[h] = i + 1;
	}
}

/* The word w[0:len], added when new. */
static struct word *
wset_get(struct wset *s, const char *w, size_t len)
{
	size_t h;

	if (2 * (s->n + 1) > s->nslot)
		wset_grow(s);
	h = mem_hash(w, len) & (s->nslot - 1);
	while (s->slot[h]) {
		struct word *e = &s->v[s->slot[h] - 1];

		if (!strncmp(e->w, w, len) && e->w[len] == '\0')
			return e;
		h = (h + 1) & (s->nslot - 1);
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n] = (struct word){ xstrndup(w, len), NULL, 0, 0 };
	s->slot[h] = ++s->n;
	return &s->v[s->n - 1];
}

static void
post_add(struct word *e, int conv)
{
	if (e->n && e->post[e->n - 1] == conv)
		return;
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 4;
		e->post = xrealloc(e->post, e->cap * sizeof(int));
	}
	e->post[e->n++] = conv;
}

static void
wset_free(struct wset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].w);
		free(s->v[i].post);
	}
	free(s->v);
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

/* Every word of text into s, lower-cased, with conversation `conv`. */
static void
tokenize(struct wset *s, const char *text, int conv)
{
	char buf[WORD_MAX];

	for (const char *p = text; *p;) {
		size_t len = 0;

		if (!words_char((unsigned char)*p)) {
			p++;
			continue;
		}
		for (; words_char((unsigned char)*p); p++)
			if (len < sizeof(buf))
				buf[len++] = (char)lower((unsigned char)*p);
		post_add(wset_get(s, buf, len), conv);
		/* a longer word is indexed by its start and marked: a search
		 * may be further in, so those conversations are looked in */
		if (len == sizeof(buf))
			post_add(wset_get(s, LONG, 1), conv);
	}
}

/* The words of a conversation's messages, " word word ...", into out;
 * nothing when it is gone. */
static int
words_cb(const struct msg *m, void *s)
{
	char *text = msg_text(m);

	tokenize(s, text, 0);
	free(text);
	return 0;
}

static void
conv_words(struct store *st, const char *id, struct sb *out)
{
	struct wset s = { 0 };

	msg_each(st, id, words_cb, &s);
	for (size_t i = 0; i < s.n; i++)
		sb_addf(out, " %s", s.v[i].w);
	wset_free(&s);
}

/* --- the files -------------------------------------------------------- */

struct index {
	char *map;		/* words, mapped */
	size_t size;
	char head[OID_HEX];
	size_t nconv, nwords;
	const char *vocab, *convs, *post;
	struct sb log;		/* words.log, read */
	char mark[OID_HEX];	/* its last mark, else head */
	/* the log's conversations, the last line of each */
	char **lid, **lwords;
	size_t nlog;
	char *logged;		/* [nconv]: the log has a line for it */
	int logfd;
};

static char *
ipath(struct store *st, const char *name)
{
	struct sb s = SB_INIT;

	sb_addf(&s, "%s/.git/inbox/%s", st->root, name);
	return sb_detach(&s, NULL);
}

static void
index_unmap(struct index *ix)
{
	if (ix->map)
		munmap(ix->map, ix->size);
	ix->map = NULL;
	ix->size = ix->nconv = ix->nwords = 0;
	ix->head[0] = '\0';
}

/* Map words; 0, or -1 when missing or not of this format. */
static int
index_map(struct store *st, struct index *ix)
{
	char *p = ipath(st, "words"), *nl;
	unsigned long long nc, nw, vb;
	struct stat sb;
	int fd = open(p, O_RDONLY | O_CLOEXEC), k = 0;

	free(p);
	index_unmap(ix);
	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) < 0 || sb.st_size < 20) {
		close(fd);
		return -1;
	}
	ix->size = (size_t)sb.st_size;
	ix->map = mmap(NULL, ix->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (ix->map == MAP_FAILED) {
		ix->map = NULL;
		return -1;
	}
	nl = memchr(ix->map, '\n', ix->size < 256 ? ix->size : 256);
	if (!nl || sscanf(ix->map, "inbox-words 1 %40s %llu %llu %llu%n",
	    ix->head, &nc, &nw, &vb, &k) != 4 || ix->map + k != nl ||
	    strlen(ix->head) != OID_HEX - 1 ||
	    vb > ix->size || nc > ix->size / IDW ||
	    (size_t)(nl + 1 - ix->map) + vb + nc * IDW > ix->size ||
	    (vb && nl[vb] != '\n')) {
		index_unmap(ix);
		return -1;
	}
	ix->nconv = nc;
	ix->nwords = nw;
	ix->vocab = nl + 1;
	ix->convs = ix->vocab + vb;
	ix->post = ix->convs + nc * IDW;
	return 0;
}

/* The line number of conversation id in words (they are sorted), or
 * nconv. */
static size_t
conv_num(const struct index *ix, const char *id)
{
	size_t lo = 0, hi = ix->nconv;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(ix->convs + mid * IDW, id, CONV_ID_LEN);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return ix->nconv;
}

/* Read words.log (under the lock) into lid/lwords and the mark. */
static void
log_read(struct index *ix)
{
	sb_reset(&ix->log);
	for (size_t i = 0; i < ix->nlog; i++)
		free(ix->lid[i]);
	free(ix->lid);
	free(ix->lwords);
	free(ix->logged);
	ix->lid = ix->lwords = NULL;
	ix->nlog = 0;
	ix->logged = xcalloc(ix->nconv + 1, 1);
	snprintf(ix->mark, sizeof(ix->mark), "%s", ix->head);
	lseek(ix->logfd, 0, SEEK_SET);
	if (sb_read_fd(&ix->log, ix->logfd, 0) < 0) {
		inbox_error_clear();
		return;
	}
	for (char *l = ix->log.buf, *nl; l && *l; l = nl + 1) {
		char *tab = strchr(l, '\t');
		size_t k;

		if (!(nl = strchr(l, '\n')))
			break;		/* torn */
		*nl = '\0';
		if (!tab)
			continue;
		*tab = '\0';
		if (!strcmp(l, "H")) {
			snprintf(ix->mark, sizeof(ix->mark), "%s", tab + 1);
			continue;
		}
		if (!conv_id_valid(l))
			continue;
		for (k = 0; k < ix->nlog && strcmp(ix->lid[k], l); k++)
			;
		if (k == ix->nlog) {
			ix->lid = xrealloc(ix->lid, (k + 1) * sizeof(char *));
			ix->lwords = xrealloc(ix->lwords,
			    (k + 1) * sizeof(char *));
			ix->lid[k] = xstrdup(l);
			ix->nlog++;
			ix->logged[conv_num(ix, l)] = 1;
		}
		ix->lwords[k] = tab + 1;
	}
}

static void
index_free(struct index *ix)
{
	index_unmap(ix);
	for (size_t i = 0; i < ix->nlog; i++)
		free(ix->lid[i]);
	free(ix->lid);
	free(ix->lwords);
	free(ix->logged);
	sb_release(&ix->log);
	if (ix->logfd >= 0)
		close(ix->logfd);
}


static char **sort_ids;

/* The length of n (not negative) in decimal. */
static size_t
digits(int n)
{
	size_t d = 1;

	for (; n >= 10; n /= 10)
		d++;
	return d;
}

static int
byid_cmp(const void *a, const void *b)
{
	return strcmp(sort_ids[*(const size_t *)a], sort_ids[*(const size_t *)b]);
}

/* Write words for `head` from s (words with conversation numbers into
 * ids), then empty the log.  Under the lock. */
static int
index_write(struct store *st, struct index *ix, struct wset *s,
    char **ids, size_t nids, const char *head)
{
	struct sb vocab = SB_INIT, out = SB_INIT;
	char *p = ipath(st, "words"), *tmp = ipath(st, "words.new");
	size_t *order = xmalloc((s->n ? s->n : 1) * sizeof(size_t));
	size_t *byid = xmalloc((nids ? nids : 1) * sizeof(size_t));
	int *num = xmalloc((nids ? nids : 1) * sizeof(int));
	int r, fd;

	/* conversations in id order, for conv_num(); postings renumbered */
	sort_ids = ids;
	for (size_t i = 0; i < nids; i++)
		byid[i] = i;
	if (nids)
		qsort(byid, nids, sizeof(*byid), byid_cmp);
	for (size_t i = 0; i < nids; i++)
		num[byid[i]] = (int)i;

	for (size_t i = 0; i < s->n; i++)
		order[i] = i;
	/* sorted words: a reader could search them by prefix one day */
	for (size_t gap = s->n / 2; gap > 0; gap /= 2)
		for (size_t i = gap; i < s->n; i++)
			for (size_t j = i; j >= gap && strcmp(s->v[order[j -
			    gap]].w, s->v[order[j]].w) > 0; j -= gap) {
				size_t t = order[j];

				order[j] = order[j - gap];
				order[j - gap] = t;
			}
	/* the words with the offsets of their postings, counted first: the
	 * postings are written as they are made, not held */
	for (size_t i = 0, at = 0; i < s->n; i++) {
		struct word *e = &s->v[order[i]];

		sb_addf(&vocab, "%s\t%zu\n", e->w, at);
		for (size_t k = 0; k < e->n; k++)
			at += digits(num[e->post[k]]) + (k > 0);
		at++;
	}
	r = -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644))
	    >= 0) {
		sb_addf(&out, "inbox-words 1 %s %zu %zu %zu\n", head, nids,
		    s->n, vocab.len);
		r = sb_spill(fd, &out, 0) < 0 || write_all(fd, vocab.buf,
		    vocab.len) < 0 ? -1 : 0;
		for (size_t i = 0; r == 0 && i < nids; i++) {
			sb_addf(&out, "%.12s\n", ids[byid[i]]);
			r = sb_spill(fd, &out, 65536);
		}
		for (size_t i = 0; r == 0 && i < s->n; i++) {
			struct word *e = &s->v[order[i]];

			for (size_t k = 0; k < e->n; k++)
				sb_addf(&out, k ? " %d" : "%d",
				    num[e->post[k]]);
			sb_addc(&out, '\n');
			r = sb_spill(fd, &out, 65536);
		}
		if (r == 0)
			r = sb_spill(fd, &out, 0);
		if (r == 0)
			r = fsync_fd(fd);
		if (close(fd) < 0)
			r = -1;
		if (r == 0 && rename(tmp, p) < 0)
			r = -1;
		if (r < 0) {
			unlink(tmp);
			r = inbox_error(INBOX_EFAIL, "write %s:", p);
		}
	} else
		r = inbox_error(INBOX_EFAIL, "create %s:", tmp);
	if (r == 0 && ftruncate(ix->logfd, 0) < 0)
		r = inbox_error(INBOX_EFAIL, "words.log:");
	free(order);
	free(byid);
	free(num);
	free(p);
	free(tmp);
	sb_release(&vocab);
	sb_release(&out);
	return r;
}

/* Add the log's line of words for conversation number conv to s. */
static void
add_line(struct wset *s, const char *line, int conv)
{
	for (const char *p = line; *p;) {
		const char *e;

		while (*p == ' ')
			p++;
		e = p + strcspn(p, " ");
		if (e > p)
			post_add(wset_get(s, p, (size_t)(e - p)), conv);
		p = e;
	}
}

/* cb with each conversation number in the postings of the word whose
 * line in the vocabulary has its tab at `tab`, but those the log names. */
static void
postings(const struct index *ix, const char *tab,
    void (*cb)(size_t k, void *arg), void *arg)
{
	const char *q = ix->post + strtoull(tab + 1, NULL, 10);

	while (q < ix->map + ix->size && *q != '\n') {
		char *end;
		unsigned long k = strtoul(q, &end, 10);

		if (end == q)
			break;
		if (k < ix->nconv && !ix->logged[k])
			cb(k, arg);
		q = end;
	}
}

/* Folding: a word of the old index kept with its conversations. */
struct keep {
	struct wset *s;
	const char *w;
	size_t len;
	struct word *e;
};

static void
keep_cb(size_t k, void *arg)
{
	struct keep *kp = arg;

	if (!kp->e)
		kp->e = wset_get(kp->s, kp->w, kp->len);
	post_add(kp->e, (int)k);
}

/*
 * Fold the log into words without reading a message: the words of the
 * conversations the log does not name, then the log's.  With `fresh`,
 * every conversation is read instead.
 */
static int
index_fold(struct store *st, struct index *ix, const char *head, int fresh)
{
	struct wset s = { 0 };
	char **ids = NULL;
	size_t nids = 0;
	int r;

	if (fresh) {
		size_t n;
		struct sb w = SB_INIT;

		summary_changed(st, NULL, head, &ids, &n);
		for (size_t i = 0; i < n; i++) {
			sb_reset(&w);
			conv_words(st, ids[i], &w);
			if (w.len)
				add_line(&s, w.buf, (int)nids);
			if (w.len)
				ids[nids++] = ids[i];
			else
				free(ids[i]);
		}
		sb_release(&w);
	} else {
		size_t nl = ix->nlog;

		ids = xmalloc((ix->nconv + nl + 1) * sizeof(char *));
		for (size_t i = 0; i < ix->nconv; i++)
			ids[nids++] = xstrndup(ix->convs + i * IDW,
			    CONV_ID_LEN);
		for (const char *l = ix->vocab; l < ix->convs;) {
			const char *tab = memchr(l, '\t', (size_t)(ix->convs - l));
			const char *nl2 = memchr(l, '\n', (size_t)(ix->convs - l));
			struct keep k = { &s, l, 0, NULL };

			if (!tab || !nl2 || tab > nl2)
				break;
			k.len = (size_t)(tab - l);
			postings(ix, tab, keep_cb, &k);
			l = nl2 + 1;
		}
		for (size_t i = 0; i < nl; i++) {
			size_t k;

			k = conv_num(ix, ix->lid[i]);
			if (k == ix->nconv)
				ids[k = nids++] = xstrdup(ix->lid[i]);
			add_line(&s, ix->lwords[i], (int)k);
		}
	}
	r = index_write(st, ix, &s, ids, nids, head);
	for (size_t i = 0; i < nids; i++)
		free(ids[i]);
	free(ids);
	wset_free(&s);
	return r;
}

/* How big words.log may grow before it is folded into words:
 * INBOX_WORDS_FOLD bytes (for tests and tuning), else LOG_MIN. */
static size_t
fold_at(void)
{
	return env_size("INBOX_WORDS_FOLD", LOG_MIN);
}

/* Open, lock, and bring the index up to HEAD. */
static int
index_open(struct store *st, struct index *ix)
{
	char head[OID_HEX], *p = ipath(st, "words.log");
	char **ids;
	size_t n;
	int full;

	memset(ix, 0, sizeof(*ix));
	ix->logfd = open(p, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	free(p);
	if (ix->logfd < 0)
		return inbox_error(INBOX_EFAIL, "open word index:");
	flock(ix->logfd, LOCK_EX);
	if (repo_head(st->repo, head) != 0)
		return -1;
	if (index_map(st, ix) < 0) {
		if (index_fold(st, ix, head, 1) < 0 || index_map(st, ix) < 0)
			return -1;
	}
	log_read(ix);
	if (!strcmp(ix->mark, head))
		return 0;
	full = summary_changed(st, ix->mark, head, &ids, &n);
	if (full) {
		/* history the index cannot follow: start again */
		for (size_t i = 0; i < n; i++)
			free(ids[i]);
		free(ids);
		if (index_fold(st, ix, head, 1) < 0 || index_map(st, ix) < 0)
			return -1;
		log_read(ix);
		return 0;
	}
	{
		struct sb add = SB_INIT;

		for (size_t i = 0; i < n; i++) {
			sb_addf(&add, "%s\t", ids[i]);
			conv_words(st, ids[i], &add);
			sb_addc(&add, '\n');
			free(ids[i]);
		}
		free(ids);
		sb_addf(&add, "H\t%s\n", head);
		if (write(ix->logfd, add.buf, add.len) != (ssize_t)add.len) {
			/* a cache: a torn line is ignored, the mark is not
			 * moved, the next search does it again */
		}
		sb_release(&add);
	}
	log_read(ix);
	if (ix->log.len > fold_at() && ix->log.len > ix->size / 4) {
		if (index_fold(st, ix, head, 0) < 0 || index_map(st, ix) < 0)
			return -1;
		log_read(ix);
	}
	return 0;
}

/* --- searching ------------------------------------------------------ */

static int
idcmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

static void
hits_add(struct words_hits *h, size_t *cap, const char *id)
{
	if (h->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		h->ids = xrealloc(h->ids, *cap * sizeof(*h->ids));
	}
	memset(h->ids[h->n], 0, 16);
	memcpy(h->ids[h->n++], id, CONV_ID_LEN);
}

static void
hits_sort(struct words_hits *h)
{
	size_t j = 0;

	if (h->n)
		qsort(h->ids, h->n, sizeof(*h->ids), idcmp);
	for (size_t i = 0; i < h->n; i++)
		if (!j || memcmp(h->ids[j - 1], h->ids[i], 16))
			memmove(h->ids[j++], h->ids[i], 16);
	h->n = j;
}

/* Searching: the conversations of a word that matched. */
struct hit {
	const struct index *ix;
	struct words_hits *h;
	size_t *cap;
	int lng;
};

static void hits_add(struct words_hits *h, size_t *cap, const char *id);

static void
hit_cb(size_t k, void *arg)
{
	struct hit *t = arg;

	hits_add(t->h, t->cap, t->ix->convs + k * IDW);
	t->h->verify |= t->lng;
}

/* The conversations with a word that has `part` in it. */
static void
lookup(const struct index *ix, const char *part, struct words_hits *h)
{
	size_t cap = 0, len = strlen(part);

	memset(h, 0, sizeof(*h));
	for (const char *l = ix->vocab; l < ix->convs;) {
		const char *tab = memchr(l, '\t', (size_t)(ix->convs - l));
		const char *nl = tab ? memchr(tab, '\n',
		    (size_t)(ix->convs - tab)) : NULL;

		if (!nl)
			break;
		int lng = tab - l == 1 && *l == *LONG;

		if (lng || memmem(l, (size_t)(tab - l), part, len)) {
			struct hit k = { ix, h, &cap, lng };

			postings(ix, tab, hit_cb, &k);
		}
		l = nl + 1;
	}
	for (size_t i = 0; i < ix->nlog; i++) {
		const char *w = ix->lwords[i], *m = strstr(w, " " LONG);
		int lng = m && (m[2] == ' ' || m[2] == '\0');

		if (lng || strstr(w, part))
			hits_add(h, &cap, ix->lid[i]);
		h->verify |= lng;
	}
	hits_sort(h);
}

int
words_has(const struct words_hits *h, const char *id)
{
	char key[16] = { 0 };

	if (strlen(id) != CONV_ID_LEN)
		return 0;
	memcpy(key, id, CONV_ID_LEN);
	return h->n && bsearch(key, h->ids, h->n, sizeof(*h->ids),
	    idcmp) != NULL;
}

void
words_hits_free(struct words_hits *h)
{
	free(h->ids);
	memset(h, 0, sizeof(*h));
}

int
words_query(struct store *st, const char *q, struct words_hits *h)
{
	struct index ix;
	char *parts = xstrdup(q);
	int nparts = 0, other = 0, first = 1;

	memset(h, 0, sizeof(*h));
	/* the runs of word bytes, lower-cased */
	for (char *p = parts; *p; p++) {
		if (words_char((unsigned char)*p))
			*p = (char)lower((unsigned char)*p);
		else {
			*p = ' ';
			other = 1;
		}
	}
	for (char *p = strtok(parts, " "); p; p = strtok(NULL, " "))
		nparts += strlen(p) <= WORD_MAX ? 1 : (other = 1, 0);
	free(parts);
	if (nparts == 0)
		return 1;
	if (index_open(st, &ix) < 0) {
		index_free(&ix);
		return -1;
	}
	parts = xstrdup(q);
	for (char *p = parts; *p; p++)
		*p = words_char((unsigned char)*p) ?
		    (char)lower((unsigned char)*p) : ' ';
	for (char *p = strtok(parts, " "); p; p = strtok(NULL, " ")) {
		struct words_hits one;
		size_t j = 0;

		if (strlen(p) > WORD_MAX)
			continue;
		lookup(&ix, p, &one);
		if (one.verify)
			other = 1;
		if (first) {
			*h = one;
			first = 0;
			continue;
		}
		/* and: keep what both have */
		for (size_t i = 0; i < h->n; i++)
			if (words_has(&one, h->ids[i]))
				memmove(h->ids[j++], h->ids[i], 16);
		h->n = j;
		words_hits_free(&one);
	}
	free(parts);
	h->verify = other || nparts > 1;
	index_free(&ix);
	return 0;
}

int
words_rebuild(struct store *st)
{
	struct index ix;
	char head[OID_HEX];
	char *p = ipath(st, "words.log");
	int r;

	memset(&ix, 0, sizeof(ix));
	ix.logfd = open(p, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	free(p);
	if (ix.logfd < 0)
		return inbox_error(INBOX_EFAIL, "open word index:");
	flock(ix.logfd, LOCK_EX);
	r = repo_head(st->repo, head) != 0 ? -1 :
	    index_fold(st, &ix, head, 1);
	index_free(&ix);
	return r;
}

int
words_reset(struct store *st)
{
	const char *names[] = { "words", "words.log" };
	int r = 0;

	for (size_t i = 0; i < 2; i++) {
		char *p = ipath(st, names[i]);

		if (unlink(p) < 0 && errno != ENOENT)
			r = inbox_error(INBOX_EFAIL, "remove %s:", p);
		free(p);
	}
	return r;
}
