#!/usr/bin/env bash
# t_syslog_restart: a syslog daemon restarted while mftpd runs (a new
# socket at /dev/log, as rsyslog makes when it starts again) costs at
# most the lines other processes send before the master's next one,
# which finds the old socket gone: the master connects its log socket
# again then and sends that line; every process it forked shares it,
# so a failed login's line (the pre-auth worker's, from its chroot), the
# end of a session logged in before the restart (the serving process's),
# a reload's and the stop's lines all reach the new daemon.  mftpd runs in
# a private mount namespace whose /dev holds a stand-in syslogd, which
# binds a new socket on SIGUSR1 (lib_syslog.sh).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_syslog.sh
. "$(dirname "$0")/lib_syslog.sh"

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
start_daemon_syslog

# A session logged in before the restart, held open.
session_open alice "$pw"
session_send pwd
wait_serving_pid "$uid"

kill -USR1 "$SYSLOGD_PID"
_restarted() { grep -q '^--- restarted$' "$T/syslog"; }
wait_for 10 _restarted || fail "the stand-in syslogd did not restart"

# after_restart ERE: a line after the restart matches.
after_restart() {
	sed '1,/^--- restarted$/d' "$T/syslog" | grep -Eq -- "$1"
}

run_client alice "x$pw" <<<"pwd"
expect_rc 4 "a wrong password"
wait_for 5 after_restart 'mftpd\[[0-9]+\]: login failed user=alice ' ||
	fail "no 'login failed' line after the syslog daemon restarted:" \
	    "$(sed '1,/^--- restarted$/d' "$T/syslog")"
ok "a failed login after a syslog restart is logged"

session_send quit
session_close 20
expect_eq "$SESS_RC" 0 "the session held across the restart"
wait_for 5 after_restart 'session end user=alice .*reason=quit' ||
	fail "the session of before the restart logged no end"
ok "a session of before the restart logs its end to the new daemon"

kill -HUP "$DAEMON_PID"
wait_for 10 after_restart 'configuration reloaded' ||
	fail "no reload line after the syslog daemon restarted"
stop_daemon
wait_for 5 after_restart 'mftpd stopped' || fail "no stop line"
[ ! -s "$DAEMON_LOG" ] || fail "mftpd wrote to stderr without -e: $(cat "$DAEMON_LOG")"
ok "the master's reload and stop lines reach the new daemon"
