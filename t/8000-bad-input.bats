#!/usr/bin/env bats
# Bad input: truncated webhooks, invalid UTF-8, huge bodies, header
# injection, NUL bytes, paths in ids, a broken inbox.yaml, empty input,
# unknown formats.  Each is refused with one line on stderr that starts
# with the command's name, the documented exit status, nothing on stdout,
# and the store unchanged.

load helper
load data/outbound
bats_require_minimum_version 1.5.0

D="$BATS_TEST_DIRNAME/data"
IN="$BATS_TEST_TMPDIR/input"

setup() {
	new_store
	no_autoreply
	# something in the store, so "unchanged" means something
	recv_sms SM00000000000000000000000000000001 +15557654321 'Boiler leaking' \
	    >/dev/null
}

# refused STATUS MESSAGE CMD...: CMD (stdin from $IN) fails with STATUS,
# says MESSAGE on stderr and nothing else, and changes nothing
refused() {
	local code=$1 msg=$2 before
	shift 2
	before=$(snapshot)
	run --separate-stderr "$@" <"$IN"
	if [ "$status" -ne "$code" ] || [ "$stderr" != "$msg" ] ||
	    [ -n "$output" ]; then
		printf 'status %s, stdout [%s], stderr [%s]\n' "$status" \
		    "$output" "$stderr" >&2
		return 1
	fi
	[ "$(snapshot)" = "$before" ]
	# no raw payload left behind either
	[ -z "$(ls tmp/spool 2>/dev/null)" ]
}

# input FORMAT ARGS...: printf into $IN
input() {
	# shellcheck disable=SC2059
	printf "$@" >"$IN"
}

@test "bad: a Twilio webhook cut in the middle of an escape" {
	head -c 120 "$D/twilio-sms.form" >"$IN"
	printf '%%2' >>"$IN"
	refused 65 "inbox-recv: form data has a malformed %-escape" inbox-recv
}

@test "bad: a Twilio webhook cut before its From" {
	input 'MessageSid=SM00000000000000000000000000000002&AccountSid=AC1&Bo'
	refused 65 "inbox-recv: Twilio webhook without From" inbox-recv
}

@test "bad: a WhatsApp webhook cut short" {
	head -c 200 "$D/whatsapp-text.json" >"$IN"
	refused 65 "inbox-recv: bad JSON at line 1: premature end of input near '\"phone_nu'" inbox-recv
}

@test "bad: a generic JSON event cut short, with --format" {
	input '{"type":"message","from":"+15557654321","bo'
	refused 65 "inbox-recv: bad JSON at line 1: premature end of input near '\"bo'" \
	    inbox-recv --format json
}

@test "bad: a body that is not UTF-8 (Latin-1, an overlong form)" {
	input 'MessageSid=SM00000000000000000000000000000002&From=%%2B15557654321&Body=caf%%E9'
	refused 65 "inbox-recv: body is not UTF-8" inbox-recv
	input 'MessageSid=SM00000000000000000000000000000002&From=%%2B15557654321&Body=%%C0%%AF'
	refused 65 "inbox-recv: body is not UTF-8" inbox-recv
	input 'MessageSid=SM00000000000000000000000000000002&From=whatsapp%%3A%%2B15557654321&ProfileName=%%FF&Body=x'
	refused 65 "inbox-recv: sender name is not UTF-8" inbox-recv
	input '{"type":"message","from":"+15557654321","body":"caf\351"}'
	refused 65 "inbox-recv: bad JSON at line 1: unable to decode byte 0xe9 near '\"caf'" \
	    inbox-recv
}

@test "bad: a 10 MB webhook" {
	{ printf 'MessageSid=SM00000000000000000000000000000002&From=%%2B15557654321&Body='
	  head -c 10485760 /dev/zero | tr '\0' a; } >"$IN"
	refused 65 "inbox-recv: webhook larger than 1048576 bytes" inbox-recv
}

@test "bad: a text over 64 KiB in a webhook" {
	{ printf '{"type":"message","from":"+15557654321","body":"'
	  head -c 70000 /dev/zero | tr '\0' a; printf '"}'; } >"$IN"
	refused 65 "inbox-recv: body is longer than 65536 bytes" inbox-recv
}

@test "bad: more than 32 MiB of anything" {
	{ printf 'From: a@example.org\nMessage-ID: <huge@example.org>\n\n'
	  head -c 34000000 /dev/zero | tr '\0' a; } >"$IN"
	refused 65 "inbox-recv: input larger than 33554432 bytes" inbox-recv
}

