#!/usr/bin/env bash
# t_interrupt_working: Ctrl-C at the prompt (under tmux) while the server
# hashes a file before its reply, sending WORKING (how far it is) every
# few MiB, ends the wait within a WORKING or two: the connection is
# closed, as for a transfer, the client logs in again and the session
# goes on.  Before, the client took each WORKING as a reason to wait on,
# and ^C did nothing until the server was done: for a large file, or a
# hostile server that sends WORKING for ever, the prompt never came
# back.  strace holds each of the serving process's reads for 0.15 s, so
# that the hash lasts some 40 s however fast the machine is.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || fail "tmux is needed (scripts/deps.sh)"
W=$T/work

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
home=$(user_home alice)
case $home in "$T"/*) ;; *) fail "home '$home' is not under $T" ;; esac
start_daemon
# root's, readable: the hash cache cannot be written on it, so the HASH
# reads it back whole (256 reads of 256 KiB, WORKING every 16).
head -c $((64 * 1048576)) /dev/zero >"$home/big"
chmod 0644 "$home/big"
printf '%s\n' "$pw" >"$T/pw"
chmod 600 "$T/pw"

sock=$T/tmux.sock
screen() { tmux -S "$sock" capture-pane -p -S -200; }
_screen_has() { screen | grep -qF -- "$1"; }
prompts() { screen | grep -cE "^(\^C)?mftp>"; }
_more_prompts() { [ "$(prompts)" -gt "$1" ]; }

tmux -S "$sock" new-session -d -x 200 -y 50 -c "$W" \
    "$(printf '%q ' "$MFTP" -P "$PORT" --password-fd 3 "alice@$HOST") 3<$T/pw 2>&1; echo EXIT=\$?; sleep 60"
BG_PIDS+=("$(tmux -S "$sock" display-message -p '#{pid}')")
wait_for 15 _screen_has "mftp>" || fail "no prompt: $(screen)"

wait_serving_pid "$uid"
strace_attach "$SERVING_PID" "$T/strace.out" -f -e trace=pread64 \
    -e inject=pread64:delay_enter=150000
n=$(prompts)
tmux -S "$sock" send-keys -l "hash --sha256 big"
tmux -S "$sock" send-keys Enter
sleep 1.5
t0=$SECONDS
tmux -S "$sock" send-keys C-c
wait_for 15 _more_prompts "$n" ||
	fail "no prompt within 15 s of ^C while the server hashed: $(screen)"
t1=$SECONDS
kill "$STRACE_PID" 2>/dev/null
wait "$STRACE_PID" 2>/dev/null
expect_contains "$(screen)" "mftp: hash: interrupted" "what the hash says after ^C"
ok "^C while the server hashes brings the prompt back ($((t1 - t0)) s)"

# The session goes on, logged in again.
n=$(prompts)
tmux -S "$sock" send-keys -l "ls"
tmux -S "$sock" send-keys Enter
wait_for 15 _more_prompts "$n" || fail "no prompt after ls: $(screen)"
expect_contains "$(screen)" "mftp> ls"$'\n'"big" "ls after ^C"
tmux -S "$sock" send-keys quit Enter
wait_for 10 _screen_has "EXIT=0" || fail "quit: $(screen)"
tmux -S "$sock" kill-server 2>/dev/null
ok "the session goes on after ^C stopped the wait"
