#!/usr/bin/env bash
# t_interrupt_reconnect: Ctrl-C while mftp logs in again is heard.  At
# the prompt, ^C stops a download and the client logs in again; the
# server no longer answers (its master is stopped: the kernel still
# takes the connection, nobody speaks TLS on it).  A second ^C ends
# that wait at once, says "interrupted" and keeps the part for a later
# reget.  Before, the handshake waited out the whole I/O timeout (-o
# Timeout, 120 s by default) whatever was typed.  strace slows the
# serving process's reads so that the download is still running when
# the first ^C comes (its checksum is cached before: no hash first).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_tmux.sh
. "$(dirname "$0")/lib_tmux.sh"

W=$T/work
pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
home=$(user_home alice)
case $home in "$T"/*) ;; *) fail "home '$home' is not under $T" ;; esac
start_daemon
head -c $((64 * 1048576)) /dev/urandom >"$home/big"
chown "$uid:$(user_gid alice)" "$home/big"
# Settled (hashcache.c): its checksum can be cached.
touch -d "1 hour ago" "$home/big"
printf '%s\n' "$pw" >"$T/pw"
chmod 600 "$T/pw"

sock=$T/tmux.sock
_screen_has() { tmux_has "$sock" "$1"; }
tmux -S "$sock" new-session -d -x 200 -y 50 -c "$W" \
    "$(printf '%q ' "$MFTP" -P "$PORT" -o Timeout=60 --password-fd 3 "alice@$HOST") 3<$T/pw 2>&1; echo EXIT=\$?; sleep 60"
BG_PIDS+=("$(tmux -S "$sock" display-message -p '#{pid}')")
wait_for 15 _screen_has "mftp>" || fail "no prompt: $(tmux_screen "$sock")"

# Its checksum cached first, so that the get sends data at once.
tmux -S "$sock" send-keys -l "hash big"
tmux -S "$sock" send-keys Enter
_hashed() { [ "$(tmux_screen "$sock" | grep -c "mftp>")" -ge 2 ]; }
wait_for 30 _hashed || fail "hash: $(tmux_screen "$sock")"
wait_serving_pid "$uid"
strace_attach "$SERVING_PID" "$T/strace.out" -f -e trace=pread64 \
    -e inject=pread64:delay_enter=100000
tmux -S "$sock" send-keys -l "get big"
tmux -S "$sock" send-keys Enter
_part() { [ -s "$W/big.part" ]; }
wait_for 15 _part || fail "the download did not start: $(tmux_screen "$sock")"

# From now on a new connection is taken by the kernel and left silent.
kill -STOP "$DAEMON_PID"
tmux -S "$sock" send-keys C-c
sleep 2
t0=$SECONDS
tmux -S "$sock" send-keys C-c
_exited() { _screen_has "EXIT="; }
wait_for 15 _exited ||
	fail "no end within 15 s of ^C while logging in again: $(tmux_screen "$sock")"
took=$((SECONDS - t0))
kill -CONT "$DAEMON_PID"
screen=$(tmux_screen "$sock")
expect_contains "$screen" "interrupted" "what mftp says"
expect_contains "$screen" "EXIT=3" "the exit status"
[ -s "$W/big.part" ] || fail "the part was not kept"
ok "^C while logging in again ends the wait at once ($took s), the part kept"
