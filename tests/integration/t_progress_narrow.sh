#!/usr/bin/env bash
# t_progress_narrow: on a narrow terminal (tmux, 40 columns) the
# progress bar keeps a long file name readable, its start and its end
# with "..." between, and gives up the bar and the byte counts first;
# the line never wraps.  Nor does it when the window is made narrower
# in the middle of a transfer, to 25 columns and then to 12: each
# redraw stays on its one line (they used to blank out to the old
# width, or draw 80 columns below 20, and so wrapped onto a new line
# ten times a second).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || fail "tmux is needed (scripts/deps.sh)"
pw=$(rand_pw)
# The user's rate limit (ftpuser-add --rate) makes the transfers last
# long enough to be caught in mid-transfer however fast the machine is;
# the first eighth of a second's worth goes at once (the bucket's burst).
add_user alice "$pw" --rate 256M
uid=$(user_uid alice)
home=$(user_home alice)
start_daemon
name='a-very-long-file-name-for-the-narrow-terminal-test.iso'
# Large (zeros cost nothing to make): at 256 MiB/s, two seconds.
head -c $((512 * 1048576)) /dev/zero >"$home/$name"
chown "$uid:$(user_gid alice)" "$home/$name"
printf '%s\n' "$pw" >"$T/pw"
W=$T/work

sock=$T/tmux.sock
screen() { tmux -S "$sock" capture-pane -p; }
_screen_has() { screen | grep -qF -- "$1"; }
_has_data() { [ "$(stat -c %s "$W/$name.part" 2>/dev/null || echo 0)" -gt 0 ]; }
tmux -S "$sock" new-session -d -x 40 -y 20 -c "$W" \
    "$(printf '%q ' "$MFTP" -P "$PORT" --password-fd 3 "alice@$HOST") 3<$T/pw 2>&1; echo EXIT=\$?; sleep 30"
BG_PIDS+=("$(tmux -S "$sock" display-message -p '#{pid}')")
wait_for 15 _screen_has "mftp>" || fail "no prompt: $(screen)"
tmux -S "$sock" send-keys "get $name" Enter
wait_for 30 _has_data || fail "the get did not start: $(screen)"
sp=$(serving_pid_of "$uid")
kill -STOP "$sp"
_bar() { screen | grep -Eq '%'; }
sleep 1.5
wait_for 10 _bar || { kill -CONT "$sp"; fail "no bar: $(screen)"; }
bar=$(screen | grep -E '[0-9]+%' | tail -n 1)
kill -CONT "$sp"
expect_match "$bar" '^a-very-lo[a-z-]*\.\.\.[a-z-]*-test\.iso.* +[0-9]+%' \
    "the name's start and end on a 40-column bar"
[ "${#bar}" -lt 40 ] || fail "the bar fills the line: '$bar'"
wait_for 60 _screen_has "verified" || fail "the get did not end: $(screen)"
ok "a narrow terminal keeps the file name readable in the bar"

# Narrower in mid-transfer: the lines on the screen stop growing.
tmux -S "$sock" send-keys "get $name two" Enter
_two_has_data() { [ "$(stat -c %s "$W/two.part" 2>/dev/null || echo 0)" -gt 0 ]; }
wait_for 30 _two_has_data || fail "the second get did not start: $(screen)"
sp=$(serving_pid_of "$uid")
kill -STOP "$sp"
sleep 1
lines() { tmux -S "$sock" capture-pane -p -S -1000 | grep -c .; }
for w in 25 12; do
	tmux -S "$sock" resize-window -x "$w"
	sleep 1
	n0=$(lines)
	sleep 1.5
	n1=$(lines)
	[ "$n1" = "$n0" ] || {
		kill -CONT "$sp"
		fail "at $w columns the bar's redraws took $((n1 - n0)) new lines: $(screen)"
	}
done
kill -CONT "$sp"
tmux -S "$sock" resize-window -x 40
wait_for 60 _screen_has "two: " || fail "the second get did not end: $(screen)"
ok "made narrower in a transfer, 25 then 12 columns, the bar stays on its line"
tmux -S "$sock" send-keys quit Enter
wait_for 10 _screen_has "EXIT=0" || fail "quit: $(screen)"
expect_same_file "$W/$name" "$home/$name" "the file"
expect_same_file "$W/two" "$home/$name" "the file, got again"
