#!/usr/bin/env bash
# t_end_logged: every session that ends on SIGTERM logs its end, with its
# user, address, reason and bytes, as mftpd(8)'s LOGS promises of every
# session.  ftpuser-mod --lock and ftpuser-del on this node end a user's
# sessions with SIGTERM (found in /proc), and so does mftpd's own stop
# after shutdown_timeout; before, such a session died of the signal and
# the log had its login but no end at all.  Locked or removed, the line
# says so; SIGTERM alone logs reason=terminated.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FTPUSER_MOD=$top_builddir/ftpuser-mod
FTPUSER_DEL=$top_builddir/ftpuser-del
[ -x "$FTPUSER_MOD" ] || fail "$FTPUSER_MOD is not built"
[ -x "$FTPUSER_DEL" ] || fail "$FTPUSER_DEL is not built"

pw=$(rand_pw)
add_user alice "$pw"
add_user bob "$pw"
add_user carol "$pw"
start_daemon

_pwd_shown() { grep -q '^/' "$SESS_OUT"; }

# held NAME: a session of NAME logged in and idle; SERVING_PID.
held() {
	session_open "$1" "$pw"
	session_send pwd
	wait_for 10 _pwd_shown || fail "$1's session did not log in"
	wait_serving_pid "$(user_uid "$1")"
}

# ended NAME REASON: the session's one end line, within 10 s.
_one_line() { [ "$(log_count "$1")" = 1 ]; }
ended() {
	local re="session end user=$1 addr=127\.0\.0\.1 port [0-9]+ reason=$2 in=[0-9]+ out=[0-9]+ "
	wait_for 10 _one_line "$re" ||
		fail "no 'session end user=$1 ... reason=$2' line: $(grep -E "user=$1 " "$DAEMON_LOG" | tail -n 3)"
}

# --------------------------------------- ftpuser-mod --lock, this node
held alice
tool "$FTPUSER_MOD" --lock alice
expect_eq "$RC" 0 "ftpuser-mod --lock alice ($ERR)"
expect_contains "$OUT" "ended 1 running session" "what the tool says"
session_close 20
ended alice account-locked
ok "a session ended by ftpuser-mod --lock logs its end"

# --------------------------------------------- ftpuser-del, this node
held bob
tool "$FTPUSER_DEL" bob
expect_eq "$RC" 0 "ftpuser-del bob ($ERR)"
session_close 20
ended bob account-removed
ok "a session ended by ftpuser-del logs its end"

# ---------------------------------------- SIGTERM alone (mftpd's stop)
held carol
kill -TERM "$SERVING_PID"
wait_for 10 _not_running "$SERVING_PID" ||
	fail "carol's session went on after SIGTERM"
session_close 20
expect_ne "$SESS_RC" 0 "carol's client after SIGTERM"
ended carol terminated
ok "a session ended by SIGTERM logs its end"

stop_daemon
check_log_clean
