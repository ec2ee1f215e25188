#!/usr/bin/env bats
# inbox-shell behind a real OpenSSH server: each staff key runs
# command="inbox-shell -C STORE LOGIN", so the login is fixed by the key,
# only the inbox commands run, and everything else is refused (exit 3)
# and logged in .git/inbox/shell.log.  sshd listens on 127.0.0.1 on a
# free port with its own host key and configuration, and is stopped at
# the end.

load helper
bats_require_minimum_version 1.5.0

A=+15125550100	# Pat Doe, customer cust1: conversation cc27c728a139
B=+15125550101	# a stranger: conversation 16aedeec85a0
CA=cc27c728a139
CB=16aedeec85a0

setup_file() {
	local d=$BATS_FILE_TMPDIR i
	if [ ! -x /usr/sbin/sshd ]; then
		[ "$(id -u)" = 0 ] || skip "no /usr/sbin/sshd (apt-get install openssh-server)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		    openssh-server >/dev/null 2>&1 || {
			apt-get update -q >/dev/null 2>&1
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			    openssh-server >/dev/null 2>&1
		} || skip "cannot install openssh-server"
	fi
	mkdir -p /run/sshd 2>/dev/null
	mkdir -p "$d/home"
	export HOME=$d/home INBOX_NOW=1795446000	# Monday 09:00 in Chicago

	# the store: Pat's thread (tina is a member) and a stranger's
	S=$d/store
	inbox-init -q "$S" >/dev/null
	cd "$S" || return 1
	export INBOX_DIR=$S
	inbox-contact add -q --id cust1 --name "Pat Doe" --phone $A
	cat >>inbox.yaml <<-'EOF'

	staff:
	  tina: {name: Tina Tech, role: tech}
	  olive: {name: Olive Office, role: office}
	EOF
	git add -f inbox.yaml
	git -c user.name=t -c user.email=t@t commit -q -m 'staff'
	export INBOX_USER=olive
	recv_sms SM1 $A "The boiler is leaking" >/dev/null
	recv_sms SM2 $B "Do you fix heat pumps?" >/dev/null
	inbox-assign -q --add-member tina $CA

	# sshd: its own host key, configuration, keys and pid file
	ssh-keygen -q -t ed25519 -N '' -C host -f "$d/host_key"
	: >"$d/authorized_keys"
	for u in tina olive mallory; do
		ssh-keygen -q -t ed25519 -N '' -C $u -f "$d/$u"
		printf 'command="%s/inbox-shell -C %s %s",no-pty,no-port-forwarding,no-agent-forwarding,no-X11-forwarding %s\n' \
		    "$INBOX_BUILD" "$S" $u "$(cat "$d/$u.pub")" \
		    >>"$d/authorized_keys"
	done
	# a key for inbox-sync: git's own programs over ssh, nothing else
	ssh-keygen -q -t ed25519 -N '' -C sync -f "$d/sync"
	cat >"$d/git-only" <<-'EOF'
	#!/bin/sh
	case $SSH_ORIGINAL_COMMAND in
	"git-upload-pack "*|"git-receive-pack "*)
		exec sh -c "$SSH_ORIGINAL_COMMAND" ;;
	esac
	exit 1
	EOF
	chmod +x "$d/git-only"
	printf 'command="%s",no-pty,no-port-forwarding %s\n' "$d/git-only" \
	    "$(cat "$d/sync.pub")" >>"$d/authorized_keys"
	PORT=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
	cat >"$d/sshd_config" <<-EOF
	Port $PORT
	ListenAddress 127.0.0.1
	HostKey $d/host_key
	AuthorizedKeysFile $d/authorized_keys
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	StrictModes no
	PermitRootLogin prohibit-password
	PidFile $d/sshd.pid
	EOF
	/usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log"
	i=0
	while [ $((i += 1)) -le 100 ]; do
		[ -s "$d/sshd.pid" ] &&
		    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
		sleep 0.05
	done
	[ -s "$d/sshd.pid" ] || {
		cat "$d/sshd.log"
		false
	}
	export S PORT
}

teardown_file() {
	local pid
	pid=$(cat "$BATS_FILE_TMPDIR/sshd.pid" 2>/dev/null) &&
	    [ -n "$pid" ] && kill "$pid" 2>/dev/null
	return 0
}

setup() {
	export INBOX_DIR=$S INBOX_USER=olive
	cd "$S" || return 1
	LOG=$S/.git/inbox/shell.log
	touch "$LOG"
	before=$(wc -l <"$LOG")
}

