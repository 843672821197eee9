#!/usr/bin/env bash
# t_accept_emfile: a master out of descriptors (EMFILE; ENFILE, ENOBUFS
# and ENOMEM the same) neither spins nor floods the log.  The connection
# it cannot accept stays in the backlog, so poll says "readable" again
# at once: the master stops polling its listening sockets for a while
# and logs the failure at a bounded rate.  Its descriptors are taken by
# balancer connections waiting for their PROXY header (from 127.0.0.2,
# the address in proxy_protocol_from) under a limit set just above what
# it has; one more client then cannot be accepted.  Once the balancer's
# connections close, the waiting client is accepted, and a login works.
# More balancer connections waiting than the master keeps are closed,
# and logged at a bounded rate too.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

DAEMON_EXTRA_CONF="proxy_protocol_from = 127.0.0.2
proxy_protocol_timeout = 60"
pw=$(rand_pw)
add_user nofd "$pw"
start_daemon

fds_of() { # PID [BELOW]: how many descriptors it has open (below BELOW)
	local f n=0
	for f in /proc/"$1"/fd/*; do
		[ -n "${2:-}" ] && ((${f##*/} >= $2)) && continue
		n=$((n + 1))
	done
	echo "$n"
}

cpu_ticks() { # PID: user + system time, in clock ticks
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# hold N SRC: N connections from SRC to the daemon, held until killed.
hold() {
	python3 -c '
import socket, sys, time
n, src, port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
held = []
for _ in range(n):
    s = socket.socket()
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    held.append(s)
print("held", flush=True)
time.sleep(120)
' "$1" "$2" "$PORT"
}

full() { [ "$(fds_of "$DAEMON_PID" "$limit")" -ge "$limit" ]; }
has_line() { [ "$(log_count "$1")" -gt "$2" ]; }

# The soft limit only: the hard one could not be raised back.
soft=$(prlimit --pid "$DAEMON_PID" --nofile --raw --noheadings -o SOFT)
# A new descriptor takes the lowest free number: under the limit, the
# free ones are the numbers below it that are not open.
limit=$(($(fds_of "$DAEMON_PID") + 4))
free=$((limit - $(fds_of "$DAEMON_PID" "$limit")))
prlimit --pid "$DAEMON_PID" --nofile="$limit:" || fail "prlimit"
note "master $DAEMON_PID: limit $limit descriptors, $free free"
spawn hold "$free" 127.0.0.2 >"$T/hold.out"
holders=$BG_PID
wait_for 10 full ||
	fail "the balancer's connections did not fill the master's descriptors"

accepted=$(log_count 'connection addr=127\.0\.0\.1 ')
spawn hold 1 127.0.0.1 >"$T/extra.out"
extra=$BG_PID
wait_for 10 has_line ': accept: ' 0 || fail "no accept failure logged"
t0=$(cpu_ticks "$DAEMON_PID")
sleep 2
t1=$(cpu_ticks "$DAEMON_PID")
hz=$(getconf CLK_TCK)
lines=$(log_count ': accept: ')
note "in 2 s out of descriptors: $((t1 - t0)) ticks of CPU (of $((2 * hz))), $lines accept lines"
daemon_alive || fail "the master died"
(((t1 - t0) * 10 <= 2 * hz)) ||
	fail "the master used $((t1 - t0)) of $((2 * hz)) ticks in 2 s: it spins"
((lines <= 5)) || fail "$lines accept lines in about 2 s"
expect_match "$(grep ': accept: ' "$DAEMON_LOG" | head -n 1)" \
    'accept: Too many open files' "the accept failure's line"
ok "out of descriptors: the master waits, $lines lines logged"

# The spare signer ends meanwhile: the master cannot make the socket
# pair for the next, and waits before it tries again, not at every turn.
spare=$(signers_of "$DAEMON_PID" | head -n 1)
[ -n "$spare" ] || fail "no spare mftpd-sign"
kill -KILL "$spare"
wait_for 10 has_line 'socketpair for a spare mftpd-sign' 0 ||
	fail "no failed spare logged"
sleep 4
spares=$(log_count 'socketpair for a spare mftpd-sign')
expect_eq "$spares" 1 "failed spares logged in about 4 s"
daemon_alive || fail "the master died"
ok "out of descriptors: the spare signer is not retried at every turn"

kill_tree "$holders"
wait_for 10 has_line 'connection addr=127\.0\.0\.1 ' "$accepted" ||
	fail "the waiting client was not accepted once descriptors were free"
kill_tree "$extra"
prlimit --pid "$DAEMON_PID" --nofile="$soft:" || fail "prlimit back"
run_client nofd "$pw" <<<"pwd"
expect_rc 0 "a login once descriptors are free ($ERR)"
ok "descriptors free again: the waiting client is accepted, a login works"

# A balancer out of order, with more connections waiting for their
# PROXY header than the master keeps (64): each one more is closed, and
# logged at a bounded rate.
pending=$(log_count 'PROXY header already')
spawn hold 100 127.0.0.2 >"$T/many.out"
many=$BG_PID
_held() { grep -q held "$T/many.out"; }
wait_for 20 _held || fail "the 100 balancer connections were not made"
wait_for 10 has_line 'PROXY header already' "$pending" ||
	fail "no line for the connections over the limit"
sleep 1
lines=$(($(log_count 'PROXY header already') - pending))
kill_tree "$many"
note "36 connections over the limit: $lines lines"
((lines <= 3)) || fail "$lines lines for 36 connections over the limit"
daemon_alive || fail "the master died"
ok "a balancer over the pending limit: logged at a bounded rate"
check_log_clean
