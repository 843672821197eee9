#!/usr/bin/env bash
# t_haproxy_keepalive: behind haproxy (the shipped doc/haproxy-mftp.cfg),
# a client whose machine vanishes (no FIN, no RST: here every packet
# from and to its address is dropped) is found gone by the balancer's
# TCP keepalive toward the client, which then closes its connection to
# the node: the session ends well before idle_timeout (logged as its
# client's close, which the balancer's is), and its slot is free again.
# mftpd's own keepalive cannot see it there: its probes go to the
# balancer, whose system answers them whatever the client does.  Before,
# the shipped configuration had no keepalive toward the clients, and a
# vanished client held its session (its slot, an upload's lock and
# reservation) until idle_timeout, or the balancer's hour of
# "timeout client".  The balancer's probe times come from the
# environment here (MFTP_CLIENT_KEEPALIVE_IDLE, _INTVL), a few seconds.
#
# Runs in a network namespace of its own (unshare -n), on its loopback
# only: the client connects from 127.0.0.3, and "vanishes" when policy
# routing rules of that namespace blackhole every packet from and to
# 127.0.0.3, which touches nothing else on the machine.
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
LOGIN_TIMEOUT=60
DAEMON_EXTRA_CONF="listen = 127.0.0.2
proxy_protocol_from = 127.0.0.1"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] ||
	fail "not in a network namespace of its own"
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
if [ ! -x "$HAPROXY" ]; then
	echo "SKIP: $TEST_NAME needs haproxy (apt-get install haproxy)"
	exit 77
fi

# ------------------------------------- packets of 127.0.0.3 dropped
# The local table's rule (priority 0) moves behind two blackhole rules,
# which the test adds and removes: no error to either end, as when a
# machine vanishes.
if ! { ip rule add lookup local prio 1000 && ip rule del prio 0; }; then
	echo "SKIP: no policy routing here"
	exit 77
fi
vanish() {
	ip rule add from 127.0.0.3 blackhole prio 10 &&
		ip rule add to 127.0.0.3 blackhole prio 11
}
come_back() {
	ip rule del prio 10 2>/dev/null
	ip rule del prio 11 2>/dev/null
	return 0
}

pw=$(rand_pw)
add_user alice "$pw" --max-sessions 1
uid=$(user_uid alice)
start_daemon

# ------------------------------------------------------------ haproxy
HPORT=$(pick_port) || fail "no free port for haproxy"
HAPROXY_LOG=$T/haproxy.log
MFTP_FRONTEND=127.0.0.1:$HPORT MFTP_NODE1=127.0.0.2:$PORT \
    MFTP_NODE2=127.0.0.2:$PORT MFTP_CLIENT_KEEPALIVE_IDLE=2s \
    MFTP_CLIENT_KEEPALIVE_INTVL=1s "$HAPROXY" -db \
    -f "$top_srcdir/doc/haproxy-mftp.cfg" </dev/null >"$HAPROXY_LOG" 2>&1 &
HAPROXY_PID=$!
BG_PIDS+=("$HAPROXY_PID")
_haproxy_up() {
	kill -0 "$HAPROXY_PID" 2>/dev/null &&
		[ -n "$(ss -Hltn "src 127.0.0.1 and sport = :$HPORT")" ]
}
wait_for 10 _haproxy_up || {
	cat "$HAPROXY_LOG" >&2
	fail "haproxy did not start"
}
echo "127.0.0.1 $HPORT $HOST_FP" >>"$KNOWN_HOSTS"

# ------------------------------------ an idle client behind it vanishes
# Its commands come from a FIFO this shell holds open (read-write: the
# open waits for no reader), as session_open's.
mkfifo "$T/cmd.fifo" || fail "mkfifo"
exec 8<>"$T/cmd.fifo"
timeout -k 5 120 "$MFTP" -P "$HPORT" -q --password-fd 3 \
    -o BindAddress=127.0.0.3 "alice@127.0.0.1" 3<<<"$pw" <"$T/cmd.fifo" >"$T/client.out" \
    2>"$T/client.err" 8>&- &
CLIENT_PID=$!
BG_PIDS+=("$CLIENT_PID")
printf 'pwd\n' >&8
wait_serving_pid "$uid" 20
sp=$SERVING_PID
_said_pwd() { grep -q '^/' "$T/client.out"; }
wait_for 10 _said_pwd || fail "the client's pwd: $(cat "$T/client.err")"
expect_match "$(cat "$DAEMON_LOG")" \
    'login user=alice addr=127\.0\.0\.3 port [0-9]+' \
    "the login through the balancer"

t0=$(date +%s)
vanish || fail "cannot drop the packets of 127.0.0.3"
if ! wait_for 20 _not_running "$sp"; then
	come_back
	fail "the vanished client's session lives on 20 s later (keepalive" \
	    "toward the clients in doc/haproxy-mftp.cfg?)"
fi
note "the session ended $(($(date +%s) - t0)) s after the client vanished"
line=$(grep -F "mftpd[$sp]: session end " "$DAEMON_LOG")
# The balancer closes its connection to the node: "closed".
expect_match "$line" \
    ' addr=127\.0\.0\.3 port [0-9]+ reason=(closed|connection-lost) ' \
    "the session's end"
come_back
kill_tree "$CLIENT_PID"
wait "$CLIENT_PID" 2>/dev/null
exec 8>&-

# Its slot is free again: with --max-sessions 1 a new login is served.
RC=0
timeout -k 5 60 "$MFTP" -P "$HPORT" -q --password-fd 3 \
    -o BindAddress=127.0.0.3 "alice@127.0.0.1" 3<<<"$pw" <<<"pwd" >"$T/client.out" \
    2>"$T/client.err" || RC=$?
expect_eq "$RC" 0 "a login after the vanished session ($(cat "$T/client.err"))"
ok "a client that vanished behind haproxy is found gone, its slot given back"
