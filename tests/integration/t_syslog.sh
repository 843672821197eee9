#!/usr/bin/env bash
# t_syslog: without -e the daemon logs to syslog, and every process role
# keeps its log socket across its chroot: the pre-auth worker (a failed
# login), the serving process (a transfer, the session's end), the
# monitor and the master.  The daemon runs in a private mount namespace
# whose /dev holds a stand-in syslog socket (a small python3 reader), so
# the machine's own /dev/log, if any, is left alone.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v unshare >/dev/null || fail "unshare (util-linux) is missing"
command -v python3 >/dev/null || fail "python3 is missing"

pw=$(rand_pw)
add_user alice "$pw"

cat >"$T/syslogd.py" <<'PY'
import os, socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
with open(out, "ab", buffering=0) as f:
    while True:
        f.write(s.recv(4096) + b"\n")
PY
: >"$T/syslog"

# In the namespace: a fresh /dev with the few devices the programs use,
# the stand-in syslogd (detached, so mftpd is not its parent), then mftpd.
unshare -m --propagation private -- bash -c '
	set -e
	mount -t tmpfs -o mode=0755 mftp-test-dev /dev
	mknod -m 666 /dev/null c 1 3
	mknod -m 666 /dev/zero c 1 5
	mknod -m 666 /dev/random c 1 8
	mknod -m 666 /dev/urandom c 1 9
	( python3 "$1" /dev/log "$2" </dev/null >/dev/null 2>&1 &
	  echo $! >"$3" )
	for i in $(seq 100); do [ -S /dev/log ] && break; sleep 0.05; done
	[ -S /dev/log ]
	exec "$4" -f -c "$5"
' syslog-test "$T/syslogd.py" "$T/syslog" "$T/syslogd.pid" "$MFTPD" \
    "$CONF" 2>>"$DAEMON_LOG" &
DAEMON_PID=$!
_have_syslogd() { [ -s "$T/syslogd.pid" ]; }
wait_for 10 _have_syslogd || fail "the stand-in syslogd did not start"
BG_PIDS+=("$(cat "$T/syslogd.pid")")
_wait_daemon_up || fail "mftpd did not start in the namespace: $(cat "$DAEMON_LOG")"
pin_host_key

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

# "<PRI>Mmm dd hh:mm:ss mftpd[PID]: message", facility daemon.
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
    "$(line_re 29 'login failed user=alice addr=127\.0\.0\.1 port [0-9]+ attempt=1$')" \
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
