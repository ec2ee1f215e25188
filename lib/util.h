/*
 * util.h - strings, errors, time and files shared by all of libinbox.
 *
 * Errors: a library function that fails returns -1 (or NULL) after calling
 * inbox_error(), which records a one-line message and an exit-status class.
 * The command prints inbox_errmsg() after its own name and exits with
 * inbox_errcode().  Library code never prints and never exits.
 */
#ifndef INBOX_UTIL_H
#define INBOX_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Exit statuses, the same for every command (see inbox(7)). */
enum {
	INBOX_OK = 0,
	INBOX_ENOMATCH = 1,	/* nothing matched, or some records failed */
	INBOX_EFAIL = 2,	/* permanent error */
	INBOX_EPOLICY = 3,	/* refused by policy or permission */
	INBOX_EUSAGE = 64,	/* command line usage */
	INBOX_EDATA = 65,	/* malformed input */
	INBOX_ETEMP = 75	/* temporary failure, safe to retry */
};

/*
 * Record an error of class `code` with a printf-style message and return -1.
 * A message ending in ':' gets ": strerror(errno)" appended.
 */
int inbox_error(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The last recorded message (never NULL) and its class. */
const char *inbox_errmsg(void);
int inbox_errcode(void);
/* Forget the last error. */
void inbox_error_clear(void);

/*
 * Allocation.  These never return NULL: on exhaustion they call
 * inbox_oom(), which every program linking the library defines (the
 * commands' prints and exits 75, in cmd/cli.c): the library neither
 * prints nor exits.
 */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
void inbox_oom(void) __attribute__((noreturn));

/*
 * struct sb - a growable byte buffer, always NUL-terminated, `buf` never
 * NULL after sb_init() (SB_INIT points it at a shared empty string).
 */
struct sb {
	char *buf;
	size_t len;
	size_t cap;
};
#define SB_INIT { (char *)"", 0, 0 }
void sb_init(struct sb *s);
void sb_release(struct sb *s);
/* Take the buffer out (caller frees); the sb is reset to empty. */
char *sb_detach(struct sb *s, size_t *len);
void sb_grow(struct sb *s, size_t extra);
void sb_add(struct sb *s, const void *p, size_t n);
void sb_adds(struct sb *s, const char *str);
void sb_addc(struct sb *s, int c);
void sb_addf(struct sb *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_vaddf(struct sb *s, const char *fmt, va_list ap);
void sb_reset(struct sb *s);
void sb_setlen(struct sb *s, size_t n);
/* Remove trailing blanks and newlines. */
void sb_rtrim(struct sb *s);

/* Read all of fd / a file into `s` (appending); at most `max` bytes
 * (0 = no limit); -1 with an error set when it is bigger or unreadable. */
int sb_read_fd(struct sb *s, int fd, size_t max);
int sb_read_file(struct sb *s, const char *path, size_t max);

/* String helpers. */
int str_startswith(const char *s, const char *prefix);
int str_endswith(const char *s, const char *suffix);
/* Case-insensitive ASCII comparison. */
int str_ieq(const char *a, const char *b);
/* Trim ASCII blanks at both ends in place; returns s. */
char *str_trim(char *s);
/* 1 when the bytes are valid UTF-8 (no overlong forms, no surrogates). */
int utf8_valid(const char *s, size_t n);
/* Number of code points in valid UTF-8. */
size_t utf8_len(const char *s, size_t n);
/* 1 when s is a safe name: [A-Za-z0-9._+-], not empty, not "." or "..",
 * not starting with '.', at most 200 bytes. */
int name_valid(const char *s);

/*
 * Time.  inbox_now() is the current time, or $INBOX_NOW when set (seconds
 * since the epoch, or an ISO 8601 / "YYYY-MM-DD HH:MM[:SS]" time in UTC),
 * so tests pin it.  Each call under a pinned clock returns the same value.
 */
time_t inbox_now(void);
/* Parse an absolute or relative time: epoch seconds, ISO 8601
 * (2026-11-20T14:02:00Z, with offset, or local), "YYYY-MM-DD [HH:MM]",
 * "now", "today", "+2h", "-3d", "tomorrow 09:00".  Local times are read in
 * time zone `tz` (NULL: the process's TZ).  -1 with an error when unparseable. */
int time_parse(const char *s, const char *tz, time_t *out);
/* The same with relative times counted from `now`. */
int time_parse_at(const char *s, const char *tz, time_t now, time_t *out);
/* RFC 5322 date "Fri, 20 Nov 2026 14:02:00 +0000" (UTC). */
void time_rfc2822(time_t t, char *buf, size_t n);
/* Parse an RFC 5322 date; -1 when malformed. */
int time_parse_rfc2822(const char *s, time_t *out);
/* ISO 8601 UTC "2026-11-20T14:02:00Z". */
void time_iso(time_t t, char *buf, size_t n);
/* Format t in zone tz ("" or NULL: UTC) with strftime format fmt. */
void time_fmt_tz(time_t t, const char *tz, const char *fmt, char *buf,
    size_t n);
/* Broken-down local time of t in zone tz. */
void time_local(time_t t, const char *tz, struct tm *tm);
/* The epoch time of a local wall-clock time in zone tz (DST-aware). */
time_t time_from_local(struct tm *tm, const char *tz);

/*
 * Files.  write_atomic() writes `path` through "path.lock" (O_EXCL),
 * fsyncs it, renames it over `path` and fsyncs the directory.
 */
int write_atomic(const char *path, const void *buf, size_t len, int mode);
/* FNV-1a of len bytes, for hash tables. */
size_t mem_hash(const void *buf, size_t len);
/* All of buf to fd, through short writes and signals; -1 with errno. */
int write_all(int fd, const void *buf, size_t len);
/* Write b's bytes to fd and empty it, once it holds at least `at` bytes
 * (0: whatever it holds), for a file written as it is made; -1 on a
 * failed write. */
int sb_spill(int fd, struct sb *b, size_t at);
/* fsync the directory that holds path (or the directory itself). */
int fsync_dir(const char *dir);
/*
 * inbox-recv makes its files durable all at once: with fsync_defer(1),
 * fsync_fd() and fsync_dir() do nothing, and the commit calls sync_all()
 * (syncfs) before it moves the branch and again after.  Nothing is
 * acknowledged before that; a receive or a batch cut short is filed
 * again from the start.
 */
void fsync_defer(int on);
int fsync_deferred(void);
int fsync_fd(int fd);
int sync_all(const char *path);
/* rm -rf: what can be removed of dir and dir itself. */
void rm_tree(const char *dir);
/* mkdir -p, mode 0777 & ~umask. */
int mkdir_p(const char *path);
/* 1 if the path exists. */
int path_exists(const char *path);

/* A byte count from environment variable `name`, else def (unset, empty
 * or not a number): the tuning knobs of the caches. */
size_t env_size(const char *name, size_t def);
/* Join into a malloc'd string: path_join("a", "b") -> "a/b". */
char *path_join(const char *a, const char *b);

/* Hex helpers: n bytes as 2n lowercase digits and a NUL; a digit's
 * value or -1; 2n digits of either case into n bytes, -1 (out
 * unspecified) at anything else. */
void hex_encode(const unsigned char *in, size_t n, char *out);
int hex_val(int c);
int hex_decode(const char *in, size_t n, unsigned char *out);

/* A unique name for a maildir file: "<sec>.M<usec>P<pid>Q<n>R<hex>.<host>",
 * unique across hosts and processes, sorting by time; the pid has seven
 * digits (pid_max is at most 2^22), so two names of one microsecond (or
 * of one pinned INBOX_NOW) sort by the order their processes started. */
void unique_name(char *buf, size_t n);

/* Four bytes, most significant first (git's formats, SHA-1's words). */
static inline uint32_t
get_be32(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

static inline void
put_be32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)(v >> 24);
	b[1] = (unsigned char)(v >> 16);
	b[2] = (unsigned char)(v >> 8);
	b[3] = (unsigned char)v;
}

#endif
