#!/usr/bin/env bash
# t_refused_log: a client over the session limit that reconnects in a
# loop cannot flood the log.  With max_sessions = 1 and one connection
# held, 400 connections in a row are each refused with the reason, but
# the master logs refusals at 5 lines a second after a burst of 20, and
# a later line says how many it left out; once the held connection ends,
# a login works.  (journald drops a unit's lines past its own rate limit,
# "login failed" lines, which fail2ban reads, among them.)
# shellcheck source-path=SCRIPTDIR source=lib.sh
MAX_SESSIONS=1
MAX_SESSIONS_PER_IP=1
. "$(dirname "$0")/lib.sh"

N=400
pw=$(rand_pw)
add_user alice "$pw"
start_daemon

# Hold one connection (its pre-auth worker waits for a ClientHello),
# then connect N times, each read until the master closes it.  Prints
# "refused COUNT SECONDS": how many were told "too many sessions", and
# how long the N took.
python3 - "$HOST" "$PORT" "$N" >"$T/flood.out" <<'EOF' ||
import socket, sys, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
held = socket.create_connection((host, port), timeout=5)
time.sleep(0.5)
told = 0
t0 = time.monotonic()
for _ in range(n):
    s = socket.create_connection((host, port), timeout=5)
    data = b""
    while True:
        b = s.recv(4096)
        if not b:
            break
        data += b
    s.close()
    told += b"too many sessions" in data
secs = time.monotonic() - t0
# One more once the rate allows a line again: it says what was left out.
time.sleep(0.5)
s = socket.create_connection((host, port), timeout=5)
told += b"too many sessions" in s.recv(4096)
s.close()
print("refused", told, "%.3f" % secs)
held.close()
EOF
	fail "the connection loop failed: $(cat "$T/flood.out")"
read -r _ told secs <"$T/flood.out"
expect_eq "$told" "$((N + 1))" "connections told they are over the limit"
lines=$(grep -c 'refused addr=127\.0\.0\.1 port [0-9]*: 1 session already' \
    "$DAEMON_LOG")
# 20 at once, then 5 a second: the seconds rounded up, and one to spare.
most=$(awk -v s="$secs" 'BEGIN { printf "%d", 20 + 5 * (int(s) + 1) + 2 }')
note "$N refusals in $secs s, and one more: $lines lines logged (at most $most)"
((lines >= 20)) || fail "only $lines refusals logged: the first 20 must be"
((lines <= most)) || fail "$lines refusal lines for $N refusals in $secs s"
expect_match "$(grep 'refused addr=' "$DAEMON_LOG" | tail -n 1)" \
    'refused addr=.*: 1 session already \([0-9]+ more refused connections were not logged\)' \
    "the last refusal's line, saying how many were left out"
ok "$N refusals: each client told why, $lines lines logged"

_free() { [ "$(count_sessions)" = 0 ]; }
wait_for 10 _free || fail "the held connection's session did not end"
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login after the flood ($ERR)"
ok "after the flood, a login works"
