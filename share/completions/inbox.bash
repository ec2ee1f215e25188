# inbox.bash - bash completion for inbox(1) and every inbox-* command.
#
# Source it from ~/.bashrc:
#
#	. /usr/local/share/inbox/completions/inbox.bash
#
# or install it as the bash-completion file "inbox" (with a link named
# after each inbox-* command).  It completes the command names after
# "inbox", each command's long options, conversation ids (from inbox-ls),
# staff logins (the keys under "staff:" in the store's inbox.yaml) and
# the words some options take.  The store is the one the command would
# open: -C DIR on the line, else $INBOX_DIR, $XDG_DATA_HOME/inbox or
# ~/.local/share/inbox.
#
# shellcheck shell=bash

# The long options of each command, as its getopt_long table has them; a
# trailing "=" marks an option that takes a value.  t/4050-completion.bats
# checks this table against cmd/*.c.  A command missing here is asked for
# its --help.
_inbox_filters='--unread --mine --unassigned --assignee= --member= --closed
	--archived --all --open --customer= --job= --blocked --failed
	--channel= --direction= --type= --status= --today --week --month
	--days= --since= --until= --all-time --order= --group= --flagged
	--attention --context= --opted-out --search='

_inbox_options() {
	local std='--help --version'

	case $1 in
	approve) echo "--approve --reject --reason= --json $std" ;;
	archive) echo "--unarchive --close --reopen --reason= $std" ;;
	assign) echo "--none --add-member= --remove-member= --reason= $std" ;;
	block) echo "--unblock --reason= $std" ;;
	contact) echo "--id= --name= --phone= --email= --whatsapp= --group=
		--staff --login= --role= --note= --add-phone= --remove-phone=
		--add-email= --remove-email= --customers --dry-run --json $std" ;;
	flag) echo "--read --unread --flag --unflag --resolve --all-read
		--mute --unmute $std $_inbox_filters" ;;
	fsck) echo "--repair --reindex --refetch --json $std" ;;
	init) echo "$std" ;;
	job) echo "--customer= --at= --tech= --address= --service-pro= --eta=
		--invoice-url= --url= --all --json $std" ;;
	link) echo "--unlink --attach --move --detach --reason= $std" ;;
	maint) echo "--full --no-pack $std" ;;
	log) echo "--customer= --job= --user= --consent= --json $std" ;;
	ls) echo "--counts --page= --as-of= --json $std $_inbox_filters" ;;
	recv) echo "--format= --url= --signature= --cgi --batch $std" ;;
	remind) echo "--dry-run $std" ;;
	send) echo "--channel= --type= --template= --var= --attach= --at=
		--split --job= --automatic --dry-run --note --flush --retry=
		--json $std" ;;
	shell) echo "$std" ;;
	show) echo "--save-attachments= --json $std" ;;
	sync) echo "--pull --push --status --set-host= --clone= --json $std" ;;
	template) echo "--job= --to= --var= --json $std" ;;
	watch) echo "--timeout= --ready= --json $std $_inbox_filters" ;;
	*)
		command -v "inbox-$1" >/dev/null 2>&1 || return 1
		"inbox-$1" --help 2>&1 |
		    grep -o -- '--[A-Za-z0-9][A-Za-z0-9-]*' | sort -u
		;;
	esac
}

# The command names: what "inbox --help" lists, and any inbox-* on PATH.
_inbox_commands() {
	{
		inbox --help 2>/dev/null | sed -n 's/^commands: *//p' |
		    tr ' ' '\n'
		compgen -c inbox- | sed 's/^inbox-//'
	} | grep -v '^$' | LC_ALL=C sort -u
}

# The store directory for the words of the line being completed.
_inbox_store() {
	local i w

	for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == -C ]]; then
			printf '%s\n' "${COMP_WORDS[i + 1]}"
			return
		elif [[ $w == -C?* ]]; then
			printf '%s\n' "${w#-C}"
			return
		fi
	done
	if [[ -n $INBOX_DIR ]]; then
		printf '%s\n' "$INBOX_DIR"
	elif [[ -n $XDG_DATA_HOME ]]; then
		printf '%s\n' "$XDG_DATA_HOME/inbox"
	else
		printf '%s\n' "$HOME/.local/share/inbox"
	fi
}

# Conversation ids, every one there is.
_inbox_convs() {
	inbox-ls -C "$(_inbox_store)" --all --all-time 2>/dev/null | cut -f1
}

# Staff logins: the keys one level under "staff:" in inbox.yaml.
_inbox_staff() {
	local y

	y=$(_inbox_store)/inbox.yaml
	[[ -r $y ]] || return 0
	awk '
		/^staff:[ \t]*(#.*)?$/ { s = 1; ind = ""; next }
		s && /^[^ \t#]/ { s = 0 }
		s && /^[ \t]+[^ \t#]/ {
			match($0, /^[ \t]+/)
			i = substr($0, 1, RLENGTH)
			if (ind == "")
				ind = i
			if (i == ind) {
				k = substr($0, RLENGTH + 1)
				sub(/[ \t]*:.*/, "", k)
				gsub(/["\047]/, "", k)
				print k
			}
		}' "$y"
}

_inbox_contacts() {
	inbox-contact ls -C "$(_inbox_store)" 2>/dev/null | cut -f1
}

_inbox_jobs() {
	inbox-job -C "$(_inbox_store)" ls --all 2>/dev/null | cut -f1
}

_inbox_templates() {
	inbox-template -C "$(_inbox_store)" ls 2>/dev/null | cut -f1
}

# COMPREPLY from a word list for the current word, each word once.
_inbox_reply() {
	local IFS=$' \t\n'

	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2" | awk '!seen[$0]++')
}

# 1 when option $2 of command $1 takes a value.
_inbox_takes_value() {
	case $2 in
	-C | -u) return 0 ;;
	-n | -s) [[ $1 == ls || $1 == watch || ($1 == log && $2 == -n) ]]
		return ;;
	--*) ;;
	*) return 1 ;;
	esac
	[[ " $(_inbox_options "$1" | tr '\n\t' '  ') " == *" $2= "* ]]
}

