#!/usr/bin/env bash
# t_log_flood_lack_worker: a connection's pre-auth worker that lacks a
# resource (memory, descriptors) does not write a line for every
# connection.  Its open of preauth_chroot failing (EMFILE), or the load
# of its seccomp filter (ENOMEM: the kernel's memory), ended it with a
# LOG_CRIT line each time: a client connecting in a loop while it lacked
# made a line a connection, past journald's own limit, which then drops
# the unit's lines, the "login failed" lines fail2ban reads among them.
# Such a line is now one of a connection's that the master lets through
# at a bounded rate (fatal_lack, as t_log_flood_lack's socketpair).
# So is the warning of a worker whose mftpd-sign could not start (its
# exec failing, ENOMEM), at the handshake's signature.
# strace makes the open (of preauth_chroot only, -P) or the exec (of
# mftpd-sign only) fail in every process of mftpd's, or filterfull
# leaves no room for the filter, while bursts of connections come faster
# than the master's log rate.  An allocation that fails (SSL_new,
# xmalloc) goes the same way, but no system call of it can be made to
# fail alone.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# Every connection of a burst runs at once (flood_past_rate).
MAX_SESSIONS=500
MAX_SESSIONS_PER_IP=500

FILTERFULL=$top_builddir/tests/integration/filterfull
pw=$(rand_pw)
add_user alice "$pw"

# flood WHAT ERE HEX PREFIX...: mftpd run by PREFIX, which makes a call
# fail, and bursts of connections each sending the bytes HEX, which the
# master takes faster than its log rate (flood_past_rate); a line
# matching ERE is written only for a connection whose lines are logged.
flood() {
	local what=$1 ere=$2 hex=$3 lines0 lines runner
	shift 3
	lines0=$(log_count "$ere")
	if [ "$1" = attach ]; then
		shift
		start_daemon
		strace_attach "$DAEMON_PID" "$T/strace.$what" -f "$@"
		runner=$STRACE_PID
	else
		DAEMON_PREFIX=("$@")
		start_daemon
		DAEMON_PREFIX=()
		# Under strace, the master is its child.
		runner=$DAEMON_PID
		DAEMON_PID=$(cat "$T/run/mftpd.pid") || fail "$what: no pid file"
	fi
	flood_past_rate "$hex" || fail "$what: the connections failed"
	_settled() { [ "$(count_sessions)" = 0 ]; }
	wait_for 30 _settled || fail "$what: the connections' processes did not end"
	stop_daemon
	[ "$runner" = "${STRACE_PID:-}" ] && kill "$runner" 2>/dev/null
	wait_for 10 _not_running "$runner" || fail "$what: $1 did not end"
	wait "$runner" 2>/dev/null
	lines=$(($(log_count "$ere") - lines0))
	note "$what: $FLOOD_MADE connections in $FLOOD_SECS s: $lines lines of it, $FLOOD_LOGGED connection lines"
	if ((FLOOD_MADE - FLOOD_LOGGED < 10)); then
		# Under strace, a busy machine may not outrun it; the
		# seccomp flood, without strace, always does.
		[ "${FLOOD_MAY_LAG:-}" = 1 ] ||
			fail "$what: $FLOOD_MADE connections in $FLOOD_SECS s did not outrun the log rate"
		note "$what: not judged: the connections did not outrun the log rate"
	fi
	((lines >= 1)) || fail "$what: no failure was logged"
	((lines <= FLOOD_LOGGED)) ||
		fail "$what: $lines failures logged for $FLOOD_LOGGED of $FLOOD_MADE connections logged"
}

# strace stops only the calls it traces (--seccomp-bpf), not every call
# of every process: else the master, stopped at each of its calls, waits
# behind those of the burst's processes and takes the connections no
# faster than its log rate.  So it starts mftpd, which is stopped before
# strace ends: a traced call of a process that outlived it would fail.
FLOOD_MAY_LAG=1 flood open "$T/empty: Too many open files" "" strace -qq -o "$T/strace.open" \
    -f --seccomp-bpf -P "$T/empty" -e trace=openat \
    -e inject=openat:error=EMFILE
# No room left for the worker's seccomp filter: ENOMEM, as when the
# kernel's memory lacks.  No strace: this flood always outruns the log
# rate, and judges the lines of fatal_or_lack, the open's too.
flood seccomp 'pre-auth worker: loading the seccomp filter: Cannot allocate' \
    "" "$FILTERFULL"
# A TLS 1.3 ClientHello, all the server needs to sign its answer.
hello=$(python3 -c '
import ssl
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
out = ssl.MemoryBIO()
s = ctx.wrap_bio(ssl.MemoryBIO(), out)
try:
    s.do_handshake()
except ssl.SSLWantReadError:
    pass
print(out.read().hex())
') || fail "no ClientHello"
# strace -p: mftpd-sign -c must work at mftpd's start.  Every call of
# every process then waits for strace, the master's too, which on a
# slow machine may take the connections no faster than its log rate.
FLOOD_MAY_LAG=1 flood sign 'host key: (asking|no signature from) mftpd-sign' "$hello" \
    attach -P "$MFTPD_SIGN" -e trace=execve -e inject=execve:error=ENOMEM
expect_match "$(cat "$DAEMON_LOG")" \
    'mftpd-sign ended at its start \(exit status 127\)' \
    "the master's line saying why: its spare could not start"
expect_match "$(cat "$DAEMON_LOG")" \
    'connection addr=.*\([0-9]+ more connections were not logged\)' \
    "the next connection line saying how many were left out"
start_daemon
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login, nothing failing ($ERR)"
ok "floods of connections each whose pre-auth worker lacked its root, its filter, its signer"
