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
# the master's for N connections; strace gone, a login works.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

N=600
pw=$(rand_pw)
add_user alice "$pw"
start_daemon

strace_attach "$DAEMON_PID" "$T/strace.out" -f -e trace=socketpair \
    -e inject=socketpair:error=EMFILE
secs=$(connect_closed "$N") || fail "the connections failed"
kill "$STRACE_PID" 2>/dev/null
wait "$STRACE_PID" 2>/dev/null
_settled() { [ "$(count_sessions)" = 0 ]; }
wait_for 20 _settled || fail "the connections' processes did not end"
sleep 1
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login once socketpair works again ($ERR)"

lines=$(log_count 'socketpair: Too many open files')
conns=$(log_count 'connection addr=')
note "$N connections in $secs s, socketpair failing: $lines lines of it, $conns connection lines"
((lines >= 1)) || fail "no socketpair failure was logged"
((lines <= conns)) ||
	fail "$lines failures logged for $conns connections logged"
((lines < N / 2)) || fail "$lines lines for $N connections"
expect_match "$(cat "$DAEMON_LOG")" \
    'connection addr=.*\([0-9]+ more connections were not logged\)' \
    "the next connection line saying how many were left out"
ok "$N connections whose processes lacked socketpair: $lines lines"
