#!/usr/bin/env bats
# inbox-send by email through a real SMTP server (aiosmtpd, as in
# t/3100-transports.bats): a reply to a customer's email is threaded on it
# (In-Reply-To, References, "Re: " subject), an attachment is a MIME part,
# the X-Inbox-* fields never leave; a 4xx answer keeps the message queued,
# a 5xx one fails it.

load helper
load data/outbound
load data/servers
bats_require_minimum_version 1.5.0

D="$BATS_TEST_DIRNAME/data"
JEAN=+15557654321
CJ=62c4ade7e979		# conversation of contact jean
PY=/usr/bin/python3

setup() {
	T=$BATS_TEST_TMPDIR
	: >"$T/pids"
	$PY -c 'import aiosmtpd' 2>/dev/null || skip "needs python3-aiosmtpd"
	new_store
	no_autoreply
	customer jean "Jean Dupont" $JEAN jean.dupont@example.org
}

listening() {
	(exec 5<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# start_smtpd HANDLER [ARGS]: aiosmtpd on a free port, and the email
# channel through it (committed).  Mail lands in $T/mail/new.
start_smtpd() {
	SP=$(free_port)
	mkdir -p "$T/mail/cur" "$T/mail/new" "$T/mail/tmp"
	PYTHONPATH="$INBOX_SRC/t/lib" PYTHONDONTWRITEBYTECODE=1 \
	    $PY -m aiosmtpd -n -l "127.0.0.1:$SP" -c "$@" \
	    </dev/null >>"$T/server.out" 2>&1 3>&- &
	echo $! >>"$T/pids"
	poll listening "$SP"
	cat >inbox.yaml <<-EOF
	business:
	  name: Fieldco
	  phone: "+15005550006"
	  email: office@fieldco.example
	  domain: fieldco.example
	  country: US
	channels:
	  email:
	    transport: smtp
	    url: smtp://127.0.0.1:$SP/fieldco.example
	    from: dispatch@fieldco.example
	    timeout: 5
	EOF
	git_commit "test: smtp"
}

mailbox() {
	start_smtpd aiosmtpd.handlers.Mailbox "$T/mail"
}

msgfile() {
	ls conv/"${1:0:2}"/"${1%%/*}"/*/"${1#*/}"*
}

hdr() {	# hdr ID FIELD: the value of a header field of a message
	sed -n "/^\$/q; s/^$2: //p" "$(msgfile "$1")"
}

# The mail as it arrived: its header fields (decoded, but the server's
# X-Peer) and each leaf part: type, file name, bytes.
arrived() {
	$PY - "$1" <<-'EOF'
	import email, email.policy, sys
	raw = open(sys.argv[1], "rb").read()
	m = email.message_from_bytes(raw, policy=email.policy.default)
	for k, v in m.items():
	    if k != "X-Peer":
	        print("%s: %s" % (k, v))
	for p in m.walk():
	    if not p.is_multipart():
	        print("--", p.get_content_type(), p.get_filename(),
	              p.get_payload(decode=True))
	EOF
}

@test "threading: a reply carries In-Reply-To, References and Re: of the customer's email" {
	mailbox
	inbox-recv -q --format email <"$D/email-plain.eml"
	n=$(commits)
	run --separate-stderr inbox-send jean 'We can come on Tuesday at 10.'
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	m=$(cut -f1 <<<"$output")
	uniq=${m#*/}
	[[ $m == $CJ/* ]]
	[ "$output" = "$m	sent	<$uniq@fieldco.example>" ]
	[ "$(commits)" -eq $((n + 2)) ]
	[ "$(git log -1 --format=%s)" = "inbox-send: sent email to jean.dupont@example.org" ]
	set -- "$T"/mail/new/*
	[ $# -eq 1 ]
	arrived "$1" >"$T/got"
	cat >"$T/want" <<-EOF
	Date: Sun, 22 Nov 2026 08:53:20 +0000
	From: Fieldco <dispatch@fieldco.example>
	To: Jean Dupont <jean.dupont@example.org>
	Message-ID: <$uniq@fieldco.example>
	In-Reply-To: <CAF3x9q7Yc@mail.example.org>
	References: <CAF3x9q7Yc@mail.example.org>
	Subject: Re: Chaudière leaking again
	MIME-Version: 1.0
	Content-Type: text/plain; charset="utf-8"
	Content-Transfer-Encoding: 8bit
	X-MailFrom: dispatch@fieldco.example
	X-RcptTo: jean.dupont@example.org
	-- text/plain None b'We can come on Tuesday at 10.\n'
	EOF
	diff -u "$T/want" "$T/got"
	# none of our own fields left the house
	[ "$(grep -ci '^x-inbox-\|^bcc:' "$1")" -eq 0 ]
	# the Message-ID line arrived whole
	grep -q '^Message-ID: <'"$uniq"'@fieldco.example>$' "$1"
	# the stored message is the same, with our fields
	[ "$(hdr "$m" X-Inbox-Status)" = sent ]
	[ "$(hdr "$m" X-Inbox-Provider-Id)" = "<$uniq@fieldco.example>" ]
	[ "$(hdr "$m" In-Reply-To)" = "<CAF3x9q7Yc@mail.example.org>" ]
}

@test "threading: the customer's answer is the one replied to; its references carry on" {
	mailbox
	inbox-recv -q --format email <"$D/email-plain.eml"
	inbox-send -q jean 'We can come on Tuesday at 10.'
	tick
	inbox-recv -q --format email <"$D/email-reply.eml"
	tick
	run inbox-send jean 'See you then.'
	[ "$status" -eq 0 ]
	f=$(ls -t "$T"/mail/new/* | head -n 1)
	[ "$(ls "$T"/mail/new | wc -l)" -eq 2 ]
	arrived "$f" | grep -E '^(In-Reply-To|References|Subject):' >"$T/got"
	cat >"$T/want" <<-'EOF'
	In-Reply-To: <CAF3x9q7Zd-reply@mail.example.org>
	References: <1795337700.M000000P1Q1R00000000.test@inbox> <CAF3x9q7Zd-reply@mail.example.org>
	Subject: Re: Your visit on Tuesday
	EOF
	diff -u "$T/want" "$T/got"
}

@test "a first email to a customer: the configured subject, no threading fields" {
	mailbox
	run inbox-send --channel email jean 'Your quote is ready.'
	[ "$status" -eq 0 ]
	set -- "$T"/mail/new/*
	arrived "$1" | grep -E '^(In-Reply-To|References|Subject|To):' >"$T/got"
	[ "$(cat "$T/got")" = "To: Jean Dupont <jean.dupont@example.org>
Subject: Message from us" ]
}

@test "an attachment arrives as a MIME part, byte for byte" {
	mailbox
	inbox-recv -q --format email <"$D/email-plain.eml"
	printf '%%PDF-1.4\n%% quote Q-17\n\001\002\377\n' >"$T/quote Q-17.pdf"
	cp "$INBOX_SRC/t/data/leak.png" "$T/leak.png"
	run inbox-send --attach "$T/quote Q-17.pdf" --attach "$T/leak.png" jean \
	    'The quote is attached.'
	[ "$status" -eq 0 ]
	set -- "$T"/mail/new/*
	arrived "$1" >"$T/got"
	$PY - "$T/leak.png" "$T/got" <<-'EOF'
	import sys
	png = open(sys.argv[1], "rb").read()
	got = open(sys.argv[2]).read()
	assert ("-- image/png leak.png %r\n" % png) in got, got
	EOF
	grep -q "^Content-Type: multipart/mixed; boundary=" "$T/got"
	grep -qF -- "-- text/plain None b'The quote is attached.'" "$T/got"
	grep -qF -- "-- application/pdf quote Q-17.pdf b'%PDF-1.4\n% quote Q-17\n\x01\x02\xff\n'" "$T/got"
	grep -q '^In-Reply-To: <CAF3x9q7Yc@mail.example.org>$' "$T/got"
	[ "$(grep -ci '^x-inbox-' "$1")" -eq 0 ]
}

@test "a 4xx answer keeps the message queued for a flush; a 5xx one fails it" {
	start_smtpd smtpd_fail.Handler
	# smtpd_fail: 451 at DATA for anyone
	run inbox-send jean@example.org 'Hi'
	[ "$status" -eq 75 ]
	m=$(cut -f1 <<<"$output")
	[ "$output" = "$m	queued	451 smtp: 451 4.3.0 try later	next try 2026-11-22T08:54:20Z" ]
	[ "$(hdr "$m" X-Inbox-Status)" = queued ]
	[ "$(hdr "$m" X-Inbox-Error)" = "451 smtp: 451 4.3.0 try later" ]
	[ "$(cat "idx/queue/${m#*/}")" = "$m" ]
	# 550 at RCPT for nobody@
	run --separate-stderr inbox-send nobody@example.org 'Hi'
	[ "$status" -eq 2 ]
	f=$(cut -f1 <<<"$output")
	[ "$output" = "$f	failed	550 smtp: 550 5.1.1 no such user" ]
	[ "$stderr" = "inbox-send: $f failed: 550 smtp: 550 5.1.1 no such user" ]
	[ "$(hdr "$f" X-Inbox-Status)" = failed ]
	[ ! -e "idx/queue/${f#*/}" ]
	[ "$(git log -1 --format=%s)" = "inbox-send: failed email to nobody@example.org: 550 smtp: 550 5.1.1 no such user" ]
	# the server comes back as a real one: the flush delivers the first
	for pid in $(cat "$T/pids"); do
		kill "$pid"
		poll gone "$pid"
	done
	PORT=$SP
	mkdir -p "$T/mail/cur" "$T/mail/new" "$T/mail/tmp"
	$PY -m aiosmtpd -n -l "127.0.0.1:$PORT" -c aiosmtpd.handlers.Mailbox \
	    "$T/mail" </dev/null >>"$T/server.out" 2>&1 3>&- &
	echo $! >>"$T/pids"
	poll listening "$PORT"
	tick 60
	run inbox-send --flush
	[ "$status" -eq 0 ]
	[ "$output" = "$m	sent	<${m#*/}@fieldco.example>" ]
	[ "$(ls "$T"/mail/new | wc -l)" -eq 1 ]
	all_committed
}

@test "no server: temporary, queued" {
	port=$(free_port)
	cat >inbox.yaml <<-EOF
	business:
	  email: office@fieldco.example
	channels:
	  email:
	    transport: smtp
	    url: smtp://127.0.0.1:$port/fieldco.example
	EOF
	git_commit "test: smtp"
	run inbox-send jean@example.org 'Hi'
	[ "$status" -eq 75 ]
	m=$(cut -f1 <<<"$output")
	[[ $output == "$m	queued	network smtp: Failed to connect to 127.0.0.1 port $port"*"	next try 2026-11-22T08:54:20Z" ]]
}
