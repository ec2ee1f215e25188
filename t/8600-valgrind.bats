#!/usr/bin/env bats
# Valgrind over the paths every message takes: inbox-recv (an SMS, an
# email with an attachment, a WhatsApp webhook, a status callback, and
# input it refuses: malformed, empty, unknown, a broken inbox.yaml),
# inbox-ls, inbox-show, inbox-send (the spool transport), inbox-send
# --flush, inbox-fsck and inbox-maint --full.  No invalid read or write, no use of an
# uninitialised value, no definite or indirect leak (valgrind exits 99
# on any).  Skipped under the sanitizer build (INBOX_BUILD ending in
# -san, or built with -fsanitize), which checks the same things its way.

load helper
load data/outbound
bats_require_minimum_version 1.5.0

D="$BATS_TEST_DIRNAME/data"

setup() {
	case $INBOX_BUILD in
	*-san) skip "the sanitizer build checks memory itself" ;;
	esac
	! grep -q fsanitize "$INBOX_BUILD/.flags" 2>/dev/null ||
	    skip "the sanitizer build checks memory itself"
	command -v valgrind >/dev/null || skip "valgrind is not installed"
	new_store
	no_autoreply
}

# vg CMD ARGS...: CMD from the build under valgrind; its status in
# $status, stdout in $output, valgrind's report on stderr.
vg() {
	local cmd=$1
	shift
	run --separate-stderr valgrind -q --error-exitcode=99 \
	    --leak-check=full --errors-for-leak-kinds=definite,indirect \
	    "$INBOX_BUILD/$cmd" "$@"
	if [ "$status" -eq 99 ]; then
		printf '%s\n' "$stderr"
	fi
}

@test "valgrind: inbox-recv, an SMS, an email with an attachment, WhatsApp" {
	vg inbox-recv <"$D/twilio-sms.form"
	[ "$status" -eq 0 ]
	vg inbox-recv <"$D/email-attachment.eml"
	[ "$status" -eq 0 ]
	vg inbox-recv <"$D/whatsapp-text.json"
	[ "$status" -eq 0 ]
	vg inbox-recv <"$D/whatsapp-multi.json"
	[ "$status" -eq 0 ]
	# refused ones take the error paths
	vg inbox-recv --format twilio < <(printf 'MessageSid=SM1&Body=%%zz')
	[ "$status" -eq 65 ]
	vg inbox-recv </dev/null
	[ "$status" -eq 65 ]
	vg inbox-recv < <(printf '&&&&')
	[ "$status" -eq 65 ]
	printf 'store:\n  lock-timeout: ten\n' >inbox.yaml
	vg inbox-recv <"$D/twilio-sms.form"
	[ "$status" -eq 75 ]
}

@test "valgrind: inbox-ls and inbox-show" {
	inbox-recv -q <"$D/twilio-sms.form"
	inbox-recv -q <"$D/email-attachment.eml"
	vg inbox-ls
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	vg inbox-ls --json --all
	[ "$status" -eq 0 ]
	c=$(inbox-ls | cut -f1 | head -n 1)
	vg inbox-show "$c"
	[ "$status" -eq 0 ]
	vg inbox-show --json "$c"
	[ "$status" -eq 0 ]
}

@test "valgrind: inbox-send through the spool, a status callback, --flush, inbox-fsck" {
	inbox-recv -q <"$D/twilio-sms.form"
	c=$(inbox-ls | cut -f1)
	vg inbox-send "$c" "Hello from valgrind"
	[ "$status" -eq 0 ]
	[[ "$output" == *"	sent	spool:"* ]]
	vg inbox-send --at +1h "$c" "Later"
	[ "$status" -eq 0 ]
	tick 7200
	vg inbox-send --flush
	[ "$status" -eq 0 ]
	[[ "$output" == *"	sent	spool:"* ]]
	vg inbox-recv < <(printf 'MessageSid=%s&MessageStatus=delivered' \
	    "$(sed -n 's/^X-Inbox-Provider-Id: //p' \
	    "$(grep -rlx 'Hello from valgrind' conv)")")
	[ "$status" -eq 0 ]
	vg inbox-fsck
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "valgrind: inbox-maint --full, its repack, over loose objects and packs" {
	inbox-recv -q <"$D/twilio-sms.form"
	git repack -a -d -q
	c=$(inbox-ls --all | cut -f1)
	for i in 1 2 3; do
		tick
		inbox-send "$c" "Update $i" >/dev/null
	done
	vg inbox-maint --full
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "packed	"* ]]
	git fsck --full --strict --no-dangling 2>&1
}
