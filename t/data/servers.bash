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
