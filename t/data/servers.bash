# servers.bash - for tests that start servers (the Twilio and WhatsApp
# stand-in, an SMTP server, Kannel, a web server): each records its pid
# in $T/pids, and teardown stops them all, whatever the test did.

teardown() {
	local pid
	while read -r pid; do
		kill "$pid" 2>/dev/null || true
	done <"$T/pids"
	while read -r pid; do
		poll gone "$pid" || kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done <"$T/pids"
}

# poll CMD...: true as soon as CMD succeeds; tried 200 times, 50 ms apart.
poll() {
	local i=0
	until "$@" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt 200 ] || return 1
		sleep 0.05
	done
}

# gone PID: the process has exited (or is a zombie not yet waited for).
gone() {
	! kill -0 "$1" 2>/dev/null ||
	    [ "$(ps -o stat= -p "$1" | cut -c1)" = Z ]
}

# start_standin [OPTION...]: the Twilio and WhatsApp stand-in
# (t/lib/standin.py) on a free port of 127.0.0.1, with the account $SID
# and $TOKEN and any more options; $BASE is its URL.
start_standin() {
	"$PY" "$INBOX_SRC/t/lib/standin.py" --port 0 --log "$T/standin.log" \
	    --twilio-sid "$SID" --twilio-token "$TOKEN" "$@" \
	    </dev/null >>"$T/server.out" 2>&1 3>&- &
	echo $! >>"$T/pids"
	poll test -s "$T/standin.log.ready"
	read -r P <"$T/standin.log.ready"
	BASE=http://127.0.0.1:$P
}

ctl() {	# ctl METHOD PATH [JSON]: the stand-in's control API
	"$PY" -c 'import sys, urllib.request
data = sys.argv[3].encode() if len(sys.argv) > 3 else None
req = urllib.request.Request(sys.argv[2], data=data, method=sys.argv[1],
                             headers={"Content-Type": "application/json"})
sys.stdout.buffer.write(urllib.request.urlopen(req, timeout=10).read())' \
	    "$1" "$BASE/_ctl/$2" ${3:+"$3"}
}
