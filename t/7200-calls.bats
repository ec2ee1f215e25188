#!/usr/bin/env bats
# Calls: Twilio voice status callbacks (and recording and transcription
# callbacks) for every outcome, in the order Twilio sends them and out of
# it; one message per CallSid, updated, never duplicated; known, unknown
# and withheld callers; the call card of inbox-show and the previews of
# inbox-ls; missed calls and voicemails unread until resolved; a call
# moved to another customer; the generic JSON call events.

load helper
load data/outbound
bats_require_minimum_version 1.5.0

JEAN=+15557654321
CJ=62c4ade7e979		# conversation of contact jean
REC=https://api.twilio.com/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Recordings/RE0123456789abcdef0123456789abcdef

setup() {
	T=$BATS_TEST_TMPDIR
	new_store
	no_autoreply
	customer jean "Jean Dupont" $JEAN
}

# call SID FROM STATUS [NAME=VALUE...]: a voice status callback
call() {
	local sid=$1 from=$2 status=$3 kv
	shift 3
	printf 'CallSid=%s&AccountSid=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&From=%s&To=%s&Called=%s&Direction=inbound&ApiVersion=2010-04-01&CallbackSource=call-progress-events&CallStatus=%s' \
	    "$sid" "$(urlenc "$from")" "$(urlenc +15550001111)" \
	    "$(urlenc +15550001111)" "$status"
	for kv in "$@"; do
		printf '&%s=%s' "${kv%%=*}" "$(urlenc "${kv#*=}")"
	done
}

# recording SID DURATION: the recording status callback (no From)
recording() {
	printf 'AccountSid=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&CallSid=%s&RecordingSid=RE0123456789abcdef0123456789abcdef&RecordingUrl=%s&RecordingStatus=completed&RecordingDuration=%s&RecordingChannels=1&RecordingSource=RecordVerb' \
	    "$1" "$(urlenc "$REC")" "$2"
}

msgfile() {
	ls conv/"${1:0:2}"/"${1%%/*}"/*/"${1#*/}"*
}

hdr() {	# hdr ID FIELD: the value of a header field of a message
	sed -n "/^\$/q; s/^$2: //p" "$(msgfile "$1")"
}

# The call headers of message ID, one a line.
callhdr() {
	sed -n '/^$/q; /^X-Inbox-Call-/p' "$(msgfile "$1")"
}

nfiles() {	# nfiles CONV: messages in a conversation
	find "conv/${1:0:2}/$1" -path '*/new/*' -o -path '*/cur/*' -type f |
	    grep -c .
}