@test "good: a long email thread is not a bad input" {
	{ printf 'From: a@example.org\nMessage-ID: <long@example.org>\n\n'
	  seq 1 3000 | sed "s/.*/> quoted line & of a long thread/"
	} >"$IN"
	run inbox-recv <"$IN"
	[ "$status" -eq 0 ]
	tail -n +7 "$(ls conv/*/*/new/"${output#*/}")" | cmp - "$IN"
}

@test "bad: header injection: CR LF in From, name, id, media URL" {
	input 'MessageSid=SM00000000000000000000000000000002&From=%%2B15557654321%%0D%%0ABcc%%3A+x%%40evil.example&Body=hi'
	refused 65 "inbox-recv: From has control characters" inbox-recv
	input 'MessageSid=SM00000000000000000000000000000002&From=whatsapp%%3A%%2B15557654321&ProfileName=Eve%%0D%%0ABcc%%3A+x%%40evil.example&Body=hi'
	refused 65 "inbox-recv: sender name has control characters" inbox-recv
	input 'MessageSid=SM2%%0D%%0AX-Inbox-Status%%3A+read&From=%%2B15557654321&Body=hi'
	refused 65 "inbox-recv: provider id has control characters" inbox-recv
	input 'MessageSid=SM00000000000000000000000000000002&From=%%2B15557654321&NumMedia=1&MediaUrl0=http%%3A%%2F%%2Fx%%0D%%0AX-Evil%%3A+1'
	refused 65 "inbox-recv: media URL has control characters" inbox-recv
	input '{"type":"message","from":"+15557654321","name":"Eve\\r\\nBcc: x@evil.example","body":"hi"}'
	refused 65 "inbox-recv: sender name has control characters" inbox-recv
	input '{"type":"status","id":"x","status":"failed","error":"no\\nX-Inbox-Status: delivered"}'
	refused 65 "inbox-recv: error text has control characters" inbox-recv
}

@test "bad: an email's encoded CR LF stays encoded in the file" {
	input 'From: a@example.org\nSubject: =?UTF-8?Q?hi=0D=0ABcc:_x@evil.example?=\nMessage-ID: <inj@example.org>\n\nbody\n'
	run inbox-recv <"$IN"
	[ "$status" -eq 0 ]
	f=$(ls conv/*/*/new/"${output#*/}")
	! grep -q '^Bcc:' "$f"
	[ "$(grep -c '^Subject:' "$f")" -eq 1 ]
}

@test "bad: NUL bytes, raw or escaped" {
	input 'MessageSid=SM00000000000000000000000000000002&From=%%2B15557654321&Body=a\0b'
	refused 65 "inbox-recv: NUL byte in input" inbox-recv
	input 'MessageSid=SM00000000000000000000000000000002&From=%%2B15557654321&Body=a%%00b'
	refused 65 "inbox-recv: form data has a NUL byte" inbox-recv
	input '{"type":"message","from":"+15557654321","body":"a\\u0000b"}'
	refused 65 "inbox-recv: bad JSON at line 1: \\u0000 is not allowed without JSON_ALLOW_NUL near '\"a\\u0000b\"'" \
	    inbox-recv
	input 'From: a@exa\0mple.org\nMessage-ID: <nul@example.org>\n\nbody\n'
	refused 65 "inbox-recv: not a mail message: header line 1 contains a NUL byte" \
	    inbox-recv
}

@test "bad: empty input, with or without --format" {
	: >"$IN"
	refused 65 "inbox-recv: empty input" inbox-recv
	refused 65 "inbox-recv: empty input" inbox-recv --format twilio
	refused 65 "inbox-recv: empty input" inbox-recv --batch
}

@test "bad: input that is none of the formats" {
	head -c 300 /dev/urandom | tr -d '\n{[:=' >"$IN"
	refused 65 "inbox-recv: cannot tell what this input is (use --format)" \
	    inbox-recv
	input 'hello there'
	refused 65 "inbox-recv: cannot tell what this input is (use --format)" \
	    inbox-recv
}

@test "bad: an unknown --format is a usage error" {
	cp "$D/twilio-sms.form" "$IN"
	refused 64 "inbox-recv: unknown format 'fax'" inbox-recv --format fax
}

@test "bad: a stray argument to inbox-recv" {
	cp "$D/twilio-sms.form" "$IN"
	refused 64 "usage: inbox-recv [-q] [-C DIR] [-u USER] [--format FORMAT] [--batch]
                  [--url URL --signature SIG] [--cgi]" inbox-recv extra
}

@test "bad: a JSON document nested a hundred thousand deep" {
	{ printf '{"type":"message","x":'; head -c 100000 /dev/zero | tr '\0' '['; } >"$IN"
	refused 65 "inbox-recv: bad JSON at line 1: maximum parsing depth reached near '['" \
	    inbox-recv
}

@test "bad: a form of more than 1000 fields" {
	{ printf 'MessageSid=SM2&From=%%2B15557654321'
	  for i in $(seq 1 1001); do printf '&f%d=x' "$i"; done; } >"$IN"
	refused 65 "inbox-recv: form data has more than 1000 fields" inbox-recv
}

@test "bad: a sender that is no address" {
	input 'MessageSid=SM00000000000000000000000000000002&From=%%2B1%s&Body=x' \
	    "$(printf '5%.0s' $(seq 1 600))"
	refused 65 "inbox-recv: From is too long" inbox-recv
	input '{"type":"message","from":"+15557654321","channel":"../../x","body":"x"}'
	refused 65 "inbox-recv: \"channel\" must be a word of lowercase letters, digits and '-'" \
	    inbox-recv
}

@test "bad: ../ in provider ids is only a name" {
	input '{"type":"message","id":"../../../../x","from":"+15557654321","body":"x"}'
	run inbox-recv <"$IN"
	[ "$status" -eq 0 ]
	[ ! -e "$BATS_TEST_TMPDIR/x" ] && [ ! -e "$S/x" ] && [ ! -e /x ]
	h=$(printf %s ../../../../x | sha1sum | cut -c1-40)
	[ "$(cat "idx/pid/${h:0:2}/${h:2:2}/$h")" = "$output" ]
	all_committed
}

@test "bad: ../ in ids given to inbox-show" {
	: >"$IN"
	refused 64 "inbox-show: '../../etc' is not a conversation id" inbox-show ../../etc
	refused 64 "inbox-show: '../../etc/passwd' is not a conversation id" \
	    inbox-show ../../etc/passwd
	refused 64 "inbox-show: '..' is not a conversation id" inbox-show ..
	refused 64 "inbox-show: 'conv/bf/../../..' is not a conversation id" \
	    inbox-show conv/bf/../../..
}

@test "bad: control characters in what a message quotes reach no terminal" {
	: >"$IN"
	refused 1 "inbox-show: no conversation ab?[2Jcd" inbox-show $'ab\e[2Jcd'
	refused 1 "inbox-show: no conversation one two" inbox-show $'one\ntwo'
	refused 64 "inbox-ls: no view '@x y' in inbox.yaml" inbox-ls $'@x\ry'
	refused 64 "inbox-assign: 'x?y' is not a staff login" \
	    inbox-assign bfda3c3376e9 $'x\ay'
}

@test "bad: ../ in a view name" {
	: >"$IN"
	refused 64 "inbox-ls: no view '@../../etc/passwd' in inbox.yaml" \
	    inbox-ls @../../etc/passwd
}

@test "bad: a broken inbox.yaml: every command says where, exit 65" {
	printf 'business:\n  name: Fieldco\n  phone: [unclosed\nviews:\n  x: --today\n' \
	    >inbox.yaml
	git_commit "test: break inbox.yaml"
	msg="inbox.yaml:4: did not find expected ',' or ']'"
	: >"$IN"
	refused 65 "inbox-ls: $msg" inbox-ls
	refused 65 "inbox-ls: $msg" inbox ls --today
	refused 65 "inbox-show: $msg" inbox-show bfda3c3376e9
	refused 65 "inbox-show: $msg" inbox-show -n bfda3c3376e9
}

@test "bad: a broken inbox.yaml: inbox-recv asks the sender to try later (75)" {
	printf 'business:\n\tname: Fieldco\n' >inbox.yaml
	git_commit "test: break inbox.yaml"
	cp "$D/twilio-sms.form" "$IN"
	refused 75 "inbox-recv: inbox.yaml:2: found character that cannot start any token" \
	    inbox-recv
}

@test "bad: an inbox.yaml that is not a mapping" {
	printf -- '- just\n- a list\n' >inbox.yaml
	git_commit "test: break inbox.yaml"
	: >"$IN"
	refused 65 "inbox-ls: inbox.yaml:1: top level is not a mapping of settings" \
	    inbox-ls
}

@test "bad: not a store" {
	: >"$IN"
	export INBOX_DIR="$BATS_TEST_TMPDIR/nowhere"
	refused 2 "inbox-ls: no store at $INBOX_DIR (make one with inbox-init)" \
	    inbox-ls
	mkdir -p "$INBOX_DIR"
	refused 2 "inbox-show: $INBOX_DIR is not a store (make one with inbox-init)" \
	    inbox-show bfda3c3376e9
}

@test "bad: inbox-ls option values" {
	: >"$IN"
	refused 64 "inbox-ls: -n wants a positive number" inbox-ls -n 1x
	refused 64 "inbox-ls: unknown direction 'up'" inbox-ls --direction up
	refused 64 "inbox-ls: unknown order 'x'" inbox-ls --order x
	refused 64 "inbox-ls: --days wants a number of days, not '-3'" inbox-ls --days -3
}
