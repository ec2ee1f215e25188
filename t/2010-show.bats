#!/usr/bin/env bats
# inbox-show: the pipe format, marking read (new/ -> cur/ :2,S, one
# commit), -n, --json, and how an argument finds its conversation.

load helper
load data/outbound

D="$BATS_TEST_DIRNAME/data"
A=bfda3c3376e9	# +15557654321
SID=SM7a9c0e1b3d5f7a9c0e2b4d6f8a0c2e4b

setup() {
	new_store
	no_autoreply
	N0=$(commits)
}

# a conversation: an SMS of three lines, our reply (it failed), a later SMS
scene() {
	ID1=$(recv_sms SM00000000000000000000000000000001 +15557654321 \
	    $'Boiler leaking again.\nIt drips on the heater\n\nCan you come?')
	ID2=$(outbound +15557654321 $SID)
	inbox-recv <"$D/twilio-status-failed.form" >/dev/null
	tick 200
	ID3=$(recv_sms SM00000000000000000000000000000003 +15557654321 'Hello?')
}

@test "show: the pipe format, exactly" {
	scene
	run inbox-show -n $A
	[ "$status" -eq 0 ]
	T=$'\t'
	printf '%s\n' \
	    "# +15557654321 [open]" \
	    "$ID1${T}2026-11-22T08:53:20Z${T}in${T}sms${T}received$T+15557654321" \
	    "${T}Boiler leaking again." \
	    "${T}It drips on the heater" \
	    "$T" \
	    "${T}Can you come?" \
	    "$ID2${T}2026-11-22T08:55:00Z${T}out${T}sms${T}failed${T}office" \
	    "${T}error: 30008" \
	    "${T}Technician arrives at 10:00 tomorrow." \
	    "$ID3${T}2026-11-22T08:56:40Z${T}in${T}sms${T}received$T+15557654321" \
	    "${T}Hello?" >"$BATS_TEST_TMPDIR/expect"
	diff -u "$BATS_TEST_TMPDIR/expect" <(printf '%s\n' "$output")
}