@test "answered: ringing, in-progress, completed: one message, updated; 'Voice call - 41s - ended'" {
	n=$(commits)
	run inbox-recv < <(call CA1 $JEAN ringing)
	[ "$status" -eq 0 ]
	id=$output
	[[ $id =~ ^$CJ/1795337600\.M ]]
	[ "$(git log -1 --format=%s)" = "inbox-recv: call from $JEAN (ringing)" ]
	tick 5
	run inbox-recv < <(call CA1 $JEAN in-progress)
	[ "$output" = "$id" ]
	tick 41
	run inbox-recv < <(call CA1 $JEAN completed CallDuration=41)
	[ "$output" = "$id" ]
	[ "$(commits)" -eq $((n + 3)) ]
	[ "$(git log -3 --format=%s)" = "inbox-recv: call answered $id
inbox-recv: call answered $id
inbox-recv: call from $JEAN (ringing)" ]
	[ "$(nfiles $CJ)" -eq 1 ]
	[ "$(callhdr "$id")" = "X-Inbox-Call-Status: completed
X-Inbox-Call-Outcome: answered
X-Inbox-Call-Duration: 41" ]
	[ "$(hdr "$id" X-Inbox-Provider-Id)" = CA1 ]
	[ "$(hdr "$id" X-Inbox-Channel)" = voice ]
	[ "$(inbox-ls | cut -f1,2,4-6)" = "$CJ	1	voice	Jean Dupont	Voice call - 41s - ended" ]
	# an answered call is read like any message once opened
	inbox-show $CJ >/dev/null
	[ "$(inbox-ls --unread)" = "" ]
	all_committed
}

@test "outcomes: no-answer missed, busy, failed, completed with a recording a voicemail" {
	while IFS='|' read -r sid from st extra want preview; do
		# shellcheck disable=SC2086
		run inbox-recv < <(call "$sid" "$from" "$st" $extra)
		[ "$status" -eq 0 ]
		echo "$sid: $(hdr "$output" X-Inbox-Call-Outcome)"
		[ "$(hdr "$output" X-Inbox-Call-Outcome)" = "$want" ]
		[ "$(git log -1 --format=%s)" = "inbox-recv: call from $from ($want)" ]
		c=${output%%/*}
		[ "$(inbox-ls --all -s "$from" | cut -f1,6)" = "$c	$preview" ]
	done <<-EOF
	CA1|+15557650001|no-answer||missed|Voice call - missed
	CA2|+15557650002|busy||busy|Voice call - busy
	CA3|+15557650003|failed||failed|Voice call - failed
	CA4|+15557650004|canceled||missed|Voice call - missed
	CA5|+15557650005|completed|CallDuration=52 RecordingUrl=$REC RecordingDuration=38|voicemail|Voicemail - 0:38
	CA6|+15557650006|completed|CallDuration=0|missed|Voice call - missed
	CA7|+15557650007|completed|CallDuration=7|answered|Voice call - 7s - ended
	EOF
}

@test "unread: missed calls and voicemails stay in the Unread filter after inbox-show until resolved" {
	inbox-recv -q < <(call CA1 $JEAN no-answer)
	tick
	inbox-recv -q < <(call CA2 $JEAN completed CallDuration=30 RecordingUrl=$REC RecordingDuration=38)
	[ "$(inbox-ls --unread | cut -f1,2,6)" = "$CJ	2	Voicemail - 0:38" ]
	inbox-show $CJ >/dev/null
	# read, but still to be dealt with
	[ "$(inbox-ls --unread | cut -f1,2,6)" = "$CJ	2	Voicemail - 0:38" ]
	[ "$(find conv/62/$CJ/new -type f | wc -l)" -eq 0 ]
	run inbox-flag --resolve $CJ
	[ "$status" -eq 0 ]
	[ "$output" = $CJ ]
	[ "$(git log -1 --format=%s)" = "inbox-flag: resolve 1 conversation" ]
	[ "$(inbox-ls --unread)" = "" ]
	[ "$(inbox-ls | cut -f1,2,6)" = "$CJ	0	Voicemail - 0:38" ]
	for m in $(inbox-ls -m --all --all-time | cut -f1); do
		[ "$(hdr "$m" X-Inbox-Resolved)" = "office 2026-11-22T08:54:20Z" ]
	done
	# the card says so
	inbox-show -n $CJ | grep -qx '	resolved by office 2026-11-22T08:54:20Z'
	# nothing left to resolve
	run --separate-stderr inbox-flag --resolve $CJ
	[ "$status" -eq 1 ]
	[ "$stderr" = "inbox-flag: $CJ: nothing to mark" ]
	# a new missed call brings it back
	tick
	inbox-recv -q < <(call CA3 $JEAN no-answer)
	[ "$(inbox-ls --unread | cut -f1,2,6)" = "$CJ	1	Voice call - missed" ]
}

@test "the call card: inbox-show prints outcome, duration, recording, transcript" {
	inbox-recv -q < <(call CA1 $JEAN no-answer)
	inbox-recv -q < <(recording CA1 38)
	printf 'AccountSid=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&CallSid=CA1&TranscriptionSid=TR1&TranscriptionStatus=completed&TranscriptionText=%s' \
	    "$(urlenc 'Hi, it is Jean, the boiler again. Call me back.')" |
	    inbox-recv -q
	tick
	inbox-recv -q < <(call CA2 $JEAN completed CallDuration=75)
	id1=$(inbox-ls -m --all --all-time | sort | head -n 1 | cut -f1)
	id2=$(inbox-ls -m --all --all-time | sort | tail -n 1 | cut -f1)
	run inbox-show $CJ
	[ "$status" -eq 0 ]
	[ "$output" = "# Jean Dupont $JEAN [open]
$id1	2026-11-22T08:53:20Z	in	voice	received	Jean Dupont
	[call] inbound voicemail
	recording: $REC (0:38)
	transcript: Hi, it is Jean, the boiler again. Call me back.
$id2	2026-11-22T08:54:20Z	in	voice	received	Jean Dupont
	[call] inbound answered, 1:15" ]
	[ "$(callhdr "$id1")" = "X-Inbox-Call-Status: no-answer
X-Inbox-Call-Outcome: voicemail
X-Inbox-Call-Recording: $REC
X-Inbox-Call-Recording-Duration: 38
X-Inbox-Call-Transcript: Hi, it is Jean, the boiler again. Call me back." ]
	run inbox-show --json -n $CJ
	[ "$(head -n 1 <<<"$output")" = "{\"id\":\"$id1\",\"time\":\"2026-11-22T08:53:20Z\",\"from\":\"Jean Dupont\",\"direction\":\"in\",\"channel\":\"voice\",\"type\":\"call\",\"status\":\"received\",\"address\":\"$JEAN\",\"outcome\":\"voicemail\",\"recording\":\"$REC\",\"provider_id\":\"CA1\",\"read\":true,\"text\":\"[call] inbound voicemail\\nrecording: $REC (0:38)\\ntranscript: Hi, it is Jean, the boiler again. Call me back.\"}" ]
}

@test "duplicates and late callbacks change nothing; a call is never filed twice" {
	id=$(inbox-recv < <(call CA1 $JEAN completed CallDuration=41))
	n=$(commits)
	s=$(snapshot)
	# the same callback again, then the earlier ones arriving late
	for st in completed ringing in-progress; do
		run inbox-recv < <(call CA1 $JEAN $st $([ $st = completed ] && echo CallDuration=41))
		[ "$status" -eq 0 ]
		[ "$output" = "$id" ]
	done
	[ "$(commits)" -eq "$n" ]
	[ "$(snapshot)" = "$s" ]
	[ "$(callhdr "$id")" = "X-Inbox-Call-Status: completed
X-Inbox-Call-Outcome: answered
X-Inbox-Call-Duration: 41" ]
	[ "$(nfiles $CJ)" -eq 1 ]
	[ "$(inbox-ls --all --all-time | wc -l)" -eq 1 ]
}

@test "a voicemail in Twilio's order: completed with the recording, then the recording callback" {
	id=$(inbox-recv < <(call CA1 $JEAN ringing))
	tick
	inbox-recv -q < <(call CA1 $JEAN completed CallDuration=45 RecordingUrl=$REC RecordingDuration=38)
	[ "$(hdr "$id" X-Inbox-Call-Outcome)" = voicemail ]
	n=$(commits)
	tick
	run inbox-recv < <(recording CA1 38)
	[ "$output" = "$id" ]
	[ "$(commits)" -eq "$n" ]
	[ "$(callhdr "$id")" = "X-Inbox-Call-Status: completed
X-Inbox-Call-Outcome: voicemail
X-Inbox-Call-Duration: 45
X-Inbox-Call-Recording: $REC
X-Inbox-Call-Recording-Duration: 38" ]
	[ "$(inbox-ls | cut -f6)" = "Voicemail - 0:38" ]
	# a missed call whose recording comes after: a voicemail, the same message
	tick
	m=$(inbox-recv < <(call CA2 $JEAN no-answer))
	tick
	run inbox-recv < <(recording CA2 7)
	[ "$output" = "$m" ]
	[ "$(git log -1 --format=%s)" = "inbox-recv: call voicemail $m" ]
	[ "$(hdr "$m" X-Inbox-Call-Outcome)" = voicemail ]
	[ "$(hdr "$m" X-Inbox-Call-Status)" = no-answer ]
	[ "$(nfiles $CJ)" -eq 2 ]
	[ "$(inbox-ls | cut -f6)" = "Voicemail - 0:07" ]
}

@test "a recording callback before the status callback files the call with its caller" {
	inbox-recv -q < <(recording CA1 38)
	inbox-recv -q < <(call CA1 $JEAN completed CallDuration=45)
	[ "$(inbox-ls --all --all-time | cut -f1,5,6)" = "$CJ	Jean Dupont	Voicemail - 0:38" ]
}

@test "callers: a customer's call joins their thread, an unknown number its own, each withheld call one of its own" {
	inbox-recv -q < <(call CA1 $JEAN no-answer)
	inbox-recv -q < <(call CA2 +15557650009 no-answer)
	k=0
	for from in anonymous Restricted +266696687 ''; do
		tick
		k=$((k + 1))
		inbox-recv -q < <(call "CA-w$k" "$from" no-answer)
	done
	tick
	inbox-recv -q < <(call CA-w5 anonymous busy)
	u=$(addr_conv +15557650009)
	inbox-ls --all --all-time | cut -f1,5,6 | sort >"$T/got"
	{
		printf '%s\t%s\t%s\n' $CJ 'Jean Dupont' 'Voice call - missed'
		printf '%s\t%s\t%s\n' "$u" +15557650009 'Voice call - missed'
		for k in 1 2 3 4 5; do
			c=$(printf 'anon:CA-w%s' $k | sha1sum | cut -c1-12)
			w='Voice call - missed'
			[ $k = 5 ] && w='Voice call - busy'
			printf '%s\t%s\t%s\n' "$c" 'Withheld number' "$w"
		done
	} | sort >"$T/want"
	diff -u "$T/want" "$T/got"
	c=$(printf 'anon:CA-w1' | sha1sum | cut -c1-12)
	[ "$(cat "conv/${c:0:2}/$c/state")" = "context: unknown
kind: anon
status: open
created: 2026-11-22T08:54:20Z
channel: voice
last-in.voice: 2026-11-22T08:54:20Z" ]
	m=$(ls conv/${c:0:2}/$c/new)
	[ "$(sed -n '/^$/q; /^\(From\|Subject\|X-Inbox-Address\):/p' "conv/${c:0:2}/$c/new/$m")" = "From: Withheld number <anonymous>
Subject: call from a withheld number" ]
	[ "$(inbox-show -n $c | head -n 1)" = "# Withheld number [open]" ]
	[ "$(inbox-ls --context unknown | cut -f1 | grep -c "^$c$")" -eq 1 ]
}

@test "move: a call taken from another phone goes to its customer, with the reason in the log" {
	customer ana "Ana Lee" +15557650000
	CA=$(printf 'contact:ana' | sha1sum | cut -c1-12)
	id=$(inbox-recv < <(call CA7 +15557659999 busy))
	u=${id%%/*}
	tick
	run inbox-link --move "$id" ana --reason 'Ana called from her work phone'
	[ "$status" -eq 0 ]
	new=$CA/${id#*/}
	[ "$output" = "$new" ]
	[ "$(inbox-log --customer ana | cut -f2-)" = "office	inbox-link	move $id to $CA	Ana called from her work phone
office	inbox-contact	add customer ana (Ana Lee)	-" ]
	[ "$(inbox-log "$CA")" = "2026-11-22T08:54:20Z	office	inbox-link	move $id to $CA	Ana called from her work phone" ]
	[ "$(git log -1 --format=%B)" = "inbox-link: move $id to $CA

Reason: Ana called from her work phone
Message: $new
From-Message: $id" ]
	[ "$(inbox-ls --all --all-time -s 'Ana Lee' | cut -f1,6)" = "$CA	Voice call - busy" ]
	[ ! -e "conv/${u:0:2}/$u" ] || [ "$(nfiles "$u")" -eq 0 ]
	# a later callback for the call updates it where it is now
	tick
	run inbox-recv < <(call CA7 +15557659999 completed RecordingUrl=$REC RecordingDuration=5)
	[ "$output" = "$new" ]
	[ "$(hdr "$new" X-Inbox-Call-Outcome)" = voicemail ]
	[ "$(inbox-ls --all --all-time -s 'Ana Lee' | cut -f1,6)" = "$CA	Voicemail - 0:05" ]
	all_committed
}

@test "JSON calls: one message per id, updated by later events, in any order" {
	json='{"type":"call","id":"pbx-5521","time":"2026-11-22T08:10:00Z","from":"+15557654321","to":"+15550001111","direction":"in"'
	run inbox-recv --format json <<<"$json,\"outcome\":\"missed\"}"
	[ "$status" -eq 0 ]
	id=$output
	[[ $id == $CJ/* ]]
	[ "$(git log -1 --format=%s)" = "inbox-recv: call from $JEAN (missed)" ]
	[ "$(hdr "$id" Date)" = "Sun, 22 Nov 2026 08:10:00 +0000" ]
	run inbox-recv <"$BATS_TEST_DIRNAME/data/json-call.json"
	[ "$status" -eq 0 ]
	v=$output
	[ "$(callhdr "$v")" = "X-Inbox-Call-Status: no-answer
X-Inbox-Call-Outcome: voicemail
X-Inbox-Call-Duration: 0
X-Inbox-Call-Recording: https://pbx.example/rec/5521.wav
X-Inbox-Call-Recording-Duration: 42
X-Inbox-Call-Transcript: Hi, it is Jean, please call me back about the boiler" ]
	# the same id again: the same message, updated or left
	run inbox-recv --format json <<<"$json,\"outcome\":\"voicemail\",\"recording\":\"https://pbx.example/rec/x.wav\",\"recording_duration\":12}"
	[ "$output" = "$id" ]
	[ "$(hdr "$id" X-Inbox-Call-Outcome)" = voicemail ]
	n=$(commits)
	run inbox-recv --format json <<<"$json,\"outcome\":\"voicemail\",\"recording\":\"https://pbx.example/rec/x.wav\",\"recording_duration\":12}"
	[ "$output" = "$id" ]
	[ "$(commits)" -eq "$n" ]
	# an outbound call, answered
	run inbox-recv --format json <<<'{"type":"call","id":"pbx-7","from":"+15550001111","to":"+15557654321","direction":"out","outcome":"answered","duration":125}'
	[ "$status" -eq 0 ]
	[[ $output == $CJ/* ]]
	[ "$(hdr "$output" X-Inbox-Direction)" = out ]
	inbox-show -n $CJ | grep -qx '	\[call\] outbound answered, 2:05'
	[ "$(nfiles $CJ)" -eq 3 ]
}
