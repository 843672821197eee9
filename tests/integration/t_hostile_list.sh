#!/usr/bin/env bash
# t_hostile_list: a server (tests/integration/fakeserver) that sends a
# listing without end, or a tree without end, does not make mftp hold
# them in memory: ls and mget stop at RPC_LIST_MAX entries (1000000) and
# say so, get -r stops at that many entries in the whole tree, and
# nothing is downloaded.  The client runs with 1 GiB of address space,
# and within the client's time limit.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

W=$T/work
cd "$W" || fail "no $W"

# run_bounded CMDS: run_client with at most 1 GiB of address space.
run_bounded() {
	(
		ulimit -v 1048576
		run_client alice pw <<<"$1"
		printf '%s\n' "$RC" >"$T/bounded.rc"
	)
	RC=$(cat "$T/bounded.rc")
	OUT=$(cat "$T/client.out")
	ERR=$(cat "$T/client.err")
}

fake_up huge
run_bounded 'ls'
expect_ne "$RC" 0 "ls of a listing without end"
expect_contains "$ERR" "listing has more than 1000000 entries" \
    "ls of a listing without end"
expect_no_match "$ERR" "out of memory" "ls of a listing without end"
ok "ls stops a listing without end at 1000000 entries"

run_bounded 'mget f*'
expect_ne "$RC" 0 "mget of a listing without end"
expect_contains "$ERR" "listing has more than 1000000 entries" \
    "mget of a listing without end"
[ -z "$(find "$W" -mindepth 1 -print -quit)" ] || fail "mget wrote files"
ok "mget stops a listing without end and downloads nothing"

fake_up wide
run_bounded 'get -r topdir dest'
expect_ne "$RC" 0 "get -r of a tree without end"
expect_contains "$ERR" \
    "topdir: the server listed more than 1000000 entries below it" \
    "get -r of a tree without end"
[ ! -e "$W/dest" ] || fail "get -r made $W/dest"
ok "get -r stops a tree without end at 1000000 entries"
