#!/usr/bin/env bats
# inbox-sync over https: Debian's lighttpd with mod_openssl serving git's
# smart HTTP (git http-backend) on 127.0.0.1, a certificate from a CA of
# the test's own, push behind HTTP basic authentication.  libgit2 talks
# TLS here through mbedTLS, whose CA bundle and random generator the
# store loads when a remote first needs them, not at every start.

load helper
bats_require_minimum_version 1.5.0

X=+15125550100
MONDAY=1795446000

setup_file() {
	local c=$BATS_FILE_TMPDIR/ca
	command -v lighttpd >/dev/null || return 0
	command -v openssl >/dev/null || return 0
	mkdir -p "$c"
	# a CA, and the server's certificate for 127.0.0.1 signed by it
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -keyout "$c/ca.key" -out "$c/ca.pem" -days 3650 \
	    -subj "/CN=inbox test CA" 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$c/server.key" -out "$c/server.csr" \
	    -subj "/CN=127.0.0.1" 2>/dev/null
	printf 'subjectAltName = DNS:127.0.0.1, IP:127.0.0.1\n' >"$c/ext"
	openssl x509 -req -in "$c/server.csr" -CA "$c/ca.pem" \
	    -CAkey "$c/ca.key" -CAcreateserial -days 3650 \
	    -extfile "$c/ext" -out "$c/server.pem" 2>/dev/null
	cat "$c/server.pem" "$c/server.key" >"$c/server.both"
	# a CA nobody asked to trust
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -keyout "$c/other.key" -out "$c/other.pem" -days 3650 \
	    -subj "/CN=another CA" 2>/dev/null
	mkdir "$c/dir"
	cp "$c/ca.pem" "$c/dir/"
	openssl rehash "$c/dir" 2>/dev/null || c_rehash "$c/dir" >/dev/null
}

setup() {
	command -v lighttpd >/dev/null || skip "needs lighttpd"
	[ -e /usr/lib/lighttpd/mod_openssl.so ] ||
	    skip "needs lighttpd-mod-openssl"
	[ -x /usr/lib/git-core/git-http-backend ] ||
	    skip "needs git http-backend"
	export INBOX_NOW=$MONDAY
	unset SSH_AUTH_SOCK INBOX_DIR SSL_CERT_FILE SSL_CERT_DIR
	T=$BATS_TEST_TMPDIR
	CA=$BATS_FILE_TMPDIR/ca
	A=$T/a
	B=$T/b
	mkdir -p "$T/git"
	git init -q --bare -b main "$T/git/remote.git"
	git -C "$T/git/remote.git" config http.receivepack true
	printf 'office:s3cret\n' >"$T/users"
	lighttpd_start "$T" "$T/git" mod_alias mod_auth mod_authn_file \
	    mod_setenv mod_cgi mod_openssl <<-EOF
	ssl.engine = "enable"
	ssl.pemfile = "$CA/server.both"
	alias.url = ( "/git/" => "/usr/lib/git-core/git-http-backend/" )
	\$HTTP["url"] =~ "^/git/" {
		cgi.assign = ( "" => "" )
		setenv.add-environment = (
			"GIT_PROJECT_ROOT" => "$T/git",
			"GIT_HTTP_EXPORT_ALL" => "1"
		)
	}
	auth.backend = "plain"
	auth.backend.plain.userfile = "$T/users"
	\$HTTP["querystring"] =~ "service=git-receive-pack" {
		auth.require = ( "/" => ( "method" => "basic",
		    "realm" => "store", "require" => "valid-user" ) )
	}
	\$HTTP["url"] =~ "/git-receive-pack\$" {
		auth.require = ( "/" => ( "method" => "basic",
		    "realm" => "store", "require" => "valid-user" ) )
	}
	EOF
	U=https://office@127.0.0.1:$PORT/git/remote.git
	inbox-init -q "$A" >/dev/null
	git -C "$A" remote add origin "$U"
}

teardown() {
	if [ -s "${T:-/nonexistent}/pid" ]; then
		kill "$(cat "$T/pid")"
	fi
}

sms() {
	twilio_sms "$2" "$3" "$4" | INBOX_DIR=$1 inbox-recv >/dev/null
}

