/*
 * util.c - strings, errors, time and files.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "util.h"

static char errbuf[1024];
static int errcode;

int
inbox_error(int code, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;
	size_t n;
	char buf[sizeof(errbuf)];

	/* through a copy: the arguments may be inbox_errmsg() itself */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	memcpy(errbuf, buf, sizeof(errbuf));
	n = strlen(errbuf);
	if (n > 0 && errbuf[n - 1] == ':')
		snprintf(errbuf + n, sizeof(errbuf) - n, " %s",
		    strerror(saved));
	/* one line, always */
	for (char *p = errbuf; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	errcode = code;
	errno = saved;
	return -1;
}

const char *
inbox_errmsg(void)
{
	return errbuf[0] ? errbuf : "unknown error";
}

int
inbox_errcode(void)
{
	return errcode ? errcode : INBOX_EFAIL;
}

void
inbox_error_clear(void)
{
	errbuf[0] = '\0';
	errcode = 0;
}

/* Out of memory: what the program says to do (inbox_oom()). */
static void *
oom(void)
{
	inbox_oom();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	return p ? p : oom();
}

void *
xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	return p ? p : oom();
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	return q ? q : oom();
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	return p ? p : oom();
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	return p ? p : oom();
}

void
sb_init(struct sb *s)
{
	s->buf = (char *)"";
	s->len = s->cap = 0;
}

void
sb_release(struct sb *s)
{
	if (s->cap)
		free(s->buf);
	sb_init(s);
}

char *
sb_detach(struct sb *s, size_t *len)
{
	char *p;

	if (!s->cap)
		sb_grow(s, 0);
	p = s->buf;
	if (len)
		*len = s->len;
	sb_init(s);
	return p;
}

void
sb_grow(struct sb *s, size_t extra)
{
	size_t need;

	if (extra > SIZE_MAX - s->len - 1)
		oom();
	need = s->len + extra + 1;
	if (need <= s->cap)
		return;
	if (need < s->cap * 2)
		need = s->cap * 2;
	if (need < 64)
		need = 64;
	if (!s->cap) {
		s->buf = xmalloc(need);
		s->buf[0] = '\0';
	} else
		s->buf = xrealloc(s->buf, need);
	s->cap = need;
}

void
sb_add(struct sb *s, const void *p, size_t n)
{
	sb_grow(s, n);
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
}

void
sb_adds(struct sb *s, const char *str)
{
	sb_add(s, str, strlen(str));
}

void
sb_addc(struct sb *s, int c)
{
	sb_grow(s, 1);
	s->buf[s->len++] = (char)c;
	s->buf[s->len] = '\0';
}

void
sb_vaddf(struct sb *s, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	sb_grow(s, (size_t)n);
	vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
	s->len += (size_t)n;
}

void
sb_addf(struct sb *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(s, fmt, ap);
	va_end(ap);
}

void
sb_reset(struct sb *s)
{
	sb_setlen(s, 0);
}

void
sb_setlen(struct sb *s, size_t n)
{
	if (!s->cap)
		return;
	if (n > s->len)
		n = s->len;
	s->len = n;
	s->buf[n] = '\0';
}

void
sb_rtrim(struct sb *s)
{
	while (s->len > 0 && isspace((unsigned char)s->buf[s->len - 1]))
		s->len--;
	if (s->cap)
		s->buf[s->len] = '\0';
}

int
sb_read_fd(struct sb *s, int fd, size_t max)
{
	size_t start = s->len;

	for (;;) {
		ssize_t r;

		sb_grow(s, 65536);
		r = read(fd, s->buf + s->len, 65536);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return inbox_error(INBOX_EFAIL, "read:");
		}
		if (r == 0)
			break;
		s->len += (size_t)r;
		s->buf[s->len] = '\0';
		if (max && s->len - start > max)
			return inbox_error(INBOX_EDATA,
			    "input larger than %zu bytes", max);
	}
	return 0;
}

int
sb_read_file(struct sb *s, const char *path, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return inbox_error(errno == ENOENT ? INBOX_ENOMATCH :
		    INBOX_EFAIL, "%s:", path);
	r = sb_read_fd(s, fd, max);
	close(fd);
	return r;
}

int
str_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int
str_endswith(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

int
str_ieq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

char *
str_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int
utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t k;
		unsigned cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else
			return 0;
		if (k >= n - i)
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if (i + j >= n || (s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += k + 1;
	}
	return 1;
}

size_t
utf8_len(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

int
name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 200 || s[0] == '.')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._+-", *s))
			return 0;
	return 1;
}