# as LOGIN [COMMAND]: run COMMAND with LOGIN's key (as the same Unix
# account: the forced command is what matters).
as() {
	local u=$1
	shift
	ssh -F /dev/null -T -o StrictHostKeyChecking=no \
	    -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
	    -o IdentitiesOnly=yes -o LogLevel=ERROR \
	    -i "$BATS_FILE_TMPDIR/$u" -p "$PORT" "$(id -un)@127.0.0.1" "$@"
}

# refused LOGIN REASON COMMAND: exit 3, the reason on stderr, nothing
# run, and one more line in shell.log saying so.
refused() {
	local n
	run --separate-stderr as "$1" "$3" </dev/null
	if [ "$status" -ne 3 ] || [ -n "$output" ] ||
	    [ "$stderr" != "inbox-shell: refused: $2" ]; then
		echo "$3: exit $status: $output$stderr"
		return 1
	fi
	n=$(wc -l <"$LOG")
	[ "$n" -eq $((before + 1)) ] || { echo "$3: not logged"; return 1; }
	before=$n
	tail -n 1 "$LOG" | grep -qxF -- \
	    "$(tail -n 1 "$LOG" | cut -d' ' -f1) $1 refused: $2: $3" || {
		echo "log: $(tail -n 1 "$LOG")"
		return 1
	}
	tail -n 1 "$LOG" | grep -q '^20[0-9-]*T[0-9:]*Z '
}

@test "the tech lists only the conversations it is a member of" {
	run --separate-stderr as tina inbox-ls --all </dev/null
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(printf '%s\n' "$output" | cut -f1)" = "$CA" ]
	run --separate-stderr as tina inbox ls </dev/null
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | cut -f1)" = "$CA" ]
	run --separate-stderr as olive inbox-ls </dev/null
	[ "$(printf '%s\n' "$output" | cut -f1)" = "$CB
$CA" ]
}

@test "the tech may not show a thread it is not a member of" {
	run --separate-stderr as tina inbox-show -n $CA </dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"The boiler is leaking"* ]]
	run --separate-stderr as tina inbox-show -n $CB </dev/null
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$stderr" = "inbox-show: tina may not see $CB (not a member)" ]
	[ "$(wc -l <"$LOG")" -eq "$before" ]	# refused by the command
}

@test "a shell and other programs are refused and logged" {
	refused tina "'sh' is not an inbox command" sh
	refused tina "'cat' is not an inbox command" "cat /etc/passwd"
	refused tina "'bash' is not an inbox command" "bash -i"
	refused tina "'inbox-fsck' is not allowed here" "inbox-fsck --repair"
	refused tina "'inbox-shell' is not allowed here" "inbox-shell olive"
	refused tina "'inbox-sync' is not allowed here" "inbox sync"
}

# shellcheck disable=SC2016 # the client's words, never expanded
@test "shell metacharacters are refused and nothing else runs" {
	refused tina "shell metacharacter ';'" "inbox-ls; id"
	refused tina "shell metacharacter '\$'" 'inbox-ls $(id)'
	refused tina "shell metacharacter '\`'" 'inbox-ls `id`'
	refused tina "shell metacharacter '|'" "inbox-ls | sh"
	refused tina "shell metacharacter '>'" "inbox-ls >x"
	refused tina "shell metacharacter '&'" "inbox-ls && id"
	refused tina "shell metacharacter '\$' in double quotes" \
	    'inbox-send '$CA' "costs $HOME"'
	refused tina "unbalanced quote" "inbox-send $CA 'oops"
	[ ! -e x ]
}

@test "another store, another actor, paths and attachments are refused" {
	refused tina "-C: the store is fixed" "inbox-ls -C /tmp/other"
	refused tina "-qC/tmp: the store is fixed" "inbox-ls -qC/tmp"
	refused tina "-u: the user is fixed" "inbox-ls -u admin"
	refused tina "--user=olive: the user is fixed" "inbox-log --user=olive"
	refused tina "'../../etc/passwd': no paths (give text with a slash on standard input)" \
	    "inbox-show ../../etc/passwd"
	refused tina "--attach: no files from the server" \
	    "inbox-send --attach /etc/passwd x y"
	refused tina "--att: no files from the server" \
	    "inbox-send --att inbox.yaml $CA y"
	refused tina "--automatic: automatic messages are the system's" \
	    "inbox-send --automatic $CA y"
	refused tina "--type=reminder: message types are the system's" \
	    "inbox-send --type=reminder $CA y"
	refused tina "--role: changing staff needs settings.edit" \
	    "inbox-contact edit tina --role admin"
}

