#!/usr/bin/env bash
# t_log_flood_fork: a master that cannot fork (EAGAIN: the unit's
# TasksMax, the system's pid limit reached) does not write a line for
# every connection it then drops.  A client connecting in a loop made it
# write "fork: Resource temporarily unavailable" once a connection,
# thousands of lines a second, past journald's own limit, which then
# drops the unit's lines, the "login failed" lines fail2ban reads among
# them.  The line is now written as accept's failures are: every 10 s at
# most after a burst of 3, the next one saying how many were left out.
# strace makes every clone of the master fail with EAGAIN, N connections
# come, then, past the 10 s, one more; strace gone, a login works.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

N=300
pw=$(rand_pw)
add_user alice "$pw"
start_daemon

strace_attach "$DAEMON_PID" "$T/strace.out" -e trace=clone,clone3 \
    -e inject=clone,clone3:error=EAGAIN
secs=$(connect_closed "$N") || fail "the connections failed"
_failed() { [ "$(log_count 'mftpd\[[0-9]+\]: fork: ')" -ge 1 ]; }
wait_for 5 _failed || fail "no fork failed: $(head -3 "$T/strace.out")"
sleep 10.5
connect_closed 1 >/dev/null || fail "the last connection failed"
_summed() { log_count 'fork: .*more failures were not logged' | grep -qvx 0; }
wait_for 5 _summed || fail "no line said how many fork failures were left out"
kill "$STRACE_PID" 2>/dev/null
wait "$STRACE_PID" 2>/dev/null

lines=$(log_count 'mftpd\[[0-9]+\]: fork: ')
spare=$(log_count 'fork for a spare mftpd-sign')
note "$((N + 1)) connections in $secs s + 10.5 s, fork failing: $lines lines, $spare of the spare signer"
((lines <= 5)) || fail "$lines lines for $((N + 1)) failed forks"
((spare <= 4)) || fail "$spare lines for the spare signer's forks"
daemon_alive || fail "mftpd died"
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login once the master can fork again ($ERR)"
ok "$((N + 1)) connections the master could not fork for: $lines lines"
