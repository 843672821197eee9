#!/usr/bin/env bash
# t_complete_intr: Ctrl-C while Tab waits for a remote listing gives a
# fresh prompt at once, and the next command typed runs.  The listing is
# stopped, the connection closed and mftp logs in again, as mftp(1)
# says; but the interrupt came outside libedit's read, so the line
# stayed on screen, and the next Enter was taken for that Ctrl-C: the
# command typed was dropped without a word.  Here the serving process
# is held stopped (SIGSTOP) while Tab waits for it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_tmux.sh
. "$(dirname "$0")/lib_tmux.sh"
# shellcheck source-path=SCRIPTDIR source=lib_proc.sh
. "$(dirname "$0")/lib_proc.sh"

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
home=$(user_home alice)
mkdir "$home/dir"
printf 'x\n' >"$home/dir/only-file.txt"
chown -R "$uid:$(user_gid alice)" "$home/dir"
start_daemon

sock=$T/tmux.sock
tmux_mftp "$sock" "$T" alice "$pw"
wait_serving_pid "$uid"
sp=$SERVING_PID

kill -STOP "$sp"
tmux -S "$sock" send-keys -l "ls dir/on"
tmux -S "$sock" send-keys Tab
# The LIST is out and unanswered: mftp waits in the completion.
sleep 1
n=$(tmux_prompts "$sock")
tmux -S "$sock" send-keys C-c
wait_for 10 tmux_more_prompts "$sock" "$n" ||
	fail "no fresh prompt after Ctrl-C in a completion: $(tmux_screen "$sock")"
kill -CONT "$sp" 2>/dev/null
expect_eq "$(tmux_screen "$sock" | grep -cE '^mftp> ?$')" 1 \
    "an empty fresh prompt after Ctrl-C"
ok "Ctrl-C while Tab waits for a listing gives a fresh prompt"

n=$(tmux_prompts "$sock")
tmux -S "$sock" send-keys -l "pwd"
tmux -S "$sock" send-keys Enter
wait_for 15 tmux_more_prompts "$sock" "$n" ||
	fail "no prompt after pwd: $(tmux_screen "$sock")"
expect_eq "$(tmux_screen "$sock" | grep -A1 '^mftp> pwd$' | tail -n 1)" / \
    "pwd's answer after the interrupted completion"
n=$(tmux_prompts "$sock")
tmux -S "$sock" send-keys -l "ls dir/on"
tmux -S "$sock" send-keys Tab
wait_for 10 tmux_has "$sock" "mftp> ls dir/only-file.txt" ||
	fail "Tab after logging in again: $(tmux_screen "$sock")"
tmux -S "$sock" send-keys Enter
wait_for 10 tmux_more_prompts "$sock" "$n" ||
	fail "no prompt after ls: $(tmux_screen "$sock")"
ok "the next command runs, and Tab completes again"

tmux -S "$sock" send-keys -l "quit"
tmux -S "$sock" send-keys Enter
wait_for 10 tmux_has "$sock" "EXIT=0" ||
	fail "quit: $(tmux_screen "$sock")"
ok "quit ends the session"
