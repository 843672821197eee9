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
# strace makes each call fail in every process of the master's while
# clients connect in a loop faster than the master's log rate (the
# open: only of preauth_chroot, -P; the exec: only of mftpd-sign;
# -b execve: the helpers' own calls are not stopped); strace gone, a
# login works.  An allocation that fails
# (SSL_new, xmalloc) goes the same way, but no system call of it can be
# made to fail alone.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon

# flood WHAT ERE HEX STRACE-OPTIONS...: connections, each sending the
# bytes HEX, while strace makes a call fail, until the master has left
# some connections' lines out (flood_past_rate); a line matching ERE
# is written only for a connection whose lines are logged.
flood() {
	local what=$1 ere=$2 hex=$3 lines0 lines
	shift 3
	lines0=$(log_count "$ere")
	strace_attach "$DAEMON_PID" "$T/strace.$what" -f "$@"
	flood_past_rate "$hex" || fail "$what: the connections failed"
	kill "$STRACE_PID" 2>/dev/null
	wait "$STRACE_PID" 2>/dev/null
	_settled() { [ "$(count_sessions)" = 0 ]; }
	wait_for 20 _settled || fail "$what: the connections' processes did not end"
	sleep 1
	lines=$(($(log_count "$ere") - lines0))
	note "$what: $FLOOD_MADE connections in $FLOOD_SECS s: $lines lines of it, $FLOOD_LOGGED connection lines"
	((FLOOD_MADE - FLOOD_LOGGED >= 30)) ||
		fail "$what: $FLOOD_MADE connections in $FLOOD_SECS s did not outrun the log rate"
	((lines >= 1)) || fail "$what: no failure was logged"
	((lines <= FLOOD_LOGGED)) ||
		fail "$what: $lines failures logged for $FLOOD_LOGGED of $FLOOD_MADE connections logged"
	run_client alice "$pw" <<<"pwd"
	expect_rc 0 "$what: a login once it works again ($ERR)"
}

flood open "$T/empty: Too many open files" "" -b execve -P "$T/empty" \
    -e trace=openat -e inject=openat:error=EMFILE
flood seccomp 'pre-auth worker: loading the seccomp filter: Cannot allocate' \
    "" -b execve -e trace=seccomp -e inject=seccomp:error=ENOMEM
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
flood sign 'host key: (asking|no signature from) mftpd-sign' "$hello" \
    -b execve -P "$MFTPD_SIGN" -e trace=execve -e inject=execve:error=ENOMEM
expect_match "$(cat "$DAEMON_LOG")" \
    'mftpd-sign ended at its start \(exit status 127\)' \
    "the master's line saying why: its spare could not start"
expect_match "$(cat "$DAEMON_LOG")" \
    'connection addr=.*\([0-9]+ more connections were not logged\)' \
    "the next connection line saying how many were left out"
ok "floods of connections each whose pre-auth worker lacked its root, its filter, its signer"
