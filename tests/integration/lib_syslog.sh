# lib_syslog.sh: mftpd logging to a stand-in syslog daemon, without -e,
# as the systemd unit runs it.  mftpd runs in a private mount namespace
# whose /dev is a tmpfs holding the few devices the programs use and the
# stand-in's socket at /dev/log (a small python3 reader), so the
# machine's own /dev/log, if any, is left alone.  Sourced after lib.sh.
# shellcheck shell=bash disable=SC2034

# start_daemon_syslog: start the stand-in (SYSLOGD_PID; every datagram
# it gets is a line of $T/syslog) and mftpd -f in the namespace
# (DAEMON_PID); wait until it listens.  SIGUSR1 restarts the stand-in
# as a syslog daemon would restart: the socket at /dev/log is a new one,
# and "--- restarted" is written to $T/syslog.
SYSLOGD_PID=
start_daemon_syslog() {
	command -v unshare >/dev/null || fail "unshare (util-linux) is missing"
	command -v python3 >/dev/null || fail "python3 is missing"
	cat >"$T/syslogd.py" <<'PY'
import os, signal, socket, sys
path, out = sys.argv[1], sys.argv[2]

class Restart(Exception):
    pass

def restart(sig, frame):
    raise Restart()

def serve():
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o666)
    return s

signal.signal(signal.SIGUSR1, restart)
s = serve()
with open(out, "ab", buffering=0) as f:
    while True:
        try:
            f.write(s.recv(4096) + b"\n")
        except Restart:
            s.close()
            s = serve()
            f.write(b"--- restarted\n")
PY
	: >"$T/syslog"
	# In the namespace: the stand-in (detached, so mftpd is not its
	# parent), then mftpd.
	# shellcheck disable=SC2016 # the inner bash expands them
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
	wait_for 10 _have_syslogd || fail "the stand-in syslogd did not start"
	SYSLOGD_PID=$(cat "$T/syslogd.pid")
	BG_PIDS+=("$SYSLOGD_PID")
	_wait_daemon_up ||
		fail "mftpd did not start in the namespace: $(cat "$DAEMON_LOG")"
	pin_host_key
}

_have_syslogd() { [ -s "$T/syslogd.pid" ]; }
