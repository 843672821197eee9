#!/usr/bin/env bash
# t_syslog: without -e the daemon logs to syslog, and every process role
# keeps its log socket across its chroot: the pre-auth worker (a failed
# login), the serving process (a transfer, the session's end), the
# monitor and the master.  The daemon runs in a private mount namespace
# whose /dev holds a stand-in syslog socket (a small python3 reader), so
# the machine's own /dev/log, if any, is left alone (lib_syslog.sh).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_syslog.sh
. "$(dirname "$0")/lib_syslog.sh"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon_syslog

# Started in the foreground without -e (as the systemd unit runs it):
# its standard output and error were the journal's streams, which its
# children, the unprivileged ones too, must not keep.  Once started it
# holds /dev/null there, as a daemon(3)'s, and so does a session.
stdio_of() { # PID: where its descriptors 0, 1 and 2 point
	local i
	for i in 0 1 2; do
		readlink "/proc/$1/fd/$i" || echo "(none)"
	done | tr '\n' ' '
}
nulls='/dev/null /dev/null /dev/null '
expect_eq "$(stdio_of "$DAEMON_PID")" "$nulls" "the master's descriptors 0-2"
session_open alice "$pw"
session_send pwd
wait_serving_pid "$(user_uid alice)"
expect_eq "$(stdio_of "$SERVING_PID")" "$nulls" \
    "the serving process's descriptors 0-2"
session_close 20
ok "a daemon in the foreground and its sessions keep no standard stream"

head -c 300000 /dev/urandom >"$T/f"
run_client alice "$pw" <<<"put $T/f f"
expect_rc 0 "a put"
run_client alice "x$pw" <<<"pwd"
expect_rc 4 "a wrong password"
stop_daemon

# "<PRI>Mmm dd hh:mm:ss mftpd[PID]: message", facility daemon (24 + the
# priority: 28 warning, 29 notice, 30 info).  journald rate-limits each
# priority apart: "login failed", which fail2ban reads, is a warning, so
# that the info lines of logins and transfers, which a logged-in client
# makes at will, never crowd it out.
stamp='[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}'
line_re() { # PRI MESSAGE-ERE
	printf '^<%s>%s mftpd\\[[0-9]+\\]: %s' "$1" "$stamp" "$2"
}
log=$(cat "$T/syslog")
expect_match "$log" "$(line_re 30 'listening on 127\.0\.0\.1 port ')" \
    "the master's start"
expect_match "$log" "$(line_re 30 'login user=alice addr=127\.0\.0\.1 ')" \
    "the monitor's login line"
expect_match "$log" \
    "$(line_re 28 'login failed user=alice addr=127\.0\.0\.1 port [0-9]+ attempt=1$')" \
    "the pre-auth worker's line, from its chroot"
expect_match "$log" \
    "$(line_re 30 'transfer user=alice .*op=put path=f bytes=300000 .*result=ok')" \
    "the serving process's transfer line, from the home"
expect_match "$log" "$(line_re 30 'session end user=alice .*reason=quit')" \
    "the serving process's last line"
expect_eq "$(grep -c . "$T/syslog")" "$(grep -cE "^<[0-9]+>$stamp mftpd\[" \
    "$T/syslog")" "every line in the syslog format"
# Clients that come and go, log in or fail, are nothing critical.
if grep -E '^<2[4-7]>' "$T/syslog" >"$T/serious"; then
	cat "$T/serious" >&2
	fail "error or critical lines for ordinary sessions"
fi
[ ! -s "$DAEMON_LOG" ] || fail "mftpd wrote to stderr without -e: $(cat "$DAEMON_LOG")"
ok "every process role logs to syslog"
