#!/usr/bin/env bash
# t_hostile_get: a server (tests/integration/fakeserver) that breaks a
# download's framing (more or fewer bytes than its FILE announced, a
# size of 2^64 - 1 it does not keep, a reply of the wrong type, a frame
# length of 2^31, WORKING frames past the file's size) makes get fail with an error that says what the
# server did; the local file of that name is left as it was, and
# nothing but its .part is written.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

W=$T/work
cd "$W" || fail "no $W"

# try SCENARIO WANT: get x from that server fails with WANT in its error.
try() {
	rm -f "$W/x.part" "$W/.x.part.key"
	echo mine >"$W/x"
	fake_up "$1"
	run_client alice pw <<<'get x'
	expect_ne "$RC" 0 "get x from a server that does '$1'"
	expect_contains "$ERR" "$2" "get x from a server that does '$1'"
	expect_eq "$(cat "$W/x")" mine "x after a get from '$1'"
	local got
	got=$(find "$W" -mindepth 1 ! -name x ! -name x.part ! -name .x.part.key)
	[ -z "$got" ] || fail "a get from '$1' wrote $got"
}

try short "the server sent more or fewer bytes than it announced"
try long "the server sent more or fewer bytes than it announced"
try overflow "connection closed by the server in the middle of a file's data"
try wrongtype "protocol error: ATTR where FILE was expected"
try bigframe "protocol error in a reply: frame length 0 or over 65536"
# More hashed than the file holds: at a terminal, the bar drawn from it
# wrote past its line and mftp died of SIGSEGV.
try working "protocol error: WORKING with 200 bytes hashed of 100"
ok "a broken download fails, saying how, and leaves the local file as it was"