/* --- time ---------------------------------------------------------- */

static int
parse_iso(const char *s, const char *tz, time_t *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, off = 0;
	const char *p;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	p = s + n;
	if (*p == 'T' || *p == ' ') {
		int m = 0;

		p++;
		if (sscanf(p, "%2d:%2d%n", &h, &mi, &m) != 2 || m != 5)
			return -1;
		p += m;
		if (*p == ':') {
			if (sscanf(p, ":%2d%n", &sec, &m) != 1 || m != 3)
				return -1;
			p += m;
			if (*p == '.')
				for (p++; isdigit((unsigned char)*p); p++)
					;
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60 || y < 1970 || y > 9999)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if (*p == 'Z' && p[1] == '\0') {
		*out = timegm(&tm);
		return 0;
	}
	if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1])) {
		int oh = 0, om = 0;

		if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2 &&
		    sscanf(p + 1, "%2d%2d", &oh, &om) < 1)
			return -1;
		off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
		*out = timegm(&tm) - off;
		return 0;
	}
	if (*p != '\0')
		return -1;
	tm.tm_isdst = -1;
	*out = time_from_local(&tm, tz);
	return 0;
}

int
time_parse(const char *s, const char *tz, time_t *out)
{
	return time_parse_at(s, tz, inbox_now(), out);
}

int
time_parse_at(const char *s, const char *tz, time_t now, time_t *out)
{
	char *end;
	long long v;

	while (*s == ' ')
		s++;
	if (*s == '\0')
		return inbox_error(INBOX_EUSAGE, "empty time");
	if (strcmp(s, "now") == 0) {
		*out = now;
		return 0;
	}
	if (strcmp(s, "today") == 0 || strcmp(s, "tomorrow") == 0 ||
	    strcmp(s, "yesterday") == 0 || str_startswith(s, "today ") ||
	    str_startswith(s, "tomorrow ") ||
	    str_startswith(s, "yesterday ")) {
		struct tm tm;
		int h = 0, m = 0;
		const char *sp = strchr(s, ' ');

		time_local(now, tz, &tm);
		if (s[0] == 't' && s[1] == 'o' && s[2] == 'm')
			tm.tm_mday++;
		else if (s[0] == 'y')
			tm.tm_mday--;
		if (sp && sscanf(sp + 1, "%d:%d", &h, &m) != 2)
			return inbox_error(INBOX_EUSAGE,
			    "cannot read time '%s'", s);
		if (h < 0 || h > 23 || m < 0 || m > 59)
			return inbox_error(INBOX_EUSAGE,
			    "cannot read time '%s'", s);
		tm.tm_hour = h;
		tm.tm_min = m;
		tm.tm_sec = 0;
		tm.tm_isdst = -1;
		*out = time_from_local(&tm, tz);
		return 0;
	}
	if ((*s == '+' || *s == '-') && isdigit((unsigned char)s[1])) {
		errno = 0;
		v = strtoll(s + 1, &end, 10);
		if (errno || v > 100000000)
			return inbox_error(INBOX_EUSAGE,
			    "cannot read time '%s'", s);
		switch (*end == '\0' ? 's' : *end) {
		case 's': break;
		case 'm': v *= 60; break;
		case 'h': v *= 3600; break;
		case 'd': v *= 86400; break;
		case 'w': v *= 7 * 86400; break;
		default:
			return inbox_error(INBOX_EUSAGE,
			    "cannot read time '%s'", s);
		}
		if (*end && end[1])
			return inbox_error(INBOX_EUSAGE,
			    "cannot read time '%s'", s);
		*out = *s == '+' ? now + v : now - v;
		return 0;
	}
	if (isdigit((unsigned char)*s)) {
		errno = 0;
		v = strtoll(s, &end, 10);
		if (!errno && *end == '\0' && v >= 0 && v < 253402300800LL) {
			*out = (time_t)v;
			return 0;
		}
		if (parse_iso(s, tz, out) == 0)
			return 0;
	}
	if (time_parse_rfc2822(s, out) == 0)
		return 0;
	return inbox_error(INBOX_EUSAGE, "cannot read time '%s'", s);
}

