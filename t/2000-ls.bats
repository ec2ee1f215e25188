#!/usr/bin/env bats
# inbox-ls: columns, order, machine formats, paging, filters, date ranges
# ("any activity"), search, counts, saved views.
#
# The clock is Sun 2026-11-22 08:53:20 UTC; the store's time zone is
# America/Chicago (UTC-6), where it is 02:53 on Sunday: "today" began at
# 06:00Z, the week (from Monday) on 2026-11-16T06:00Z, the month on
# 2026-11-01T05:00Z (still CDT).

load helper
load data/outbound

A=bfda3c3376e9	# +15557654321  now
B=8f3519fbc0af	# +15557650002  2026-11-22T05:00Z: yesterday in Chicago
C=b95dfa506a4a	# +15557650003  2026-11-15 (last week)
E=263f6426ac3b	# +15557650004  2026-10-30 (last month, 23 days ago)
F=cfe81f9a8265	# +15557650005  2026-10-01 (52 days ago)

setup() {
	new_store
	no_autoreply
	N0=$(commits)
}

# at TIME CMD...: run CMD with the clock at TIME
at() {
	local t=$1
	shift
	INBOX_NOW=$t "$@"
}

scene() {
	at 2026-10-01T12:00:00Z recv_sms SM0000000000000000000000000000000f \
	    +15557650005 'Old leak under the sink' >/dev/null
	at 2026-10-30T12:00:00Z recv_sms SM0000000000000000000000000000000e \
	    +15557650004 'Quote for the water heater?' >/dev/null
	at 2026-11-15T12:00:00Z recv_sms SM0000000000000000000000000000000c \
	    +15557650003 'Thanks for last week' >/dev/null
	at 2026-11-22T05:00:00Z recv_sms SM0000000000000000000000000000000b \
	    +15557650002 'Late night: radiator banging' >/dev/null
	recv_sms SM0000000000000000000000000000000a +15557654321 \
	    'Boiler leaking again' >/dev/null
}

LA=$(printf '%s\t1\t2026-11-22T08:53:20Z\tsms\t+15557654321\tBoiler leaking again' $A)
LB=$(printf '%s\t1\t2026-11-22T05:00:00Z\tsms\t+15557650002\tLate night: radiator banging' $B)
LC=$(printf '%s\t1\t2026-11-15T12:00:00Z\tsms\t+15557650003\tThanks for last week' $C)
LE=$(printf '%s\t1\t2026-10-30T12:00:00Z\tsms\t+15557650004\tQuote for the water heater?' $E)
LF=$(printf '%s\t1\t2026-10-01T12:00:00Z\tsms\t+15557650005\tOld leak under the sink' $F)

# the arguments as lines (used in $(...), which drops the last newline)
lines_of() {
	printf '%s\n' "$@"
}

@test "ls: an empty store lists nothing and exits 1" {
	run inbox-ls
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
}

@test "ls: columns, most recent first, the last 30 days by default" {
	scene
	run inbox-ls
	[ "$status" -eq 0 ]
	[ "$output" = "$(lines_of "$LA" "$LB" "$LC" "$LE")" ]
}

@test "ls: unread counts inbound messages not yet read; preview is the last" {
	recv_sms SM00000000000000000000000000000001 +15557654321 'first' >/dev/null
	tick
	recv_sms SM00000000000000000000000000000002 +15557654321 $'second\n\n  line\twith   blanks' >/dev/null
	run inbox-ls
	[ "$output" = "$(printf '%s\t2\t2026-11-22T08:54:20Z\tsms\t+15557654321\tsecond line with blanks' $A)" ]
	inbox-show $A >/dev/null
	[ "$(inbox-ls | cut -f2)" = 0 ]
}

@test "ls: the preview stops at 100 bytes, never in a UTF-8 sequence" {
	body=$(printf 'é%.0s' $(seq 1 80))
	recv_sms SM00000000000000000000000000000001 +15557654321 "$body" >/dev/null
	p=$(inbox-ls | cut -f6)
	[ "$p" = "$(printf 'é%.0s' $(seq 1 50))" ]
}