# Complete the words of inbox-CMD: COMP_WORDS[0] is the command.
_inbox_command() {
	local cmd=${COMP_WORDS[0]##*/}
	local cur=${COMP_WORDS[COMP_CWORD]}
	local prev=
	local -a pos=()
	local i w mode=

	cmd=${cmd#inbox-}
	COMPREPLY=()
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}

	# the words before this one that are not options nor their values
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--attach | --move | --detach | --unlink)
			[[ $cmd == link ]] && mode=$w ;;
		--*=*) ;;
		-?*)
			_inbox_takes_value "$cmd" "$w" && ((i++)) ;;
		*) pos+=("$w") ;;
		esac
	done

	if _inbox_takes_value "$cmd" "$prev"; then
		case $prev in
		-C | --save-attachments)
			compopt -o filenames 2>/dev/null || :
			# shellcheck disable=SC2207
			COMPREPLY=($(compgen -d -- "$cur")) ;;
		-u | --assignee | --member | --add-member | --remove-member | \
		    --user | --tech)
			_inbox_reply "$(_inbox_staff)" "$cur" ;;
		--channel) _inbox_reply "sms mms whatsapp email voice" "$cur" ;;
		--direction) _inbox_reply "in out" "$cur" ;;
		--order) _inbox_reply "recent unanswered" "$cur" ;;
		--format)
			_inbox_reply "auto twilio whatsapp email kannel json" "$cur" ;;
		--customer | --service-pro)
			_inbox_reply "$(_inbox_contacts)" "$cur" ;;
		--job) _inbox_reply "$(_inbox_jobs)" "$cur" ;;
		--template) _inbox_reply "$(_inbox_templates)" "$cur" ;;
		--attach | --ready)
			compopt -o filenames 2>/dev/null || :
			# shellcheck disable=SC2207
			COMPREPLY=($(compgen -f -- "$cur")) ;;
		esac
		return 0
	fi

	if [[ $cur == -* ]]; then
		_inbox_reply "$(_inbox_options "$cmd")" "$cur"
		COMPREPLY=("${COMPREPLY[@]%=}")
		return 0
	fi

	case $cmd in
	assign)
		_inbox_reply "$(_inbox_convs) $(_inbox_staff)" "$cur" ;;
	archive | flag | show)
		_inbox_reply "$(_inbox_convs)" "$cur" ;;
	log | send)
		((${#pos[@]} == 0)) && _inbox_reply "$(_inbox_convs)" "$cur" ;;
	link)
		case $mode:${#pos[@]} in
		:0 | --unlink:0) _inbox_reply "$(_inbox_convs)" "$cur" ;;
		:1 | --unlink:1) _inbox_reply "$(_inbox_jobs)" "$cur" ;;
		--attach:1) _inbox_reply "$(_inbox_contacts)" "$cur" ;;
		--move:1) _inbox_reply "$(_inbox_convs)" "$cur" ;;
		esac ;;
	contact)
		case ${#pos[@]}:${pos[0]} in
		0:*) _inbox_reply "add edit ls show import" "$cur" ;;
		1:edit | 1:show) _inbox_reply "$(_inbox_contacts)" "$cur" ;;
		1:import) compopt -o filenames 2>/dev/null || :
			# shellcheck disable=SC2207
			COMPREPLY=($(compgen -f -- "$cur")) ;;
		esac ;;
	job)
		case ${#pos[@]}:${pos[0]} in
		0:*) _inbox_reply "schedule reschedule enroute done cancel
			invoice rerun ls show" "$cur" ;;
		1:ls | 1:schedule) ;;
		1:*) _inbox_reply "$(_inbox_jobs)" "$cur" ;;
		esac ;;
	template)
		case ${#pos[@]}:${pos[0]} in
		0:*) _inbox_reply "ls show render" "$cur" ;;
		1:show | 1:render) _inbox_reply "$(_inbox_templates)" "$cur" ;;
		esac ;;
	init)
		compopt -o filenames 2>/dev/null || :
		# shellcheck disable=SC2207
		COMPREPLY=($(compgen -d -- "$cur")) ;;
	esac
	return 0
}

# Complete "inbox CMD ...": the command, then as inbox-CMD would.
_inbox() {
	local cur=${COMP_WORDS[COMP_CWORD]}

	COMPREPLY=()
	if ((COMP_CWORD == 1)); then
		if [[ $cur == -* ]]; then
			_inbox_reply "--help --version" "$cur"
		else
			_inbox_reply "$(_inbox_commands)" "$cur"
		fi
		return 0
	fi
	local -a COMP_WORDS=("inbox-${COMP_WORDS[1]}" "${COMP_WORDS[@]:2}")
	local COMP_CWORD=$((COMP_CWORD - 1))
	_inbox_command
}

complete -F _inbox inbox
complete -F _inbox_command inbox-approve inbox-archive inbox-assign \
    inbox-block inbox-contact inbox-flag inbox-fsck inbox-init inbox-job \
    inbox-link inbox-log inbox-ls inbox-maint inbox-recv inbox-remind \
    inbox-send inbox-shell inbox-show inbox-sync inbox-template inbox-watch