time_t
inbox_now(void)
{
	const char *e = getenv("INBOX_NOW");
	time_t t;

	if (e && *e) {
		char *end;
		long long v = strtoll(e, &end, 10);

		if (*end == '\0' && v >= 0)
			return (time_t)v;
		if (parse_iso(e, "UTC", &t) == 0)
			return t;
	}
	return time(NULL);
}

void
time_rfc2822(time_t t, char *buf, size_t n)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

int
time_parse_rfc2822(const char *s, time_t *out)
{
	static const char *mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	char m[4] = "", zone[8] = "";
	int d, y, h, mi, sec = 0, k, off = 0;
	const char *p = s;

	memset(&tm, 0, sizeof(tm));
	while (*p == ' ')
		p++;
	if (isalpha((unsigned char)*p)) {
		p = strchr(p, ',');
		if (!p)
			return -1;
		p++;
	}
	if (sscanf(p, "%d %3s %d %d:%d:%d %7s", &d, m, &y, &h, &mi, &sec,
	    zone) < 6 && sscanf(p, "%d %3s %d %d:%d %7s", &d, m, &y, &h,
	    &mi, zone) < 5)
		return -1;
	for (k = 0; k < 12; k++)
		if (strcasecmp(m, mon[k]) == 0)
			break;
	if (k == 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (y < 50)
		y += 2000;
	else if (y < 100)
		y += 1900;
	tm.tm_year = y - 1900;
	tm.tm_mon = k;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if ((zone[0] == '+' || zone[0] == '-') && strlen(zone) == 5) {
		int z = atoi(zone + 1);

		off = ((z / 100) * 60 + z % 100) * 60;
		if (zone[0] == '-')
			off = -off;
	}
	*out = timegm(&tm) - off;
	return 0;
}

void
time_iso(time_t t, char *buf, size_t n)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * Time zones: switch TZ for the duration of one conversion.  The process
 * is single-threaded; the old value is restored.
 */
static char *
tz_push(const char *tz)
{
	const char *old = getenv("TZ");
	char *saved;

	if (!tz || !*tz)
		tz = "UTC";
	if (old && !strcmp(old, tz))
		return xstrdup("\1");	/* already in force */
	saved = old ? xstrdup(old) : NULL;
	setenv("TZ", tz, 1);
	tzset();
	return saved;
}

static void
tz_pop(char *saved)
{
	if (saved && !strcmp(saved, "\1")) {
		free(saved);
		return;
	}
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else
		unsetenv("TZ");
	tzset();
}

void
time_local(time_t t, const char *tz, struct tm *tm)
{
	char *saved;

	if (!tz) {
		localtime_r(&t, tm);
		return;
	}
	saved = tz_push(tz);
	localtime_r(&t, tm);
	tz_pop(saved);
}

time_t
time_from_local(struct tm *tm, const char *tz)
{
	char *saved;
	time_t t;

	if (!tz)
		return mktime(tm);
	saved = tz_push(tz);
	t = mktime(tm);
	tz_pop(saved);
	return t;
}

void
time_fmt_tz(time_t t, const char *tz, const char *fmt, char *buf, size_t n)
{
	struct tm tm;

	time_local(t, tz && *tz ? tz : "UTC", &tm);
	if (strftime(buf, n, fmt, &tm) == 0 && n)
		buf[0] = '\0';
}

/* --- files --------------------------------------------------------- */

static int deferred;

void
fsync_defer(int on)
{
	deferred = on;
}

int
fsync_deferred(void)
{
	return deferred;
}

int
fsync_fd(int fd)
{
	return deferred ? 0 : fsync(fd);
}

int
sync_all(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

	if (fd < 0)
		return inbox_error(INBOX_EFAIL, "open %s:", path);
	r = syncfs(fd);
	close(fd);
	return r < 0 ? inbox_error(INBOX_ETEMP, "syncfs %s:", path) : 0;
}

int
fsync_dir(const char *path)
{
	struct stat st;
	char *dir = NULL;
	int fd, r;

	if (deferred)
		return 0;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	else {
		const char *slash = strrchr(path, '/');

		dir = slash ? xstrndup(path, (size_t)(slash - path)) :
		    xstrdup(".");
		if (!*dir) {
			free(dir);
			dir = xstrdup("/");
		}
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0) {
		r = inbox_error(INBOX_EFAIL, "open %s:", dir ? dir : path);
		free(dir);
		return r;
	}
	r = fsync(fd);
	close(fd);
	if (r < 0 && errno != EINVAL) {
		r = inbox_error(INBOX_ETEMP, "fsync %s:", dir ? dir : path);
		free(dir);
		return r;
	}
	free(dir);
	return 0;
}

size_t
mem_hash(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int
sb_spill(int fd, struct sb *b, size_t at)
{
	int r = 0;

	if (b->len >= at && b->len) {
		r = write_all(fd, b->buf, b->len);
		sb_reset(b);
	}
	return r;
}

int
write_atomic(const char *path, const void *buf, size_t len, int mode)
{
	struct sb lock = SB_INIT;
	int fd;

	sb_addf(&lock, "%s.lock", path);
	fd = open(lock.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0 && errno == EEXIST) {
		/* a writer died here; we hold the store lock, so take over */
		unlink(lock.buf);
		fd = open(lock.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    mode);
	}
	if (fd < 0) {
		inbox_error(errno == ENOSPC || errno == EDQUOT ? INBOX_ETEMP :
		    INBOX_EFAIL, "create %s:", lock.buf);
		sb_release(&lock);
		return -1;
	}
	if (write_all(fd, buf, len) < 0 || fsync_fd(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(lock.buf, path) < 0)
		goto fail;
	sb_release(&lock);
	return fsync_dir(path);
fail:
	inbox_error(errno == ENOSPC || errno == EDQUOT ? INBOX_ETEMP :
	    INBOX_EFAIL, "write %s:", path);
	if (fd >= 0)
		close(fd);
	unlink(lock.buf);
	sb_release(&lock);
	return -1;
}

int
mkdir_p(const char *path)
{
	char *p, *s;
	int r;

	/* most often only the last one is missing: one call; else the
	 * parent first, from the deepest that is there */
	if (mkdir(path, 0777) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT || !(s = strrchr(path, '/')) || s == path)
		return inbox_error(INBOX_EFAIL, "mkdir %s:", path);
	p = xstrndup(path, (size_t)(s - path));
	r = mkdir_p(p);
	free(p);
	if (r < 0)
		return -1;
	if (mkdir(path, 0777) < 0 && errno != EEXIST)
		return inbox_error(INBOX_EFAIL, "mkdir %s:", path);
	return 0;
}

int
path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

char *
path_join(const char *a, const char *b)
{
	struct sb s = SB_INIT;

	sb_adds(&s, a);
	if (s.len && s.buf[s.len - 1] != '/')
		sb_addc(&s, '/');
	sb_adds(&s, b);
	return sb_detach(&s, NULL);
}

void
hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
rm_entry(const char *path, const struct stat *sb, int type, struct FTW *f)
{
	(void)sb;
	(void)f;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void
rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int
hex_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hex_decode(const char *in, size_t n, unsigned char *out)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hex_val((unsigned char)in[2 * i]), lo;

		if (hi < 0 || (lo = hex_val((unsigned char)in[2 * i + 1])) < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

void
unique_name(char *buf, size_t n)
{
	static unsigned q;
	struct timeval tv;
	char host[256], clean[64];
	unsigned char rnd[4] = { 0 };
	char rhex[9];
	size_t j = 0;
	int fd;
	time_t pinned = 0;

	gettimeofday(&tv, NULL);
	if (getenv("INBOX_NOW")) {
		pinned = inbox_now();
		tv.tv_sec = pinned;
		tv.tv_usec = 0;
	}
	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd) &&
	    (fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) >= 0) {
		if (read(fd, rnd, sizeof(rnd)) != sizeof(rnd))
			memset(rnd, 0, sizeof(rnd));
		close(fd);
	}
	hex_encode(rnd, sizeof(rnd), rhex);
	if (gethostname(host, sizeof(host)) < 0)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	for (char *h = host; *h && j < sizeof(clean) - 1; h++)
		if (isalnum((unsigned char)*h) || *h == '-')
			clean[j++] = *h;
		else if (*h == '.')
			break;
	clean[j] = '\0';
	if (!j)
		strcpy(clean, "localhost");
	snprintf(buf, n, "%lld.M%06ldP%07ldQ%uR%s.%s", (long long)tv.tv_sec,
	    (long)tv.tv_usec, (long)getpid(), ++q, rhex, clean);
}

size_t
env_size(const char *name, size_t def)
{
	const char *e = getenv(name);
	char *end;
	unsigned long long v;

	if (!e || !*e)
		return def;
	v = strtoull(e, &end, 10);
	return *end ? def : (size_t)v;
}
