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
# The connections come in bursts that the master takes faster than its
# log rate allows lines, whatever the machine's speed and whatever runs
# beside it (flood_past_rate); each sends an HTTP request (not TLS).
# shellcheck source-path=SCRIPTDIR source=lib.sh
MAX_SESSIONS=500
MAX_SESSIONS_PER_IP=500
. "$(dirname "$0")/lib.sh"

BURST=100
RATE=20
pw=$(rand_pw)
add_user alice "$pw"
start_daemon

flood_past_rate "$(printf 'GET / HTTP/1.0\r\n\r\n' | od -An -v -tx1 |
    tr -d ' \n')" || fail "the connections failed"
N=$FLOOD_MADE
secs=$FLOOD_SECS
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
