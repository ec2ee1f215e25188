#!/usr/bin/env bats
# inbox-send: targets, the text, templates, the channel it picks, types,
# attachments, --at, --dry-run; queued and committed before the transport
# runs, the outcome committed after; SMS segments and channels.sms.limit;
# bad input refused with one line and nothing queued; nothing lost when
# the provider is down (the Twilio stand-in, t/lib/standin.py).

load helper
load data/outbound
load data/servers
bats_require_minimum_version 1.5.0

JEAN=+15557654321
CJ=62c4ade7e979		# conversation of contact jean
SID=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
TOKEN=twilio-test-token
PY=/usr/bin/python3

setup() {
	T=$BATS_TEST_TMPDIR
	: >"$T/pids"
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
	export no_proxy='*'
	new_store
	no_autoreply
	customer jean "Jean Dupont" $JEAN
}

# The number of message requests the Twilio stand-in has had.
twilio_posts() {
	ctl GET log | grep -c '"path": "/2010-04-01/Accounts/[^"]*/Messages.json"'
}

# The settings: the business, then the channels from stdin.  Committed.
config() {
	{
		cat <<-'EOF'
		business:
		  name: Fieldco
		  phone: "+15005550006"
		  email: office@fieldco.example
		  domain: fieldco.example
		  country: US
		  timezone: America/Chicago
		channels:
		EOF
		cat
	} >inbox.yaml
	git_commit "test: settings"
}

# Unique names without their pid, counter, random part and host.
norm() {
	sed -E 's/\.M([0-9]{6})P[0-9]+Q[0-9]+R[0-9a-f]{8}\.[A-Za-z0-9-]+/.U/g'
}

# The one file of message id CONV/UNIQ.
msgfile() {
	ls conv/"${1:0:2}"/"${1%%/*}"/*/"${1#*/}"*
}

hdr() {	# hdr ID FIELD: the value of a header field of a message
	sed -n "/^\$/q; s/^$2: //p" "$(msgfile "$1")"
}

body() {	# body ID: the body of a single-part message
	sed '1,/^$/d' "$(msgfile "$1")"
}

# Nothing was queued or delivered, and the store did not change.
unchanged() {
	[ "$(snapshot)" = "$1" ]
	[ ! -e idx/queue ] || [ -z "$(ls idx/queue)" ]
	[ ! -e tmp/outbox ] || [ -z "$(ls tmp/outbox)" ]
}

