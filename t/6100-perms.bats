#!/usr/bin/env bats
# Roles and capabilities: every role against every command, exit 0 or 3
# and a refusal that names the missing capability; a tech sees only the
# conversations it is a member of; an unknown actor is refused; a store
# with no staff lets anyone do anything.

load helper
bats_require_minimum_version 1.5.0

A=+15125550100	# Pat Doe, customer cust1: conversation cc27c728a139
B=+15125550101	# an unknown sender: conversation 16aedeec85a0
CA=cc27c728a139
CB=16aedeec85a0
# Monday 2026-11-23 09:00 in Chicago: the office is open
MONDAY=1795446000

# The staff: one of each built-in role, a custom role that may only send
# through the approval queue, and a tech who must not talk to customers.
staff() {
	cat >>inbox.yaml <<-'EOF'

	roles:
	  apprentice: [messages.view, messages.send_gated, customers.chat]
	staff:
	  ada: {name: Ada Admin, role: admin}
	  olive: {name: Olive Office, role: office}
	  tina: {name: Tina Tech, role: tech}
	  gus: {name: Gus Gated, role: apprentice}
	  ted:
	    name: Ted Tech
	    role: tech
	    customers.chat: false
	EOF
	git add -f inbox.yaml
	git -c user.name=t -c user.email=t@t commit -q -m 'staff'
}

# Two conversations, Pat's (with job J1) and a stranger's; tina, gus and
# ted are members of Pat's only.
setup() {
	export INBOX_NOW=$MONDAY
	new_store
	customer cust1 "Pat Doe" $A
	staff
	export INBOX_USER=olive
	recv_sms SM1 $A "The boiler is leaking" >/dev/null
	recv_sms SM2 $B "Do you fix heat pumps?" >/dev/null
	inbox-job -q schedule J1 --customer cust1 --at 2026-11-24T10:00 >/dev/null
	for u in tina gus ted; do
		inbox-assign -q --add-member $u $CA
	done
}

# ok USER COMMAND ARG...: allowed, exit 0.
ok() {
	local u=$1 c=$2
	shift 2
	run --separate-stderr inbox-"$c" -u "$u" "$@"
	[ "$status" -eq 0 ] || {
		echo "inbox-$c -u $u $*: exit $status: $stderr"
		return 1
	}
}

# no USER CAPABILITY COMMAND ARG...: refused, exit 3, nothing on stdout
# and one line on stderr that names the capability.
no() {
	local u=$1 cap=$2 c=$3
	shift 3
	run --separate-stderr inbox-"$c" -u "$u" "$@"
	if [ "$status" -ne 3 ] || [ -n "$output" ] ||
	    [ "$stderr" != "inbox-$c: $u may not do this (needs $cap)" ]; then
		echo "inbox-$c -u $u $*: exit $status: $output$stderr"
		return 1
	fi
}

# hidden USER COMMAND ARG... CONV: refused, exit 3: not a member.
hidden() {
	local u=$1 c=$2
	shift 2
	run --separate-stderr inbox-"$c" -u "$u" "$@"
	if [ "$status" -ne 3 ] || [ -n "$output" ] ||
	    [[ "$stderr" != "inbox-$c: $u may not "*" (not a member)" ]]; then
		echo "inbox-$c -u $u $*: exit $status: $output$stderr"
		return 1
	fi
}

