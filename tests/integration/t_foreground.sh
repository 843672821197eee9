#!/usr/bin/env bash
# t_foreground: mftpd -f in a terminal (tmux).  Ctrl-C there is the
# graceful stop: new clients are refused, but a logged-in session is not
# in the terminal's process group, so it goes on and ends when its client
# quits; then mftpd exits.  Errors that keep mftpd -f from starting (a
# port in use, a bad configuration, a missing host key) are written to
# stderr even when it logs to syslog.  -e without -f is refused.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || fail "tmux is needed (scripts/deps.sh)"
pw=$(rand_pw)
add_user alice "$pw"
start_daemon
port=$PORT

# --------------------------------------------------- startup errors
# The port is taken (by the running daemon); no -e: the log is syslog.
RC=0
timeout 20 "$MFTPD" -f -c "$CONF" >"$T/fg.out" 2>"$T/fg.err" || RC=$?
ERR=$(cat "$T/fg.err")
expect_ne "$RC" 0 "mftpd -f on a port in use"
expect_match "$ERR" "^mftpd: bind 127\.0\.0\.1 port $port: Address already in use" \
    "stderr says why mftpd -f did not start"

# -e without -f: a daemon's standard error is /dev/null, where every
# line would be lost; refused at once, before anything starts.
RC=0
timeout 20 "$MFTPD" -e -c "$CONF" >"$T/fg.out" 2>"$T/fg.err" || RC=$?
expect_eq "$RC" 2 "mftpd -e without -f"
expect_contains "$(cat "$T/fg.err")" "mftpd: -e needs -f" \
    "stderr says why mftpd -e did not start"
expect_eq "$(grep -c 'mftpd .* started' "$DAEMON_LOG")" 1 \
    "mftpd -e without -f started nothing"

sed "s|^host_key = .*|host_key = $T/nokey|" "$CONF" >"$T/nokey.conf"
RC=0
timeout 20 "$MFTPD" -f -c "$T/nokey.conf" >"$T/fg.out" 2>"$T/fg.err" || RC=$?
ERR=$(cat "$T/fg.err")
expect_ne "$RC" 0 "mftpd -f without its host key"
expect_contains "$ERR" "$T/nokey" "stderr names the missing key"

printf 'no_such_key = 1\n' >>"$T/bad.conf"
RC=0
timeout 20 "$MFTPD" -f -c "$T/bad.conf" >"$T/fg.out" 2>"$T/fg.err" || RC=$?
ERR=$(cat "$T/fg.err")
expect_ne "$RC" 0 "mftpd -f with a bad configuration"
expect_contains "$ERR" "no_such_key" "stderr names the bad line"
ok "mftpd -f says on stderr why it did not start"

# ------------------------------------------------ Ctrl-C in its terminal
stop_daemon
sock=$T/tmux.sock
screen() { tmux -S "$sock" capture-pane -p; }
tmux -S "$sock" new-session -d -x 200 -y 50 \
    "exec $(printf '%q ' "$MFTPD" -f -e -c "$CONF") 2>>$(printf '%q' "$DAEMON_LOG")"
DAEMON_PID=$(tmux -S "$sock" display-message -p '#{pane_pid}')
BG_PIDS+=("$(tmux -S "$sock" display-message -p '#{pid}')")
_up() { port_listening "$port"; }
wait_for 10 _up || fail "mftpd -f under tmux did not listen"
# The mftp wrapper pins this daemon's key for $PORT, unchanged.
PORT=$port

mkfifo "$T/cmds"
timeout -k 5 60 "$MFTP" -P "$PORT" --password-fd 3 -b "$T/cmds" \
    "alice@$HOST" 3<<<"$pw" >"$T/c.out" 2>"$T/c.err" &
client=$!
BG_PIDS+=("$client")
exec 7>"$T/cmds"
echo pwd >&7
_said() { [ "$(grep -c '^/$' "$T/c.out")" -ge "$1" ]; }
wait_for 15 _said 1 || fail "the client did not log in: $(cat "$T/c.err")"

tmux -S "$sock" send-keys C-c
_stopping() { grep -q "stopping: no new connections" "$DAEMON_LOG"; }
wait_for 10 _stopping || fail "Ctrl-C did not start the graceful stop"
kill -0 "$DAEMON_PID" 2>/dev/null || fail "mftpd exited with a session running"
echo pwd >&7
wait_for 15 _said 2 || fail "the session did not survive Ctrl-C: $(cat "$T/c.err")"
echo quit >&7
exec 7>&-
rc=0
wait_pid "$client" 20 || rc=$?
expect_eq "$rc" 0 "the client's status"
wait_for 15 _not_running "$DAEMON_PID" || fail "mftpd did not exit after the last session"
DAEMON_PID=
grep -q "died of signal" "$DAEMON_LOG" && fail "a session was killed: $(grep 'died of signal' "$DAEMON_LOG")"
ok "Ctrl-C in mftpd -f's terminal stops it gracefully; sessions go on"
