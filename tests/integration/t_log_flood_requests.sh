#!/usr/bin/env bash
# t_log_flood_requests: a logged-in user who sends, in a loop, requests
# that fail cannot flood the log.  Each GET of a missing file and each
# PUT refused at once (a bad name) wrote a "transfer ... result=error"
# line: thousands a second from one session, past journald's own limit,
# which then drops the unit's lines, the "login failed" lines fail2ban
# reads among them.  A session now writes its failed transfers' lines at
# 1 a second after a burst of 20, the next one logged (or its "session
# end" line) saying how many were left out; a transfer that succeeds is
# always logged.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

N=300
BURST=20
pw=$(rand_pw)
add_user alice "$pw"
start_daemon

# N failing GETs and N refused PUTs in a row, then, once the rate allows
# a line again, one more failing GET, and QUIT.  Prints the seconds the
# loop took.
python3 - "$PROXY_PORT" alice "$pw" "$N" >"$T/flood.out" <<'PY' ||
import socket, struct, sys, time
port, user, pw, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
def s_(b): return struct.pack(">I", len(b)) + b
def frame(p): return struct.pack(">I", len(p)) + p
s = socket.create_connection(("127.0.0.1", port), timeout=20)
f = s.makefile("rb")
def reply():
    h = f.read(4)
    if len(h) != 4:
        sys.exit("the connection closed")
    return f.read(struct.unpack(">I", h)[0])[:1]
def get(name):
    s.sendall(frame(b"\x20" + s_(name) + struct.pack(">Q", 0)))
    if reply() != b"\x81":
        sys.exit("GET %r did not fail" % name)
s.sendall(frame(b"\x01" + struct.pack(">IIQ", 2, 2, 0) + s_(b"flood")) +
          frame(b"\x02" + s_(user.encode()) + s_(pw.encode())))
if reply() != b"\x82" or reply() != b"\x80":
    sys.exit("login failed")
t0 = time.monotonic()
for i in range(n):
    get(b"missing-%d" % i)
    s.sendall(frame(b"\x21" + s_(b"bad-%d.mftp-part" % i) +
                    struct.pack(">QIQ", 1, 0o644, 0)))
    if reply() != b"\x81":
        sys.exit("PUT of a bad name did not fail")
secs = time.monotonic() - t0
time.sleep(1.2)
get(b"missing-last")
s.sendall(frame(b"\x03"))
reply()
print("%.3f" % secs)
PY
	fail "the request loop failed: $(cat "$T/flood.out")"
read -r secs <"$T/flood.out"
_ended() { log_count 'session end user=alice' | grep -qx 1; }
wait_for 10 _ended || fail "the flooding session did not end"

# A transfer that succeeds, after the flood, in another session.
head -c 1000 /dev/urandom >"$T/f"
run_client alice "$pw" <<<"put $T/f f"
expect_rc 0 "an upload after the flood ($ERR)"

errors=$(log_count 'transfer user=alice .* result=error')
# The burst, then 1 a second: the seconds rounded up, the last GET, and
# a little to spare.
most=$(awk -v s="$secs" -v b="$BURST" \
    'BEGIN { printf "%d", b + int(s) + 4 }')
note "$((2 * N + 1)) failed transfers in $secs s: $errors lines (at most $most)"
((errors >= BURST)) || fail "only $errors lines: the first $BURST must be logged"
((errors <= most)) || fail "$errors lines for $((2 * N + 1)) failed transfers in $secs s"
expect_match "$(cat "$DAEMON_LOG")" \
    'transfer user=alice .* path=missing-last .*result=error .*\([0-9]+ more failed transfers were not logged\)' \
    "the next line saying how many were left out"
expect_match "$(cat "$DAEMON_LOG")" \
    'transfer user=alice .* op=put path=f bytes=1000 .*result=ok' \
    "the upload's line, after the flood"
ok "$((2 * N + 1)) failed transfers: $errors lines; a transfer that succeeds still logged"
