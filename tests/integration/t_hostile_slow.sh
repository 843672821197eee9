#!/usr/bin/env bash
# t_hostile_slow: a server (tests/integration/fakeserver, "slowstat")
# that sends its reply a byte every half second holds a command no
# longer than a second after Ctrl-C: stat says "interrupted", and the
# prompt comes back (with a new login, as after a stopped transfer).
# Before, Ctrl-C was not looked at while a plain reply was waited for,
# and the prompt came back only when the whole reply had trickled in.
# Without Ctrl-C (a script), a frame must come whole within the I/O
# timeout of its first byte and 16 s (the largest frame at the lowest
# rate a server paces a user to); before, each byte restarted the wait.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_tmux.sh
. "$(dirname "$0")/lib_tmux.sh"

W=$T/work
cd "$W" || fail "no $W"

fake_up slowstat
sock=$T/tmux.sock
tmux_mftp "$sock" "$W" alice pw
tmux_type "$sock" 'stat x'
wait_for 10 fake_logged "STAT x" || fail "no STAT: $(tail -3 "$T/fakeserver.log")"
sleep 0.3
tmux -S "$sock" send-keys C-c
# The reply takes 20 s and more to trickle in; a second after Ctrl-C
# it is given up.
wait_for 5 tmux_has "$sock" "mftp: stat: interrupted" ||
	fail "Ctrl-C did not stop the wait: $(tmux_screen "$sock" | tail -5)"
wait_for 10 tmux_more_prompts "$sock" 1 ||
	fail "no prompt after Ctrl-C: $(tmux_screen "$sock" | tail -5)"
tmux_has "$sock" "size" && fail "the trickled reply was shown"
ok "Ctrl-C ends a wait for a reply that trickles in"

# Ctrl-C while a download's DATA_END is awaited: the line of a stopped
# transfer, with the command that resumes it (before, the wait ended
# only when the DATA_END came, and then as a plain "interrupted").
fake_up slowend
sock=$T/tmux2.sock
tmux_mftp "$sock" "$W" alice pw
tmux_type "$sock" 'get x'
wait_for 10 fake_logged "GET x" || fail "no GET: $(tail -3 "$T/fakeserver.log")"
sleep 0.5
tmux -S "$sock" send-keys C-c
wait_for 5 tmux_has "$sock" "reget x resumes it" ||
	fail "no line of a stopped download: $(tmux_screen "$sock" | tail -5)"
[ -e "$W/x.part" ] || fail "the .part of the stopped download is gone"
ok "Ctrl-C while a download's end is awaited says how to resume it"

# A script: the reply, 25 s and more in coming, is given up 21 s after
# its first byte (-o Timeout=5, and 16 s).
fake_up slowstat
run_client alice pw -o Timeout=5 <<<'stat x'
expect_ne "$RC" 0 "stat x from a server that trickles its reply"
expect_contains "$ERR" "server not responding (timed out)" \
    "stat x from a server that trickles its reply"
ok "a reply must come whole within the timeout of its first byte"
