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

# The verdict's check (privsep/monitor_check.c) is forked, and has read
# the user database, before the verdict comes: after a good verdict the
# monitor forks nothing on its way into the home (a fork and a read of
# the database there were some 0.4 ms of every login); and, the database
# unchanged, nobody reads it again after the verdict.  From strace -f
# on the master: the helper is the child that execs mftpd-auth, its
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
		if (verdict && pid == mon && !entered)
			forked++
	}
	/execve\(/ && index($0, "\"" helper "\"") && !hpid { hpid = pid }
	hpid && pid == hpid && /sendto\(1,/ && !verdict {
		verdict = 1
		mon = parent[hpid]
	}
	/openat\(/ && index($0, "\"" users "\"") {
		if (!verdict)
			read[pid] = 1
		else
			reread++
	}
	verdict && pid == mon && /chroot\(/ { entered = 1 }
	END {
		for (p in read)
			if (p != hpid && parent[p] == mon)
				ahead = 1
		printf "verdict=%d entered=%d forked=%d ahead=%d reread=%d\n",
		    verdict, entered, forked, ahead, reread
	}' "$T/forks.out"
}
expect_eq "$(verdict_path)" "verdict=1 entered=1 forked=0 ahead=1 reread=0" \
    "the monitor's path from the verdict into the home"
ok "the check had read the database before the verdict; nothing forked or read after it"