@test "sync https: push with a password, clone, both ways; CAs from SSL_CERT_FILE" {
	sms "$A" SM1 $X "The boiler is leaking"
	export SSL_CERT_FILE=$CA/ca.pem INBOX_SECRET_SYNC_PASSWORD=s3cret
	run --separate-stderr inbox-sync -C "$A"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'origin\tpush\tin 0\tout 2')" ]
	[ "$stderr" = "" ]
	[ "$(git -C "$T/git/remote.git" rev-parse main)" = \
	    "$(git -C "$A" rev-parse HEAD)" ]
	# a clone reads without a password
	unset INBOX_SECRET_SYNC_PASSWORD
	run inbox-sync --clone "$U" "$B"
	[ "$status" -eq 0 ]
	[ "$output" = "$B" ]
	[ "$(git -C "$B" rev-parse 'HEAD^{tree}')" = \
	    "$(git -C "$A" rev-parse 'HEAD^{tree}')" ]
	# B's reply goes back up and comes down to A
	sms "$B" SM2 $X "Tomorrow at 9 is fine"
	INBOX_SECRET_SYNC_PASSWORD=s3cret inbox-sync -q -C "$B"
	run inbox-sync -C "$A" --pull
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'origin\tfast-forward\tin 1\tout 0')" ]
	[ "$(git -C "$A" rev-parse HEAD)" = "$(git -C "$B" rev-parse HEAD)" ]
	git -C "$A" fsck --no-progress --no-dangling
	git -C "$B" fsck --no-progress --no-dangling
}

@test "sync https: SSL_CERT_DIR names a directory of hashed CAs" {
	export SSL_CERT_DIR=$CA/dir INBOX_SECRET_SYNC_PASSWORD=s3cret
	run inbox-sync -C "$A"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'origin\tpush\tin 0\tout 1')" ]
}

@test "sync https: a certificate from a CA not trusted is refused, nothing changes" {
	sms "$A" SM1 $X "The boiler is leaking"
	head=$(git -C "$A" rev-parse HEAD)
	export INBOX_SECRET_SYNC_PASSWORD=s3cret
	msg="inbox-sync: $U: the certificate of 127.0.0.1 is not for it"
	msg="$msg or not signed by a trusted CA"
	# the system's CAs (libgit2's default bundle) do not know the test's
	run --separate-stderr inbox-sync -C "$A"
	[ "$status" -ne 0 ]
	[ "$output" = "" ]
	[[ "$stderr" == "$msg"* ]]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	SSL_CERT_FILE=$CA/other.pem run --separate-stderr inbox-sync -C "$A"
	[ "$status" -ne 0 ]
	[[ "$stderr" == "$msg"* ]]
	[ "$(git -C "$A" rev-parse HEAD)" = "$head" ]
	run git -C "$T/git/remote.git" rev-parse --verify -q main
	[ "$status" -ne 0 ]
}

@test "sync https: a wrong password is refused with 2, the remote unchanged" {
	export SSL_CERT_FILE=$CA/ca.pem INBOX_SECRET_SYNC_PASSWORD=wrong
	run --separate-stderr inbox-sync -C "$A"
	[ "$status" -eq 2 ]
	[[ "$stderr" == "inbox-sync: "* ]]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	run git -C "$T/git/remote.git" rev-parse --verify -q main
	[ "$status" -ne 0 ]
	# and no password at all
	unset INBOX_SECRET_SYNC_PASSWORD
	run --separate-stderr inbox-sync -C "$A"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"INBOX_SECRET_SYNC_PASSWORD"* ]]
}

@test "sync https: SSL_CERT_FILE naming no file: one line, exit 2, nothing sent" {
	export SSL_CERT_FILE=$T/nowhere.pem INBOX_SECRET_SYNC_PASSWORD=s3cret
	head=$(git -C "$A" rev-parse HEAD)
	run --separate-stderr inbox-sync -C "$A"
	[ "$status" -eq 2 ]
	[ "$output" = "" ]
	[[ "$stderr" == "inbox-sync: "*"$T/nowhere.pem"* ]]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	[ "$(git -C "$A" rev-parse HEAD)" = "$head" ]
	run git -C "$T/git/remote.git" rev-parse --verify -q main
	[ "$status" -ne 0 ]
}
