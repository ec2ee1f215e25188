#!/usr/bin/env bats
# Inbound media: an MMS picture at the Twilio stand-in's /media/NAME is
# fetched with the account's Basic auth before the message is filed and
# kept in it as a MIME part; one that cannot be fetched (404, a wrong
# token, over media.max-size) leaves the URL and X-Inbox-Media-Error, and
# inbox-fsck --refetch rewrites the message once it can be fetched;
# WhatsApp media ids go through the stand-in's Graph endpoints;
# inbox-show --save-attachments writes the parts under safe names.

load helper
load data/outbound
load data/servers
bats_require_minimum_version 1.5.0

JEAN=+15557654321
CJ=bfda3c3376e9		# conversation of +15557654321 (no contact)
SID=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
TOKEN=twilio-test-token
WA_TOKEN=wa-test-token
PY=/usr/bin/python3

setup() {
	T=$BATS_TEST_TMPDIR
	: >"$T/pids"
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
	export no_proxy='*'
	new_store
	no_autoreply
	start_standin --wa-token "$WA_TOKEN"
	config
	export INBOX_SECRET_TWILIO_TOKEN=$TOKEN
	export INBOX_SECRET_WHATSAPP_TOKEN=$WA_TOKEN
}

ctl() {	# ctl METHOD PATH: the stand-in's control API
	"$PY" -c 'import sys, urllib.request
req = urllib.request.Request(sys.argv[2], method=sys.argv[1])
sys.stdout.buffer.write(urllib.request.urlopen(req, timeout=10).read())' \
	    "$1" "$BASE/_ctl/$2"
}

# The stand-in's requests for a path: "METHOD PATH AUTHORIZATION" a line.
seen() {
	ctl GET log | "$PY" -c 'import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r["path"].startswith(sys.argv[1]):
        print(r["method"], r["path"], r["headers"].get("authorization", "-"))' "$1"
}

# config [MAX-SIZE]: the account for Twilio media and the Graph base URL.
config() {
	cat >inbox.yaml <<-EOF
	business:
	  name: Fieldco
	  phone: "+15550001111"
	  country: US
	channels:
	  sms:
	    transport: spool
	    account-sid: $SID
	  whatsapp:
	    transport: spool
	    base-url: $BASE
	    version: v19.0
	media:
	  max-size: ${1:-1000000}
	EOF
	git_commit "test: media settings"
}

# mms SID BODY MEDIA-NAME...: an inbound MMS webhook whose media are the
# stand-in's /media/NAME.
mms() {
	local sid=$1 body=$2 i=0 name
	shift 2
	printf 'MessageSid=%s&AccountSid=%s&From=%s&To=%s&Body=%s&NumMedia=%s&NumSegments=1&SmsStatus=received&ApiVersion=2010-04-01' \
	    "$sid" $SID "$(urlenc $JEAN)" "$(urlenc +15550001111)" \
	    "$(urlenc "$body")" $#
	for name in "$@"; do
		printf '&MediaUrl%d=%s&MediaContentType%d=%s' $i \
		    "$(urlenc "$BASE/media/$name")" $i \
		    "$(case $name in *.png) echo image%2Fpng ;; *) echo image%2Fjpeg ;; esac)"
		i=$((i + 1))
	done
}

# wa_image WAMID MEDIA-ID CAPTION: a WhatsApp Cloud API image webhook
wa_image() {
	printf '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"123456789"},"contacts":[{"profile":{"name":"Jean Dupont"},"wa_id":"15557654321"}],"messages":[{"from":"15557654321","id":"%s","timestamp":"1795337600","type":"image","image":{"caption":"%s","mime_type":"image/jpeg","sha256":"00","id":"%s"}}]}}]}]}' \
	    "$1" "$3" "$2"
}

# The bytes the stand-in serves for a media name, to compare with.
media() {
	PYTHONDONTWRITEBYTECODE=1 $PY -c 'import sys
sys.path.insert(0, sys.argv[1])
import standin
sys.stdout.buffer.write(standin.media_for_name(sys.argv[2])[1])' \
	    "$INBOX_SRC/t/lib" "$1"
}

msgfile() {
	ls conv/"${1:0:2}"/"${1%%/*}"/*/"${1#*/}"*
}

