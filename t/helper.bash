# helper.bash - loaded by every bats test: a fresh store per test, the
# build directory first in PATH, time pinned, stdin from /dev/null.

: "${INBOX_BUILD:=$BATS_TEST_DIRNAME/../build}"
INBOX_BUILD=$(cd "$INBOX_BUILD" && pwd)
INBOX_SRC=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
export PATH="$INBOX_BUILD:$PATH"
export INBOX_SHAREDIR="$INBOX_SRC/share"
export INBOX_NOW=${INBOX_NOW:-1795337600}	# 2026-11-22T08:53:20Z
export INBOX_USER=office
export TZ=UTC
export LC_ALL=C.UTF-8
unset INBOX_DIR XDG_DATA_HOME INBOX_FAULT
for v in $(env | sed -n 's/^\(INBOX_SECRET_[A-Z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done
export HOME="$BATS_TEST_TMPDIR/home"
export GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"

# A new store in $S, made by inbox-init; cd into it.
new_store() {
	S="$BATS_TEST_TMPDIR/store"
	inbox-init -q "$S" >/dev/null
	export INBOX_DIR="$S"
	cd "$S"
}

# The store's loose objects and its packs, counted.
loose() {
	find .git/objects -path '*/objects/[0-9a-f][0-9a-f]/*' -type f | wc -l
}

packs() {
	find .git/objects/pack -name 'pack-*.pack' | wc -l
}

# Set the clock: tick [SECONDS] moves INBOX_NOW on (default 60s).
tick() {
	INBOX_NOW=$((INBOX_NOW + ${1:-60}))
	export INBOX_NOW
}

# A Twilio inbound SMS webhook body: twilio_sms SID FROM BODY [TO]
twilio_sms() {
	printf 'MessageSid=%s&AccountSid=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&From=%s&To=%s&Body=%s&NumMedia=0&NumSegments=1&SmsStatus=received&ApiVersion=2010-04-01' \
	    "$1" "$(urlenc "$2")" "$(urlenc "${4:-+15550001111}")" "$(urlenc "$3")"
}

# Receive an SMS: recv_sms SID FROM BODY -> prints the message id
recv_sms() {
	twilio_sms "$@" | inbox-recv
}

urlenc() {
	printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n' |
	    sed 's/\(..\)/%\1/g'
}

# The state of the store, to prove a command changed nothing.
snapshot() {
	{
		git -C "$S" rev-parse HEAD
		(cd "$S" && find . -path ./.git -prune -o -path ./tmp -prune \
		    -o -type f -print | LC_ALL=C sort | xargs cat | cksum)
	}
}

# Add a customer: customer ID NAME PHONE [EMAIL]
customer() {
	inbox-contact add --id "$1" --name "$2" --phone "$3" \
	    ${4:+--email "$4"} >/dev/null
}

# The conversation id for a customer or address.
conv_of() {
	inbox-ls --all --all-time -s "$1" | cut -f1 | head -n 1
}

# free_port: a TCP port of 127.0.0.1 nothing listens on, for a server.
free_port() {
	"$(command -v /usr/bin/python3 || command -v python3)" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# lighttpd_start DIR ROOT MODULE...: lighttpd on a free port of
# 127.0.0.1 ($PORT) serving ROOT with those modules and the rest of its
# configuration from stdin; its configuration, pid file and error log in
# DIR.  The test's teardown kills $(cat DIR/pid).
lighttpd_start() {
	local dir=$1 root=$2 mods
	shift 2
	mods=$(printf '"%s", ' "$@")
	PORT=$(free_port)
	{
		printf 'server.document-root = "%s"\n' "$root"
		printf 'server.bind = "127.0.0.1"\nserver.port = %s\n' "$PORT"
		printf 'server.pid-file = "%s/pid"\n' "$dir"
		printf 'server.errorlog = "%s/error.log"\n' "$dir"
		printf 'server.modules = ( %s )\n' "${mods%, }"
		cat
	} >"$dir/lighttpd.conf"
	# without -D lighttpd returns once it listens and has written its pid
	lighttpd -f "$dir/lighttpd.conf" </dev/null >/dev/null 2>&1 3>&-
	[ -s "$dir/pid" ]
}
