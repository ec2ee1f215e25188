#!/usr/bin/env bats
# inbox-recv, email: the mail kept byte for byte under the X-Inbox
# headers, attachments, the sender's name, mbox "From " lines, dedupe on
# Message-ID.

load helper
load data/outbound

D="$BATS_TEST_DIRNAME/data"
JEAN_CONV=5f56ee3fcbb9	# addr:jean.dupont@example.org

setup() {
	new_store
	no_autoreply
	N0=$(commits)
}

msgfile() {
	ls conv/"${1:0:2}"/"${1%%/*}"/*/"${1#*/}"*
}

@test "email: filed with X-Inbox headers on top, the mail byte for byte" {
	run inbox-recv <"$D/email-plain.eml"
	[ "$status" -eq 0 ]
	id=$output
	[ "${id%%/*}" = "$(addr_conv jean.dupont@example.org)" ]
	[ "${id%%/*}" = $JEAN_CONV ]
	f=$(msgfile "$id")
	[ "$f" = "conv/5f/$JEAN_CONV/new/${id#*/}" ]
	run head -n 6 "$f"
	[ "$output" = "$(cat <<-'EOF'
	X-Inbox-Channel: email
	X-Inbox-Direction: in
	X-Inbox-Type: reply
	X-Inbox-Status: received
	X-Inbox-Address: jean.dupont@example.org
	X-Inbox-Provider-Id: <CAF3x9q7Yc@mail.example.org>
	EOF
	)" ]
	tail -n +7 "$f" | cmp - "$D/email-plain.eml"
}

@test "email: the Date header (with its offset) is the message time" {
	inbox-recv <"$D/email-plain.eml" >/dev/null
	run inbox-ls
	[ "$output" = "$(printf '%s\t1\t2026-11-22T08:40:00Z\temail\tjean.dupont@example.org\tHello, The boiler in the basement is leaking again, about a cup an hour. Could someone come by on Tu' $JEAN_CONV)" ]
	grep -qx 'last-in.email: 2026-11-22T08:40:00Z' conv/5f/$JEAN_CONV/state
}

@test "email: the From display name is the sender" {
	id=$(inbox-recv <"$D/email-plain.eml")
	[ "$(git log -1 --format=%s)" = "inbox-recv: email from jean.dupont@example.org (Dupont, Jean)" ]
	run inbox-show -n $JEAN_CONV
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "# jean.dupont@example.org [open]" ]
	[ "${lines[1]}" = "$(printf '%s\t2026-11-22T08:40:00Z\tin\temail\treceived\tDupont, Jean' "$id")" ]
	[ "${lines[2]}" = "	Hello," ]
}

@test "email: attachments are kept, the text part is the text" {
	id=$(inbox-recv <"$D/email-attachment.eml")
	f=$(msgfile "$id")
	tail -n +7 "$f" | cmp - "$D/email-attachment.eml"
	grep -qx 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9' "$f"
	grep -qx 'Content-Disposition: attachment; filename="invoice-2291.pdf"' "$f"
	run inbox-show -n --json "${id%%/*}"
	[ "$output" = "{\"id\":\"$id\",\"time\":\"2026-11-22T08:30:00Z\",\"from\":\"Maria Garcia\",\"direction\":\"in\",\"channel\":\"email\",\"type\":\"reply\",\"status\":\"received\",\"address\":\"maria.garcia@example.net\",\"provider_id\":\"<20261122083000.4411@example.net>\",\"read\":false,\"text\":\"Here is the label on the water heater, model and serial.\\n\"}" ]
}

@test "email: quoted-printable multipart/alternative shows the plain text" {
	id=$(inbox-recv <"$D/email-reply.eml")
	tail -n +7 "$(msgfile "$id")" | cmp - "$D/email-reply.eml"
	run inbox-show -n $JEAN_CONV
	[ "${lines[1]}" = "$(printf '%s\t2026-11-22T09:15:00Z\tin\temail\treceived\tJean Dupont' "$id")" ]
	[ "${lines[2]}" = "	Tuesday at 10:00 is perfect. The side door will be open — ring twice." ]
	[ "${lines[5]}" = "	> Technician arrives at 10:00 tomorrow." ]
}

@test "email: an mbox 'From ' line from the MTA is not kept" {
	id=$(inbox-recv <"$D/email-mbox-from.eml")
	f=$(msgfile "$id")
	! grep -q '^From maria' "$f"
	tail -n +7 "$f" | cmp - "$D/email-attachment.eml"
	[ "${id%%/*}" = "$(addr_conv maria.garcia@example.net)" ]
}

@test "email: CRLF line ends are kept as they came" {
	sed 's/$/\r/' "$D/email-plain.eml" >"$BATS_TEST_TMPDIR/crlf.eml"
	id=$(inbox-recv <"$BATS_TEST_TMPDIR/crlf.eml")
	tail -n +7 "$(msgfile "$id")" | cmp - "$BATS_TEST_TMPDIR/crlf.eml"
	run inbox-show -n $JEAN_CONV
	[ "${lines[2]}" = "	Hello," ]
}

@test "email: the same Message-ID is filed once" {
	id=$(inbox-recv <"$D/email-plain.eml")
	before=$(snapshot)
	run inbox-recv <"$D/email-plain.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	[ "$(snapshot)" = "$before" ]
	# delivered again by another route: one more Received line
	run inbox-recv < <(printf 'Received: from backup-mx.fieldco.example\n'; cat "$D/email-plain.eml")
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	[ "$(snapshot)" = "$before" ]
	# and as an mbox
	run inbox-recv --format email < <(printf 'From jean.dupont@example.org Sun Nov 22 08:40:02 2026\n'; cat "$D/email-plain.eml")
	[ "$output" = "$id" ]
	[ "$(snapshot)" = "$before" ]
}

@test "email: the address is lowercased: Jean.Dupont@Example.org is jean.dupont@" {
	id=$(inbox-recv <"$D/email-plain.eml")
	grep -qx 'address: jean.dupont@example.org' conv/5f/$JEAN_CONV/state
	# the next mail from the same mailbox joins the conversation
	id2=$(inbox-recv <"$D/email-reply.eml")
	[ "${id2%%/*}" = $JEAN_CONV ]
	[ "$(ls conv/5f/$JEAN_CONV/new | wc -l)" -eq 2 ]
}

@test "email: a mail without a From address is malformed" {
	before=$(snapshot)
	run inbox-recv --format email < <(sed '/^From: /d' "$D/email-plain.eml")
	[ "$status" -eq 65 ]
	[ "$output" = "inbox-recv: mail without a From address" ]
	[ "$(snapshot)" = "$before" ]
}

@test "email: a mail without a Message-ID is still filed" {
	run inbox-recv < <(sed '/^Message-ID: /d' "$D/email-plain.eml")
	[ "$status" -eq 0 ]
	f=$(msgfile "$output")
	! grep -q '^X-Inbox-Provider-Id:' "$f"
	[ "$(git log -1 --format=%b)" = "$(printf 'Conversation: %s\nMessage: %s' $JEAN_CONV "$output")" ]
}