hdr() {	# hdr ID FIELD: the value of a header field of a message
	sed -n "/^\$/q; s/^$2: //p" "$(msgfile "$1")"
}

# part ID N: the decoded bytes of the Nth leaf part of a message
part() {
	$PY - "$(msgfile "$1")" "$2" <<-'EOF'
	import email, sys
	m = email.message_from_bytes(open(sys.argv[1], "rb").read())
	leaves = [p for p in m.walk() if not p.is_multipart()]
	sys.stdout.buffer.write(leaves[int(sys.argv[2])].get_payload(decode=True))
	EOF
}

@test "MMS: the picture is fetched with Basic auth and kept as a MIME part" {
	run inbox-recv < <(mms MM0123456789abcdef0123456789abcd01 'The valve' p1.jpg photo.png)
	[ "$status" -eq 0 ]
	id=$output
	[[ $id == $CJ/* ]]
	[ "$(seen /media/)" = "GET /media/p1.jpg Basic $(printf '%s:%s' $SID $TOKEN | base64 -w0)
GET /media/photo.png Basic $(printf '%s:%s' $SID $TOKEN | base64 -w0)" ]
	f=$(msgfile "$id")
	[ "$(sed -n '/^$/q; /^X-Inbox-Media/p; /^Content-Type/p' "$f")" = "X-Inbox-Media: $BASE/media/p1.jpg image/jpeg
X-Inbox-Media: $BASE/media/photo.png image/png
Content-Type: multipart/mixed; boundary=\"=_inbox_${id#*/}\"" ]
	command -v mshow >/dev/null || skip "needs mblaze's mshow"
	run mshow -t "$f"
	[ "$status" -eq 0 ]
	[[ ${lines[1]} == "  1: multipart/mixed size="* ]]
	[ "${lines[2]}" = "    2: text/plain size=9" ]
	[ "${lines[3]}" = "    3: image/jpeg size=$(media p1.jpg | wc -c) name=\"media-1.jpg\"" ]
	[ "${lines[4]}" = "    4: image/png size=$(media photo.png | wc -c) name=\"media-2.png\"" ]
	cmp <(part "$id" 1) <(media p1.jpg)
	cmp <(part "$id" 2) <(media photo.png)
	[ "$(part "$id" 0)" = "The valve" ]
	# mshow extracts it as mutt would
	mkdir "$T/x" && (cd "$T/x" && mshow -x "$OLDPWD/$f" 3 >/dev/null)
	cmp "$T/x/media-1.jpg" <(media p1.jpg)
	# inbox-ls shows the text
	[ "$(inbox-ls | cut -f6)" = "The valve" ]
}

@test "not fetched: 404, a wrong token, too big; filed all the same with the URL and the reason" {
	run inbox-recv < <(mms MM0123456789abcdef0123456789abcd02 'Gone' missing.jpg)
	[ "$status" -eq 0 ]
	a=$output
	INBOX_SECRET_TWILIO_TOKEN=wrong run inbox-recv < <(mms MM0123456789abcdef0123456789abcd03 'Auth' p3.jpg)
	[ "$status" -eq 0 ]
	b=$output
	run inbox-recv < <(mms MM0123456789abcdef0123456789abcd04 'Big' big.jpg)
	[ "$status" -eq 0 ]
	c=$output
	for m in "$a" "$b" "$c"; do
		[ "$(hdr "$m" Content-Type)" = "text/plain; charset=utf-8" ]
	done
	[ "$(hdr "$a" X-Inbox-Media-Error)" = "$BASE/media/missing.jpg HTTP status 404" ]
	[ "$(hdr "$b" X-Inbox-Media-Error)" = "$BASE/media/p3.jpg HTTP status 401" ]
	[ "$(hdr "$c" X-Inbox-Media-Error)" = "$BASE/media/big.jpg larger than 1000000 bytes" ]
	[ "$(hdr "$c" X-Inbox-Media)" = "$BASE/media/big.jpg image/jpeg" ]
	[ "$(sed '1,/^$/d' "$(msgfile "$c")")" = "Big" ]
	[ "$(inbox-ls -m --all --all-time | wc -l)" -eq 3 ]
	all_committed
}

