#!/usr/bin/env bash
# t_log_flood: a client that connects in a loop and never tries a
# password cannot flood the log.  Each such connection wrote two lines
# ("connection", then "not TLS" or a TLS or timeout failure): hundreds a
# second from one client, past journald's own limit, which then drops
# the unit's lines, the "login failed" lines fail2ban reads among them.
# The master now lets the lines of such connections through at 20 a
# second after a burst of 100, and a later "connection" line says how
# many connections went unlogged; login lines, failed ones included,
# are always written.
# shellcheck source-path=SCRIPTDIR source=lib.sh
MAX_SESSIONS=100
MAX_SESSIONS_PER_IP=100
. "$(dirname "$0")/lib.sh"

N=400
BURST=100
RATE=20
pw=$(rand_pw)
add_user alice "$pw"
start_daemon

# N connections in a row, each sending an HTTP request (not TLS) and
# read until the server closes it; then one more once the rate allows
# a line again.  Prints the seconds the N took.
python3 - "$HOST" "$PORT" "$N" >"$T/flood.out" <<'PY' ||
import socket, sys, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def one():
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    try:
        while s.recv(4096):
            pass
    except OSError:
        pass
    s.close()
t0 = time.monotonic()
for _ in range(n):
    one()
secs = time.monotonic() - t0
time.sleep(0.5)
one()
print("%.3f" % secs)
PY
	fail "the connection loop failed: $(cat "$T/flood.out")"
read -r secs <"$T/flood.out"
_settled() { [ "$(count_sessions)" = 0 ]; }
wait_for 20 _settled || fail "the flood's connections did not end"

run_client alice "wrong-$pw" <<<"pwd"
expect_rc 4 "a wrong password after the flood"
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login after the flood ($ERR)"

conns=$(grep -c 'connection addr=127\.0\.0\.1 ' "$DAEMON_LOG")
nottls=$(grep -c 'not TLS from addr=' "$DAEMON_LOG")
# The burst, then RATE a second: the seconds rounded up, the two
# logins, and a little to spare.
most=$(awk -v s="$secs" -v b="$BURST" -v r="$RATE" \
    'BEGIN { printf "%d", b + r * (int(s) + 2) + 4 }')
note "$N connections in $secs s: $conns connection lines, $nottls not-TLS lines (at most $most each)"
((nottls >= BURST)) || fail "only $nottls not-TLS lines: the first $BURST must be logged"
((conns <= most)) || fail "$conns connection lines for $N connections in $secs s"
((nottls <= most)) || fail "$nottls not-TLS lines for $N connections in $secs s"
expect_match "$(cat "$DAEMON_LOG")" \
    'connection addr=127\.0\.0\.1 port [0-9]+ pid=[0-9]+ \([0-9]+ more connections were not logged\)' \
    "a connection line saying how many were left out"
expect_match "$(cat "$DAEMON_LOG")" "login failed user=alice addr=127\.0\.0\.1" \
    "the failed login's line, after the flood"
expect_match "$(cat "$DAEMON_LOG")" "login user=alice addr=127\.0\.0\.1" \
    "the login's line, after the flood"
ok "$N connections that never log in: $conns and $nottls lines; logins still logged"