@test "ls: --all-time shows old conversations" {
	scene
	run inbox-ls --all-time
	[ "$output" = "$(lines_of "$LA" "$LB" "$LC" "$LE" "$LF")" ]
}

@test "ls: --today, --week, --month in the business time zone" {
	scene
	run inbox-ls --today
	[ "$output" = "$LA" ]
	run inbox-ls --week
	[ "$output" = "$(lines_of "$LA" "$LB")" ]
	run inbox-ls --month
	[ "$output" = "$(lines_of "$LA" "$LB" "$LC")" ]
}

@test "ls: --days N counts today as the first day" {
	scene
	run inbox-ls --days 1
	[ "$output" = "$LA" ]
	run inbox-ls --days 2
	[ "$output" = "$(lines_of "$LA" "$LB")" ]
	run inbox-ls --days 60
	[ "$output" = "$(lines_of "$LA" "$LB" "$LC" "$LE" "$LF")" ]
	run inbox-ls --days 0
	[ "$status" -eq 64 ]
	[ "$output" = "inbox-ls: --days wants a number of days, not '0'" ]
	run inbox-ls --days x
	[ "$status" -eq 64 ]
}

@test "ls: --since and --until, a bare --until date is the whole day" {
	scene
	run inbox-ls --since 2026-10-29 --until 2026-10-31
	[ "$output" = "$LE" ]
	run inbox-ls --since 2026-09-01 --until 2026-10-30
	[ "$output" = "$(lines_of "$LE" "$LF")" ]
	run inbox-ls --since 2026-11-15T12:00:01Z
	[ "$output" = "$(lines_of "$LA" "$LB")" ]
	run inbox-ls --since 'last tuesday'
	[ "$status" -eq 64 ]
	[[ "$output" = "inbox-ls: "* ]]
}

@test "ls: the default range is 30 days, whatever the day" {
	scene
	# 30 days after the newest message of E, it leaves the list
	INBOX_NOW=2026-11-29T11:59:59Z run inbox-ls
	[ "$(cut -f1 <<<"$output" | tr '\n' ' ')" = "$A $B $C $E " ]
	INBOX_NOW=2026-11-29T12:00:01Z run inbox-ls
	[ "$(cut -f1 <<<"$output" | tr '\n' ' ')" = "$A $B $C " ]
}

@test "ls: any activity: a range finds a conversation active then, not only last" {
	scene
	at 2026-10-30T13:00:00Z recv_sms SM00000000000000000000000000000011 \
	    +15557654321 'back in October' >/dev/null
	run inbox-ls --since 2026-10-29 --until 2026-10-31
	[ "$output" = "$(lines_of "${LA/$'\t'1$'\t'/$'\t'2$'\t'}" "$LE")" ]
	run inbox-ls -m --since 2026-10-29 --until 2026-10-31
	[ "$(cut -f8 <<<"$output")" = "$(printf 'back in October\nQuote for the water heater?')" ]
}

@test "ls: any activity: a status change today brings an old conversation back" {
	scene
	id=$(outbound +15557650005 SMf000000000000000000000000000000f sms \
	    2026-10-01T12:30:00Z)
	run inbox-ls --today
	[ "$output" = "$LA" ]
	printf 'MessageSid=SMf000000000000000000000000000000f&MessageStatus=delivered' |
	    inbox-recv >/dev/null
	run inbox-ls --today
	[ "$output" = "$(lines_of "$LA" "$(printf '%s\t1\t2026-11-22T08:53:20Z\tsms\t+15557650005\tTechnician arrives at 10:00 tomorrow.' $F)")" ]
}

@test "ls: --json, one object a line" {
	scene
	run inbox-ls --json --today
	[ "$output" = "{\"id\":\"$A\",\"unread\":1,\"last\":\"2026-11-22T08:53:20Z\",\"channel\":\"sms\",\"name\":\"+15557654321\",\"address\":\"+15557654321\",\"contact\":\"\",\"status\":\"open\",\"archived\":false,\"blocked\":false,\"assignee\":\"\",\"members\":\"\",\"jobs\":\"\",\"failed\":false,\"answered\":false,\"messages\":1,\"preview\":\"Boiler leaking again\"}" ]
	[ "$(inbox-ls --json | wc -l)" -eq 4 ]
	inbox-ls --json | jq -e . >/dev/null
}

