#!/usr/bin/env bash
# t_background: mftpd without -f, as an administrator or an init script
# starts it from a shell.  Errors that keep it from starting (a port in
# use, a missing host key, a pid file it cannot write) are written to the
# standard error, which is still the shell's until it detaches, and its
# exit status says it did not start; without syslog (no /dev/log) they
# would otherwise be lost.  Started, it writes its own pid to pid_file,
# and removes it on SIGTERM; the file stays locked while it runs, so a
# second mftpd naming the same pid_file is refused.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon
port=$PORT

# bg_run CONF: mftpd in the background mode; RC and ERR.  A daemon it
# leaves running is stopped by pid (from its pid file) at the end.
bg_run() {
	local p
	RC=0
	timeout 20 "$MFTPD" -c "$1" >"$T/bg.out" 2>"$T/bg.err" || RC=$?
	ERR=$(cat "$T/bg.err")
	# A daemon that went on in the background, found by its -c even
	# when no pid file names it: the EXIT trap stops it.
	for p in $(_with_conf "$1"); do
		BG_PIDS+=("$p")
	done
}

_with_conf() { # CONF: the mftpd processes started with -c CONF
	local d
	for d in /proc/[0-9]*; do
		_runs "${d#/proc/}" "$MFTPD" || continue
		tr '\0' '\n' <"$d/cmdline" 2>/dev/null | grep -qxF -- "$1" &&
			echo "${d#/proc/}"
	done
	return 0
}

# ------------------------------------------------------ startup errors
# The port is taken by the daemon start_daemon started.
bg_run "$CONF"
expect_ne "$RC" 0 "mftpd on a port in use"
expect_match "$ERR" "^mftpd: bind 127\.0\.0\.1 port $port: Address already in use" \
    "stderr says why mftpd did not start"

sed "s|^host_key = .*|host_key = $T/nokey|" "$CONF" >"$T/nokey.conf"
bg_run "$T/nokey.conf"
expect_ne "$RC" 0 "mftpd without its host key"
expect_contains "$ERR" "$T/nokey" "stderr names the missing key"

# A pid file that cannot be written (its directory is a file): found
# before mftpd detaches, so its exit status says so.
: >"$T/afile"
sed "s|^pid_file = .*|pid_file = $T/afile/mftpd.pid|" "$CONF" >"$T/nopid.conf"
sed -i "s|^port = .*|port = $(pick_port)|" "$T/nopid.conf"
bg_run "$T/nopid.conf"
expect_ne "$RC" 0 "mftpd with a pid file it cannot write"
expect_contains "$ERR" "$T/afile/mftpd.pid" "stderr names the pid file"
ok "mftpd in the background says on stderr why it did not start"

# ------------------------------------------------ started: the pid file
stop_daemon
pidf=$T/run/mftpd.pid
rm -f "$pidf"
bg_run "$CONF"
expect_eq "$RC" 0 "mftpd in the background ($ERR)"
expect_eq "$ERR" "" "mftpd's stderr once started"
[ -s "$pidf" ] || fail "no pid file once mftpd returned"
pid=$(cat "$pidf")
[[ $pid =~ ^[0-9]+$ ]] || fail "pid file holds '$pid'"
DAEMON_PID=$pid
expect_eq "$(cat "/proc/$pid/comm" 2>/dev/null)" mftpd "the pid file's process"
wait_for 10 port_listening "$port" || fail "mftpd in the background does not listen"
kill -TERM "$pid"
wait_for 10 _not_running "$pid" || fail "mftpd did not stop on SIGTERM"
DAEMON_PID=
[ ! -e "$pidf" ] || fail "the pid file is left after a stop"
ok "in the background: its pid in pid_file, removed when it stops"

# ----------------------------------- a second mftpd on the same pid file
# Another configuration (its own port) that names the same pid_file, as
# a copy made to try something would: refused, naming the one running,
# whose pid stays in the file and whose stop is still the one to remove
# it.  A pid file a crash left (a pid, no process holding it) is taken.
echo 1 >"$pidf"
start_daemon
_pidf_is() { [ "$(cat "$pidf" 2>/dev/null)" = "$1" ]; }
wait_for 5 _pidf_is "$DAEMON_PID" ||
	fail "a stale pid file was not replaced: $(cat "$pidf")"
sed "s|^port = .*|port = $(pick_port)|" "$CONF" >"$T/second.conf"
bg_run "$T/second.conf"
# Started all the same (the bug): stopped by the EXIT trap.
[ "$RC" != 0 ] || BG_PIDS+=("$(cat "$pidf")")
expect_ne "$RC" 0 "a second mftpd on the same pid file"
expect_contains "$ERR" "$pidf" "stderr names the pid file"
expect_contains "$ERR" "pid $DAEMON_PID" "stderr names the mftpd running"
expect_eq "$(cat "$pidf" 2>/dev/null)" "$DAEMON_PID" "the pid file after the second start"
RC=0
timeout 20 "$MFTPD" -f -e -c "$T/second.conf" >"$T/fg.out" 2>"$T/fg.err" || RC=$?
expect_ne "$RC" 0 "a second mftpd -f on the same pid file"
expect_eq "$(cat "$pidf" 2>/dev/null)" "$DAEMON_PID" "the pid file after the second -f"
daemon_alive || fail "the first mftpd died"
stop_daemon
[ ! -e "$pidf" ] || fail "the pid file is left after a stop"
ok "a second mftpd on the same pid file is refused; a stale one is taken"
