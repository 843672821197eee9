#!/usr/bin/env bash
# t_log_flood_quota: a logged-in user who sends QUOTA in a loop while the
# accounting file cannot be read cannot flood the log.  Each such
# request wrote an "accounting file of user=...: reason" line: thousands
# a second from one session, past journald's own limit, which then
# drops the unit's lines, the "login failed" lines fail2ban reads among
# them.  A session now writes these lines at 1 a second after a burst of
# 20, the next one logged (or its "session end" line) saying how many
# were left out.  The accounting files lie here on a small ext4 image on
# a loop device; once alice is logged in (her file held open), the image
# is cut short before her file's block and its cached pages dropped, so
# that every read of it fails (EIO), as on a failing disk.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

for c in mkfs.ext4 debugfs losetup blockdev findmnt; do
	command -v "$c" >/dev/null || {
		echo "SKIP: $TEST_NAME: no $c"
		exit 77
	}
done
N=600
BURST=20
pw=$(rand_pw)
add_user alice "$pw"
qdir=$T/quota
[ -f "$qdir/alice" ] || fail "no accounting file for alice in $qdir"
start_daemon

# The accounting files, copied onto an image mounted over their directory.
img=$T/quota.img
{ truncate -s 16M "$img" &&
	mkfs.ext4 -q -F -O ^has_journal -b 1024 "$img"; } ||
	fail "cannot make the image"
cp -a "$qdir" "$T/quota.orig" || fail "cannot copy the accounting files"
if ! mount -o loop "$img" "$qdir" 2>"$T/mount.err"; then
	echo "SKIP: $TEST_NAME: no loop mount here: $(cat "$T/mount.err")"
	exit 77
fi
CLEANUP_MOUNTS+=("$qdir")
dev=$(findmnt -n -o SOURCE "$qdir") || fail "no device for $qdir"
cp -a "$T/quota.orig/." "$qdir/" || fail "cannot fill the image"
chmod --reference="$T/quota.orig" "$qdir" || fail "chmod $qdir"
sync
read -r block _ < <(debugfs -R "blocks /alice" "$img" 2>/dev/null)
[[ $block =~ ^[0-9]+$ ]] || fail "no block of alice's accounting file: '$block'"

# Logs in, says so in $T/ready, waits for $T/go (strace attached), sends
# N QUOTA requests, each of which must fail, then, once the rate allows
# a line again, one more, then 30 more, and QUIT.  Prints the seconds
# the loop took.
python3 - "$PROXY_PORT" alice "$pw" "$N" "$T" >"$T/flood.out" <<'PY' &
import os, socket, struct, sys, time
port, user, pw, n, t = (int(sys.argv[1]), sys.argv[2], sys.argv[3],
                        int(sys.argv[4]), sys.argv[5])
def s_(b): return struct.pack(">I", len(b)) + b
def frame(p): return struct.pack(">I", len(p)) + p
s = socket.create_connection(("127.0.0.1", port), timeout=20)
f = s.makefile("rb")
def reply():
    h = f.read(4)
    if len(h) != 4:
        sys.exit("the connection closed")
    return f.read(struct.unpack(">I", h)[0])[:1]
def quota():
    s.sendall(frame(b"\x19"))
    if reply() != b"\x81":
        sys.exit("QUOTA did not fail")
s.sendall(frame(b"\x01" + struct.pack(">IIQ", 2, 2, 0) + s_(b"flood")) +
          frame(b"\x02" + s_(user.encode()) + s_(pw.encode())))
if reply() != b"\x82" or reply() != b"\x80":
    sys.exit("login failed")
open(t + "/ready", "w").close()
for _ in range(200):
    if os.path.exists(t + "/go"):
        break
    time.sleep(0.1)
else:
    sys.exit("no go")
t0 = time.monotonic()
for i in range(n):
    quota()
secs = time.monotonic() - t0
time.sleep(1.2)
quota()
for i in range(30):
    quota()
s.sendall(frame(b"\x03"))
reply()
print("%.3f" % secs)
PY
flood_pid=$!
BG_PIDS+=("$flood_pid")
_ready() { [ -e "$T/ready" ]; }
wait_for 20 _ready || fail "the flooding client did not log in"
# Her file's block is past the device's end now, and nothing of it is
# cached: every read fails.
{ truncate -s $((block * 1024)) "$img" &&
	losetup -c "$dev" && blockdev --flushbufs "$dev" &&
	dd if="$qdir/alice" iflag=nocache count=0 status=none; } ||
	fail "cannot cut the image"
touch "$T/go"
wait_pid "$flood_pid" 120 || fail "the request loop failed: $(cat "$T/flood.out")"
read -r secs <"$T/flood.out"
_ended() { log_count 'session end user=alice' | grep -qx 1; }
wait_for 10 _ended || fail "the flooding session did not end"

lines=$(log_count 'accounting file of user=alice')
# The burst, then 1 a second: the seconds rounded up, the last ones, and
# a little to spare.
most=$(awk -v s="$secs" -v b="$BURST" \
    'BEGIN { printf "%d", b + int(s) + 4 }')
note "$((N + 31)) QUOTA requests failed in $secs s: $lines lines (at most $most)"
((lines >= BURST)) || fail "only $lines lines: the first $BURST must be logged"
((lines <= most)) || fail "$lines lines for $((N + 31)) failed QUOTA in $secs s"
expect_match "$(cat "$DAEMON_LOG")" \
    'accounting file of user=alice: Input/output error \([0-9]+ more failures to read the accounting file were not logged\)' \
    "the next line saying how many were left out"
expect_match "$(cat "$DAEMON_LOG")" \
    'session end user=alice .*\([0-9]+ more failures to read the accounting file were not logged\)' \
    "the session's end saying how many were left out since"
ok "$((N + 31)) QUOTA requests on an unreadable accounting file: $lines lines"