@test "ls: -0 prints ids, each NUL-terminated" {
	scene
	run sh -c 'inbox-ls -0 | tr "\0" "|"'
	[ "$output" = "$A|$B|$C|$E|" ]
	# and it feeds inbox-show -n through xargs -0
	run sh -c 'inbox-ls -0 --today | xargs -0 -n 1 inbox-show -n | head -n 1'
	[ "$output" = "# +15557654321 [open]" ]
}

@test "ls: -n and --page, in either order" {
	scene
	run inbox-ls -n 2
	[ "$output" = "$(lines_of "$LA" "$LB")" ]
	run inbox-ls -n 2 --page 2
	[ "$output" = "$(lines_of "$LC" "$LE")" ]
	run inbox-ls --page 2 -n 2
	[ "$output" = "$(lines_of "$LC" "$LE")" ]
	run inbox-ls -n 3 --page 2 --all-time
	[ "$output" = "$(lines_of "$LE" "$LF")" ]
	run inbox-ls -n 2 --page 3
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	run inbox-ls -n 0
	[ "$status" -eq 64 ]
	[ "$output" = "inbox-ls: -n wants a positive number" ]
	run inbox-ls --page -1
	[ "$status" -eq 64 ]
	[ "$output" = "inbox-ls: --page wants a positive number" ]
}

@test "ls: -m lists messages, newest first" {
	scene
	id=$(outbound +15557654321 SM1000000000000000000000000000000a)
	run inbox-ls -m --today
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "$(printf '%s\t2026-11-22T08:55:00Z\tout\tsms\tmanual\tsent\t+15557654321\tTechnician arrives at 10:00 tomorrow.' "$id")" ]
	[[ "${lines[1]}" =~ ^$A/1795337600\.[^$'\t']+$'\t'2026-11-22T08:53:20Z$'\t'in$'\t'sms$'\t'reply$'\t'received$'\t'\+15557654321$'\t'Boiler\ leaking\ again$ ]]
	second=${lines[1]}
	run inbox-ls -m -n 1 --page 2 --today
	[ "$output" = "$second" ]
}

@test "ls: -m --json and -m -0" {
	scene
	run inbox-ls -m --json --today
	id=$(inbox-ls -m --today | cut -f1)
	[ "$output" = "{\"id\":\"$id\",\"conversation\":\"$A\",\"time\":\"2026-11-22T08:53:20Z\",\"direction\":\"in\",\"channel\":\"sms\",\"type\":\"reply\",\"status\":\"received\",\"name\":\"+15557654321\",\"read\":false,\"text\":\"Boiler leaking again\"}" ]
	run sh -c 'inbox-ls -m -0 --today | tr "\0" "|"'
	[ "$output" = "$id|" ]
}

@test "ls: --unread, and -m --unread lists only unread inbound messages" {
	scene
	inbox-show $B >/dev/null
	outbound +15557654321 SM1000000000000000000000000000000a >/dev/null
	run inbox-ls --unread
	[ "$(cut -f1 <<<"$output" | tr '\n' ' ')" = "$A $C $E " ]
	run inbox-ls -m --unread --today
	[ "${#lines[@]}" -eq 1 ]
	[ "$(cut -f3,8 <<<"$output")" = "$(printf 'in\tBoiler leaking again')" ]
}

@test "ls: --channel on conversations is the last channel, with -m each message's" {
	scene
	inbox-recv <"$BATS_TEST_DIRNAME/data/twilio-whatsapp.form" >/dev/null
	run inbox-ls --channel whatsapp
	[ "$(cut -f1,4 <<<"$output")" = "$(printf '%s\twhatsapp' $A)" ]
	run inbox-ls --channel sms
	[ "$(cut -f1 <<<"$output" | tr '\n' ' ')" = "$B $C $E " ]
	run inbox-ls -m --channel sms --today
	[ "$(cut -f4,8 <<<"$output")" = "$(printf 'sms\tBoiler leaking again')" ]
	run inbox-ls --channel email
	[ "$status" -eq 1 ]
}

