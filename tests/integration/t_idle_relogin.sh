#!/usr/bin/env bash
# t_idle_relogin: at the prompt, a session the server ended is no end of
# mftp.  With a short idle_timeout the server closes the session while
# the prompt waits: the next command logs in again first, says so, and
# runs, in the remote directory it was in, or in the home (said) when
# that is gone.  A session lost in the middle of a command (its serving
# process killed) is logged in again after it, which is not run again
# (it may have been done), and the prompt goes on.  mftp used to end
# there, status 3, as a script does (t_timeouts: batch mode still
# ends).  Local commands and names mistyped log in for nothing; quit
# after the idle close ends with status 0; with the server gone, the
# login is tried once, and mftp ends with status 3.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || fail "tmux is needed (scripts/deps.sh)"
IDLE_TIMEOUT=3
pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
echo "a marker" >"$home/marker"
mkdir "$home/sub"
echo "in sub" >"$home/sub/insub"
chown -R "$uid:$gid" "$home"
printf '%s\n' "$pw" >"$T/pw"
chmod 600 "$T/pw"

screen() { tmux -S "$sock" capture-pane -p -S -300; }
_screen_has() { screen | grep -qF -- "$1"; }
type_cmd() {
	tmux -S "$sock" send-keys -l "$1"
	tmux -S "$sock" send-keys Enter
}
logins() { grep -c 'login user=alice' "$DAEMON_LOG"; }
# start_mftp SOCKET: mftp in a tmux server of its own (a server killed
# and started again on one socket can race its own exit).
start_mftp() {
	sock=$1
	tmux -S "$sock" new-session -d -x 150 -y 50 -c "$T" \
	    "$(printf '%q ' "$MFTP" -P "$PORT" --password-fd 3 "alice@$HOST") 3<$T/pw 2>&1; echo EXIT=\$?; sleep 60"
	BG_PIDS+=("$(tmux -S "$sock" display-message -p '#{pid}')")
	wait_for 15 _screen_has "mftp>" || fail "no prompt: $(screen)"
}
# idle_out: wait until the server has closed the idle session.
idle_out() {
	wait_serving_pid "$uid"
	wait_for 15 _not_running "$SERVING_PID" || fail "the idle session was not closed"
}

start_mftp "$T/tmux.sock"
idle_out
type_cmd "lpwd"
wait_for 10 _screen_has "$T" || fail "no answer to lpwd: $(screen)"
type_cmd "no-such-command"
wait_for 10 _screen_has "unknown command" || fail "no answer: $(screen)"
expect_eq "$(logins)" 1 "logins after a local command and a mistyped one"
type_cmd "ls"
wait_for 15 _screen_has "marker" || fail "no listing after the idle close: $(screen)"
expect_contains "$(screen)" "the server closed the session (idle for too long?); logging in again" \
    "what mftp says"
expect_eq "$(logins)" 2 "logins"
ok "a session closed for idleness: the next command logs in again and runs"

# Lost in the middle of a command: logged in again after it.  The
# serving process is stopped before it can idle out.
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

# In a directory removed while the session was idle: the home, said.
type_cmd "cd sub"
type_cmd "ls"
wait_for 10 _screen_has "insub" || fail "no listing of sub: $(screen)"
idle_out
rm -rf "$home/sub"
type_cmd "ls"
wait_for 15 _screen_has "logged in again, but not in /sub" ||
	fail "nothing said of the directory gone: $(screen)"
_marker_after() { screen | sed -n '/but not in \/sub/,$p' | grep -qx 'marker'; }
wait_for 10 _marker_after || fail "no listing of the home: $(screen)"
ok "a directory gone while idle: logged in again, in the home"

# quit after the idle close: no error, status 0.
idle_out
type_cmd "quit"
wait_for 10 _screen_has "EXIT=" || fail "quit: $(screen)"
expect_contains "$(screen)" "EXIT=0" "mftp's status after quit on a closed session"
expect_not_contains "$(screen)" "mftp: quit:" "an error from quit"
ok "quit after the idle close ends with status 0"

# The server gone: the login is tried once, and mftp ends, status 3.
start_mftp "$T/tmux2.sock"
idle_out
stop_daemon
type_cmd "ls"
wait_for 30 _screen_has "EXIT=" || fail "mftp did not end: $(screen)"
expect_contains "$(screen)" "EXIT=3" "mftp's status"
expect_eq "$(screen | grep -c 'cannot connect again')" 1 "tries to connect again"
ok "with the server gone, one try, and status 3"
check_log_clean
