#!/usr/bin/env bash
# t_help_width: help's text is wrapped to the terminal's width, between
# words, and under each command when the window is narrow; 79 columns
# for a pipe.  It was wrapped to 79 columns whatever the window, so the
# terminal cut it mid-word at 50.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_tmux.sh
. "$(dirname "$0")/lib_tmux.sh"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon

sock=$T/tmux.sock
tmux_mftp "$sock" "$T" alice "$pw"

# widest: the longest line, with the terminal's own wraps joined (-J).
widest() {
	tmux -S "$sock" capture-pane -p -J -S -300 |
		awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }'
}
for cols in 50 100; do
	tmux -S "$sock" resize-window -x "$cols" -y 40
	# tmux gives the terminal its new size a moment later: stty, run
	# from the prompt, says when.
	for _ in $(seq 20); do
		tmux -S "$sock" send-keys -l "!stty size"
		tmux -S "$sock" send-keys Enter
		sleep 0.5
		tmux_has "$sock" "40 $cols" && break
	done
	tmux_has "$sock" "40 $cols" ||
		fail "the window did not become $cols wide: $(tmux_screen "$sock")"
	tmux -S "$sock" send-keys C-l
	# The screen cleared (libedit), then the history (tmux).
	_cleared() {
		! tmux -S "$sock" capture-pane -p | grep -q "Options come before"
	}
	wait_for 10 _cleared || fail "the screen was not cleared"
	tmux -S "$sock" clear-history
	tmux -S "$sock" send-keys -l "help"
	tmux -S "$sock" send-keys Enter
	wait_for 10 tmux_has "$sock" "Options come before names" ||
		fail "help did not end: $(tmux_screen "$sock")"
	w=$(widest)
	[ "$w" -lt "$cols" ] ||
		fail "help at $cols columns has a line of $w: $(tmux_screen "$sock")"
done
tmux -S "$sock" send-keys C-u
# At 100 columns the text is beside its command, past column 79.
expect_match "$(tmux_screen "$sock")" '^stat PATH\.\.\. +Show a remote file' \
    "help at 100 columns"
[ "$(widest)" -ge 80 ] || fail "help at 100 columns stayed within 79"
ok "help wraps to the terminal's width"

RC=0
OUT=$(printf 'help\n' | "$MFTP" -P "$PORT" --password-fd 3 "alice@$HOST" \
    3<<<"$pw" 2>&1) || RC=$?
expect_eq "$RC" 0 "help in batch mode"
w=$(awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }' <<<"$OUT")
if [ "$w" -gt 79 ] || [ "$w" -lt 70 ]; then
	fail "help's longest line in a pipe is $w columns, not 70 to 79"
fi
ok "help to a pipe wraps at 79 columns"
tmux -S "$sock" send-keys -l "quit"
tmux -S "$sock" send-keys Enter
wait_for 10 tmux_has "$sock" "EXIT=0" || fail "quit: $(tmux_screen "$sock")"
