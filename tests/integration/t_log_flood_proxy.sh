#!/usr/bin/env bash
# t_log_flood_proxy: a listed load balancer that sends no PROXY header
# (HAProxy's server line without send-proxy) cannot flood the log.  The
# master wrote a warning for every such connection, "PROXY header from
# balancer addr=...: missing or malformed", so every client connecting
# through it wrote one: past journald's own limit for warnings, which
# then drops the "login failed" lines fail2ban reads, at the same
# priority.  The master now writes these lines at 5 a second after a
# burst of 20, and the next one says how many were left out.  The
# balancer here is 127.0.0.2; clients straight from 127.0.0.1 still log
# in, and their lines are all written.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

N=300
BURST=20
RATE=5
DAEMON_EXTRA_CONF="proxy_protocol_from = 127.0.0.2"
pw=$(rand_pw)
add_user alice "$pw"
start_daemon

# N connections from the balancer's address in a row, each starting
# with a client's TLS ClientHello (no header); then one more once the
# rate allows a line again.
hello=160301020001
secs=$(connect_closed "$N" "$hello" 127.0.0.2) ||
	fail "the connections failed"
sleep 1.5
connect_closed 1 "$hello" 127.0.0.2 >/dev/null ||
	fail "the last connection failed"

run_client alice "wrong-$pw" <<<"pwd"
expect_rc 4 "a wrong password after the flood"
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login after the flood ($ERR)"

bad=$(log_count 'PROXY header from balancer addr=127\.0\.0\.2: missing or malformed')
# The burst, then RATE a second: the seconds rounded up, the pause, and
# a little to spare.
most=$(awk -v s="$secs" -v b="$BURST" -v r="$RATE" \
    'BEGIN { printf "%d", b + r * (int(s) + 3) + 2 }')
note "$N connections without a header in $secs s: $bad lines (at most $most)"
((bad >= BURST)) || fail "only $bad lines: the first $BURST must be logged"
((bad <= most)) || fail "$bad lines for $N connections in $secs s"
expect_match "$(cat "$DAEMON_LOG")" \
    'PROXY header from balancer addr=127\.0\.0\.2: missing or malformed; connection closed \([0-9]+ more bad PROXY headers were not logged\)' \
    "a line saying how many were left out"
expect_match "$(cat "$DAEMON_LOG")" "login failed user=alice addr=127\.0\.0\.1" \
    "the failed login's line, after the flood"
expect_match "$(cat "$DAEMON_LOG")" "login user=alice addr=127\.0\.0\.1" \
    "the login's line, after the flood"
ok "$N connections without a PROXY header: $bad lines; logins still logged"
