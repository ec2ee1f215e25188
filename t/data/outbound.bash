# outbound.bash - loaded by the recv tests: put an outbound message in
# the store the way inbox-send will (there is no inbox-send yet), so that
# status callbacks have something to update.

# The conversation id of an unknown address: sha1("addr:ADDR")[0:12].
addr_conv() {
	printf 'addr:%s' "$1" | sha1sum | cut -c1-12
}

# outbound ADDR PROVIDER-ID [CHANNEL] [TIME] -> prints CONV/UNIQ
# Files t/data/outbound-sms.eml (Status: sent) into cur/ with :2,S,
# records the provider id in idx/pid/ and commits it with plain git.
# TIME (ISO 8601) replaces its Date, 2026-11-22T08:55:00Z.
outbound() {
	local conv uniq d h t
	conv=$(addr_conv "$1")
	t=$(date -u -d "${4:-2026-11-22T08:55:00Z}" +%s)
	uniq=$t.M000000P1Q1R00000000.test
	d=conv/${conv:0:2}/$conv
	mkdir -p "$d/tmp" "$d/new" "$d/cur"
	sed -e "s/^X-Inbox-Provider-Id: .*/X-Inbox-Provider-Id: $2/" \
	    -e "s/^X-Inbox-Channel: .*/X-Inbox-Channel: ${3:-sms}/" \
	    -e "s/^X-Inbox-Address: .*/X-Inbox-Address: $1/" \
	    -e "s/^To: .*/To: <$1>/" \
	    -e "s/^Date: .*/Date: $(date -u -R -d "@$t")/" \
	    -e "s/^Message-ID: .*/Message-ID: <$uniq@inbox>/" \
	    "$BATS_TEST_DIRNAME/data/outbound-sms.eml" >"$d/cur/$uniq:2,S"
	[ -e "$d/state" ] || printf 'kind: address\nstatus: open\naddress: %s\n' \
	    "$1" >"$d/state"
	h=$(printf '%s' "$2" | sha1sum | cut -c1-40)
	mkdir -p "idx/pid/${h:0:2}"
	printf '%s/%s\n' "$conv" "$uniq" >"idx/pid/${h:0:2}/$h"
	git add -A
	git -c user.name=test -c user.email=test@example.org \
	    commit -q -m "test: outbound $2"
	echo "$conv/$uniq"
}

# True when everything in the work tree (but what .gitignore keeps out) is
# in HEAD's tree.  Uses a scratch index: the store's own index is not kept
# up to date by design (repo.h).
all_committed() {
	local idx="$BATS_TEST_TMPDIR/scratch-index"
	rm -f "$idx"
	GIT_INDEX_FILE=$idx git add -A &&
	    GIT_INDEX_FILE=$idx git diff --cached --quiet HEAD
}

# Commit a hand edit with plain git (the whole work tree).
git_commit() {
	git add -A
	git -c user.name=test -c user.email=test@example.org \
	    commit -q -m "$1"
}

# The number of commits on HEAD.
commits() {
	git rev-list --count HEAD
}

# Take out the shipped after-hours hook (the test clock is a Sunday, when
# the office is closed), so that inbox-recv files messages and sends no
# automatic reply.  One commit, when there was such a hook.
no_autoreply() {
	[ -e hooks/after-hours ] || return 0
	rm -f hooks/after-hours
	git_commit "test: no after-hours reply"
}

# The store's files by name and content, and HEAD.
snap() {
	snapshot
	find . -path ./.git -prune -o -path ./tmp -prune -o -type f -print |
	    LC_ALL=C sort
}

# remember; ...; unchanged: the command changed no file and made no commit.
remember() {
	before=$(snap)
	commits=$(git rev-list --count HEAD)
}
unchanged() {
	[ "$(snap)" = "$before" ]
	[ "$(git rev-list --count HEAD)" -eq "$commits" ]
}

# The state file of a conversation.
state() {
	cat "conv/${1:0:2}/$1/state"
}

# What went out through the spool, in name (= time) order, one line a
# message: ADDRESS TAB TYPE TAB TEXT; with -c the channel first.
sent() {
	local f ch=
	[ "${1:-}" != -c ] || ch=1
	for f in $(ls tmp/outbox 2>/dev/null); do
		awk -v ch="$ch" 'BEGIN { OFS = "\t" }
		    b { t = t (t == "" ? "" : "\n") $0; next }
		    /^$/ { b = 1; next }
		    /^X-Inbox-Address: / { a = $2 }
		    /^X-Inbox-Channel: / { c = $2 }
		    /^X-Inbox-Type: / { y = $2 }
		    END { if (ch) print c, a, y, t; else print a, y, t }' \
		    "tmp/outbox/$f"
	done
}
