#!/usr/bin/env bash
# t_demo_run: the README's first command, scripts/demo.sh, on a copy of
# the source tree with nothing built: it builds what it needs (and only
# that: none of the tests' helpers), starts its daemon, and connects the
# client, as a person at a terminal (tmux) sees it: the question about
# the server's key, the password, a listing of the demo's files; "quit"
# stops the daemon.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

for t in autoreconf tar tmux; do
	command -v "$t" >/dev/null || fail "$t is needed (scripts/deps.sh)"
done
src=$T/src
mkdir "$src"
tar -C "$top_srcdir" --exclude=./build --exclude=./.git \
    --exclude='./build-*' --exclude=./config.status --exclude=./config.log \
    -cf - . | tar -C "$src" -xf - || fail "cannot copy the source tree"

sock=$T/tmux.sock
tmux -S "$sock" new-session -d -x 200 -y 50 \
    "bash $(printf '%q' "$src/scripts/demo.sh"); echo DEMO-EXIT=\$?; sleep 60"
# The tmux server (and the demo under it) is stopped by the EXIT trap
# if the test fails.
BG_PIDS+=("$(tmux -S "$sock" display-message -p '#{pid}')")
# All the demo printed (the terminal's history; -J joins wrapped lines).
_screen_all() { tmux -S "$sock" capture-pane -p -J -S - -E - >"$T/demo.log"; }
_asks_or_ended() { _screen_has "(yes/no/[fingerprint])?" || _screen_has DEMO-EXIT=; }
_screen_has() { tmux -S "$sock" capture-pane -p | grep -qF -- "$1"; }

# The build: a few minutes at most on two cores.
{ wait_for 900 _asks_or_ended && _screen_has "(yes/no/[fingerprint])?"; } ||
	fail "the demo did not reach the client's question: $(_screen_all && tail -n 20 "$T/demo.log")"
_screen_all
expect_contains "$(cat "$T/demo.log")" "mftpd is listening on 127.0.0.1" \
    "the banner"
pass=$(sed -n 's/^  password: //p' "$T/demo.log" | tr -d '\r')
fp=$(sed -n 's/^  server key fingerprint: //p' "$T/demo.log" | tr -d '\r')
{ [ -n "$pass" ] && [ -n "$fp" ]; } ||
	fail "no password or fingerprint in the banner"
expect_contains "$(cat "$T/demo.log")" "Its key fingerprint is $fp." \
    "the question shows the banner's fingerprint"
[ ! -e "$src/build/tests/integration/tlsproxy" ] ||
	fail "the demo built the tests' helpers"
tmux -S "$sock" send-keys "yes" Enter
wait_for 20 _screen_has "assword" ||
	fail "no password prompt: $(tmux -S "$sock" capture-pane -p)"
tmux -S "$sock" send-keys "$pass" Enter
wait_for 20 _screen_has "mftp>" ||
	fail "no mftp prompt: $(tmux -S "$sock" capture-pane -p)"
tmux -S "$sock" send-keys "ls" Enter
wait_for 20 _screen_has "random-1MiB.bin" ||
	fail "ls did not list the demo's files: $(tmux -S "$sock" capture-pane -p)"
dpid=$(grep -o 'mftpd pid [0-9]*' "$T/demo.log" | head -n 1 | cut -d ' ' -f 3)
[ -n "$dpid" ] || fail "the demo did not say its daemon's pid"
kill -0 "$dpid" 2>/dev/null || fail "the demo's mftpd is not running"
tmux -S "$sock" send-keys "quit" Enter
wait_for 30 _screen_has "DEMO-EXIT=0" ||
	fail "the demo did not end well: $(tmux -S "$sock" capture-pane -p)"
wait_for 10 _not_running "$dpid" || fail "the demo's mftpd outlived it"
tmux -S "$sock" kill-server 2>/dev/null
ok "demo.sh on a fresh tree: builds, starts, connects, lists, stops"
