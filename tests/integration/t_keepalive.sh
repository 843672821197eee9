#!/usr/bin/env bash
# t_keepalive: a client whose machine vanishes (no FIN, no RST: here the
# loopback of a network namespace of the test's own goes down) is found
# gone by TCP keepalive after about keepalive seconds (6 here), well
# before idle_timeout (60), whether it was idle or sending an upload:
# the session ends and logs why with its address, its session slot is
# free again (--max-sessions 1: the next login is served), and the
# upload's partial is kept, its lock let go and its reservation given
# back, so that the next put resumes it.  So is one that vanishes after
# its handshake, before its login, logged in the system's words as
# mftpd(8) says.  So is one that vanishes in the middle of a download
# (bytes of the server's unacknowledged, when keepalive sends no probe):
# the serving process looks at the socket's acknowledgements as it
# waits; one that only stops reading it (its system answers) is not cut
# before idle_timeout.  The accepted sockets carry
# the keepalive timer (ss), and keepalive = 0 leaves it off.  Before,
# no socket had SO_KEEPALIVE, and a vanished client held all of that
# until idle_timeout (900 s by default).
#
# Runs in a network namespace of its own (unshare -n), so that taking
# its loopback down touches nothing else on the machine.
if [ -z "${MFTP_TEST_NETNS:-}" ]; then
	if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
		unshare -n true 2>/dev/null; then
		MFTP_TEST_NETNS=1 exec unshare -n -- bash "$0" "$@"
	fi
	echo "SKIP: $(basename "$0") needs unshare -n (root)"
	exit 77
fi
ip link set lo up || { echo "SKIP: no loopback in the namespace"; exit 77; }

IDLE_TIMEOUT=60
CLIENT_TIMEOUT=60
DAEMON_EXTRA_CONF="keepalive = 6"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

# The loopback goes down only in this namespace: be sure of it.
[ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] ||
	fail "not in a network namespace of its own"

W=$T/work
pw=$(rand_pw)
add_user alice "$pw" --max-sessions 1 --rate 1M --quota-bytes 1G
uid=$(user_uid alice)
home=$(user_home alice)
start_daemon
mkdir -p "$W"
# At the user's 1 MiB/s, long enough to be cut in the middle, short
# enough that its resume is quick.  The client is stopped once 2 MiB
# are in, but what it handed to the sockets before (its send buffer,
# up to 4 MiB, and the server's window of about a second) still comes
# in: 12 MiB, so that this never holds the rest (with 6 MiB, a busy
# machine's late stop let the upload end, stored whole).
head -c $((12 * 1048576)) /dev/urandom >"$W/big" || fail "no test file"

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

lo_up() {
	ip link set lo up || fail "ip link set lo up"
}
trap_lo() {
	ip link set lo up 2>/dev/null
}

# The keepalive timer on the server's side of a session's connection.
keepalive_timer() {
	ss -Htnoi state established "sport = :$PORT" 2>/dev/null |
		grep -o 'timer:(keepalive[^)]*)' | head -n 1
}

# vanished WHAT PID: with the loopback down, PID (a serving process)
# ends within 15 s (keepalive = 6, idle_timeout = 60), and says why.
vanished() {
	local t0 ms line
	t0=$(now_ms)
	ip link set lo down || fail "ip link set lo down"
	wait_for 15 _not_running "$2" || {
		trap_lo
		fail "$1: the vanished client's session lives on after 15 s"
	}
	ms=$(($(now_ms) - t0))
	lo_up
	note "$1: the session ended $ms ms after the client vanished"
	line=$(grep -F "mftpd[$2]: session end " "$DAEMON_LOG")
	expect_match "$line" ' addr=127\.0\.0\.1 port [0-9]+ reason=connection-lost ' \
	    "$1: the session's end"
	expect_match "$(grep -F "mftpd[$2]: " "$DAEMON_LOG")" \
	    "connection lost user=alice addr=127\.0\.0\.1 port [0-9]+: Connection timed out" \
	    "$1: the line that says why"
}

# ------------------------------------------------ the timer is there
session_open alice "$pw"
session_send pwd
wait_serving_pid "$uid"
sp=$SERVING_PID
_has_timer() {
	[ -n "$(keepalive_timer)" ]
}
wait_for 10 _has_timer ||
	fail "no keepalive timer on the session's socket: $(ss -Htnoi state established "sport = :$PORT")"
note "server side: $(keepalive_timer)"
ok "an accepted connection has TCP keepalive on"

# ------------------------------------------ an idle client vanishes
vanished "idle" "$sp"
kill -KILL "$SESS_PID" 2>/dev/null
# Its slot is free: with --max-sessions 1 the next login is served.
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login after the vanished session ($ERR)"
ok "an idle client that vanished is found gone, its slot given back"

# --------------------------------------- an uploading client vanishes
"$MFTP" -P "$PORT" -q --password-fd 3 "alice@$HOST" \
    3<<<"$pw" <<<"put $W/big up" >"$T/put.out" 2>"$T/put.err" &
