#!/usr/bin/env bash
# t_narrow_term: a terminal window made narrower than the prompt while
# mftp waits for a command.  libedit redraws into buffers sized to the
# window, and one narrower than its prompt made it write past their end:
# the heap was corrupted, and mftp died then or later (a segmentation
# fault, or "corrupted size vs. prev_size" in a get).  mftp now keeps
# the width libedit works with at 20 columns or more.  Under tmux, with
# mftp run by valgrind, which fails the test on any invalid write: the
# window goes to 3 columns, a line is typed, then 12, then to 4 while a
# command runs, then back to 80, and mftp still answers and quits
# cleanly.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || fail "tmux is needed (scripts/deps.sh)"
command -v valgrind >/dev/null || fail "valgrind is needed (scripts/deps.sh)"
pw=$(rand_pw)
add_user alice "$pw"
start_daemon
printf '%s\n' "$pw" >"$T/pw"
chmod 600 "$T/pw"

sock=$T/tmux.sock
screen() { tmux -S "$sock" capture-pane -p -S -200; }
_screen_has() { screen | grep -qF -- "$1"; }
tmux -S "$sock" new-session -d -x 120 -y 40 -c "$T" \
    "$(printf '%q ' valgrind -q --error-exitcode=99 --log-file="$T/vg.log" \
	"$MFTP" -P "$PORT" --password-fd 3 "alice@$HOST") 3<$T/pw 2>&1; echo EXIT=\$?; sleep 60"
BG_PIDS+=("$(tmux -S "$sock" display-message -p '#{pid}')")
wait_for 60 _screen_has "mftp>" || fail "no prompt: $(screen)"
type_at() { # COLUMNS TEXT: the window that wide, then TEXT typed
	tmux -S "$sock" resize-window -x "$1"
	sleep 1
	tmux -S "$sock" send-keys -l "$2"
	tmux -S "$sock" send-keys Enter
	sleep 2
}
type_at 3 "abc"
type_at 12 "pwd"
# Made narrow while a command runs (not at the prompt): the width is set
# before the next prompt, and the prompt after it still draws safely.
# (That the handler itself then allocates nothing, which ec064a6 is
# for, no test can see: valgrind finds no fault in either.)
tmux -S "$sock" resize-window -x 80
sleep 1
tmux -S "$sock" send-keys -l "!sleep 3"
tmux -S "$sock" send-keys Enter
sleep 1
tmux -S "$sock" resize-window -x 4
sleep 3
tmux -S "$sock" send-keys -l "lpwd"
tmux -S "$sock" send-keys Enter
sleep 2
tmux -S "$sock" resize-window -x 80
sleep 1
tmux -S "$sock" send-keys -l "lpwd"
tmux -S "$sock" send-keys Enter
wait_for 30 _screen_has "$T" || fail "no answer to lpwd after the resizes: $(screen)"
tmux -S "$sock" send-keys -l "quit"
tmux -S "$sock" send-keys Enter
wait_for 60 _screen_has "EXIT=" || fail "mftp did not end: $(screen)"
expect_contains "$(screen)" "EXIT=0" "mftp's exit status (99: valgrind's errors)"
[ ! -s "$T/vg.log" ] || fail "valgrind: $(head -n 20 "$T/vg.log")"
ok "a window narrower than the prompt: no invalid write, and mftp goes on"

check_log_clean