@test "send: queued and committed, then handed to the transport and committed: two commits" {
	n=$(commits)
	run --separate-stderr inbox-send jean 'Hello there'
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	id=$(cut -f1 <<<"$output")
	uniq=${id#*/}
	[ "$output" = "$id	sent	spool:$uniq.msg" ]
	[[ $id =~ ^$CJ/1795337600\.M000000P[0-9]{7}Q1R[0-9a-f]{8}\. ]]
	[ "$(commits)" -eq $((n + 2)) ]
	[ "$(git log -1 --format=%B HEAD~1)" = "inbox-send: queue sms to $JEAN (manual)

Conversation: $CJ
Message: $id" ]
	[ "$(git log -1 --format=%B)" = "inbox-send: sent sms to $JEAN

Message: $id
Provider-Id: spool:$uniq.msg" ]
	# the first commit has the message queued, before any transport ran
	f=$(msgfile "$id")
	[ "$(git show "HEAD~1:$f" | grep '^X-Inbox-Status:')" = "X-Inbox-Status: queued" ]
	[ "$(git show "HEAD~1:idx/queue/$uniq")" = "$id" ]
	cat >"$T/want" <<-EOF
	X-Inbox-Channel: sms
	X-Inbox-Direction: out
	X-Inbox-Type: manual
	X-Inbox-Address: $JEAN
	X-Inbox-Author: office
	X-Inbox-Segments: 1
	Date: Sun, 22 Nov 2026 08:53:20 +0000
	From: Fieldco Plumbing & Heating <+15550001111>
	To: Jean Dupont <$JEAN>
	Message-ID: <$uniq@fieldco.example>
	MIME-Version: 1.0
	Content-Type: text/plain; charset=utf-8
	Content-Transfer-Encoding: 8bit
	X-Inbox-Status: sent
	X-Inbox-Provider-Id: spool:$uniq.msg
	X-Inbox-Tries: 1
	X-Inbox-Status-Time: 2026-11-22T08:53:20Z

	Hello there
	EOF
	diff -u "$T/want" "$f"
	[[ $f == conv/62/$CJ/cur/$uniq:2,S ]]
	# the spool has it; the queue is empty; all of it committed
	[ "$(sed '1,/^$/d' "tmp/outbox/$uniq.msg")" = "Hello there" ]
	[ -z "$(ls idx/queue)" ]
	all_committed
	[ "$(state_of $CJ)" = "kind: customer
contact: jean
status: open
created: 2026-11-22T08:53:20Z
address: $JEAN" ]
}

state_of() {
	cat "conv/${1:0:2}/$1/state"
}

@test "targets: a conversation id or prefix, a contact, a national number, an email address" {
	inbox-send -q jean first
	run inbox-send $CJ 'by conversation id'
	[ "$status" -eq 0 ]
	[[ $output == "$CJ/"*"	sent	spool:"* ]]
	run inbox-send 62c4ad 'by prefix'
	[[ $output == "$CJ/"*"	sent	spool:"* ]]
	# a number in national form, read with business.country (US)
	run inbox-send '(555) 765-4321' 'by number'
	[[ $output == "$CJ/"*"	sent	spool:"* ]]
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Address)" = $JEAN ]
	# a number nobody has: its own conversation, addr:+1555...
	run inbox-send '555.765.4399' 'a new number'
	[ "$status" -eq 0 ]
	c=$(printf 'addr:+15557654399' | sha1sum | cut -c1-12)
	[[ $output == "$c/"*"	sent	spool:"* ]]
	[ "$(state_of "$c")" = "kind: address
status: open
created: 2026-11-22T08:53:20Z
address: +15557654399" ]
	# an email address nobody has: by email
	run inbox-send Someone@Example.org 'by email'
	c=$(printf 'addr:someone@example.org' | sha1sum | cut -c1-12)
	m=$(cut -f1 <<<"$output")
	[[ $m == "$c/"* ]]
	[ "$(hdr "$m" X-Inbox-Channel)" = email ]
	[ "$(hdr "$m" X-Inbox-Address)" = someone@example.org ]
	[ "$(hdr "$m" Subject)" = "Message from us" ]
}

@test "targets: a customer's email address is written to by email, not on their phone" {
	inbox-contact edit jean --add-email jean@example.org >/dev/null
	run inbox-send jean@example.org 'The quote is ready'
	[ "$status" -eq 0 ]
	m=$(cut -f1 <<<"$output")
	[[ $m == "$CJ/"* ]]
	[ "$(hdr "$m" X-Inbox-Channel)" = email ]
	[ "$(hdr "$m" X-Inbox-Address)" = jean@example.org ]
	[ "$(hdr "$m" To)" = "Jean Dupont <jean@example.org>" ]
	# and the contact with no channel asked for: text, it has a mobile
	run inbox-send jean 'Hi'
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Channel)" = sms ]
	# the number as target, after an email: text again
	run inbox-send $JEAN 'Hi again'
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Channel)" = sms ]
}

@test "text: arguments joined by blanks, standard input for -, trailing blank lines dropped" {
	run inbox-send jean On our way, 'there in' 20 minutes.
	[ "$(body "$(cut -f1 <<<"$output")")" = "On our way, there in 20 minutes." ]
	run inbox-send jean - <<-'EOF'
	Line one
	  line two, indented

	Line four ✓


	EOF
	[ "$status" -eq 0 ]
	m=$(cut -f1 <<<"$output")
	[ "$(body "$m")" = "Line one
  line two, indented

Line four ✓" ]
	[ "$(sed '1,/^$/d' "tmp/outbox/${m#*/}.msg")" = "$(body "$m")" ]
}

@test "templates: --template NAME with --var and the customer's fields" {
	mkdir -p templates
	cat >templates/gate <<-'EOF'
	Description: the gate code

	Hi {{customer.first_name}}, the gate code for {{site}} is {{code}}. {{business.name}}
	EOF
	git_commit "test: template"
	run inbox-send --template gate --var site='12 Elm St' --var code=4711 jean
	[ "$status" -eq 0 ]
	m=$(cut -f1 <<<"$output")
	[ "$(body "$m")" = "Hi Jean, the gate code for 12 Elm St is 4711. Fieldco Plumbing & Heating" ]
	[ "$(hdr "$m" X-Inbox-Template)" = gate ]
	# the shipped one, from share/templates
	run inbox-send --template thanks jean
	[ "$(body "$(cut -f1 <<<"$output")")" = "Thanks Jean! We have got your message and will get back to you shortly." ]
}

@test "channel: the customer's last one, else SMS with a mobile, else email; a call is answered by text" {
	inbox-contact add --id ana --name "Ana Lee" --email ana@example.org >/dev/null
	inbox-contact add --id cy --name "Cy Roe" --phone +15557650002 \
	    --email cy@example.org >/dev/null
	# no number: email
	run inbox-send ana 'Hello Ana'
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Channel)" = email ]
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Address)" = ana@example.org ]
	# a mobile: SMS
	run inbox-send cy 'Hello Cy'
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Channel)" = sms ]
	# Cy wrote by email last: email
	printf 'From: Cy Roe <cy@example.org>\nTo: office@fieldco.example\nSubject: Leak\nMessage-ID: <c1@example.org>\n\nThe tap drips.\n' |
	    inbox-recv -q --format email
	run inbox-send cy 'Hello again'
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Channel)" = email ]
	# --channel says otherwise
	run inbox-send --channel sms cy 'By text'
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Channel)" = sms ]
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Address)" = +15557650002 ]
	# a thread with only a (missed) call is answered by text
	printf 'CallSid=CA1&From=%%2B15557654321&To=%%2B15550001111&Direction=inbound&CallStatus=no-answer' |
	    inbox-recv -q
	grep -qx 'channel: voice' "conv/62/$CJ/state"
	run inbox-send jean 'Sorry we missed your call'
	[ "$status" -eq 0 ]
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Channel)" = sms ]
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Address)" = $JEAN ]
}

