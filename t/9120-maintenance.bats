#!/usr/bin/env bats
# Maintenance-request threads: inbox-job schedule --service-pro makes a
# thread shared by the tenant and the service pro (kind maintenance); a
# message to it goes to each participant, on their own channel and
# address, and every copy is filed in that thread.

load helper
load data/outbound
bats_require_minimum_version 1.5.0

JANE=+15125550100
PRO=+15125550199
M=45db36a3e404		# job:J7

setup() {
	new_store
	no_autoreply
	# the job hooks would send a confirmation: not what this is about
	chmod -x hooks/job-*
	git_commit "test: no job hooks"
	customer jane "Jane Doe" $JANE
	inbox-contact add --id pat-pro --name "Pat Pro" --phone $PRO \
	    --group service-pro >/dev/null
	inbox-job -q schedule J7 --customer jane --at 2026-11-24T09:00 \
	    --service-pro pat-pro
	tick
}

# What went out through the spool, in name order: ADDRESS TAB CHANNEL TAB
# TO TAB TEXT a line.
sent() {
	local f
	for f in tmp/outbox/*; do
		[ -e "$f" ] || continue
		awk 'BEGIN { OFS = "\t" }
		    b { t = t (t == "" ? "" : "\n") $0; next }
		    /^$/ { b = 1; next }
		    /^X-Inbox-Address: / { a = $2 }
		    /^X-Inbox-Channel: / { c = $2 }
		    /^To: / { sub(/^To: /, ""); to = $0 }
		    END { print a, c, to, t }' "$f"
	done
}

@test "schedule --service-pro: a thread of kind maintenance shared by tenant and pro" {
	[ "$M" = "$(printf 'job:J7' | sha1sum | cut -c1-12)" ]
	[ "$(state $M)" = "kind: maintenance
name: Maintenance request J7
status: open
created: 2026-11-22T08:53:20Z
participant: jane
participant: pat-pro
job: J7" ]
	[ "$(inbox-ls --all -s 'Maintenance request J7' | cut -f1,5)" = "$M	Maintenance request J7" ]
	[ "$(inbox-job show J7 | grep -E '^(service-pro|thread):')" = "service-pro: pat-pro
thread: $M" ]
}

@test "a message to it goes to both participants: two files in the spool, both filed in the thread" {
	n=$(commits)
	run --separate-stderr inbox-send $M 'The part arrives Thursday'
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "$(wc -l <<<"$output")" -eq 2 ]
	for m in $(cut -f1 <<<"$output"); do
		[[ $m == $M/* ]]
		[ -f "conv/${M:0:2}/$M/cur/${m#*/}:2,S" ]
		grep -qx "$m	sent	spool:${m#*/}.msg" <<<"$output"
	done
	[ "$(ls tmp/outbox | wc -l)" -eq 2 ]
	[ "$(sent)" = "$JANE	sms	Jane Doe <$JANE>	The part arrives Thursday
$PRO	sms	Pat Pro <$PRO>	The part arrives Thursday" ]
	# each queued and sent with a commit of its own
	[ "$(commits)" -eq $((n + 4)) ]
	[ "$(git log -4 --format=%s | sort)" = "inbox-send: queue sms to $JANE (manual)
inbox-send: queue sms to $PRO (manual)
inbox-send: sent sms to $JANE
inbox-send: sent sms to $PRO" ]
	# nothing filed in the participants' own threads
	[ ! -e "conv/$(printf 'contact:jane' | sha1sum | cut -c1-2)/$(printf 'contact:jane' | sha1sum | cut -c1-12)/cur" ] ||
	    [ -z "$(ls "conv/$(printf 'contact:jane' | sha1sum | cut -c1-2)/$(printf 'contact:jane' | sha1sum | cut -c1-12)/cur")" ]
	[ "$(inbox-ls --all | cut -f1,5,6)" = "$M	Maintenance request J7	The part arrives Thursday" ]
	all_committed
}

@test "each participant on their own channel: a pro with only an email gets email" {
	inbox-contact add --id mo-pro --name "Mo Pro" --email mo@pro.example >/dev/null
	inbox-job -q schedule J8 --customer jane --at 2026-11-25T09:00 \
	    --service-pro mo-pro
	M8=$(printf 'job:J8' | sha1sum | cut -c1-12)
	run inbox-send $M8 'Gate code 4711'
	[ "$status" -eq 0 ]
	[ "$(sent)" = "$JANE	sms	Jane Doe <$JANE>	Gate code 4711
mo@pro.example	email	Mo Pro <mo@pro.example>	Gate code 4711" ]
	# the pro's copy does not carry the tenant's number
	f=$(grep -l '^X-Inbox-Address: mo@pro.example$' tmp/outbox/*)
	[ "$(grep -c -- "$JANE" "$f")" -eq 0 ]
}

@test "--note in the thread: one note, for the staff, never sent" {
	run inbox-send --note $M 'Pat prefers mornings'
	[ "$status" -eq 0 ]
	[[ $output == "$M/"*"	note" ]]
	[ ! -e tmp/outbox ]
	[ ! -e idx/queue ] || [ -z "$(ls idx/queue)" ]
	[ "$(git log -1 --format=%s)" = "inbox-send: note in $M" ]
}

@test "--dry-run prints the file of each participant and changes nothing" {
	s=$(snapshot)
	run inbox-send --dry-run $M 'The part arrives Thursday'
	[ "$status" -eq 0 ]
	[ "$(grep '^X-Inbox-Address: ' <<<"$output")" = "X-Inbox-Address: $JANE
X-Inbox-Address: $PRO" ]
	[ "$(snapshot)" = "$s" ]
	[ ! -e tmp/outbox ]
}

@test "a participant who cannot be written to: refused for all, nothing half-sent" {
	recv_sms SM1 $PRO 'STOP' >/dev/null
	s=$(snapshot)
	run --separate-stderr inbox-send $M 'The part arrives Thursday'
	[ "$status" -eq 3 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-send: $PRO opted out (STOP at 2026-11-22 08:54)" ]
	[ "$(snapshot)" = "$s" ]
	[ ! -e idx/queue ] || [ -z "$(ls idx/queue)" ]
	[ ! -e tmp/outbox ]
}
