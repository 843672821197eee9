#!/usr/bin/env bash
# t_hostile_list: a server (tests/integration/fakeserver) that sends a
# listing without end, or a tree without end, does not make mftp hold
# them in memory: ls and mget stop at RPC_LIST_MAX entries (1000000) and
# say so, get -r stops at that many entries in the whole tree, or 256
# MiB of its paths, and nothing is downloaded.  The client runs with 1 GiB of address space,
# and within the client's time limit.  Ctrl-C at the prompt (under tmux)
# stops a listing that never ends.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_tmux.sh
. "$(dirname "$0")/lib_tmux.sh"

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
    "topdir: the server listed more below it than mftp takes at once" \
    "get -r of a tree without end"
[ ! -e "$W/dest" ] || fail "get -r made $W/dest"
ok "get -r stops a tree without end at 1000000 entries"

# Fewer entries, but paths of 4 KB: 1000000 of them would be 4 GB.
fake_up deep
run_bounded 'get -r topdir dest'
expect_ne "$RC" 0 "get -r of a tree of long paths"
expect_contains "$ERR" \
    "topdir: the server listed more below it than mftp takes at once" \
    "get -r of a tree of long paths"
expect_no_match "$ERR" "out of memory|malloc" "get -r of a tree of long paths"
[ ! -e "$W/dest" ] || fail "get -r made $W/dest"
ok "get -r stops a tree of long paths at 256 MiB of them"

# Ctrl-C at the prompt stops a listing that comes slowly and never ends
# (a million entries would take a day): "interrupted", and the prompt
# comes back, logged in again.
fake_up trickle
sock=$T/tmux.sock
echo pw >"$T/pw"
prompts() { tmux_screen "$sock" | grep -cE "^(\^C)?mftp>"; }
_more_prompts() { [ "$(prompts)" -gt "$1" ]; }
_listing() { [ "$(grep -c 'LIST' "$T/fakeserver.log")" -ge 1 ]; }
tmux_start "$sock" "cd $(printf %q "$W") && $(printf '%q ' "$MFTP" -P "$PORT" \
    --password-fd 3 "alice@$HOST") 3<$T/pw 2>&1; echo EXIT=\$?; sleep 60"
wait_for 15 tmux_has "$sock" "mftp>" ||
	fail "no prompt: $(tmux_screen "$sock")"
n=$(prompts)
tmux -S "$sock" send-keys -l "ls"
tmux -S "$sock" send-keys Enter
wait_for 10 _listing || fail "the listing did not start"
sleep 1
tmux -S "$sock" send-keys C-c
wait_for 10 _more_prompts "$n" ||
	fail "no prompt within 10 s of ^C in a listing: $(tmux_screen "$sock")"
expect_contains "$(tmux_screen "$sock")" "mftp: ls: interrupted" \
    "the reason ls gives after ^C"
# The terminal's "^C" echo is blanked, not left before the line.
expect_not_contains "$(tmux_screen "$sock")" "^Cmftp" "the line after ^C"
expect_not_contains "$(tmux_screen "$sock")" "EXIT=" "mftp after ^C in ls"
ok "^C stops a listing that never ends; the prompt comes back"

# The same in the listing Tab completion asks for: the next command
# runs, logged in again.
n=$(prompts)
tmux -S "$sock" send-keys -l "get "
tmux -S "$sock" send-keys Tab
sleep 1
tmux -S "$sock" send-keys C-c
sleep 1
# The line ("get " and what follows) goes with the ^C, at its Enter.
tmux -S "$sock" send-keys Enter
wait_for 10 _more_prompts "$n" ||
	fail "no prompt after ^C in completion: $(tmux_screen "$sock")"
n=$(prompts)
tmux -S "$sock" send-keys -l "pwd"
tmux -S "$sock" send-keys Enter
wait_for 10 _more_prompts "$n" ||
	fail "no prompt after pwd: $(tmux_screen "$sock")"
expect_match "$(tmux_screen "$sock")" "^/$" "pwd after ^C in completion"
expect_not_contains "$(tmux_screen "$sock")" "EXIT=" \
    "mftp after ^C in completion"
ok "^C stops the listing of a completion; the next command runs"
