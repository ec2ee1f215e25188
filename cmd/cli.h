/*
 * cli.h - what every command shares: its name in diagnostics, the common
 * options, the exit table, and the loop over records given as arguments
 * or, on a pipe, one per line on standard input.
 */
#ifndef INBOX_CLI_H
#define INBOX_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "util.h"

#define INBOX_VERSION "0.1.0"

/* Long-only options shared by the commands (values above 255). */
enum {
	OPT_VERSION = 256,
	OPT_JSON,
	OPT_HELP,
	OPT_FIRST_CMD = 300	/* commands number their own from here */
};

struct cli {
	const char *dir;	/* -C */
	const char *user;	/* -u */
	int json;		/* --json */
	int zero;		/* -0 */
	int quiet;		/* -q */
};

/* The command's name, for diagnostics. */
extern const char *prog;

/* Set the program name, install the allocation-failure handler. */
void cli_init(const char *name);
/*
 * Handle an option every command shares: -C DIR, -u USER, --json, -0,
 * -q, -h/--help (calls usage with status 0), --version.  Returns 1 when
 * it was one of these.
 */
int cli_option(struct cli *c, int opt, const char *arg,
    void (*usage)(int));

/*
 * Commands that take the inbox-ls filters: their own options followed by
 * the filter options, into out (at least nown + 40 entries).
 */
void cli_filter_options(struct option *out, const struct option *own,
    size_t nown);
/*
 * A first pass over the arguments for -C, -u, -h and --version only, so
 * the store (and its time zone) is known before date filters are read.
 * Returns where getopt left the operands; getopt is reset for the real
 * pass.
 */
int cli_prescan(struct cli *c, int argc, char **argv, const char *opts,
    const struct option *longopts, void (*usage)(int));

/* "prog: message" on stderr. */
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* warnx then exit(code). */
void die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
/* Print the library's last error; return its exit status. */
int warn_lib(void);
/* Print the library's last error and exit with its status. */
void die_lib(void) __attribute__((noreturn));
/* Flush stdout and return ret, or 2 when writing it failed. */
int cli_done(int ret);

/*
 * Call cb for each record: the arguments argv[0..argc), or, when there are
 * none and stdin is not a terminal, each line (NUL-terminated with zero)
 * of stdin; "-" as the only argument reads stdin too.  Blank lines are
 * skipped and only the first TAB-separated field is the record, so the
 * output of inbox-ls feeds straight in.  Returns the worst status cb
 * returned (0 when all were 0, or when a pipe brought no records: an
 * empty pipeline is not an error), or 64 when there were no arguments
 * and stdin is a terminal.
 */
int cli_records(int argc, char **argv, int zero,
    int (*cb)(const char *rec, void *arg), void *arg);

/* 1 when stdout is a terminal (comfort only, never format). */
int cli_tty(void);

#endif

struct store;
struct conv;

/*
 * The loop of the commands that change conversations (assign, archive,
 * flag, block...): for each id given (or read from stdin, see
 * cli_records) resolve it, load its state, call fn.  fn returns 1 when it
 * changed the state (it is saved and the id printed unless quiet), 2 when
 * it changed messages but not the state (the id is printed), 0 when
 * there was nothing to do (fn has said why with warnx), -1 on an error of
 * the library.  Returns the worst exit status, and the number changed in
 * *changed.  The caller holds the store lock and commits.
 */
int cli_each_conv(struct store *st, const struct cli *c, int argc,
    char **argv, int (*fn)(struct store *, struct conv *, void *),
    void *arg, int *changed);
