#!/usr/bin/env bats
# Soak: a stream of inbox-recv, inbox-send and inbox-send --flush, each
# killed with SIGKILL after a pseudo-random delay (bash's RANDOM with a
# fixed seed, so every run kills at the same moments), until $SOAK_KILLS
# (500; 200 under SAN=1) processes died that way.  inbox-fsck --repair runs every 50 kills,
# as cron would.  Then: every acknowledged message (exit 0) is in HEAD and
# the work tree exactly once; the provider's retries of the others file
# each exactly once; no outbound message reached the transport twice;
# nothing half-written is left; git fsck is clean and a second inbox-fsck
# --repair finds nothing.

load helper
load data/outbound
bats_require_minimum_version 1.5.0

# under the sanitizers every process is two to three times slower: fewer
# kills, and delays three times as long, so that some runs still finish
SLOW=1
if [[ "$INBOX_BUILD" == *-san ]] ||
    grep -q fsanitize "$INBOX_BUILD/.flags" 2>/dev/null; then
	: "${SOAK_KILLS:=200}"
	SLOW=3
fi
: "${SOAK_KILLS:=500}"
: "${SOAK_SEED:=8310}"

setup() {
	T=$BATS_TEST_TMPDIR
	new_store
	no_autoreply
}

# A Twilio webhook from customer I % 10, without helper.bash's forks: the
# stream must be quick.
sms() {
	printf 'MessageSid=SMsoak%d&AccountSid=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&From=%%2B151255502%02d&To=%%2B15550001111&Body=soak+%d&NumMedia=0' \
	    "$1" $(($1 % 10)) "$1"
}

# repair: inbox-fsck --repair as cron runs it.  A NAME.lock a killed
# write left (refs/heads/main.lock, tmp/spool/UNIQ.lock, a state file's)
# counts as stale once the lock timeout has passed and nobody holds the
# store: ageing them stands in for that wait (nothing else runs now).
repair() {
	find . -name '*.lock' -exec touch -d '-1 hour' {} +
	inbox-fsck -q --repair || true
}

@test "soak: $SOAK_KILLS kills with SIGKILL during recv and send, nothing lost" {
	local i=0 kills=0 acked=0 busy=0 rc delay c sid text start conv
	RANDOM=$SOAK_SEED
	start=$SECONDS
	for i in 0 1 2 3 4 5 6 7 8 9; do
		conv[i]=$(addr_conv "$(printf "+151255502%02d" "$i")")
	done
	i=0
	: >"$T/recv"
	: >"$T/send"
	while [ "$kills" -lt "$SOAK_KILLS" ] && [ "$i" -lt $((SOAK_KILLS * 6)) ]; do
		i=$((i + 1))
		# 1 to 16 ms: from before the lock to after the commit (a
		# receive, timeout's own start with it, takes about 8)
		delay=$(printf '0.%03d' $((RANDOM % (16 * SLOW) + 1)))
		rc=0
		case $((i % 10)) in
		[0-6])	sid=SMsoak$i
			sms "$i" >"$T/sms"
			(timeout -s KILL "$delay" inbox-recv -q <"$T/sms"; exit $?) \
			    2>/dev/null || rc=$?
			echo "$sid $rc" >>"$T/recv" ;;
		[7-8])	c=${conv[i % 7]}
			# a conversation a receive committed (one killed may
			# leave its directory without its state: "no address")
			git cat-file -e "HEAD:conv/${c:0:2}/$c/state" 2>/dev/null ||
			    continue
			text="soak out $i"
			# a send is two commits and the transport: up to 120 ms
			delay=$(printf '0.%03d' $((RANDOM % (120 * SLOW) + 1)))
			(timeout -s KILL "$delay" inbox-send -q "$c" "$text"; exit $?) \
			    2>/dev/null || rc=$?
			echo "$rc $text" >>"$T/send" ;;
		9)	(timeout -s KILL "$delay" inbox-send -q --flush; exit $?) \
			    2>/dev/null || rc=$? ;;
		esac
		case $rc in
		0)	acked=$((acked + 1)) ;;
		137)	kills=$((kills + 1))
			[ $((kills % 50)) -ne 0 ] || repair ;;
		75)	busy=$((busy + 1)) ;;	# main.lock: retried below
		1)	;;	# a flush that met a message a kill interrupted:
				# "some records failed"; the checks below decide
		*)	echo "run $i: exit $rc"; false ;;
		esac
	done
	[ "$kills" -eq "$SOAK_KILLS" ]
	repair
	# the provider retries every webhook it got no answer for
	awk '$2 != 0 { print $1 }' "$T/recv" | while read -r sid; do
		sms "${sid#SMsoak}" | inbox-recv -q
	done
	# a message killed mid-delivery is failed, never sent again: by the
	# first flush, or, when its "sending" mark is recent, by the one an
	# hour later (so either may say "some records failed", 1; the checks
	# below decide)
	inbox-send -q --flush || [ $? -eq 1 ]
	tick 3600
	inbox-send -q --flush || [ $? -eq 1 ]

	# every message received, acknowledged or retried, once
	n=$(wc -l <"$T/recv")
	[ "$(grep -rl '^X-Inbox-Direction: in$' conv | wc -l)" -eq "$n" ]
	[ "$(git grep -l '^X-Inbox-Direction: in$' HEAD -- conv | wc -l)" -eq "$n" ]
	[ "$(grep -rh '^X-Inbox-Provider-Id: SMsoak' conv | sort -u | wc -l)" -eq "$n" ]
	# every acknowledged send: once, sent, handed over once; the others
	# at most once, and never handed over twice
	while read -r rc text; do
		copies=$(grep -rlx "$text" conv | wc -l)
		handed=$(grep -rlx "$text" tmp/outbox 2>/dev/null | wc -l)
		[ "$handed" -le 1 ] || { echo "$text: handed over $handed times"; false; }
		[ "$copies" -le 1 ] || { echo "$text: $copies copies"; false; }
		if [ "$rc" -eq 0 ]; then
			[ "$copies" -eq 1 ] && [ "$handed" -eq 1 ] ||
			    { echo "$text: acknowledged, $copies/$handed"; false; }
			grep -qx 'X-Inbox-Status: sent' "$(grep -rlx "$text" conv)"
		fi
	done <"$T/send"
	[ -z "$(ls idx/queue 2>/dev/null)" ]
	# nothing half-written; git and inbox-fsck clean; a second repair
	# finds nothing
	[ -z "$(find conv -path '*/tmp/*' -type f)" ]
	[ -z "$(ls tmp/spool 2>/dev/null)" ]
	[ -z "$(find . -name '*.lock')" ]
	run git fsck --no-dangling
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	run inbox-fsck --repair
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	sent=$(awk '$1 == 0' "$T/send" | wc -l)
	echo "# $kills kills, $acked acknowledged ($sent of them sends), $n messages received after the provider's retries: all present once, none sent twice ($((SECONDS - start))s, $i runs, $busy refused with 75)" >&3
}
