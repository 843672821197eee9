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

# The verdict's check (privsep/monitor_check.c) is forked before the
# verdict comes: after a good verdict the monitor forks nothing on its
# way into the home (a fork there, and the child's exit, were some
# 0.4 ms of every login).  The check reads the user database once, after
# the verdict, so that it sees the database as it is then.  From strace
# -f on the master: the helper is the child that execs mftpd-auth, its
# verdict the first sendto on its fd 1, the monitor its parent.
strace_attach "$DAEMON_PID" "$T/forks.out" -f \
    -e trace=clone,clone3,fork,vfork,execve,sendto,openat,chroot
run_client alice "$pw" <<<"pwd"
expect_rc 0 "the traced login"
kill -INT "$STRACE_PID"
wait "$STRACE_PID" 2>/dev/null
verdict_path() {
	awk -v helper="$MFTPD_AUTH" -v users="$USERS" '
	{ pid = $1 }
	/(clone3?|v?fork)\(|<\.\.\. (clone3?|v?fork) resumed>/ &&
	    / = [0-9]+$/ {
		parent[$NF] = pid
		if (!verdict)
			before[$NF] = 1
		else if (pid == mon && !entered)
			forked++
	}
	/execve\(/ && index($0, "\"" helper "\"") && !hpid { hpid = pid }
	hpid && pid == hpid && /sendto\(1,/ && !verdict {
		verdict = 1
		mon = parent[hpid]
	}
	/openat\(/ && index($0, "\"" users "\"") && verdict {
		if (pid != hpid && parent[pid] == mon && before[pid])
			checkread++
		else
			otherread++
	}
	verdict && pid == mon && /chroot\(/ { entered = 1 }
	END {
		printf "verdict=%d entered=%d forked=%d checkread=%d otherread=%d\n",
		    verdict, entered, forked, checkread, otherread
	}' "$T/forks.out"
}
expect_eq "$(verdict_path)" \
    "verdict=1 entered=1 forked=0 checkread=1 otherread=0" \
    "the monitor's path from the verdict into the home"
ok "the check was forked before the verdict and read the database once, after it; the monitor forked nothing"
