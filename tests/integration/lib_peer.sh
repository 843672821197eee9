# lib_peer.sh: speaking mftp's frames without the client, for the
# integration tests: tlsproxy, which does both TLS handshakes so that a
# test can write frames in clear (started by lib.sh's start_daemon),
# rawpeer, and the hex encoders of the frames.  Sourced by lib.sh.
# shellcheck shell=bash

# The raw tests write frames in clear; tlsproxy, started with each
# daemon, does both TLS handshakes for them as mftp would.  PROXY_PORT
# is where it listens.  (Started here, not on first use: a first use
# inside $(...) would leave it out of this shell's cleanup.)
PROXY_PORT=
PROXY_PID=

# _proxy_port FILE: the port that a tlsproxy just spawned prints as its
# first line into FILE, waited for up to 5 s; nothing if it did not.
_proxy_port() {
	local i p=
	for ((i = 0; i < 100; i++)); do
		p=$(head -n 1 "$1")
		[ -n "$p" ] && break
		sleep 0.05
	done
	printf '%s' "$p"
}

proxy_up() {
	[ -x "$TLSPROXY" ] || fail "$TLSPROXY is not built (make check builds it)"
	if [ -n "$PROXY_PID" ]; then
		kill_tree "$PROXY_PID"
		wait "$PROXY_PID" 2>/dev/null
	fi
	PROXY_PORT=
	: >"$T/tlsproxy.port"
	spawn "$TLSPROXY" "$HOST" "$PORT" >"$T/tlsproxy.port" </dev/null
	PROXY_PID=$BG_PID
	PROXY_PORT=$(_proxy_port "$T/tlsproxy.port")
	[ -n "$PROXY_PORT" ] || fail "tlsproxy did not start"
}

# held_proxy_up FILE: another tlsproxy, whose second (PSK) handshakes
# each wait until FILE exists (TLSPROXY_HOLD): a login through it
# (rawpeer_held) has a serving process that none of its client's second
# ClientHello has reached yet.  HELD_PROXY_PORT is where it listens.
HELD_PROXY_PORT=
held_proxy_up() {
	[ -x "$TLSPROXY" ] || fail "$TLSPROXY is not built (make check builds it)"
	[ -z "$HELD_PROXY_PORT" ] || fail "held_proxy_up: already up"
	: >"$T/tlsproxy-held.port"
	spawn env TLSPROXY_HOLD="$1" "$TLSPROXY" "$HOST" "$PORT" \
	    >"$T/tlsproxy-held.port" </dev/null
	HELD_PROXY_PORT=$(_proxy_port "$T/tlsproxy-held.port")
	[ -n "$HELD_PROXY_PORT" ] || fail "the holding tlsproxy did not start"
}

# node2_proxy_up ADDR: a tlsproxy to the second node (start_node2) on
# ADDR and NODE2_PORT; PROXY2_PORT is where it listens.  A raw session goes
# to that node with PROXY_PORT=$PROXY2_PORT before raw_open.
PROXY2_PORT=
node2_proxy_up() {
	[ -x "$TLSPROXY" ] || fail "$TLSPROXY is not built (make check builds it)"
	[ -n "$NODE2_PORT" ] || fail "node2_proxy_up: no start_node2"
	: >"$T/tlsproxy2.port"
	spawn "$TLSPROXY" "$1" "$NODE2_PORT" >"$T/tlsproxy2.port" </dev/null
	PROXY2_PORT=$(_proxy_port "$T/tlsproxy2.port")
	[ -n "$PROXY2_PORT" ] ||
		fail "the tlsproxy of the second node did not start"
}

# rawpeer_held [rawpeer options] <<<hex: as rawpeer, through the holding
# tlsproxy (held_proxy_up).
rawpeer_held() {
	[ -x "$RAWPEER" ] || fail "$RAWPEER is not built (make check builds it)"
	[ -n "$HELD_PROXY_PORT" ] || fail "rawpeer_held: no held_proxy_up"
	"$RAWPEER" 127.0.0.1 "$HELD_PROXY_PORT" "$@"
}

