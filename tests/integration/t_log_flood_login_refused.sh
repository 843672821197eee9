#!/usr/bin/env bash
# t_log_flood_login_refused: a client with the right password whose
# logins are refused (the user's session limit reached, an address its
# allow-list does not name) cannot make them faster than failed ones.
# Each refusal has its "login refused" line; it came as soon as the
# password was checked, so a client logging in again and again, on as
# many connections as max_sessions_per_ip lets it, wrote lines as fast
# as the server could check passwords (about 85 a second on 2 cores,
# more on more), past journald's own limit at scale, which then drops
# the unit's lines, the "login failed" lines fail2ban reads among them.
# A refusal now comes after the pause of a failed login's first
# attempt (500 ms), so a source's connections make 2 a second each at
# most, as failed logins.  Here 4 connections (max_sessions_per_ip) log
# in again and again for 3 s.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

MAX_SESSIONS_PER_IP=5
PAR=4
SECS=3
pw=$(rand_pw)
add_user carol "$pw" --max-sessions 1
start_daemon

session_open carol "$pw"
session_send pwd
wait_serving_pid "$(user_uid carol)"

# PAR connections in a loop for SECS seconds, each a LOGIN of carol that
# must be refused (BUSY), then QUIT.  Prints how many there were.
python3 - "$PROXY_PORT" carol "$pw" "$SECS" "$PAR" >"$T/loop.out" <<'PY' ||
import socket, struct, sys, threading, time
port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
secs, par = float(sys.argv[4]), int(sys.argv[5])
def s_(b): return struct.pack(">I", len(b)) + b
def frame(p): return struct.pack(">I", len(p)) + p
done, bad = [0], []
def loop():
    end = time.monotonic() + secs
    while time.monotonic() < end and not bad:
        s = socket.create_connection(("127.0.0.1", port), timeout=20)
        f = s.makefile("rb")
        s.sendall(frame(b"\x01" + struct.pack(">IIQ", 2, 2, 0) + s_(b"r")) +
                  frame(b"\x02" + s_(user.encode()) + s_(pw.encode())))
        got = []
        for _ in range(2):
            h = f.read(4)
            if len(h) != 4:
                break
            got.append(f.read(struct.unpack(">I", h)[0])[:1])
        if got[-1:] != [b"\x81"]:
            bad.append(got)
        done[0] += 1
        s.close()
ts = [threading.Thread(target=loop) for _ in range(par)]
for t in ts: t.start()
for t in ts: t.join()
if bad:
    sys.exit("a login was not refused: %r" % bad[0])
print(done[0])
PY
	fail "the login loop failed: $(cat "$T/loop.out")"
read -r logins <"$T/loop.out"
session_close 10
lines=$(log_count 'login refused user=carol .*session.* already')
# 2 a second a connection, and a little to spare.
most=$((PAR * SECS * 2 + PAR * 2))
note "$logins refused logins on $PAR connections in $SECS s: $lines lines (at most $most)"
((lines >= 1)) || fail "no refused login was logged"
((lines <= most)) || fail "$lines refused logins in $SECS s on $PAR connections"
run_client carol "$pw" <<<"pwd"
expect_rc 0 "a login of carol with her session gone ($ERR)"
ok "refused logins on $PAR connections in $SECS s: $lines lines"
