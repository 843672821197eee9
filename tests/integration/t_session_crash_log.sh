#!/usr/bin/env bash
# t_session_crash_log: a session process that dies of a signal other than
# the stop's own (SIGTERM, SIGKILL) is logged by the master with the
# signal's name and the client's address, so that a crash can be matched
# with the connection that caused it (the earlier line gave the pid and
# the signal's number only).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user crash "$pw"
uid=$(user_uid crash)
start_daemon

session_open crash "$pw"
session_send pwd
wait_serving_pid "$uid"
pid=$SERVING_PID
kill -ABRT "$pid" || fail "kill -ABRT $pid"
_logged() { [ "$(log_count "session process $pid died of signal")" -ge 1 ]; }
wait_for 10 _logged || fail "no log line for the session's death: $(tail -n 5 "$DAEMON_LOG")"
line=$(grep "session process $pid died of signal" "$DAEMON_LOG")
expect_match "$line" \
    "died of signal 6 \\(Aborted\\) addr=$HOST(\$| )" "the log line"
session_close 20
expect_ne "$SESS_RC" 0 "the client of the session that died"
ok "a session's death by a signal is logged with its name and the address"

# The master goes on serving.
run_client crash "$pw" <<<"pwd"
expect_rc 0 "a login after the crash ($ERR)"
ok "the master serves the next session"