@test "type: manual by default, --type recorded, in the commit subject too" {
	run inbox-send jean 'Hi'
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Type)" = manual ]
	run inbox-send --type reply jean 'Hi'
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Type)" = reply ]
	[ "$(git log -1 --format=%s HEAD~1)" = "inbox-send: queue sms to $JEAN (reply)" ]
}

@test "attach: a file is a MIME part of an email; a URL is X-Inbox-Media" {
	inbox-contact edit jean --add-email jean@example.org >/dev/null
	printf '%%PDF-1.4\n%% the quote\n' >"$T/quote.pdf"
	run inbox-send --channel email --attach "$T/quote.pdf" jean 'The quote is attached.'
	[ "$status" -eq 0 ]
	m=$(cut -f1 <<<"$output")
	"$PY" - "$(msgfile "$m")" >"$T/got" <<-'EOF'
	import email, sys
	m = email.message_from_bytes(open(sys.argv[1], "rb").read())
	print(m.get_content_type(), m["X-Inbox-Channel"], m["To"])
	for p in m.walk():
	    if not p.is_multipart():
	        print(p.get_content_type(), p.get_filename(), p.get_payload(decode=True))
	EOF
	cat >"$T/want" <<-'EOF'
	multipart/mixed email Jean Dupont <jean@example.org>
	text/plain None b'The quote is attached.'
	application/pdf quote.pdf b'%PDF-1.4\n% the quote\n'
	EOF
	diff -u "$T/want" "$T/got"
	# what the spool got is the same file
	cmp <(sed '/^X-Inbox-/d' "$(msgfile "$m")") <(sed '/^X-Inbox-/d' "tmp/outbox/${m#*/}.msg")
	# a URL: media for MMS and WhatsApp, no part
	run inbox-send --attach https://cdn.fieldco.example/p/boiler.jpg jean 'Your boiler'
	m=$(cut -f1 <<<"$output")
	[ "$(hdr "$m" X-Inbox-Media)" = https://cdn.fieldco.example/p/boiler.jpg ]
	[ "$(hdr "$m" Content-Type)" = "text/plain; charset=utf-8" ]
	[ "$(body "$m")" = "Your boiler" ]
}

@test "--at: scheduled and committed as such; --flush delivers it once it is due" {
	n=$(commits)
	run inbox-send --at 'tomorrow 09:00' jean 'Reminder: we come at 10'
	[ "$status" -eq 0 ]
	m=$(cut -f1 <<<"$output")
	# 09:00 in Chicago on Monday the 23rd
	[ "$output" = "$m	scheduled	next try 2026-11-23T15:00:00Z" ]
	[ "$(commits)" -eq $((n + 1)) ]
	[ "$(git log -1 --format=%s)" = "inbox-send: schedule sms to $JEAN (manual)" ]
	[ "$(hdr "$m" X-Inbox-Status)" = scheduled ]
	[ "$(hdr "$m" X-Inbox-Send-After)" = 2026-11-23T15:00:00Z ]
	[ ! -e tmp/outbox ]
	# not yet
	export INBOX_NOW=$((1795446000 - 1))
	run inbox-send --flush
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(commits)" -eq $((n + 1)) ]
	# due
	export INBOX_NOW=1795446000
	run inbox-send --flush
	[ "$status" -eq 0 ]
	[ "$output" = "$m	sent	spool:${m#*/}.msg" ]
	[ "$(hdr "$m" X-Inbox-Status)" = sent ]
	[ "$(hdr "$m" X-Inbox-Status-Time)" = 2026-11-23T15:00:00Z ]
	[ "$(ls tmp/outbox)" = "${m#*/}.msg" ]
	# and never again
	run inbox-send --flush
	[ "$output" = "" ]
	[ "$(ls tmp/outbox)" = "${m#*/}.msg" ]
	all_committed
}

@test "--dry-run: prints the message file and changes nothing" {
	s=$(snapshot)
	run --separate-stderr inbox-send --dry-run jean 'Tech arrives at 10'
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "$(echo "$output" | norm)" = "X-Inbox-Channel: sms
X-Inbox-Direction: out
X-Inbox-Type: manual
X-Inbox-Status: queued
X-Inbox-Address: $JEAN
X-Inbox-Author: office
X-Inbox-Segments: 1
Date: Sun, 22 Nov 2026 08:53:20 +0000
From: Fieldco Plumbing & Heating <+15550001111>
To: Jean Dupont <$JEAN>
Message-ID: <1795337600.U@fieldco.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Tech arrives at 10" ]
	unchanged "$s"
	[ ! -e "conv/62/$CJ" ]
	# a template too, and --split: every file
	a160=$(printf 'a%.0s' $(seq 160))
	sed -i 's/^    limit: 0 /    limit: 160/' inbox.yaml
	git_commit "test: limit"
	s=$(snapshot)
	run inbox-send --dry-run --split jean "$a160 b"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^X-Inbox-Channel: sms$' <<<"$output")" -eq 2 ]
	unchanged "$s"
}

@test "segments: 160 GSM-7 characters are 1, 161 are 2, 71 with an emoji are 2" {
	a160=$(printf 'a%.0s' $(seq 160))
	run inbox-send jean "$a160"
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Segments)" = 1 ]
	run inbox-send jean "${a160}b"
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Segments)" = 2 ]
	# UCS-2: 70 a segment, 67 each of several
	run inbox-send jean "😀$(printf 'x%.0s' $(seq 69))"
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Segments)" = 2 ]
	run inbox-send jean "é$(printf 'x%.0s' $(seq 159))"
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Segments)" = 1 ]
	# GSM-7's extension table costs two: 80 euro signs fill one
	run inbox-send jean "$(printf '€%.0s' $(seq 80))"
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Segments)" = 1 ]
	run inbox-send jean "$(printf '€%.0s' $(seq 81))"
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Segments)" = 2 ]
	# email has none
	run inbox-send jean@example.org "$a160$a160"
	[ "$(hdr "$(cut -f1 <<<"$output")" X-Inbox-Segments)" = "" ]
}