CPID=$!
BG_PIDS+=("$CPID")
_put_started() {
	[ "$(fsize "$home/.up.mftp-part")" -ge 2097152 ]
}
wait_for 20 _put_started ||
	fail "the put did not start"
wait_serving_pid "$uid"
sp=$SERVING_PID
kill -STOP "$CPID"
vanished "put" "$sp"
{ kill -KILL "$CPID" && wait "$CPID"; } 2>/dev/null
[ "$(fsize "$home/.up.mftp-part")" -gt 0 ] ||
	fail "the vanished upload's partial is gone"
expect_quota_exact alice "after the vanished upload"
run_client alice "$pw" <<<"put $W/big up"
expect_rc 0 "put after the vanished one ($ERR)"
expect_same_file "$home/up" "$W/big" "the resumed put"
expect_resumed put up "the second put"
off=$RESUMED_AT
ok "an uploading client that vanished is found gone; its put resumed at $off"

# ------------------------------------ a downloading client vanishes
# Bytes of the server's are in flight, unacknowledged: TCP keepalive
# sends no probe then, and retransmissions went on for idle_timeout.
# The serving process now looks, while it waits, whether the client's
# system has acknowledged nothing for keepalive seconds though asked.
head -c $((16 * 1048576)) /dev/urandom >"$home/dl" || fail "no file to get"
chown "$uid:$(user_gid alice)" "$home/dl"
get_bg() {
	"$MFTP" -P "$PORT" -q --password-fd 3 "alice@$HOST" \
	    3<<<"$pw" <<<"get dl $W/dl" >"$T/get.out" 2>"$T/get.err" &
	CPID=$!
	BG_PIDS+=("$CPID")
	_get_started() {
		[ "$(fsize "$W/dl.part")" -ge 1048576 ] ||
			[ "$(fsize "$W/dl")" -ge 1048576 ]
	}
	wait_for 20 _get_started || fail "the get did not start"
	wait_serving_pid "$uid"
}
rm -f "$W/dl" "$W/dl.part"
get_bg
vanished "get" "$SERVING_PID"
{ kill -KILL "$CPID" && wait "$CPID"; } 2>/dev/null
expect_match "$(grep -F "op=get path=dl " "$DAEMON_LOG")" \
    'result=error .*reason="connection lost: Connection timed out"' \
    "the vanished download's line"
ok "a downloading client that vanished is found gone after keepalive"

# A client that is there but stops reading (its window closed, its
# system still answering) is not gone: it has until idle_timeout.
rm -f "$W/dl" "$W/dl.part"
get_bg
sp=$SERVING_PID
kill -STOP "$CPID"
# The server probes the closed window (its persist timer) ...
_probing() {
	ss -Htnoi state established "sport = :$PORT" 2>/dev/null |
		grep -q 'timer:(persist'
}
wait_for 20 _probing || fail "the stopped reader's window did not close"
# ... for longer than keepalive, answered each time.
sleep 10
kill -0 "$sp" 2>/dev/null ||
	fail "a download whose reader stopped was cut (keepalive = 6, idle_timeout = 60)"
kill -CONT "$CPID"
wait_pid "$CPID" 60 || fail "the stopped get did not finish: $(cat "$T/get.err")"
expect_same_file "$W/dl" "$home/dl" "the stopped get"
ok "a download whose reader stops is not taken for a vanished client"

# ------------------------------------ a client vanishes before login
# After its handshake, before any request (login_timeout 30 s): the
# pre-auth worker finds it gone as a session does, and its line says
# why in the system's words (mftpd(8)), not "connection lost: ..." again.
PRE_RE='connection lost before login addr=127\.0\.0\.1 port [0-9]+: '
_pre_logged() { [ "$(log_count "$PRE_RE")" -gt 0 ]; }
# Its input a FIFO held open here: it never ends, and nothing is left
# to wait for once openssl is killed.
mkfifo "$T/pre.in"
exec 7<>"$T/pre.in"
openssl s_client -tls1_3 -quiet -connect "127.0.0.1:$PORT" \
    <"$T/pre.in" >"$T/pre.out" 2>&1 7>&- &
CPID=$!
BG_PIDS+=("$CPID")
sleep 2
ip link set lo down || fail "ip link set lo down"
wait_for 15 _pre_logged || {
	trap_lo
	fail "no line for the client that vanished before login after 15 s"
}
lo_up
{ kill "$CPID" && wait "$CPID"; } 2>/dev/null
exec 7>&-
expect_match "$(grep -E "$PRE_RE" "$DAEMON_LOG")" \
    "${PRE_RE}Connection timed out\$" "the line of the vanished client"
ok "a client that vanished before login is found gone, in the system's words"

# ------------------------------------------------- keepalive = 0: off
DAEMON_EXTRA_CONF="keepalive = 0"
write_config
hup "configuration reloaded"
session_open alice "$pw"
session_send pwd
wait_serving_pid "$uid"
sleep 1
expect_eq "$(keepalive_timer)" "" "keepalive = 0: the timer"
session_send quit
session_close 20
ok "keepalive = 0 leaves TCP keepalive off"

wait_for 10 _no_sessions || fail "sessions left: $(sessions)"
daemon_alive || fail "mftpd died"
