#!/bin/sh
# t/man-synopsis.sh [BUILD] - for each command (cmd/inbox*.c), check that
# the SYNOPSIS of man/NAME.1 names exactly the options its usage message
# (BUILD/NAME --help) prints, and the other way round.  Prints TAP.
#
# Options are taken from both texts the same way: every word that starts
# with "-" and a letter or digit, after brackets, parentheses and "|" are
# made blanks; "-0qU" counts as -0, -q and -U.  Arguments are not compared.
# A command that is not built is skipped; one without a page fails.
B=${1:-build}
cd "$(dirname "$0")/.." || exit 2
if ! B=$(cd "$B" 2>/dev/null && pwd); then
	echo "1..0 # SKIP no build directory ${1:-build}"
	exit 0
fi
if ! command -v mandoc >/dev/null 2>&1; then
	echo "1..0 # SKIP mandoc is not installed"
	exit 0
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM

# Some commands open the store before they look at --help: give them one.
INBOX_DIR=$tmp/store
INBOX_USER=synopsis
INBOX_NOW=2026-11-22T12:00:00Z
GIT_CONFIG_NOSYSTEM=1
HOME=$tmp
export INBOX_DIR INBOX_USER INBOX_NOW GIT_CONFIG_NOSYSTEM HOME
[ -x "$B/inbox-init" ] && "$B/inbox-init" -q "$INBOX_DIR" >/dev/null 2>&1

# options FILE: the options named in the text, one a line, sorted
options() {
	tr '[]()|\t' '      ' <"$1" | tr -s ' ' '\n' |
	    sed -n 's/^\(--*[A-Za-z0-9][A-Za-z0-9-]*\).*/\1/p' |
	    while IFS= read -r w; do
		case $w in
		--*)	printf '%s\n' "$w" ;;
		-*)	printf '%s\n' "${w#-}" | fold -w 1 | sed 's/^/-/' ;;
		esac
	    done | sort -u
}

# synopsis PAGE: the SYNOPSIS section as text, each form on one line
synopsis() {
	mandoc -Tascii -O width=500 "$1" 2>/dev/null | col -bx |
	    sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d'
}

n=0
out=$tmp/tap
: >"$out"
for src in cmd/inbox*.c; do
	name=${src#cmd/}
	name=${name%.c}
	page=man/$name.1
	n=$((n + 1))
	desc="$name synopsis matches usage"
	if [ ! -x "$B/$name" ]; then
		echo "ok $n - $desc # SKIP $name is not built" >>"$out"
		continue
	fi
	if [ ! -f "$page" ]; then
		printf 'not ok %s - %s\n# %s does not exist\n' "$n" "$desc" \
		    "$page" >>"$out"
		continue
	fi
	if ! "$B/$name" --help >"$tmp/usage" 2>"$tmp/err" ||
	    ! grep -q 'usage:' "$tmp/usage"; then
		{
			echo "not ok $n - $desc"
			echo "# $name --help did not print its usage:"
			sed 's/^/#   /' "$tmp/err"
		} >>"$out"
		continue
	fi
	synopsis "$page" >"$tmp/synopsis"
	options "$tmp/usage" >"$tmp/u"
	options "$tmp/synopsis" >"$tmp/s"
	if [ ! -s "$tmp/synopsis" ]; then
		printf 'not ok %s - %s\n# %s has no SYNOPSIS\n' "$n" "$desc" \
		    "$page" >>"$out"
	elif cmp -s "$tmp/u" "$tmp/s"; then
		echo "ok $n - $desc" >>"$out"
	else
		{
			echo "not ok $n - $desc"
			comm -23 "$tmp/u" "$tmp/s" | sed 's/^/# only in usage: /'
			comm -13 "$tmp/u" "$tmp/s" | sed "s|^|# only in $page: |"
		} >>"$out"
	fi
done
echo "1..$n"
cat "$out"
! grep -q '^not ok ' "$out"
