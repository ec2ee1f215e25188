#!/bin/sh
# t/deps.sh - install what the test suite needs, when it is missing and
# we are root; otherwise say which apt-get line is needed.
pkgs="bats mandoc git lighttpd lighttpd-mod-openssl openssl python3-aiosmtpd
	kannel kannel-extras
	valgrind clang procps mblaze
	openssh-server openssh-client zsh"
need=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q 'install ok installed' || need="$need $p"
done
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "t/deps.sh: the tests need:$need" >&2
	echo "  run as root: apt-get install -y$need" >&2
	exit 2
fi
echo "t/deps.sh: installing$need"
export DEBIAN_FRONTEND=noninteractive
# Kannel's package starts its service on install; keep it from doing so.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
# shellcheck disable=SC2086
apt-get install -y -q $need >/dev/null 2>&1 || {
	apt-get update -q >/dev/null 2>&1
	apt-get install -y -q $need >/dev/null
}