@test "inbox-fsck --refetch: what can now be fetched is rewritten as it would have been filed" {
	INBOX_SECRET_TWILIO_TOKEN=wrong inbox-recv -q < <(mms MM0123456789abcdef0123456789abcd05 'The valve' p1.jpg photo.png)
	inbox-recv -q < <(mms MM0123456789abcdef0123456789abcd06 'Big one' big.jpg)
	inbox-recv -q < <(mms MM0123456789abcdef0123456789abcd07 'Gone' missing.jpg)
	b=$(inbox-ls -m --all --all-time -s 'The valve' | cut -f1)
	g=$(inbox-ls -m --all --all-time -s 'Big one' | cut -f1)
	[ -n "$b" ] && [ -n "$g" ]
	n=$(commits)
	run inbox-fsck --refetch
	[ "$status" -eq 1 ]
	sort <<<"$output" >"$T/got"
	sort >"$T/want" <<-EOF
	refetched	$(msgfile "$b")	media fetched
	media	$(msgfile "$g")	$BASE/media/big.jpg larger than 1000000 bytes
	media	$(ls conv/bf/$CJ/new/* | grep -v "${b#*/}" | grep -v "${g#*/}")	$BASE/media/missing.jpg HTTP status 404
	EOF
	diff -u "$T/want" "$T/got"
	[ "$(commits)" -eq $((n + 1)) ]
	[ "$(git log -1 --format=%B)" = "inbox-fsck: refetch media of 1 message

Refetched: $(msgfile "$b")" ]
	# the same bytes a first fetch would have filed
	ok=$(inbox-recv < <(mms MM0123456789abcdef0123456789abcd08 'The valve' p1.jpg photo.png))
	diff -u <(sed -e "s/${ok#*/}/UNIQ/g" -e 's/MM0123456789abcdef0123456789abcd0[58]/SID/' "$(msgfile "$ok")") \
	    <(sed -e "s/${b#*/}/UNIQ/g" -e 's/MM0123456789abcdef0123456789abcd0[58]/SID/' "$(msgfile "$b")")
	if command -v mshow >/dev/null; then
		[ "$(mshow -t "$(msgfile "$b")" | sed -e 1d -e 's/ size=[0-9]*//')" = "  1: multipart/mixed
    2: text/plain
    3: image/jpeg name=\"media-1.jpg\"
    4: image/png name=\"media-2.png\"" ]
	fi
	cmp <(part "$b" 1) <(media p1.jpg)
	# a bigger limit: the big one comes too; the missing one never
	config 7000000
	run inbox-fsck --refetch
	[ "$status" -eq 1 ]
	[ "$(grep -c '^refetched' <<<"$output")" -eq 1 ]
	[ "$(hdr "$g" X-Inbox-Media-Error)" = "" ]
	[ "$(part "$g" 1 | wc -c)" -eq 6291456 ]
	[ "$(part "$g" 0)" = "Big one" ]
	run inbox-fsck --refetch
	[ "$(grep -c '^refetched' <<<"$output" || true)" -eq 0 ]
	[ "$(grep -c '^media' <<<"$output")" -eq 1 ]
	all_committed
}

@test "refetch: a JSON message's media host never gets the Twilio credentials" {
	printf '{"type":"message","from":"%s","id":"portal-1","body":"pic","media":[{"url":"%s/media/p5.jpg","type":"image/jpeg"}]}' \
	    $JEAN "$BASE" | inbox-recv -q
	m=$(inbox-ls -m --all --all-time | cut -f1)
	[ "$(hdr "$m" X-Inbox-Media-Error)" = "$BASE/media/p5.jpg HTTP status 401" ]
	run inbox-fsck --refetch
	[ "$status" -eq 1 ]
	[ "$(seen /media/)" = "GET /media/p5.jpg -
GET /media/p5.jpg -" ]
}

@test "WhatsApp: media by id, looked up and fetched with the Bearer token" {
	run inbox-recv < <(wa_image wamid.IMG1 1000000001 'This is the valve')
	[ "$status" -eq 0 ]
	id=$output
	[ "$(seen /v19.0/ ; seen /wa-media/ | cut -d'?' -f1)" = "GET /v19.0/1000000001 Bearer $WA_TOKEN
GET /wa-media/1000000001 Bearer $WA_TOKEN" ]
	[ "$(hdr "$id" X-Inbox-Media)" = "1000000001 image/jpeg" ]
	cmp <(part "$id" 1) <(media photo.jpg)
	[ "$(part "$id" 0)" = "This is the valve" ]
	# an id the Graph API does not know, and a wrong token
	run inbox-recv < <(wa_image wamid.IMG2 1000000099 'Unknown')
	u=$output
	[ "$(hdr "$u" X-Inbox-Media-Error)" = "1000000099 HTTP status 400" ]
	INBOX_SECRET_WHATSAPP_TOKEN=wrong run inbox-recv < <(wa_image wamid.IMG3 1000000003 'Invoice')
	w=$output
	[ "$(hdr "$w" X-Inbox-Media-Error)" = "1000000003 HTTP status 401" ]
	# with the right token the refetch gets it (a PDF, whatever the
	# webhook said)
	run inbox-fsck --refetch
	[ "$status" -eq 1 ]
	[ "$(grep '^refetched' <<<"$output" | cut -f2)" = "$(msgfile "$w")" ]
	cmp <(part "$w" 1) <(media invoice.pdf)
	[ "$(hdr "$u" X-Inbox-Media-Error)" = "1000000099 HTTP status 400" ]
}

@test "inbox-show --save-attachments DIR: each part a file, under a safe name" {
	inbox-recv -q < <(mms MM0123456789abcdef0123456789abcd09 'Two photos' p1.jpg photo.png)
	tick
	inbox-recv -q < <(mms MM0123456789abcdef0123456789abcd10 'And again' p1.jpg)
	b64() { base64 -w 76; }
	{
		printf 'From: <jean@example.org>\nTo: office@fieldco.example\nSubject: files\n'
		printf 'Message-ID: <f1@example.org>\nMIME-Version: 1.0\n'
		printf 'Content-Type: multipart/mixed; boundary="b"\n\n--b\n'
		printf 'Content-Type: text/plain\n\nSee attached\n'
		for n in '../../etc/evil name.pdf' '.profile' '..' 'ok;rm -rf ~.txt'; do
			printf -- '--b\nContent-Type: application/octet-stream; name="%s"\n' "$n"
			printf 'Content-Disposition: attachment; filename="%s"\n' "$n"
			printf 'Content-Transfer-Encoding: base64\n\n'
			printf 'data of %s\n' "$n" | b64
		done
		printf -- '--b--\n'
	} | inbox-recv -q --format email
	e=$(inbox-ls -m --all --all-time -s 'See attached' | cut -f1)
	mkdir "$T/out"
	s=$(snapshot)
	run --separate-stderr inbox-show --save-attachments "$T/out" $CJ
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "$output" = "$T/out/media-1.jpg
$T/out/media-2.png
$T/out/2-media-1.jpg" ]
	cmp "$T/out/media-1.jpg" <(media p1.jpg)
	cmp "$T/out/media-2.png" <(media photo.png)
	# nothing marked read, nothing changed
	[ "$(snapshot)" = "$s" ]
	c=${e%%/*}
	run inbox-show --save-attachments "$T/out" "$c"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/out/evil_name.pdf
$T/out/profile
$T/out/${e#*/}-4
$T/out/ok_rm_-rf__.txt" ]
	[ "$(cat "$T/out/evil_name.pdf")" = "data of ../../etc/evil name.pdf" ]
	[ "$(ls -A "$T/out" | wc -l)" -eq 7 ]
	[ ! -e "$T/etc" ]
	# a directory that is not there
	run --separate-stderr inbox-show --save-attachments "$T/nowhere" $CJ
	[ "$status" -eq 64 ]
	[ "$stderr" = "inbox-show: $T/nowhere: no such directory" ]
}

@test "media.fetch: false keeps only the URL" {
	sed -i 's/^  max-size: .*/  fetch: false/' inbox.yaml
	git_commit "test: no fetch"
	run inbox-recv < <(mms MM0123456789abcdef0123456789abcd11 'The valve' p1.jpg)
	[ "$status" -eq 0 ]
	[ "$(hdr "$output" X-Inbox-Media)" = "$BASE/media/p1.jpg image/jpeg" ]
	[ "$(hdr "$output" Content-Type)" = "text/plain; charset=utf-8" ]
	[ "$(seen /media/)" = "" ]
}