@test "a key whose login is not on the staff list is refused" {
	refused mallory "mallory is not on the staff list" inbox-ls
}

@test "the office sends; quoted words stay whole; text with a slash on stdin" {
	run --separate-stderr as olive \
	    "inbox-send -q $CA 'Tuesday at 10; bring the ladder'" </dev/null
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	run --separate-stderr as olive "inbox-send $CA -" \
	    <<<"Pay at https://pay.example/inv/1"
	[ "$status" -eq 0 ]
	[[ "$output" == "$CA/"*"	sent	spool:"* ]]
	id=${output%%	*}
	[ "$(find tmp/outbox -type f | wc -l)" -eq 2 ]
	f=$(ls conv/cc/$CA/*/"${id#*/}"*)
	grep -qx 'X-Inbox-Author: olive' "$f"
	grep -qx 'Pay at https://pay.example/inv/1' "$f"
	grep -qrx 'Tuesday at 10; bring the ladder' conv/cc/$CA/
	# the commits name the key's login, whatever the client's environment
	[ "$(git log -1 --format=%B | sed -n 1p)" = "inbox-send: sent sms to $A" ]
	git log --format='%an <%ae>' -1 | grep -q olive
}

@test "the tech's changes are its own" {
	run --separate-stderr as tina inbox-flag --flag $CA </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$CA" ]
	git log --format='%an <%ae>' -1 | grep -q tina
	run --separate-stderr as tina inbox-archive $CA </dev/null
	[ "$status" -eq 3 ]
	[ "$stderr" = "inbox-archive: tina may not do this (needs messages.archive)" ]
}

@test "no command: a short help, exit 64, never a shell" {
	run --separate-stderr as tina </dev/null
	[ "$status" -eq 64 ]
	[ -z "$output" ]
	[ "$(printf '%s\n' "$stderr" | sed -n 1p)" = \
	    "inbox-shell: this key runs inbox commands only" ]
	[[ "$stderr" == *"commands: ls show send assign archive flag block link log approve job template contact" ]]
	[ "$(wc -l <"$LOG")" -eq "$before" ]
}

# libgit2's ssh transport through the same sshd: the host key checked
# against known_hosts as ssh(1) does (libgit2 trusts none by itself), and
# libssh2 started when the session opens (the programs decline its start
# with libgit2's)
@test "inbox-sync over ssh: the host key from known_hosts, then a push and a clone" {
	local d=$BATS_FILE_TMPDIR hub url kh=$HOME/.ssh/known_hosts
	hub=$d/hub.git
	rm -rf "$hub" "$d/van" "$HOME/.ssh"
	mkdir -p "$HOME/.ssh"
	git init -q --bare -b main "$hub"
	url="ssh://$(id -un)@127.0.0.1:$PORT$hub"
	export INBOX_SECRET_SSH_KEY
	INBOX_SECRET_SSH_KEY=$(cat "$d/sync")
	git remote add hub "$url"

	# unknown: refused, and told how to add it
	run --separate-stderr inbox-sync -q hub
	[ "$status" -eq 2 ]
	[ "$stderr" = "inbox-sync: $url: the host key of [127.0.0.1]:$PORT is not in known_hosts (check it, then: ssh-keyscan -p $PORT 127.0.0.1 >> ~/.ssh/known_hosts)" ]
	# another key for it: refused
	echo "[127.0.0.1]:$PORT $(cut -d ' ' -f 1,2 "$d/tina.pub")" >"$kh"
	run --separate-stderr inbox-sync -q hub
	[ "$status" -eq 2 ]
	[ "$stderr" = "inbox-sync: $url: the host key of [127.0.0.1]:$PORT is not the one in $kh: it changed, or someone is in between" ]
	[ -z "$(git -C "$hub" rev-parse -q --verify main)" ]

	# known (hashed, as ssh-keygen -H writes it): through
	echo "[127.0.0.1]:$PORT $(cut -d ' ' -f 1,2 "$d/host_key.pub")" >"$kh"
	ssh-keygen -q -H -f "$kh" 2>/dev/null
	! grep -q 127.0.0.1 "$kh"
	run inbox-sync -q hub
	[ "$status" -eq 0 ]
	[ "$(git -C "$hub" rev-parse main)" = "$(git rev-parse HEAD)" ]
	run inbox-sync -q --clone "$url" "$d/van"
	[ "$status" -eq 0 ]
	[ "$(git -C "$d/van" rev-parse HEAD)" = "$(git rev-parse HEAD)" ]
	[ "$(inbox-ls -C "$d/van" --all | wc -l)" -eq 2 ]
	git remote remove hub
}
