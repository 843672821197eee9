#!/usr/bin/env bash
# t_complete_tilde: Tab completes a local name that starts with ~/ or
# ~USER/ inside that home, as the commands read it (cmd_run), and the
# ~/ typed stays on the line, as in bash.  It listed a directory named
# '~' in the local working directory, so nothing was completed.  A
# quoted '~/' is a directory '~' and is not expanded.  "~NAME" with no
# slash completes a user's name (it completed a file "~NAME..." here,
# which the command then read as a user).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_tmux.sh
. "$(dirname "$0")/lib_tmux.sh"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon
# HOME is the test's own ($T/client-home, lib.sh); it is written into.
case $HOME in "$T"/?*) ;; *) fail "HOME ($HOME) is not under $T" ;; esac
W=$T/work
mkdir -p "$W/~/qq-in-tilde-dir" "$HOME/zz-sub-dir"
printf 't\n' >"$W/~tilde-file.txt"
printf 'x\n' >"$HOME/zz-only-file.txt"
printf 'y\n' >"$HOME/zz-sub-dir/zz-inner.txt"

sock=$T/tmux.sock
tmux_mftp "$sock" "$W" alice "$pw"

# complete TYPED WANT: type TYPED, Tab, and the line must read WANT;
# the line is then run (lls), and a prompt must follow.  (tmux drops
# the blank after a completed file name.)
complete() {
	local n
	n=$(tmux_prompts "$sock")
	tmux -S "$sock" send-keys -l "$1"
	tmux -S "$sock" send-keys Tab
	wait_for 5 tmux_has "$sock" "mftp> $2" ||
		fail "Tab after '$1' did not make '$2': $(tmux_screen "$sock")"
	tmux -S "$sock" send-keys Enter
	wait_for 10 tmux_more_prompts "$sock" "$n" ||
		fail "no prompt after '$2': $(tmux_screen "$sock")"
}

complete "lls ~/zz-o" "lls ~/zz-only-file.txt"
complete "lls ~/zz-s" "lls ~/zz-sub-dir/"
complete "lls ~/zz-sub-dir/zz-i" "lls ~/zz-sub-dir/zz-inner.txt"
expect_contains "$(tmux_screen "$sock")" "zz-inner.txt" \
    "lls of the completed ~/zz-sub-dir/"
ok "Tab completes ~/NAME in the home and keeps the ~/"

# "~roo" unquoted is a user's home, as the command reads it: Tab
# completes the user's name, as bash does, and not a file "~..." here,
# which the command would then have read as a user (no such user).
complete "lls ~roo" "lls ~root/"
tmux -S "$sock" send-keys -l "lls ~tilde-f"
tmux -S "$sock" send-keys Tab
sleep 1
expect_not_contains "$(tmux_screen "$sock")" "~tilde-file.txt" \
    "Tab after lls ~tilde-f"
tmux -S "$sock" send-keys C-u
ok "Tab after ~NAME completes a user's name, not a file"

# Quoted, it is the directory '~' here (the line, a quote left open,
# is then refused: only the completion counts).
complete "lls '~/qq" "lls '~/qq-in-tilde-dir/"
ok "a quoted '~/' is completed in a directory '~'"

tmux -S "$sock" send-keys -l "quit"
tmux -S "$sock" send-keys Enter
wait_for 10 tmux_has "$sock" "EXIT=0" ||
	fail "mftp did not end with status 0: $(tmux_screen "$sock")"