@test "ls: --direction: conversations with such a message; -m the messages" {
	scene
	id=$(outbound +15557650003 SM1000000000000000000000000000000c sms \
	    2026-11-15T12:30:00Z)
	run inbox-ls --direction out
	[ "$(cut -f1 <<<"$output")" = "$C" ]
	run inbox-ls -m --direction out
	[ "$(cut -f1 <<<"$output")" = "$id" ]
	run inbox-ls --direction out --today
	[ "$status" -eq 1 ]
	run inbox-ls --direction in --all-time
	[ "$(wc -l <<<"$output")" -eq 5 ]
	run inbox-ls --direction sideways
	[ "$status" -eq 64 ]
	[ "$output" = "inbox-ls: unknown direction 'sideways'" ]
}

@test "ls: --status and --type" {
	scene
	outbound +15557650003 SM1000000000000000000000000000000c >/dev/null
	run inbox-ls --status sent
	[ "$(cut -f1 <<<"$output")" = "$C" ]
	run inbox-ls --type manual
	[ "$(cut -f1 <<<"$output")" = "$C" ]
	run inbox-ls --status delivered
	[ "$status" -eq 1 ]
}

@test "ls: -s searches names, numbers and text across all time" {
	scene
	run inbox-ls -s leak
	[ "$output" = "$(lines_of "$LA" "$LF")" ]
	run inbox-ls -s LEAK
	[ "$output" = "$(lines_of "$LA" "$LF")" ]
	run inbox-ls -s '(555) 765-0005'
	[ "$output" = "$LF" ]
	run inbox-ls -s 765-0004
	[ "$output" = "$LE" ]
	run inbox-ls -s +15557650002
	[ "$output" = "$LB" ]
	run inbox-ls -s ${C:0:5}
	[ "$output" = "$LC" ]
	run inbox-ls -s 'no such thing'
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
}

@test "ls: -s does not match header words" {
	scene
	run inbox-ls -s received
	[ "$status" -eq 1 ]
	run inbox-ls -m -s 'X-Inbox'
	[ "$status" -eq 1 ]
	run inbox-ls -m -s 'inbox'
	[ "$status" -eq 1 ]
}

@test "ls: -m -s lists the matching messages" {
	scene
	at 2026-11-22T07:00:00Z recv_sms SM00000000000000000000000000000012 \
	    +15557654321 'and the radiator' >/dev/null
	run inbox-ls -m -s leak
	[ "$(cut -f8 <<<"$output")" = "$(printf 'Boiler leaking again\nOld leak under the sink')" ]
	# a word of the headers only is not a match, even in a conversation
	# that matches by text
	tick
	recv_sms SM00000000000000000000000000000013 +15557654321 \
	    'We received your quote' >/dev/null
	run inbox-ls -m -s received
	[ "$(cut -f8 <<<"$output")" = "We received your quote" ]
	# found by number: all of its messages
	run inbox-ls -m -s 5557654321
	[ "$(cut -f8 <<<"$output")" = "$(printf 'We received your quote\nBoiler leaking again\nand the radiator')" ]
}

@test "ls: a search finds a customer by name" {
	command -v inbox-contact >/dev/null || skip "needs inbox-contact"
	customer jean "Jean Dupont" +15557654321
	scene
	c=$(printf contact:jean | sha1sum | cut -c1-12)
	run inbox-ls -s dupont
	[ "$(cut -f1,5 <<<"$output")" = "$(printf '%s\tJean Dupont' $c)" ]
}

@test "ls: --counts" {
	scene
	inbox-show $B >/dev/null
	run inbox-ls --counts
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'all\t4\nunread\t3\nunassigned\t4\nmine\t0')" ]
	run inbox-ls --counts --json --all-time
	[ "$output" = '{"all":5,"unread":4,"unassigned":5,"mine":0}' ]
	# no conversations is still an answer
	run inbox-ls --counts --channel email
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'all\t0\nunread\t0\nunassigned\t0\nmine\t0')" ]
}

