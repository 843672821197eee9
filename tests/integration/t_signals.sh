#!/usr/bin/env bash
# t_signals: the master's signals.  SIGHUP re-reads the configuration: a
# new idle_timeout applies to sessions started after it while one already
# running keeps its own; a broken file is logged and the configuration in
# force stays; a listen/port change is logged as ignored until restart,
# the same addresses in another form or order are not.
# SIGTERM stops gracefully: the listening socket closes at once, a
# session in progress goes on and completes its transfers, and the daemon
# exits when it ends; a session that stays is ended after
# shutdown_timeout; a connection queued before the stop is told.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw="sig-$(rand_pw)"
add_user sig "$pw"
uid=$(user_uid sig)

# set_key KEY VALUE: replace or add a line of the configuration.
set_key() {
	sed -i "/^$1 *=/d" "$CONF"
	echo "$1 = $2" >>"$CONF"
}

start_daemon

# -------------------------------------------------------- SIGHUP: applies
# Session A starts under idle_timeout = 300 and stays idle.
session_open sig "$pw"
wait_serving_pid "$uid"
a_pid=$SERVING_PID
set_key idle_timeout 2
hup 'configuration reloaded'
# Session B, started after the reload, is ended when idle for 2 s.
started=$SECONDS
run_client sig "$pw" < <(sleep 5; echo pwd)
expect_ne "$RC" 0 "a session idle past the new idle_timeout"
wait_for 5 eval '[ "$(log_count "session end user=sig .*reason=idle-timeout")" -ge 1 ]' ||
	fail "no idle-timeout session end after the reload"
[ $((SECONDS - started)) -le 30 ] || fail "the idle timeout took too long"
# A is still served (its idle timeout is still 300 s).
kill -0 "$a_pid" 2>/dev/null || fail "session A ended with the reload"
session_send pwd
session_send quit
session_close
expect_eq "$SESS_RC" 0 "session A after the reload ($(cat "$SESS_ERR"))"
ok "SIGHUP: the new idle_timeout applies to new sessions only"

# ------------------------------------------------ SIGHUP: broken, ignored
good=$(cat "$CONF")
set_key idle_timeout banana
hup 'reload failed: .*idle_timeout.*banana.*keeping the configuration'
port_listening "$PORT" || fail "not listening after a failed reload"
# The old configuration is in force: idle_timeout is still 2 s.
ends=$(log_count 'reason=idle-timeout')
run_client sig "$pw" < <(sleep 5; echo pwd)
expect_ne "$RC" 0 "idle past idle_timeout after a failed reload"
wait_for 5 eval '[ "$(log_count reason=idle-timeout)" -gt "$ends" ]' ||
	fail "the failed reload changed idle_timeout"
# A helper that does not exist is refused the same way.
printf '%s\n' "$good" >"$CONF"
set_key auth_helper /nonexistent/mftpd-auth
hup 'reload failed: auth helper /nonexistent/mftpd-auth'
run_client sig "$pw" <<<"pwd"
expect_rc 0 "a login after a failed reload"
# listen/port changes wait for a restart; the rest applies.
printf '%s\n' "$good" >"$CONF"
set_key port "$((PORT == 65535 ? PORT - 1 : PORT + 1))"
set_key idle_timeout 300
hup 'listen and port changes are ignored until mftpd is restarted'
wait_for 5 eval '[ "$(log_count "configuration reloaded")" -ge 2 ]' ||
	fail "a reload with a port change was not applied"
port_listening "$PORT" || fail "the old port stopped listening"
run_client sig "$pw" < <(sleep 3; echo pwd)
expect_rc 0 "idle_timeout 300 applied with the ignored port change"
ok "SIGHUP: a broken file keeps the old configuration; port waits"

# The same addresses written otherwise, or in another order, are no
# change: nothing is said to wait for a restart.
printf '%s\n' "$good" >"$CONF"
if have_ipv6; then
	set_key listen "0:0::1 ::ffff:127.0.0.1"
else
	set_key listen "::ffff:127.0.0.1"
fi
ignored=$(log_count 'listen and port changes are ignored')
hup 'configuration reloaded'
expect_eq "$(log_count 'listen and port changes are ignored')" "$ignored" \
    "'ignored' lines after a reload with the same addresses"
ok "SIGHUP: the same listen addresses in other forms are no change"

