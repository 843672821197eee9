#!/usr/bin/env bash
# t_login_waits: a good login waits for nothing but real events.  The
# monitor waits for its children (the password helper, the verdict's
# check, the pre-auth worker) on their pidfds, not by sleeping between
# looks, so no process of the daemon sleeps during three logins (strace
# on the master and all it forks: no nanosleep, no clock_nanosleep).
# Each such sleep was a tick of 5 ms or more on the way to the session.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon

strace_attach "$DAEMON_PID" "$T/strace.out" -f \
    -e trace=nanosleep,clock_nanosleep
for i in 1 2 3; do
	run_client alice "$pw" <<<"pwd"
	expect_rc 0 "login $i"
done
kill -INT "$STRACE_PID"
wait "$STRACE_PID" 2>/dev/null
sleeps=$(grep -c 'nanosleep(' "$T/strace.out")
[ "$sleeps" = 0 ] ||
	fail "the daemon slept $sleeps times during three logins: $(head -3 "$T/strace.out")"
ok "three logins, no sleep in any process of the daemon"