# rawpeer [rawpeer options] <<<hex: frames in clear, through tlsproxy.
rawpeer() {
	[ -x "$RAWPEER" ] || fail "$RAWPEER is not built (make check builds it)"
	[ -n "$PROXY_PORT" ] || fail "rawpeer: no daemon started"
	"$RAWPEER" 127.0.0.1 "$PROXY_PORT" "$@"
}

# rawpeer_direct: the same bytes straight to mftpd, before any TLS.
rawpeer_direct() {
	[ -x "$RAWPEER" ] || fail "$RAWPEER is not built (make check builds it)"
	"$RAWPEER" "$HOST" "$PORT" "$@"
}

hex_u8() { printf '%02x' "$1"; }
hex_u32() { printf '%08x' "$1"; }
hex_u64() { printf '%016x' "$1"; }

hex_bytes() { # STRING: its bytes in hex
	local LC_ALL=C s=$1 i c out=
	# Without a process for each: the raw tests build thousands.
	if [[ $s == *[![:print:]]* ]]; then
		printf '%s' "$s" | od -An -v -tx1 | tr -d ' \n'
		return
	fi
	for ((i = 0; i < ${#s}; i++)); do
		printf -v c '%02x' "'${s:i:1}"
		out+=$c
	done
	printf '%s' "$out"
}

hex_str() { # STRING: a string field (u32 length + bytes)
	local h
	h=$(hex_bytes "$1")
	printf '%08x%s' $((${#h} / 2)) "$h"
}

hex_frame() { # PAYLOAD_HEX: length prefix + payload
	printf '%08x%s' $((${#1} / 2)) "$1"
}

hex_hello() { # [FEATURES]: 0 (SHA-256 checksums) unless given
	hex_frame "01$(hex_u32 2)$(hex_u32 2)$(hex_u64 "${1:-0}")$(hex_str rawpeer)"
}

hex_login() { # USER PASS
	hex_frame "02$(hex_str "$1")$(hex_str "$2")"
}

# fake_up SCENARIO [NAME]: a hostile server (fakeserver) with this test's
# throw-away host key, pinned in the clients' known_hosts for its port;
# PORT is set to that port, so that client and run_client talk to it
# (no mftpd is started).  Another call replaces the one before.
FAKE_PID=
fake_up() {
	local i
	[ -x "$FAKESERVER" ] ||
		fail "$FAKESERVER is not built (make check builds it)"
	if [ -n "$FAKE_PID" ]; then
		kill_tree "$FAKE_PID"
		wait "$FAKE_PID" 2>/dev/null
	fi
	PORT=
	: >"$T/fakeserver.port"
	spawn "$FAKESERVER" "$T/hostkey/host.crt" "$T/hostkey/host.key" "$@" \
	    >"$T/fakeserver.port" 2>>"$T/fakeserver.log" </dev/null
	FAKE_PID=$BG_PID
	for ((i = 0; i < 100; i++)); do
		PORT=$(head -n 1 "$T/fakeserver.port")
		[ -n "$PORT" ] && break
		sleep 0.05
	done
	[ -n "$PORT" ] || fail "fakeserver did not start: $(cat "$T/fakeserver.log")"
	# The key is the one the configuration names, as for mftpd.
	pin_host_key
}

# fake_logged ERE [N]: whether the fakeserver logged N (1) lines matching
# ERE, such as the requests it was sent (for wait_for).
fake_logged() {
	[ "$(grep -cE -- "$1" "$T/fakeserver.log")" -ge "${2:-1}" ]
}

# connect_closed N [HEX [SOURCE]]: N connections to the daemon's port,
# one after another, each sending nothing (or the bytes HEX) and read
# until the server closes it (a client connecting in a loop), from
# 127.0.0.1 or SOURCE.  Prints the seconds they took.
connect_closed() {
	python3 -c '
import socket, sys, time
n, port = int(sys.argv[1]), int(sys.argv[2])
data, src = bytes.fromhex(sys.argv[3]), sys.argv[4]
t0 = time.monotonic()
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=10,
                                 source_address=(src, 0))
    s.sendall(data)
    try:
        while s.recv(4096):
            pass
    except OSError:
        pass
    s.close()
print("%.3f" % (time.monotonic() - t0))
' "$1" "$PORT" "${2:-}" "${3:-127.0.0.1}"
}

# flood_past_rate HEX: 4 bursts of 120 connections, each sending the
# bytes HEX and read until the server closes it, that the master takes
# faster than its log rate allows lines (20 a second after a burst of
# 100), whatever the machine's speed: each burst is made while the
# master is stopped (SIGSTOP: the kernel queues them, 128 at most), then
# it goes on and takes them one after another, before their processes
# (30-50 ms of CPU each) have done much: until the queue is empty the
# master ($DAEMON_PID) runs before any other process (SCHED_FIFO, not
# passed on to the processes it starts), else it waits its turn among
# the burst's.  Those run at nice 19, so that tests running beside this
# one are not slowed down by hundreds of them.  A master all of whose
# calls strace stops (-p) is no faster than strace: it waits behind
# the burst's processes' calls.  Needs max_sessions and
# max_sessions_per_ip of 480 or more.  Sets FLOOD_MADE, FLOOD_SECS and
# FLOOD_LOGGED (their connection lines logged).
# shellcheck disable=SC2034 # the FLOOD_ variables are the caller's
flood_past_rate() {
	local conns0
	conns0=$(log_count 'connection addr=')
	FLOOD_MADE=480
	FLOOD_SECS=$(python3 -c '
import os, signal, socket, sys, time
port, pid, data = int(sys.argv[1]), int(sys.argv[2]), bytes.fromhex(sys.argv[3])
def fifo(on):
    # Without CAP_SYS_NICE the master goes on as it is: slower, but what
    # is asserted of it then fails, saying so, not this.
    try:
        if on:
            os.sched_setscheduler(
                pid, os.SCHED_FIFO | os.SCHED_RESET_ON_FORK,
                os.sched_param(10))
        else:
            os.sched_setscheduler(pid, os.SCHED_OTHER, os.sched_param(0))
    except PermissionError:
        pass
def queued():
    """Connections waiting in the listening socket'"'"'s queue."""
    n = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            next(f)
            for line in f:
                p = line.split()
                if p[3] == "0A" and int(p[1].rsplit(":", 1)[1], 16) == port:
                    n += int(p[4].split(":")[1], 16)
    return n
# The processes of a burst, which the master starts with its own nice
# value, make way for those of other tests running beside this one.
nice = os.getpriority(os.PRIO_PROCESS, pid)
os.setpriority(os.PRIO_PROCESS, pid, 19)
socks = []
t0 = time.monotonic()
for burst in range(4):
    os.kill(pid, signal.SIGSTOP)
    try:
        for _ in range(120):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(data)
            socks.append(s)
        fifo(True)
    finally:
        os.kill(pid, signal.SIGCONT)
    try:
        end = time.monotonic() + 30
        while queued() > 0:
            if time.monotonic() > end:
                sys.exit("flood_past_rate: the master took no connection")
            time.sleep(0.01)
    finally:
        fifo(False)
try:
    os.setpriority(os.PRIO_PROCESS, pid, nice)
except PermissionError:
    pass
for s in socks:
    s.settimeout(60)
    try:
        while s.recv(4096):
            pass
    except OSError:
        pass
    s.close()
print("%.3f" % (time.monotonic() - t0))
' "$PORT" "$DAEMON_PID" "$1") || return 1
	FLOOD_LOGGED=$(($(log_count 'connection addr=') - conns0))
	return 0
}