@test "ls: --order unanswered: unread, then read, then answered" {
	scene
	outbound +15557654321 SM1000000000000000000000000000000a >/dev/null
	inbox-show $B >/dev/null
	run inbox-ls --order unanswered
	[ "$(cut -f1 <<<"$output" | tr '\n' ' ')" = "$C $E $B $A " ]
	run inbox-ls --order recent
	[ "$(cut -f1 <<<"$output" | tr '\n' ' ')" = "$A $B $C $E " ]
	run inbox-ls --order oldest
	[ "$status" -eq 64 ]
	[ "$output" = "inbox-ls: unknown order 'oldest'" ]
}

@test "ls: saved views from inbox.yaml" {
	scene
	run inbox-ls @today-unassigned
	[ "$output" = "$LA" ]
	run inbox-ls @failed
	[ "$status" -eq 1 ]
	cat >>inbox.yaml <<-'EOF'
	  leaks: --all-time --search leak
	  texts: --channel sms --days 2
	  bad: --sideways
	EOF
	run inbox-ls @leaks
	[ "$output" = "$(lines_of "$LA" "$LF")" ]
	run inbox-ls @texts
	[ "$output" = "$(lines_of "$LA" "$LB")" ]
	# a view and more options
	run inbox-ls @texts --today
	[ "$output" = "$LA" ]
	run inbox-ls @nope
	[ "$status" -eq 64 ]
	[ "$output" = "inbox-ls: no view '@nope' in inbox.yaml" ]
	run inbox-ls @bad
	[ "$status" -eq 64 ]
	[ "$output" = "inbox-ls: view @bad: unknown option --sideways" ]
	run inbox-ls today-unassigned
	[ "$status" -eq 64 ]
}

@test "ls: --failed with @failed" {
	scene
	outbound +15557650003 SM1000000000000000000000000000000c >/dev/null
	inbox-recv < <(printf 'MessageSid=SM1000000000000000000000000000000c&MessageStatus=failed&ErrorCode=30008') >/dev/null
	run inbox-ls @failed
	[ "$(cut -f1 <<<"$output")" = "$C" ]
	run inbox-ls --failed
	[ "$(cut -f1 <<<"$output")" = "$C" ]
}

@test "ls: archived and closed conversations are hidden unless asked" {
	scene
	sed -i '$a archived: 2026-11-19T00:00:00Z' conv/${B:0:2}/$B/state
	sed -i 's/^status: open/status: closed/' conv/${C:0:2}/$C/state
	git_commit "test: archive and close"
	run inbox-ls
	[ "$output" = "$(lines_of "$LA" "$LE")" ]
	run inbox-ls --archived
	[ "$output" = "$LB" ]
	run inbox-ls --closed
	[ "$output" = "$LC" ]
	run inbox-ls --all
	[ "$output" = "$(lines_of "$LA" "$LB" "$LC" "$LE")" ]
}

@test "ls: the listing follows HEAD after a git revert" {
	scene
	recv_sms SM00000000000000000000000000000020 +15557650009 'to be reverted' >/dev/null
	[ "$(inbox-ls | wc -l)" -eq 5 ]
	# the index is not kept up to date by inbox commands (repo.h)
	git reset -q
	git -c user.name=test -c user.email=test@example.org revert --no-edit \
	    HEAD >/dev/null
	run inbox-ls
	[ "$output" = "$(lines_of "$LA" "$LB" "$LC" "$LE")" ]
}

@test "ls: usage errors exit 64" {
	run inbox-ls --bogus
	[ "$status" -eq 64 ]
	[ "${lines[0]}" = "inbox-ls: unrecognized option '--bogus'" ]
	[ "${lines[1]}" = "usage: inbox-ls [-0m] [-C DIR] [-u USER] [--json] [-n N] [--page P] [-s TEXT]" ]
	run inbox-ls extra
	[ "$status" -eq 64 ]
	run inbox-ls --version
	[ "$output" = "inbox-ls 0.1.0" ]
}
