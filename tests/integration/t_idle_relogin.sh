#!/usr/bin/env bash
# t_idle_relogin: at the prompt, a session the server ended is no end of
# mftp.  With idle_timeout = 2 the server closes the session while the
# prompt waits: the next command logs in again first, says so, and
# runs.  A session lost in the middle of a command (its serving process
# killed) is logged in again after it, which is not run again (it may
# have been done), and the prompt goes on.  mftp used to end there,
# status 3, as a script does (t_timeouts: batch mode still ends).
# Local commands ask nothing of the server, and log in for nothing.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || fail "tmux is needed (scripts/deps.sh)"
IDLE_TIMEOUT=2
pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
echo "a marker" >"$home/marker"
chown "$uid:$gid" "$home/marker"
printf '%s\n' "$pw" >"$T/pw"
chmod 600 "$T/pw"

sock=$T/tmux.sock
screen() { tmux -S "$sock" capture-pane -p -S -200; }
_screen_has() { screen | grep -qF -- "$1"; }
type_cmd() {
	tmux -S "$sock" send-keys -l "$1"
	tmux -S "$sock" send-keys Enter
}
logins() { grep -c 'login user=alice' "$DAEMON_LOG"; }
tmux -S "$sock" new-session -d -x 150 -y 50 -c "$T" \
    "$(printf '%q ' "$MFTP" -P "$PORT" --password-fd 3 "alice@$HOST") 3<$T/pw 2>&1; echo EXIT=\$?; sleep 60"
BG_PIDS+=("$(tmux -S "$sock" display-message -p '#{pid}')")
wait_for 15 _screen_has "mftp>" || fail "no prompt: $(screen)"

# Idle past the timeout: the server ends the session.
wait_serving_pid "$uid"
sp=$SERVING_PID
wait_for 10 _not_running "$sp" || fail "the idle session was not closed"
type_cmd "lpwd"
wait_for 10 _screen_has "$T" || fail "no answer to lpwd: $(screen)"
expect_eq "$(logins)" 1 "logins after a local command"
type_cmd "ls"
wait_for 15 _screen_has "marker" || fail "no listing after the idle close: $(screen)"
expect_contains "$(screen)" "the server closed the session (idle for too long?); logging in again" \
    "what mftp says"
expect_eq "$(logins)" 2 "logins"
ok "a session closed for idleness: the next command logs in again and runs"

# Lost in the middle of a command: logged in again after it.
wait_serving_pid "$uid"
sp=$SERVING_PID
kill -STOP "$sp"
type_cmd "stat marker"
sleep 1
kill -KILL "$sp"
wait_for 15 _screen_has "stat was not run again" ||
	fail "no new login after the lost command: $(screen)"
type_cmd "pwd"
_pwd_after() { screen | sed -n '/stat was not run again/,$p' | grep -qx '/'; }
wait_for 10 _pwd_after || fail "no pwd after the new login: $(screen)"
ok "a session lost in a command: logged in again, the command not run again"

type_cmd "quit"
wait_for 10 _screen_has "EXIT=" || fail "quit: $(screen)"
expect_contains "$(screen)" "EXIT=0" "mftp's status"
check_log_clean
