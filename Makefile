# inbox - a customer messaging inbox as small Unix commands over a git store.
#
#   make            build the commands into build/
#   make check      install test packages, build with -Werror, run every test
#   make check SAN=1  the same under AddressSanitizer and UBSan
#   make demo       build, make ./demo-inbox from share/demo and show it
#   make bench      benchmarks beside mblaze and notmuch (never run by check)
#   make install    PREFIX=/usr/local DESTDIR=
#   make fuzz       run each libFuzzer target for FUZZTIME seconds

-include config.mk

PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
SHAREDIR = $(PREFIX)/share/inbox
CC ?= cc
FUZZTIME ?= 30

SAN ?=
B = build$(if $(SAN),-san)
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -Wno-missing-field-initializers -Wno-format-truncation
comma = ,
SANFLAGS = -O1 -fsanitize=address$(comma)undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
XCFLAGS = -std=c11 -D_GNU_SOURCE -g -O2 $(WARN) $(if $(WERROR),-Werror) \
	$(if $(SAN),$(SANFLAGS)) $(if $(FAULT),-DINBOX_FAULT) \
	-DINBOX_SHAREDIR='"$(SHAREDIR)"' -Ilib $(DEPS_CFLAGS) $(CFLAGS)
XLDFLAGS = $(if $(SAN),-fsanitize=address$(comma)undefined) $(LDFLAGS)
LIBS = $(DEPS_LIBS) -lm

LIBSRC = $(sort $(wildcard lib/*.c))
LIBOBJ = $(LIBSRC:lib/%.c=$(B)/lib/%.o)
CMDSRC = $(filter-out cmd/cli.c,$(sort $(wildcard cmd/*.c)))
CMDS = $(CMDSRC:cmd/%.c=$(B)/%)
UNITSRC = $(sort $(wildcard t/unit/test-*.c))
UNITS = $(UNITSRC:t/unit/%.c=$(B)/t/%)

all: $(CMDS)

config.mk: configure
	./configure --install-deps --prefix=$(PREFIX)

# Rebuild everything when the flags change.
$(B)/.flags: FORCE
	@mkdir -p $(B)/lib $(B)/t
	@echo '$(XCFLAGS) $(XLDFLAGS)' | cmp -s - $@ || \
		echo '$(XCFLAGS) $(XLDFLAGS)' > $@

$(B)/lib/%.o: lib/%.c lib/*.h $(B)/.flags
	$(CC) $(XCFLAGS) -c $< -o $@

$(B)/libinbox.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

$(B)/cli.o: cmd/cli.c cmd/cli.h lib/*.h $(B)/.flags
	$(CC) $(XCFLAGS) -c $< -o $@

$(B)/%: cmd/%.c cmd/cli.h $(B)/cli.o $(B)/libinbox.a lib/*.h
	$(CC) $(XCFLAGS) $< $(B)/cli.o -o $@ $(XLDFLAGS) $(B)/libinbox.a $(LIBS)

$(B)/t/%: t/unit/%.c t/unit/unit.h $(B)/libinbox.a
	$(CC) $(XCFLAGS) -It/unit $< -o $@ $(XLDFLAGS) $(B)/libinbox.a $(LIBS)

units: $(UNITS)

# The whole suite: packages, -Werror build, man page lint, unit and bats
# tests, one summary line.
# Under SAN=1, AddressSanitizer and UBSan stop on any memory error or
# undefined behaviour; leaks are left to valgrind (t/8600-valgrind.bats),
# since a command's memory at exit is not a leak that grows.
check: config.mk
	sh t/deps.sh
	$(MAKE) WERROR=1 all units
	$(if $(SAN),ASAN_OPTIONS=detect_leaks=0:abort_on_error=0) sh t/run $(B)

demo: config.mk
	$(MAKE) all
	sh share/demo/run $(B)

bench: config.mk
	$(MAKE) all
	sh bench/run $(B)
	sh bench/send $(B)

bench-large: config.mk
	$(MAKE) all
	BENCH_LARGE=1 sh bench/run $(B)

fuzz: config.mk
	sh t/fuzz/run $(FUZZTIME)

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7
	cp $(CMDS) $(DESTDIR)$(BINDIR)/
	cp man/*.1 $(DESTDIR)$(MANDIR)/man1/
	cp man/*.5 $(DESTDIR)$(MANDIR)/man5/
	cp man/*.7 $(DESTDIR)$(MANDIR)/man7/
	cp -R share/. $(DESTDIR)$(SHAREDIR)/
	rm -rf $(DESTDIR)$(SHAREDIR)/hooks
	cp -R hooks $(DESTDIR)$(SHAREDIR)/hooks
	mkdir -p $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions
	cp share/completions/inbox.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/inbox
	for c in $(notdir $(CMDS)); do \
		ln -sf inbox $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$c; \
	done
	cp share/completions/_inbox \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_inbox

clean:
	rm -rf build build-san build-fuzz demo-inbox bench/data

.PHONY: all units check demo bench bench-large fuzz install clean FORCE