# Everything an admin or the office may do, in an order that works.
may_do_all() {
	ok "$1" ls
	[ "$(printf '%s\n' "$output" | cut -f1)" = "$CB
$CA" ]
	ok "$1" show $CA
	ok "$1" show $CB
	ok "$1" send $CA "We can come tomorrow at 10"
	[[ "$output" == $CA/*"	sent	"* ]]
	ok "$1" flag --flag $CB
	ok "$1" assign $CA tina
	ok "$1" link $CB J1
	ok "$1" job schedule J2 --customer cust1 --at 2026-11-25T10:00
	ok "$1" approve
	ok "$1" block +15125550199
	ok "$1" archive $CB
}

@test "admin: every command" {
	may_do_all ada
}

@test "office: every command" {
	may_do_all olive
}

@test "tech: views, writes and flags its own conversations; the rest is refused by capability" {
	ok tina ls
	ok tina show $CA
	ok tina send $CA "On my way"
	[[ "$output" == $CA/*"	sent	"* ]]
	ok tina flag --flag $CA
	no tina messages.assign assign $CA olive
	no tina messages.archive archive $CA
	no tina messages.archive block $A
	no tina messages.assign link $CB J1
	no tina messages.assign job schedule J2 --customer cust1 \
	    --at 2026-11-25T10:00
	no tina messages.approve approve
	no tina messages.approve approve --approve $CA/x
	no tina messages.approve approve --reject --reason no $CA/x
}

@test "gated role: a send waits for approval; the rest as a tech" {
	ok gus ls
	ok gus show $CA
	ok gus send $CA "Free upgrade for you"
	[[ "$output" == $CA/*"	pending_approval" ]]
	ok gus flag --flag $CA
	no gus messages.assign assign $CA olive
	no gus messages.archive archive $CA
	no gus messages.archive block $A
	no gus messages.assign link $CB J1
	no gus messages.assign job schedule J2 --customer cust1 \
	    --at 2026-11-25T10:00
	no gus messages.approve approve
}

@test "customers.chat: false: no writing to customers, the team thread still open" {
	ok ted ls
	ok ted show $CA
	no ted customers.chat send $CA "Hello from Ted"
	ok ted send team "Running late"
	ok ted flag --flag $CA
	no ted messages.assign assign $CA olive
	no ted messages.archive archive $CA
	no ted messages.archive block $A
	no ted messages.assign link $CB J1
	no ted messages.assign job schedule J2 --customer cust1 \
	    --at 2026-11-25T10:00
	no ted messages.approve approve
	# nothing reached Pat
	[ "$(find tmp/outbox -type f | wc -l)" -eq 1 ]
}

@test "a per-person override gives a capability as well as taking one" {
	sed -i 's/^  tina: .*/  tina: {name: Tina Tech, role: tech, messages.archive: true}/' \
	    inbox.yaml
	grep -q 'messages.archive: true' inbox.yaml
	ok tina archive $CA
	[ "$output" = "$CA" ]
	no tina messages.assign assign $CA olive
}

@test "a tech lists, shows, flags and writes only in conversations it is a member of" {
	ok tina ls --all
	[ "$(printf '%s\n' "$output" | cut -f1)" = "$CA" ]
	ok tina ls --counts
	[ "$output" = "$(printf 'all\t1\nunread\t1\nunassigned\t1\nmine\t0')" ]
	hidden tina show $CB
	[ "$stderr" = "inbox-show: tina may not see $CB (not a member)" ]
	hidden tina flag --flag $CB
	hidden tina send $CB "Hello"
	[ "$stderr" = "inbox-send: tina may not write in $CB (not a member)" ]
	# added to the thread, she sees it
	inbox-assign -q --add-member tina $CB
	ok tina ls
	[ "$(printf '%s\n' "$output" | cut -f1)" = "$CB
$CA" ]
	ok tina show $CB
}

@test "an unknown actor is refused by every command, however it is named" {
	local c args
	while read -r c args; do
		# shellcheck disable=SC2086
		run --separate-stderr inbox-"$c" -u nobody $args </dev/null
		if [ "$status" -ne 3 ] ||
		    [ "$stderr" != "inbox-$c: nobody is not on the staff list" ]
		then
			echo "$c $args: exit $status: $stderr"
			return 1
		fi
	done <<-EOF
	ls
	show $CA
	send $CA hi
	flag --flag $CA
	assign $CA olive
	archive $CA
	block $A
	link $CB J1
	job schedule J2 --customer cust1 --at 2026-11-25T10:00
	approve
	EOF
	INBOX_USER=nobody run --separate-stderr inbox-ls
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-ls: nobody is not on the staff list" ]
}

@test "the actor is -u, else INBOX_USER, else the login name on the staff list" {
	INBOX_USER=tina run --separate-stderr inbox-ls
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f1)" = "$CA" ]
	INBOX_USER=tina run --separate-stderr inbox-ls -u olive
	[ "$(printf '%s\n' "$output" | cut -f1)" = "$CB
$CA" ]
	me=$(id -un)
	unset INBOX_USER
	run --separate-stderr inbox-ls
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-ls: $me is not on the staff list" ]
	printf '  %s: {name: Me, role: tech}\n' "$me" >>inbox.yaml
	run --separate-stderr inbox-ls
	[ "$status" -eq 1 ]	# a tech in no conversation: nothing listed
	[ -z "$output$stderr" ]
}

@test "no staff configured: anyone may do everything" {
	rm -rf "$S"
	new_store
	customer cust1 "Pat Doe" $A
	recv_sms SM1 $A "The boiler is leaking" >/dev/null
	recv_sms SM2 $B "Do you fix heat pumps?" >/dev/null
	inbox-job -q -u anyone schedule J1 --customer cust1 \
	    --at 2026-11-24T10:00
	export INBOX_USER=whoever
	may_do_all anyone
	ok someone-else send $CA "A second word"
}

# shell LOGIN COMMAND: inbox-shell as sshd runs it for LOGIN's key.
shell() {
	SSH_ORIGINAL_COMMAND=$2 run --separate-stderr \
	    "$INBOX_BUILD/inbox-shell" -C "$S" "$1"
}

@test "inbox-shell fixes the actor, keeps quoted words whole, lets message ids through" {
	INBOX_USER=olive shell tina inbox-ls
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f1)" = "$CA" ]
	shell tina "inbox-send -q $CA 'Fixed; the \"valve\" was stuck'"
	[ "$status" -eq 0 ]
	[ -z "$output$stderr" ]
	f=$(grep -rlx 'Fixed; the "valve" was stuck' conv/cc/$CA/)
	grep -qx 'X-Inbox-Author: tina' "$f"
	run inbox-send -u gus $CA "Half price"
	id=${output%%	*}
	shell olive "inbox approve --approve $id"
	[ "$status" -eq 0 ]
	[ "$output" = "$id	sent" ]
	git log --format=%B | grep -qx 'Approved-By: olive'
	shell olive "inbox-approve --approve ${id%%/*}/../../inbox.yaml"
	[ "$status" -eq 3 ]
	shell olive "inbox-approve --approve ${id%%/*}/.hidden"
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-shell: refused: '${id%%/*}/.hidden': no paths (give text with a slash on standard input)" ]
	[ "$(wc -l <.git/inbox/shell.log)" -eq 2 ]
}

@test "inbox-shell: only settings.edit changes who is staff and in what role" {
	# sam is staff as a contact only, a tech by default
	inbox-contact add -q -u ada --staff --login sam --name Sam
	for u in tina olive; do
		shell $u "inbox-contact edit $u --role admin"
		[ "$status" -eq 3 ]
		[ "$stderr" = "inbox-shell: refused: --role: changing staff needs settings.edit" ]
	done
	shell sam "inbox-contact edit sam --ro=admin"
	[ "$stderr" = "inbox-shell: refused: --ro=admin: changing staff needs settings.edit" ]
	shell sam "inbox-contact add --staff --login eve --name Eve"
	[ "$status" -eq 3 ]
	shell sam "inbox-archive $CB"
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-archive: sam may not do this (needs messages.archive)" ]
	shell tina "inbox-contact ls --staff"
	[ "$status" -eq 0 ]
	shell ada "inbox-contact edit sam --role office"
	[ "$status" -eq 0 ]
	shell sam "inbox-archive -q $CB"
	[ "$status" -eq 0 ]
}

@test "inbox-shell: an unknown login, a missing command, a system command" {
	shell nobody inbox-ls
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-shell: refused: nobody is not on the staff list" ]
	shell 'bad name' inbox-ls
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-shell: refused: bad name is not on the staff list" ]
	[ "$(sed 's/^[^ ]* //' .git/inbox/shell.log)" = "nobody refused: nobody is not on the staff list: inbox-ls
bad?name refused: bad name is not on the staff list: inbox-ls" ]
	shell tina ""
	[ "$status" -eq 64 ]
	shell tina "inbox"
	[ "$status" -eq 64 ]
	shell tina "inbox-recv"
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-shell: refused: 'inbox-recv' is not allowed here" ]
	shell tina "$(printf 'inbox-ls\nid')"
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-shell: refused: a line break" ]
	[ "$(tail -n 1 .git/inbox/shell.log | sed 's/^[^ ]* //')" = \
	    "tina refused: a line break: inbox-ls?id" ]
	run -64 "$INBOX_BUILD/inbox-shell"
	run -64 "$INBOX_BUILD/inbox-shell" tina olive
}
