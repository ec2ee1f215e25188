#!/usr/bin/env bats
# inbox-contact: add, edit, ls, show and import of customers and staff;
# the address index; refusals that change nothing.

load helper
bats_require_minimum_version 1.5.0

setup() {
	new_store
}

NOW=2026-11-22T08:53:20Z

# The contact file of id.
cfile() {
	cat "$S/contacts/$(printf '%s' "$1" | sha1sum | cut -c1-2)/$1"
}

# The conversation id for a key ("contact:jane-doe", "addr:+1...").
cid() {
	printf '%s' "$1" | sha1sum | cut -c1-12
}

commits() {
	git rev-list --count HEAD
}

# --- add ---------------------------------------------------------------

@test "add: a customer, its file, one commit by the user" {
	run --separate-stderr inbox-contact add --name 'Jane Doe' \
	    --phone '(512) 555-0100' --email jane@Example.COM
	[ "$status" -eq 0 ]
	[ "$output" = jane-doe ]
	[ "$stderr" = "" ]
	[ "$(cfile jane-doe)" = "name: Jane Doe
kind: customer
group: customer
phone: +15125550100
email: jane@example.com
created: $NOW" ]
	[ "$(commits)" -eq 2 ]
	[ "$(git log -1 --format='%an <%ae>|%s')" = \
	    "office <office@fieldco.example>|inbox-contact: add customer jane-doe (Jane Doe)" ]
	[ "$(git log -1 --format=%b)" = "Contact: jane-doe" ]
	[ "$(git show --stat --format= HEAD | grep -c '|')" -eq 3 ]
}

@test "add: -u names the author, -q prints nothing" {
	run inbox-contact add -q -u alice --name 'Jane Doe'
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(git log -1 --format=%an)" = alice ]
}

@test "add: ids come from the name, -2 for the second" {
	run inbox-contact add --name ' Jane  DOE ' --phone 5125550100
	[ "$output" = jane-doe ]
	run inbox-contact add --name 'Jane Doe' --phone 5125550101
	[ "$status" -eq 0 ]
	[ "$output" = jane-doe-2 ]
	[ "$(cfile jane-doe | head -n 1)" = "name: Jane  DOE" ]
}

@test "add: every field, numbers in E.164, known order" {
	run inbox-contact add --id jd --name 'Jane Doe' --phone 512.555.0100 \
	    --phone '+1 512 555 0101' --phone 5125550100 --email a@x.com \
	    --email b@x.com --whatsapp 0044-20-7946-0958 --group tenant \
	    --note 'gate code 1234'
	[ "$status" -eq 0 ]
	[ "$output" = jd ]
	[ "$(cfile jd)" = "name: Jane Doe
kind: customer
group: tenant
phone: +15125550100
phone: +15125550101
email: a@x.com
email: b@x.com
whatsapp: +442079460958
note: gate code 1234
created: $NOW" ]
	[ "$(git log -1 --format=%s)" = "inbox-contact: add customer jd (Jane Doe)" ]
}

@test "add: staff, id is the login, role tech by default" {
	# with staff on the books the acting user must be one of them
	printf '\nstaff:\n  office: {name: Office, role: admin}\n' >>inbox.yaml
	run inbox-contact add --staff --login alice --name 'Alice Ng' \
	    --phone 5125550150
	[ "$status" -eq 0 ]
	[ "$output" = alice ]
	[ "$(cfile alice)" = "name: Alice Ng
kind: staff
group: staff
phone: +15125550150
login: alice
role: tech
created: $NOW" ]
	[ "$(git log -1 --format=%s)" = "inbox-contact: add staff alice (Alice Ng)" ]
	run inbox-contact add --staff --login bob --role admin --name Bob
	[ "$(cfile bob | grep role)" = "role: admin" ]
}

@test "add: staff options out of place are usage errors" {
	before=$(snapshot)
	run inbox-contact add --name A --login alice
	[ "$status" -eq 64 ]
	run inbox-contact add --name A --role admin
	[ "$status" -eq 64 ]
	run inbox-contact add --name A --staff
	[ "$status" -eq 64 ]
	run inbox-contact add --name A --staff --login alice --id al
	[ "$status" -eq 64 ]
	[ "$output" = "inbox-contact: a staff member's id is the login: --id al is not --login alice" ]
	run inbox-contact ls --dry-run
	[ "$status" -eq 64 ]
	run inbox-contact show --name x jane
	[ "$status" -eq 64 ]
	[ "$(snapshot)" = "$before" ]
}

@test "add: without --name is a usage error, nothing changed" {
	before=$(snapshot)
	run --separate-stderr inbox-contact add --phone 5125550100
	[ "$status" -eq 64 ]
	[ "$output" = "" ]
	[ "${stderr%%$'\n'*}" = "usage: inbox-contact add [-q] [-C DIR] [-u USER] [--id ID] --name NAME" ]
	run inbox-contact add --name '  '
	[ "$status" -eq 64 ]
	[ "$output" = "inbox-contact: empty name" ]
	[ "$(snapshot)" = "$before" ]
}

@test "add: a number that is not one, exit 65, nothing changed" {
	before=$(snapshot)
	run inbox-contact add --name 'Jane Doe' --phone abc
	[ "$status" -eq 65 ]
	[ "$output" = "inbox-contact: 'abc' is not a phone number" ]
	run inbox-contact add --name 'Jane Doe' --email 'jane at example'
	[ "$status" -eq 65 ]
	[ "$output" = "inbox-contact: 'jane at example' is not an email address" ]
	run inbox-contact add --name 'Jane Doe' --whatsapp 12
	[ "$status" -eq 65 ]
	[ "$(snapshot)" = "$before" ]
}

@test "add: a newline in a value (header injection), exit 65, nothing changed" {
	before=$(snapshot)
	run inbox-contact add --name "$(printf 'Jane\nkind: staff')"
	[ "$status" -eq 65 ]
	[ "$output" = "inbox-contact: name: value has control characters or bad UTF-8" ]
	run inbox-contact add --name Jane --note "$(printf 'a\rb')"
	[ "$status" -eq 65 ]
	[ "$output" = "inbox-contact: note: value has control characters or bad UTF-8" ]
	[ "$(snapshot)" = "$before" ]
}

@test "add: bad ids and groups are usage errors" {
	before=$(snapshot)
	run inbox-contact add --id ../x --name X
	[ "$status" -eq 64 ]
	[ "$output" = "inbox-contact: '../x' is not a valid contact id" ]
	run inbox-contact add --name X --group 'a b'
	[ "$status" -eq 64 ]
	run inbox-contact add --name X --staff --login 'al ice'
	[ "$status" -eq 64 ]
	[ "$(snapshot)" = "$before" ]
}

@test "add: an address of another contact is refused, exit 3, nothing changed" {
	customer jane-doe 'Jane Doe' 5125550100 jane@example.com
	before=$(snapshot)
	run inbox-contact add --name Bob --phone 5125550199 --phone 5125550100
	[ "$status" -eq 3 ]
	[ "$output" = "inbox-contact: +15125550100 already belongs to jane-doe" ]
	[ "$(snapshot)" = "$before" ]
	run inbox-contact add --name Bob --email jane@EXAMPLE.com
	[ "$status" -eq 3 ]
	[ "$output" = "inbox-contact: jane@example.com already belongs to jane-doe" ]
	run inbox-contact add --name Bob --whatsapp +15125550100
	[ "$status" -eq 3 ]
	[ "$(snapshot)" = "$before" ]
	[ "$(commits)" -eq 2 ]
}

@test "add: an id that is taken is refused, exit 3" {
	customer jane-doe 'Jane Doe' 5125550100
	before=$(snapshot)
	run inbox-contact add --id jane-doe --name 'Jane Other'
	[ "$status" -eq 3 ]
	[ "$output" = "inbox-contact: contact jane-doe already exists" ]
	run inbox-contact add --staff --login jane-doe --name 'Jane Staff'
	[ "$status" -eq 3 ]
	[ "$(snapshot)" = "$before" ]
}

@test "add: the store lock busy is a temporary failure, exit 75" {
	command -v flock >/dev/null || skip "no flock(1)"
	before=$(snapshot)
	INBOX_LOCK_TIMEOUT=0 run flock "$S/.git/inbox/lock" \
	    inbox-contact add --name 'Jane Doe'
	[ "$status" -eq 75 ]
	[ "$(snapshot)" = "$before" ]
}

# --- the address index -------------------------------------------------

@test "index: a message from a customer's number lands in its conversation" {
	customer jane-doe 'Jane Doe' 5125550100
	recv_sms SM1 +15125550100 'Is the tech coming?' >/dev/null
	c=$(cid contact:jane-doe)
	run inbox-ls -s Jane
	[ "$status" -eq 0 ]
	[ "$output" = "$c	1	$NOW	sms	Jane Doe	Is the tech coming?" ]
	run inbox-ls -s 555-0100
	[ "$output" = "$c	1	$NOW	sms	Jane Doe	Is the tech coming?" ]
	[ "$(conv_of +15125550100)" = "$c" ]
	[ -z "$(ls "conv/$(cid addr:+15125550100 | cut -c1-2)" 2>/dev/null)" ]
}

@test "index: a second number added by edit lands there too" {
	customer jane-doe 'Jane Doe' 5125550100
	inbox-contact edit -q jane-doe --add-phone 5125550101
	recv_sms SM1 +15125550101 'From my work phone' >/dev/null
	[ "$(conv_of 'Jane Doe')" = "$(cid contact:jane-doe)" ]
}

@test "index: a removed number is released" {
	customer jane-doe 'Jane Doe' 5125550100
	inbox-contact edit -q jane-doe --add-phone 5125550101 \
	    --remove-phone 5125550100
	run inbox-contact show +15125550100
	[ "$status" -eq 1 ]
	[ "$output" = "inbox-contact: no contact +15125550100" ]
	recv_sms SM1 +15125550100 'new owner' >/dev/null
	[ "$(conv_of 'new owner')" = "$(cid addr:+15125550100)" ]
	run inbox-contact add -q --name Bob --phone 5125550100
	[ "$status" -eq 0 ]
}

@test "index: an address with a conversation of its own gets a hint, messages stay" {
	recv_sms SM1 +15125550300 'hello?' >/dev/null
	c=$(cid addr:+15125550300)
	[ "$(conv_of +15125550300)" = "$c" ]
	run --separate-stderr inbox-contact add --name 'New Guy' \
	    --phone 512-555-0300
	[ "$status" -eq 0 ]
	[ "$output" = new-guy ]
	[ "$stderr" = "inbox-contact: +15125550300 has a conversation of its own ($c); move it with inbox-link" ]
	[ "$(ls "conv/${c:0:2}/$c/new" | wc -l)" -eq 1 ]
	[ "$(git show --stat --format= HEAD | grep -c conv/)" -eq 0 ]
	run --separate-stderr inbox-contact edit jane-doe --name X
	[ "$status" -eq 1 ]
	run --separate-stderr inbox-contact edit new-guy --add-email ng@x.com
	[ "$stderr" = "" ]
}

# --- edit --------------------------------------------------------------

@test "edit: the name, one commit naming what changed" {
	customer jane-doe 'Jane Doe' 5125550100
	run --separate-stderr inbox-contact edit jane-doe --name 'Jane Q. Doe' \
	    --add-email jane@example.com --group owner
	[ "$status" -eq 0 ]
	[ "$output" = jane-doe ]
	[ "$(cfile jane-doe)" = "name: Jane Q. Doe
kind: customer
group: owner
phone: +15125550100
email: jane@example.com
created: $NOW" ]
	[ "$(git log -1 --format=%s)" = "inbox-contact: edit customer jane-doe (Jane Q. Doe): name, group, email" ]
	[ "$(git log -1 --format=%b)" = "Contact: jane-doe" ]
	[ "$(git log -1 --format=%an)" = office ]
}

@test "edit: find the contact by number or email" {
	customer jane-doe 'Jane Doe' 5125550100 jane@example.com
	run inbox-contact edit '(512) 555-0100' --note 'side door'
	[ "$status" -eq 0 ]
	[ "$output" = jane-doe ]
	run inbox-contact edit jane@example.com --note ''
	[ "$output" = jane-doe ]
	[ -z "$(cfile jane-doe | grep note)" ]
	[ "$(git log -2 --format=%s)" = "inbox-contact: edit customer jane-doe (Jane Doe): note
inbox-contact: edit customer jane-doe (Jane Doe): note" ]
}

@test "edit: no change, exit 0, no commit" {
	customer jane-doe 'Jane Doe' 5125550100
	before=$(snapshot)
	run inbox-contact edit jane-doe --name 'Jane Doe' --add-phone 5125550100
	[ "$status" -eq 0 ]
	[ "$output" = jane-doe ]
	[ "$(snapshot)" = "$before" ]
}

@test "edit: phones and emails in and out" {
	customer jane-doe 'Jane Doe' 5125550100 jane@example.com
	inbox-contact edit -q jane-doe --add-phone 5125550101 \
	    --add-phone 5125550102 --remove-email jane@example.com \
	    --add-email j@doe.org
	[ "$(cfile jane-doe)" = "name: Jane Doe
kind: customer
group: customer
phone: +15125550100
phone: +15125550101
phone: +15125550102
email: j@doe.org
created: $NOW" ]
	[ "$(git log -1 --format=%s)" = "inbox-contact: edit customer jane-doe (Jane Doe): phone, email" ]
	run inbox-contact show jane@example.com
	[ "$status" -eq 1 ]
	run inbox-contact show 512-555-0102
	[ "${lines[0]}" = "id: jane-doe" ]
}

@test "edit: a staff member's role" {
	# with staff on the books the acting user must be one of them
	printf '\nstaff:\n  office: {name: Office, role: admin}\n' >>inbox.yaml
	inbox-contact add -q --staff --login alice --name Alice
	run inbox-contact edit alice --role office
	[ "$status" -eq 0 ]
	[ "$(cfile alice | grep role)" = "role: office" ]
	[ "$(git log -1 --format=%s)" = "inbox-contact: edit staff alice (Alice): role" ]
}

@test "edit: errors change nothing" {
	customer jane-doe 'Jane Doe' 5125550100
	customer bob 'Bob' 5125550199
	before=$(snapshot)
	run inbox-contact edit nobody --name X
	[ "$status" -eq 1 ]
	[ "$output" = "inbox-contact: no contact nobody" ]
	run inbox-contact edit jane-doe --remove-phone 5125550111
	[ "$status" -eq 1 ]
	[ "$output" = "inbox-contact: jane-doe has no phone +15125550111" ]
	run inbox-contact edit jane-doe --add-phone 5125550199 --name New
	[ "$status" -eq 3 ]
	[ "$output" = "inbox-contact: +15125550199 already belongs to bob" ]
	run inbox-contact edit jane-doe --add-phone nope
	[ "$status" -eq 65 ]
	[ "$output" = "inbox-contact: 'nope' is not a phone number" ]
	run inbox-contact edit jane-doe --name "$(printf 'A\nB')"
	[ "$status" -eq 65 ]
	run inbox-contact edit jane-doe --role admin
	[ "$status" -eq 64 ]
	[ "$output" = "inbox-contact: jane-doe is not staff: --role is for staff" ]
	run inbox-contact edit jane-doe
	[ "$status" -eq 64 ]
	run inbox-contact edit --name X
	[ "$status" -eq 64 ]
	[ "$(snapshot)" = "$before" ]
}

# --- ls, show ----------------------------------------------------------

@test "ls: one line per contact, sorted by id, - for empty" {
	# with staff on the books the acting user must be one of them
	printf '\nstaff:\n  office: {name: Office, role: admin}\n' >>inbox.yaml
	customer zed 'Zed Zee' 5125550100
	inbox-contact add -q --id amy --name 'Amy Ames' --email amy@x.com \
	    --group tenant
	inbox-contact add -q --staff --login tom --name 'Tom Tech'
	run inbox-contact ls
	[ "$status" -eq 0 ]
	[ "$output" = "amy	customer	Amy Ames	-	amy@x.com
tom	staff	Tom Tech	-	-
zed	customer	Zed Zee	+15125550100	-" ]
	run inbox-contact ls --staff
	[ "$output" = "tom	staff	Tom Tech	-	-" ]
	run inbox-contact ls --customers
	[ "$(echo "$output" | cut -f1 | tr '\n' ' ')" = "amy zed " ]
	run inbox-contact ls --group tenant
	[ "$output" = "amy	customer	Amy Ames	-	amy@x.com" ]
	run inbox-contact ls --staff --customers
	[ "$status" -eq 64 ]
}

@test "ls: -s searches names, fields and the digits of numbers" {
	customer jane-doe 'Jane Doe' 5125550100 jane@example.com
	customer bob 'Bob Smith' 5125550199
	run inbox-contact ls -s JANE
	[ "$(echo "$output" | cut -f1)" = jane-doe ]
	run inbox-contact ls -s '(512) 555-0199'
	[ "$(echo "$output" | cut -f1)" = bob ]
	run inbox-contact ls -s example.com
	[ "$(echo "$output" | cut -f1)" = jane-doe ]
	run inbox-contact ls -s nobody
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
}

@test "ls: -0 and --json" {
	# with staff on the books the acting user must be one of them
	printf '\nstaff:\n  office: {name: Office, role: admin}\n' >>inbox.yaml
	customer jane-doe 'Jane Doe' 5125550100 jane@example.com
	customer bob 'Bob' 5125550199
	[ "$(inbox-contact ls -0 | tr '\0' '|')" = "bob|jane-doe|" ]
	run inbox-contact ls --json -s jane
	[ "$output" = "{\"id\":\"jane-doe\",\"name\":\"Jane Doe\",\"kind\":\"customer\",\"group\":\"customer\",\"phones\":[\"+15125550100\"],\"emails\":[\"jane@example.com\"],\"created\":\"$NOW\"}" ]
	inbox-contact add -q --staff --login al --name Al
	run inbox-contact ls --json --staff
	[ "$output" = "{\"id\":\"al\",\"name\":\"Al\",\"kind\":\"staff\",\"group\":\"staff\",\"phones\":[],\"emails\":[],\"login\":\"al\",\"role\":\"tech\",\"created\":\"$NOW\"}" ]
	if command -v jq >/dev/null; then
		[ "$(inbox-contact ls --json | jq -r .id | tr '\n' ' ')" = "al bob jane-doe " ]
	fi
}

@test "ls: -C names the store; edit: -u names the author" {
	customer jane-doe 'Jane Doe' 5125550100
	cd /
	unset INBOX_DIR
	run inbox-contact ls -C "$S"
	[ "$status" -eq 0 ]
	[ "$output" = "jane-doe	customer	Jane Doe	+15125550100	-" ]
	run inbox-contact edit -C "$S" -u bob jane-doe --group lead
	[ "$status" -eq 0 ]
	[ "$(git -C "$S" log -1 --format='%an|%s')" = "bob|inbox-contact: edit customer jane-doe (Jane Doe): group" ]
}

@test "ls: an empty store lists nothing, exit 1" {
	run inbox-contact ls
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
}

@test "show: key: value lines, the id first; --json" {
	customer jane-doe 'Jane Doe' 5125550100 jane@example.com
	run inbox-contact show jane-doe
	[ "$status" -eq 0 ]
	[ "$output" = "id: jane-doe
name: Jane Doe
kind: customer
group: customer
phone: +15125550100
email: jane@example.com
created: $NOW" ]
	run inbox-contact show --json 512-555-0100
	[ "$output" = "{\"id\":\"jane-doe\",\"name\":\"Jane Doe\",\"kind\":\"customer\",\"group\":\"customer\",\"phones\":[\"+15125550100\"],\"emails\":[\"jane@example.com\"],\"created\":\"$NOW\"}" ]
}

@test "show: an unknown contact, exit 1" {
	run inbox-contact show nobody
	[ "$status" -eq 1 ]
	[ "$output" = "inbox-contact: no contact nobody" ]
	run inbox-contact show +15125550100
	[ "$status" -eq 1 ]
	run inbox-contact show '../etc'
	[ "$status" -eq 1 ]
	run inbox-contact show
	[ "$status" -eq 64 ]
}

# --- import ------------------------------------------------------------

# A Jobber-style export: BOM, CRLF, quoted commas, doubled quotes, a line
# break inside quotes, two phone columns, a tags column.
jobber_csv() {
	printf '\357\273\277Client ID,First Name,Last Name,Company Name,Mobile Phone,Home Phone,Email Address,Type,Tags\r\n'
	printf 'C1,Mary,"O""Brien",,(512) 555-0201,,Mary@Example.com,Residential,"vip, gate"\r\n'
	printf 'C2,Tom,"Lee, Jr.",,512.555.0202,512-555-0203,,Service Pro,\r\n'
	printf 'C3,,,"Acme, Inc.",,,"ap@acme.example",Commercial,"net 30\r\nnever on fridays"\r\n'
	printf ',,,,,,,,\r\n'
}

@test "import: quotes, BOM, CRLF, two phone columns, one commit" {
	jobber_csv >customers.csv
	run --separate-stderr inbox-contact import customers.csv
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "$output" = "C1
C2
C3" ]
	[ "$(commits)" -eq 2 ]
	[ "$(git log -1 --format='%an|%s')" = "office|inbox-contact: import 3 contacts from customers.csv" ]
	[ "$(git log -1 --format=%b)" = "Contact: C1
Contact: C2
Contact: C3" ]
	[ "$(cfile C1)" = "name: Mary O\"Brien
kind: customer
group: residential
phone: +15125550201
email: mary@example.com
created: $NOW" ]
	[ "$(cfile C2)" = "name: Tom Lee, Jr.
kind: customer
group: service-pro
phone: +15125550202
phone: +15125550203
created: $NOW" ]
	[ "$(cfile C3)" = "name: Acme, Inc.
kind: customer
group: commercial
email: ap@acme.example
created: $NOW" ]
	recv_sms SM1 +15125550203 'gate is open' >/dev/null
	[ "$(conv_of 'Tom Lee')" = "$(cid contact:C2)" ]
}

@test "import: importing the same file again changes nothing" {
	jobber_csv >customers.csv
	inbox-contact import -q customers.csv
	before=$(snapshot)
	run inbox-contact import customers.csv
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$(snapshot)" = "$before" ]
	run inbox-contact import --dry-run customers.csv
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "import: a changed name and a new number update the contact" {
	jobber_csv >customers.csv
	inbox-contact import -q customers.csv
	printf 'client_id,first_name,last_name,phone_1,phone_2\nC1,Mary,Brien,5125550201,5125550209\n' >v2.csv
	run inbox-contact import v2.csv
	[ "$status" -eq 0 ]
	[ "$output" = C1 ]
	[ "$(git log -1 --format=%s)" = "inbox-contact: update 1 contact from v2.csv" ]
	[ "$(cfile C1)" = "name: Mary Brien
kind: customer
group: residential
phone: +15125550201
phone: +15125550209
email: mary@example.com
created: $NOW" ]
}

@test "import: rows without an id match by number or email" {
	customer jane-doe 'Jane Doe' 5125550100 jane@example.com
	printf 'Name,Phone,Email\nJane Doe,,jane@EXAMPLE.com\nJanet Doe,512-555-0100,jd@work.example\nNew Person,5125550111,\n' >c.csv
	run inbox-contact import c.csv
	[ "$status" -eq 0 ]
	[ "$output" = "jane-doe
new-person" ]
	[ "$(git log -1 --format=%s)" = "inbox-contact: import 1 contact from c.csv, update 1 contact" ]
	[ "$(cfile jane-doe)" = "name: Janet Doe
kind: customer
group: customer
phone: +15125550100
email: jane@example.com
email: jd@work.example
created: $NOW" ]
	run inbox-contact import c.csv
	[ "$output" = "" ]
}

@test "import: bad rows are reported by line and skipped, the rest goes in, exit 1" {
	customer bob 'Bob' 5125550199
	customer jane-doe 'Jane Doe' 5125550100 jane@example.com
	printf 'Name,Phone,Email\n' >bad.csv
	printf 'Good One,5125550101,\n' >>bad.csv
	printf 'Bad Number,555-01,\n' >>bad.csv
	printf '"Two\nLines",5125550102,\n' >>bad.csv
	printf ',5125550103,\n' >>bad.csv
	printf 'Mixed Up,5125550199,jane@example.com\n' >>bad.csv
	printf 'No Address,,\n' >>bad.csv
	printf 'Bad Email,,not-an-email\n' >>bad.csv
	printf 'Good Two,,g2@x.com\n' >>bad.csv
	run --separate-stderr inbox-contact import bad.csv
	[ "$status" -eq 1 ]
	[ "$output" = "good-one
good-two" ]
	[ "$stderr" = "inbox-contact: line 3: '555-01' has too few digits for a phone number
inbox-contact: line 4: name: value has control characters or bad UTF-8
inbox-contact: line 6: no name
inbox-contact: line 7: jane@example.com already belongs to jane-doe
inbox-contact: line 8: No Address has no phone or email
inbox-contact: line 9: 'not-an-email' is not an email address" ]
	[ "$(git log -1 --format=%s)" = "inbox-contact: import 2 contacts from bad.csv" ]
	[ "$(cfile bob | head -n 1)" = "name: Bob" ]
}

@test "import: an id row whose number belongs to another contact is skipped" {
	customer bob 'Bob' 5125550199
	printf 'id,name,phone\nc9,Carl,5125550199\nc9,Carl,5125550198\n' >c.csv
	run --separate-stderr inbox-contact import c.csv
	[ "$status" -eq 1 ]
	[ "$stderr" = "inbox-contact: line 2: +15125550199 already belongs to bob" ]
	[ "$output" = c9 ]
	[ "$(cfile c9 | grep phone)" = "phone: +15125550198" ]
}

@test "import: rows repeated in one file make one contact" {
	printf 'name,phone\nJane Doe,5125550100\nJane Doe,(512) 555-0100\nJane Doe,5125550101\n' >c.csv
	run inbox-contact import c.csv
	[ "$status" -eq 0 ]
	[ "$output" = "jane-doe
jane-doe-2" ]
	[ "$(cfile jane-doe-2 | grep phone)" = "phone: +15125550101" ]
}

@test "import: --dry-run prints what it would do and changes nothing" {
	customer jane-doe 'Jane Doe' 5125550100
	printf 'name,phone\nJanet Doe,5125550100\nJane Doe,5125550101\nAl,5125550102\n' >c.csv
	before=$(snapshot)
	run inbox-contact import --dry-run c.csv
	[ "$status" -eq 0 ]
	[ "$output" = "jane-doe	update	Janet Doe
jane-doe-2	add	Jane Doe
al	add	Al" ]
	[ "$(snapshot)" = "$before" ]
	run inbox-contact import c.csv
	[ "$output" = "jane-doe
jane-doe-2
al" ]
}

@test "import: - reads standard input" {
	run inbox-contact import - <<-EOF
	name,phone
	Jane Doe,5125550100
	EOF
	[ "$status" -eq 0 ]
	[ "$output" = jane-doe ]
	[ "$(git log -1 --format=%s)" = "inbox-contact: import 1 contact from stdin" ]
}

@test "import: a row in Latin-1 is skipped, one with a NUL byte refused" {
	printf 'name,phone\nJos\351,5125550100\nAna,5125550101\n' >l1.csv
	run --separate-stderr inbox-contact import l1.csv
	[ "$status" -eq 1 ]
	[ "$output" = ana ]
	[ "$stderr" = "inbox-contact: line 2: name: value has control characters or bad UTF-8" ]
	before=$(snapshot)
	printf 'name,phone\nA\000B,5125550102\n' >nul.csv
	run inbox-contact import nul.csv
	[ "$status" -eq 65 ]
	[ "$output" = "inbox-contact: nul.csv: a NUL byte: not a CSV file" ]
	rm nul.csv
	[ "$(snapshot)" = "$before" ]
}

@test "import: a broken file changes nothing, exit 65" {
	before=$(snapshot)
	printf 'name,phone\nJane,5125550100\n"Open,5125550101\n' >open.csv
	run inbox-contact import open.csv
	[ "$status" -eq 65 ]
	[ "$output" = "inbox-contact: open.csv: line 3: a quote that never closes" ]
	printf 'street,city\n1 Main,Austin\n' >noname.csv
	run inbox-contact import noname.csv
	[ "$status" -eq 65 ]
	[ "$output" = "inbox-contact: noname.csv: no name column (name, full name, first name, last name or company)" ]
	: >empty.csv
	run inbox-contact import empty.csv
	[ "$status" -eq 65 ]
	[ "$output" = "inbox-contact: empty.csv: no header row" ]
	run inbox-contact import missing.csv
	[ "$status" -eq 2 ]
	[ "$output" = "inbox-contact: missing.csv: No such file or directory" ]
	rm open.csv noname.csv empty.csv
	[ "$(snapshot)" = "$before" ]
}

@test "import: an address with a conversation of its own gets a hint" {
	recv_sms SM1 +15125550300 'hello?' >/dev/null
	printf 'name,phone\nNew Guy,5125550300\n' >c.csv
	run --separate-stderr inbox-contact import -q c.csv
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	[ "$stderr" = "inbox-contact: +15125550300 has a conversation of its own ($(cid addr:+15125550300)); move it with inbox-link" ]
}

# --- usage -------------------------------------------------------------

@test "usage: -h prints the man page SYNOPSIS, exit 0" {
	run --separate-stderr inbox-contact -h
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	usage=$(echo "$output" | sed 's/^usage: //' | tr -s ' \n' '  ' |
	    sed 's/^ //; s/ $//')
	command -v mandoc >/dev/null && command -v col >/dev/null ||
	    skip "no mandoc or col"
	synopsis=$(mandoc -Tascii "$INBOX_SRC/man/inbox-contact.1" |
	    col -bx | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' |
	    tr -s ' \n' '  ' | sed 's/^ //; s/ $//')
	[ "$usage" = "$synopsis" ]
	run inbox-contact add --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: inbox-contact add [-q] [-C DIR] [-u USER] [--id ID] --name NAME" ]
}

@test "usage: no or an unknown subcommand, exit 64" {
	run inbox-contact
	[ "$status" -eq 64 ]
	run inbox-contact frob
	[ "$status" -eq 64 ]
	run inbox-contact --version
	[ "$status" -eq 0 ]
	[ "$output" = "inbox-contact 0.1.0" ]
}
