#!/usr/bin/env bash
# t_log_flood_lack: the process of a connection that lacks what it needs
# to go on (fork, socketpair, pipe2 failing: the unit's TasksMax, the
# descriptors) does not write a line for every connection.  Each one's
# monitor died with "socketpair: Too many open files" (LOG_CRIT): a
# client connecting in a loop made thousands of lines a second, past
# journald's own limit, which then drops the unit's lines, the "login
# failed" lines fail2ban reads among them.  Such a line is now one of a
# connection's that the master lets through at a bounded rate (its
# "connection" line logged, log_noise_ok), as those of connections that
# never log in; the master's next "connection" line says how many were
# not logged.  strace makes socketpair fail (EMFILE) in every process of
# the master's while clients connect in a loop faster than the master's
# log rate (flood_past_rate); strace gone, a login works.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# Every connection of a burst runs at once (flood_past_rate).
MAX_SESSIONS=500
MAX_SESSIONS_PER_IP=500

pw=$(rand_pw)
add_user alice "$pw"
start_daemon

strace_attach "$DAEMON_PID" "$T/strace.out" -f -b execve \
    -e trace=socketpair -e inject=socketpair:error=EMFILE
flood_past_rate "" || fail "the connections failed"
kill "$STRACE_PID" 2>/dev/null
wait "$STRACE_PID" 2>/dev/null
_settled() { [ "$(count_sessions)" = 0 ]; }
wait_for 20 _settled || fail "the connections' processes did not end"
sleep 1
lines=$(log_count 'socketpair: Too many open files')
note "$FLOOD_MADE connections in $FLOOD_SECS s, socketpair failing: $lines lines of it, $FLOOD_LOGGED connection lines"
((FLOOD_MADE - FLOOD_LOGGED >= 10)) ||
	fail "$FLOOD_MADE connections in $FLOOD_SECS s did not outrun the log rate"
((lines >= 1)) || fail "no socketpair failure was logged"
((lines <= FLOOD_LOGGED)) ||
	fail "$lines failures logged for $FLOOD_LOGGED of $FLOOD_MADE connections logged"
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login once socketpair works again ($ERR)"

expect_match "$(cat "$DAEMON_LOG")" \
    'connection addr=.*\([0-9]+ more connections were not logged\)' \
    "the next connection line saying how many were left out"
ok "$FLOOD_MADE connections whose processes lacked socketpair: $lines lines"