@test "show: marks inbound messages read, new/ -> cur/ :2,S, one commit" {
	scene
	before=$(commits)
	run inbox-show $A
	[ "$status" -eq 0 ]
	[ "$(commits)" -eq $((before + 1)) ]
	run git log -1 --format=%B
	[ "$output" = "$(printf 'inbox-show: read %s (2 messages)\n\nConversation: %s' $A $A)" ]
	[ "$(ls conv/bf/$A/new)" = "" ]
	[ "$(ls conv/bf/$A/cur)" = "$(printf '%s:2,S\n%s:2,S\n%s:2,S' \
	    "${ID1#*/}" "${ID2#*/}" "${ID3#*/}")" ]
	# the files themselves did not change
	[ "$(git show HEAD:conv/bf/$A/cur/"${ID1#*/}":2,S | cksum)" = \
	    "$(git show HEAD~1:conv/bf/$A/new/"${ID1#*/}" | cksum)" ]
	all_committed
	[ "$(inbox-ls | cut -f2)" = 0 ]
}

@test "show: showing again marks nothing and makes no commit" {
	scene
	inbox-show $A >/dev/null
	before=$(snapshot)
	run inbox-show $A
	[ "$status" -eq 0 ]
	[ "$(snapshot)" = "$before" ]
}

@test "show: only the new message is marked the next time" {
	scene
	inbox-show $A >/dev/null
	tick
	recv_sms SM00000000000000000000000000000004 +15557654321 'Anyone?' >/dev/null
	inbox-show $A >/dev/null
	[ "$(git log -1 --format=%s)" = "inbox-show: read $A (1 message)" ]
}

@test "show: -n neither marks read nor commits" {
	scene
	before=$(snapshot)
	run inbox-show -n $A
	[ "$status" -eq 0 ]
	[ "$(snapshot)" = "$before" ]
	[ "$(ls conv/bf/$A/new | wc -l)" -eq 2 ]
	[ "$(inbox-ls | cut -f2)" = 2 ]
}

@test "show: the same bytes whatever the arguments name" {
	scene
	expect=$(inbox-show -n $A)
	[ "$(inbox-show -n ${A:0:4})" = "$expect" ]
	[ "$(inbox-show -n ${A:0:7})" = "$expect" ]
	[ "$(inbox-show -n +15557654321)" = "$expect" ]
	[ "$(inbox-show -n '(555) 765-4321')" = "$expect" ]
	[ "$(inbox-show -n 555.765.4321)" = "$expect" ]
}

@test "show: --json, one object a message" {
	scene
	run inbox-show -n --json $A
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "{\"id\":\"$ID1\",\"time\":\"2026-11-22T08:53:20Z\",\"from\":\"+15557654321\",\"direction\":\"in\",\"channel\":\"sms\",\"type\":\"reply\",\"status\":\"received\",\"address\":\"+15557654321\",\"provider_id\":\"SM00000000000000000000000000000001\",\"read\":false,\"text\":\"Boiler leaking again.\\nIt drips on the heater\\n\\nCan you come?\\n\"}" ]
	[ "${lines[1]}" = "{\"id\":\"$ID2\",\"time\":\"2026-11-22T08:55:00Z\",\"from\":\"office\",\"direction\":\"out\",\"channel\":\"sms\",\"type\":\"manual\",\"status\":\"failed\",\"error\":\"30008\",\"address\":\"+15557654321\",\"provider_id\":\"$SID\",\"read\":true,\"text\":\"Technician arrives at 10:00 tomorrow.\\n\"}" ]
	printf '%s\n' "$output" | jq -e . >/dev/null
	# --json marks read too
	inbox-show --json $A >/dev/null
	[ "$(git log -1 --format=%s)" = "inbox-show: read $A (2 messages)" ]
	[ "$(inbox-show -n --json $A | jq -r .read | sort -u)" = true ]
}

@test "show: a call is shown as a card" {
	inbox-recv <"$D/json-call.json" >/dev/null
	run inbox-show -n $A
	[ "${lines[2]}" = "	[call] inbound voicemail, 0:00" ]
	[ "${lines[3]}" = "	recording: https://pbx.example/rec/5521.wav (0:42)" ]
	[ "${lines[4]}" = "	transcript: Hi, it is Jean, please call me back about the boiler" ]
}

@test "show: the header names the assignee, jobs and an archived state" {
	scene
	printf 'assignee: alice\njob: J-1042\narchived: 2026-11-19T00:00:00Z\n' \
	    >>conv/bf/$A/state
	git_commit "test: assign"
	run inbox-show -n $A
	[ "${lines[0]}" = "# +15557654321 [open, archived]" ]
	[ "${lines[1]}" = "# assigned: alice" ]
	[ "${lines[2]}" = "# job: J-1042" ]
	[ "${lines[3]%%	*}" = "$ID1" ]
}

@test "show: a customer's name in the header, then the address" {
	command -v inbox-contact >/dev/null || skip "needs inbox-contact"
	customer jean "Jean Dupont" +15557654321
	c=$(printf contact:jean | sha1sum | cut -c1-12)
	recv_sms SM00000000000000000000000000000001 +15557654321 hi >/dev/null
	run inbox-show -n jean
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "# Jean Dupont +15557654321 [open]" ]
	[ "${lines[1]##*	}" = "Jean Dupont" ]
	[ "$(inbox-show -n $c)" = "$output" ]
	[ "$(inbox-show -n +15557654321)" = "$output" ]
}

@test "show: an email conversation by its address" {
	id=$(inbox-recv <"$D/email-plain.eml")
	run inbox-show -n Jean.Dupont@Example.ORG
	[ "$status" -eq 0 ]
	[ "${lines[1]%%	*}" = "$id" ]
}

@test "show: an unknown id, number or name exits 1" {
	scene
	before=$(snapshot)
	run inbox-show ffffffffffff
	[ "$status" -eq 1 ]
	[ "$output" = "inbox-show: no conversation ffffffffffff" ]
	run inbox-show +15550009999
	[ "$status" -eq 1 ]
	[ "$output" = "inbox-show: no conversation with +15550009999" ]
	run inbox-show nobody
	[ "$status" -eq 1 ]
	[ "$output" = "inbox-show: no conversation nobody" ]
	run inbox-show ${A:0:3}x
	[ "$status" -eq 1 ]
	[ "$(snapshot)" = "$before" ]
}

@test "show: an ambiguous prefix exits 64, more digits resolve it" {
	# +15557650204 and +15557650444 share the prefix 14da
	a=$(recv_sms SM00000000000000000000000000000001 +15557650204 one)
	b=$(recv_sms SM00000000000000000000000000000002 +15557650444 two)
	[ "${a%%/*}" = 14dac3855f52 ]
	[ "${b%%/*}" = 14da8b9af223 ]
	before=$(snapshot)
	run inbox-show 14da
	[ "$status" -eq 64 ]
	[ "$output" = "inbox-show: '14da' is ambiguous: give more digits" ]
	[ "$(snapshot)" = "$before" ]
	run inbox-show -n 14dac
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = "	one" ]
	run inbox-show -n 14da8
	[ "${lines[2]}" = "	two" ]
}

@test "show: usage errors exit 64" {
	run inbox-show
	[ "$status" -eq 64 ]
	[ "$output" = "usage: inbox-show [-n] [-C DIR] [-u USER] [--json] [--save-attachments DIR] ID" ]
	run inbox-show a b
	[ "$status" -eq 64 ]
	run inbox-show -x $A
	[ "$status" -eq 64 ]
	[ "${lines[0]}" = "inbox-show: invalid option -- 'x'" ]
	run inbox-show --version
	[ "$output" = "inbox-show 0.1.0" ]
}

@test "show: -C names the store from elsewhere" {
	scene
	cd "$BATS_TEST_TMPDIR"
	unset INBOX_DIR
	run inbox-show -n -C "$S" $A
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "# +15557654321 [open]" ]
}

@test "show: -u names the user who read it" {
	scene
	inbox-show -u alice $A >/dev/null
	[ "$(git log -1 --format=%an)" = alice ]
	run inbox-show -u 'bad name' $A
	[ "$status" -eq 64 ]
	[ "$output" = "inbox-show: 'bad name' is not a valid user name" ]
}
