#!/usr/bin/env bash
# t_connect_addrs: a host name with an IPv6 and an IPv4 address (played by
# the fakeresolv LD_PRELOAD library: no /etc/hosts, no DNS) where the
# server listens on one family only.  mftp tries the next address after a
# refusal and after an address that does not answer (each for at most ten
# seconds, as mftp(1) says); when every address fails, the error names
# each address tried and what went wrong with it.  -o BindAddress skips
# the addresses of the other family and refuses a word that is not a
# numeric address.  A zone index, [addr%zone], is %25 in a URL.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FAKERESOLV=$top_builddir/tests/integration/fakeresolv.so
[ -f "$FAKERESOLV" ] || fail "$FAKERESOLV is not built (make check builds it)"
if ! have_ipv6; then
	echo "SKIP: $TEST_NAME needs ::1"
	exit 77
fi

pw=$(rand_pw)
add_user alice "$pw"
printf '%s\n' "$pw" >"$T/pw"
NAME=dual.mftp.test

# dual ADDRS DEST [mftp options]: mftp with NAME resolving to ADDRS (in
# that order), "pwd" on its input; sets RC, OUT, ERR and SECS.
dual() {
	local addrs=$1 dest=$2 start=$SECONDS
	shift 2
	_last_client="mftp $* $dest ($NAME=$addrs)"
	RC=0
	MFTP_TEST_RESOLVE="$NAME=$addrs" LD_PRELOAD=$FAKERESOLV \
	    timeout -k 5 "$CLIENT_TIMEOUT" "$MFTP" -q --password-fd 3 "$@" \
	    "$dest" 3<"$T/pw" <<<"pwd" >"$T/dual.out" 2>"$T/dual.err" || RC=$?
	SECS=$((SECONDS - start))
	OUT=$(cat "$T/dual.out")
	ERR=$(cat "$T/dual.err")
}

# ------------------------------------- the server on one family only
DAEMON_EXTRA_CONF="listen = 127.0.0.1"
start_daemon
echo "$NAME $PORT $HOST_FP" >>"$KNOWN_HOSTS"
dual "::1,127.0.0.1" "alice@$NAME:$PORT"
expect_rc 0 "IPv6 first, the server on IPv4 only"
expect_eq "$OUT" "/" "the session over the second address"
expect_match "$(cat "$DAEMON_LOG")" "login user=alice addr=127\.0\.0\.1 " \
    "the login came over IPv4"
ok "a refused address: the next one is tried"

# ------------------------------------------------ every address fails
dead=$(pick_port) || fail "no free port"
dual "::1,127.0.0.1" "alice@$NAME:$dead"
expect_rc 3 "no address of the name listens"
expect_contains "$ERR" "cannot connect to $NAME port $dead" \
    "the error names the host and port"
expect_contains "$ERR" "::1: Connection refused" \
    "the error names the IPv6 address and why it failed"
expect_contains "$ERR" "127.0.0.1: Connection refused" \
    "the error names the IPv4 address and why it failed"
ok "when every address fails, the error names each one"

# --------------- an address that does not answer, then one that does
# A listener on ::1 that never accepts, its backlog full: a connection
# to it gets no answer, as from a filtered address.
python3 - "$PORT" >"$T/hold.out" 2>&1 <<'EOF' &
import socket, sys, time
port = int(sys.argv[1])
l = socket.socket(socket.AF_INET6)
l.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
l.bind(("::1", port))
l.listen(0)
held = []
for _ in range(8):
    c = socket.socket(socket.AF_INET6)
    c.settimeout(1)
    try:
        c.connect(("::1", port))
    except OSError:
        break
    held.append(c)
print("full", flush=True)
time.sleep(120)
EOF
HOLDER=$!
BG_PIDS+=("$HOLDER")
wait_for 10 grep -q full "$T/hold.out" || fail "the ::1 holder did not start"
dual "::1,127.0.0.1" "alice@$NAME:$PORT"
expect_rc 0 "IPv6 first and silent, IPv4 served"
expect_eq "$OUT" "/" "the session over the second address"
((SECS >= 8 && SECS <= 20)) ||
	fail "the silent address held mftp $SECS s, not about 10"
ok "an address that does not answer is given up after 10 s"

# ---------------------------------------------------------- BindAddress
# An address of the other family is skipped for one of BindAddress's.
dual "::1,127.0.0.1" "alice@$NAME:$PORT" -o BindAddress=127.0.0.5
expect_rc 0 "BindAddress=127.0.0.5 to a name with both families"
expect_match "$(cat "$DAEMON_LOG")" "login user=alice addr=127\.0\.0\.5 " \
    "the login came from the BindAddress"
# No address of its family: the error says so, not "Cannot assign".
dual "127.0.0.1" "alice@$NAME:$PORT" -o BindAddress=::1
expect_rc 3 "BindAddress=::1 to an IPv4 address only"
expect_contains "$ERR" "127.0.0.1: not IPv6, as BindAddress ::1 is" \
    "the error says why the address was skipped"
# Not a numeric address: a usage error before anything is tried.
for bad in notanaddr "[::1]" 127.0.0.300; do
	dual "127.0.0.1" "alice@$NAME:$PORT" -o "BindAddress=$bad"
	expect_rc 2 "BindAddress=$bad"
	expect_contains "$ERR" \
	    "-o BindAddress=$bad: not a numeric IPv4 or IPv6 address" \
	    "the refusal of BindAddress=$bad"
done
ok "BindAddress: the other family skipped, a bad address refused"

# ------------------------------------------------------- a zone index
# fe80::1%eth0; in a URL the % is written %25 (RFC 6874).  The zone of
# ::1 is numeric (glibc takes a name only for a link-local address) and
# the kernel ignores it there, so the test stays on ::1, served by a
# second mftpd in place of the silent listener.
kill "$HOLDER" 2>/dev/null
wait_pid "$HOLDER" 10
write_config
sed 's/^listen = .*/listen = ::1/; s#^pid_file = .*#pid_file = '"$T"'/run/v6.pid#' \
    "$CONF" >"$T/etc/v6.conf"
"$MFTPD" -f -e -c "$T/etc/v6.conf" 2>>"$T/v6.log" &
BG_PIDS+=($!)
wait_for 10 grep -q "listening on ::1 port $PORT" "$T/v6.log" ||
	fail "the mftpd on ::1 did not start: $(tail -n 5 "$T/v6.log")"
echo "::1%1 $PORT $HOST_FP" >>"$KNOWN_HOSTS"
dual "127.0.0.1" "alice@[::1%1]:$PORT"
expect_rc 0 "[::1%1]:PORT"
dual "127.0.0.1" "mftp://alice@[::1%251]:$PORT/"
expect_rc 0 "mftp://[::1%251]:PORT/ ($ERR)"
expect_eq "$OUT" "/" "the session through a URL with a zone"
dual "127.0.0.1" "mftp://alice@[::1%2]:$PORT/"
expect_rc 2 "a bad %XX in a URL's host"
expect_contains "$ERR" "malformed URL" "the refusal of a bad %XX"
ok "a zone index, as [addr%zone] and in a URL as %25"