@test "channels.sms.limit: a longer text is refused with exit 3 and by how much; --split sends parts" {
	a160=$(printf 'a%.0s' $(seq 160))
	sed -i 's/^    limit: 0 /    limit: 160/' inbox.yaml
	git_commit "test: limit"
	s=$(snapshot)
	run --separate-stderr inbox-send jean "${a160}bc"
	[ "$status" -eq 3 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-send: message is 162 characters, 2 over the limit of 160 (shorten it or use --split)" ]
	unchanged "$s"
	# exactly the limit goes
	run inbox-send jean "$a160"
	[ "$status" -eq 0 ]
	rm -r tmp/outbox
	n=$(commits)
	run inbox-send --split jean "$a160 $a160 end"
	[ "$status" -eq 0 ]
	[ "$(wc -l <<<"$output")" -eq 3 ]
	[ "$(cut -f2 <<<"$output" | sort -u)" = sent ]
	# one commit queues all three, one per delivery
	[ "$(commits)" -eq $((n + 4)) ]
	[ "$(git log -1 --format=%s HEAD~3)" = "inbox-send: queue sms to $JEAN (manual)" ]
	[ "$(git log -1 --format=%B HEAD~3 | grep -c '^Message: ')" -eq 3 ]
	for m in $(cut -f1 <<<"$output"); do
		t=$(body "$m")
		[ "${#t}" -le 160 ]
		[ "$(hdr "$m" X-Inbox-Segments)" = 1 ]
		printf '%s\n' "$t"
	done >"$T/parts"
	[ "$(cat "$T/parts")" = "$a160
$a160
end" ]
	[ "$(ls tmp/outbox | wc -l)" -eq 3 ]
	# --split of a text within the limit: one message
	run inbox-send --split jean 'short'
	[ "$(wc -l <<<"$output")" -eq 1 ]
}

@test "bad input: one line on stderr, the exit status of the man page, nothing queued" {
	inbox-contact edit jean --add-email jean@example.org >/dev/null
	mkdir -p templates
	printf 'Description: x\n\nHi {{customer.first_name}}, {{when}}\n' >templates/when
	sed -i 's/^  email:$/  email:\n    max-attachment: 100/' inbox.yaml
	printf 'x%.0s' $(seq 101) >"$T/big.txt"
	printf 'ok' >"$T/small.txt"
	printf 'bad \377 bytes' >"$T/latin1"
	git_commit "test: template, attachment limit"
	s=$(snapshot)
	while IFS='|' read -r want msg args; do
		eval "set -- $args"
		run --separate-stderr inbox-send "$@"
		echo "$args: $status $stderr"
		[ "$status" -eq "$want" ]
		[ "$output" = "" ]
		[ "$stderr" = "inbox-send: $msg" ]
		unchanged "$s"
	done <<-EOF
	64|unknown target 'bogus': not a conversation, contact, phone number or email address|bogus Hi
	64|unknown target '12': not a conversation, contact, phone number or email address|12 Hi
	64|unknown target '(555) 12': not a conversation, contact, phone number or email address|'(555) 12' Hi
	64|unknown target 'a@b@c': not a conversation, contact, phone number or email address|a@b@c Hi
	65|empty message|jean ''
	65|empty message|jean '   '
	64|no text: give TEXT, - for standard input, or --template NAME|jean
	1|no template nosuch|--template nosuch jean
	65|template when: no value for {{when}}|--template when jean
	64|--var wants NAME=VALUE|--var when --template when jean
	64|give TEXT or --template, not both|--template when --var when=now jean Hi
	65|attachment $T/missing.pdf: No such file or directory|--channel email --attach $T/missing.pdf jean Hi
	65|attachment $T is not a file|--channel email --attach $T jean Hi
	65|attachment $T/big.txt is 101 bytes, over the 100 allowed for email|--channel email --attach $T/small.txt --attach $T/big.txt jean Hi
	64|+15557654399 has no email address|--channel email +15557654399 Hi
	64|cannot read time 'next blursday'|--at 'next blursday' jean Hi
	64|unknown channel 'pigeon': not sms, mms, whatsapp, email, portal or a channel of inbox.yaml|--channel pigeon jean Hi
	64|unknown channel 'note': not sms, mms, whatsapp, email, portal or a channel of inbox.yaml|--channel note jean Hi
	64|bad type 'a b': one word of letters, digits, '.', '_', '+' or '-'|--type 'a b' jean Hi
	EOF
	run --separate-stderr inbox-send jean - <"$T/latin1"
	[ "$status" -eq 65 ]
	[ "$stderr" = "inbox-send: message is not UTF-8" ]
	unchanged "$s"
	run --separate-stderr inbox-send --flush jean
	[ "$status" -eq 64 ]
	[[ $stderr == "usage: inbox-send "* ]]
	unchanged "$s"
}

@test "a transport that is not set up: the message stays queued with the reason, exit 2" {
	config <<-'EOF'
	  sms:
	    transport: twilio
	EOF
	n=$(commits)
	run --separate-stderr inbox-send jean 'Tech arrives at 10'
	[ "$status" -eq 2 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-send: twilio: no account-sid (channels.sms.account-sid in inbox.yaml)" ]
	m=$(inbox-ls -m --all --all-time | cut -f1)
	[ "$(hdr "$m" X-Inbox-Status)" = queued ]
	[ "$(hdr "$m" X-Inbox-Error)" = "twilio: no account-sid (channels.sms.account-sid in inbox.yaml)" ]
	[ "$(hdr "$m" X-Inbox-Next-Try)" = 2026-11-22T08:54:20Z ]
	[ "$(cat "idx/queue/${m#*/}")" = "$m" ]
	[ "$(commits)" -eq $((n + 2)) ]
	[ "$(git log -1 --format=%s)" = "inbox-send: queued sms to $JEAN: twilio: no account-sid (channels.sms.account-sid in inbox.yaml)" ]
	# the token is missing too: a flush says so, and keeps it
	printf '    account-sid: %s\n' $SID >>inbox.yaml
	git_commit "test: sid"
	tick 60
	run inbox-send --flush
	[ "$status" -eq 1 ]
	[ "$output" = "$m	queued	twilio: secret twilio-token is not set (secrets/twilio-token or \$INBOX_SECRET_TWILIO_TOKEN)	next try 2026-11-22T08:56:20Z" ]
	[ "$(hdr "$m" X-Inbox-Tries)" = 2 ]
	all_committed
}

@test "provider down: a 500 keeps the message queued with its next try; a later flush sends it once" {
	start_standin
	config <<-EOF
	  sms:
	    transport: twilio
	    account-sid: $SID
	    base-url: $BASE
	    timeout: 5
	EOF
	export INBOX_SECRET_TWILIO_TOKEN=$TOKEN
	ctl POST next '{"status": 500}' >/dev/null
	n=$(commits)
	run --separate-stderr inbox-send jean 'Tech arrives at 10'
	[ "$status" -eq 75 ]
	m=$(cut -f1 <<<"$output")
	[ "$output" = "$m	queued	20500 twilio: Internal Server Error	next try 2026-11-22T08:54:20Z" ]
	[ "$stderr" = "" ]
	[ "$(commits)" -eq $((n + 2)) ]
	[ "$(git log -1 --format=%B)" = "inbox-send: queued sms to $JEAN: 20500 twilio: Internal Server Error

Message: $m
Error: 20500 twilio: Internal Server Error" ]
	[ "$(hdr "$m" X-Inbox-Status)" = queued ]
	[ "$(hdr "$m" X-Inbox-Tries)" = 1 ]
	[ "$(body "$m")" = "Tech arrives at 10" ]
	[ "$(twilio_posts)" -eq 1 ]
	# before the next try: nothing
	tick 59
	run inbox-send --flush
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(twilio_posts)" -eq 1 ]
	# after it: sent, once
	tick 1
	run inbox-send --flush
	[ "$status" -eq 0 ]
	re="^$m	sent	SM[0-9a-f]{32}\$"
	[[ $output =~ $re ]]
	[ "$(hdr "$m" X-Inbox-Status)" = sent ]
	[ "$(hdr "$m" X-Inbox-Tries)" = 2 ]
	[ "$(hdr "$m" X-Inbox-Provider-Id)" = "$(cut -f3 <<<"$output")" ]
	[ "$(twilio_posts)" -eq 2 ]
	tick 3600
	run inbox-send --flush
	[ "$output" = "" ]
	[ "$(twilio_posts)" -eq 2 ]
	[ -z "$(ls idx/queue)" ]
	all_committed
}

@test "--json: one object a line" {
	run inbox-send --json jean 'Hi'
	[ "$status" -eq 0 ]
	m=$(inbox-ls -m --all --all-time | cut -f1)
	[ "$output" = "{\"id\":\"$m\",\"status\":\"sent\",\"provider_id\":\"spool:${m#*/}.msg\"}" ]
}