# ------------------------------------------------- SIGTERM: graceful stop
printf '%s\n' "$good" >"$CONF"
set_key idle_timeout 300
set_key shutdown_timeout 20
hup 'configuration reloaded'
head -c 3000000 /dev/urandom >"$T/work/up.bin"
session_open sig "$pw"
wait_serving_pid "$uid"
kill -TERM "$DAEMON_PID"
stopped=$SECONDS
wait_for 5 eval '! port_listening "$PORT"' ||
	fail "still listening after SIGTERM"
wait_for 5 eval '[ "$(log_count "stopping: no new connections")" -ge 1 ]' ||
	fail "no 'stopping' line after SIGTERM"
run_client sig "$pw" <<<"pwd"
expect_ne "$RC" 0 "a new connection after SIGTERM"
daemon_alive || fail "mftpd exited with a session still running"
# The session in progress still works: an upload and a download.
session_send "lcd $T/work"
session_send "put up.bin"
session_send "get up.bin down.bin"
session_send quit
session_close
expect_eq "$SESS_RC" 0 "the session after SIGTERM ($(cat "$SESS_ERR"))"
expect_same_file "$T/work/up.bin" "$T/work/down.bin" "the transfer after SIGTERM"
expect_same_file "$T/work/up.bin" "$(user_home sig)/up.bin" "the upload"
wait_for 10 _not_running "$DAEMON_PID" ||
	fail "mftpd did not exit when its last session ended"
DAEMON_RC=0
wait "$DAEMON_PID" 2>/dev/null || DAEMON_RC=$?
DAEMON_PID=
expect_eq "$DAEMON_RC" 0 "mftpd's exit status"
[ $((SECONDS - stopped)) -lt 20 ] || fail "the stop took the whole shutdown_timeout"
expect_eq "$(log_count 'every session has ended')" 1 "the graceful stop's log"
ok "SIGTERM: no new connections, the running session completes, then exit"

# ------------------------------------ SIGTERM: a session outlives the wait
start_daemon
set_key shutdown_timeout 2
hup 'configuration reloaded'
session_open sig "$pw"
wait_serving_pid "$uid"
kill -TERM "$DAEMON_PID"
stopped=$SECONDS
wait_for 15 _not_running "$DAEMON_PID" ||
	fail "mftpd did not end a session after shutdown_timeout"
DAEMON_RC=0
wait "$DAEMON_PID" 2>/dev/null || DAEMON_RC=$?
DAEMON_PID=
expect_eq "$DAEMON_RC" 0 "mftpd's exit status"
elapsed=$((SECONDS - stopped))
[ "$elapsed" -ge 1 ] || fail "mftpd did not wait for the session"
[ "$elapsed" -le 10 ] || fail "mftpd took $elapsed s (shutdown_timeout 2)"
expect_eq "$(log_count 'ending 1 session still running')" 1 "the log"
session_close
expect_ne "$SESS_RC" 0 "a session ended by the stop"
ok "SIGTERM: a session still running after shutdown_timeout is ended"

# ----------------------------- SIGTERM: a connection queued before it
# A connection the kernel completed before the stop, which the master
# never accepted (held here, as a busy one may be), is told the server is
# stopping.  It was reset in the middle of its handshake, as the
# listening socket closed: "connection reset by peer", which reads as a
# fault.
start_daemon
kill -STOP "$DAEMON_PID"
"$MFTP" -P "$PORT" --password-fd 3 "sig@$HOST" 3<<<"$pw" <<<"pwd" \
    >"$T/queued.out" 2>"$T/queued.err" &
qpid=$!
BG_PIDS+=("$qpid")
_queued() { [ -n "$(ss -Htn state established "( dport = :$PORT )")" ]; }
wait_for 10 _queued || { kill -CONT "$DAEMON_PID"; fail "mftp did not connect"; }
kill -TERM "$DAEMON_PID"
kill -CONT "$DAEMON_PID"
RC=0
wait_pid "$qpid" 20 || RC=$?
expect_ne "$RC" 0 "a connection queued before the stop"
expect_contains "$(cat "$T/queued.err")" \
    "the server is stopping; try again in a moment" "what it was told"
wait_for 15 _not_running "$DAEMON_PID" || fail "mftpd did not stop"
DAEMON_RC=0
wait "$DAEMON_PID" 2>/dev/null || DAEMON_RC=$?
DAEMON_PID=
expect_eq "$DAEMON_RC" 0 "mftpd's exit status"
expect_eq "$(log_count 'stopping: 1 queued connection refused, told why')" 1 \
    "the stop's log"
ok "SIGTERM: a connection queued before it is told the server is stopping"

check_log_clean
