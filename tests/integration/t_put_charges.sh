#!/usr/bin/env bash
# t_put_charges: a large upload is charged to the accounting file a MiB
# at a time (MFTP_QUOTA_CHUNK): one hold of the accounting lock, one read
# and one write of the file for each MiB received, not for each 256 KiB.
# And libssl's read buffer is kept while the data comes (lib/transport.c,
# transport_bulk_read), not freed each time it runs empty and mapped
# again for the next records, whatever the size of each read.  Counted
# with strace on the serving process (fcntl: the lock and its release;
# mmap), system calls, not time; the file still verifies and the
# accounting equals a recount.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 1G --quota-files 100
uid=$(user_uid alice)
home=$(user_home alice)
start_daemon

MiB=1048576
SIZE=$((32 * MiB))
head -c "$SIZE" /dev/urandom >"$T/big"

session_open alice "$pw"
session_send pwd
wait_serving_pid "$uid"
strace_attach "$SERVING_PID" "$T/strace.out" -f -c -e trace=fcntl,mmap
session_send "put $T/big big"
session_close 60
wait "$STRACE_PID" 2>/dev/null
[ "$SESS_RC" = 0 ] || fail "the upload failed: $(cat "$SESS_ERR")"
expect_same_file "$home/big" "$T/big" "the upload"
expect_quota_exact alice "after the upload"

# strace -c: "% time seconds usecs/call calls errors syscall".
calls=$(awk '$NF == "fcntl" { print $4 }' "$T/strace.out")
calls=${calls:-0}
note "$calls fcntl calls for a $((SIZE / MiB)) MiB upload"
((calls > 0)) || fail "strace counted no fcntl: $(cat "$T/strace.out")"
# A lock and its release a MiB, and a few for the partial, the
# reservation and the commit; a charge every 256 KiB would be 256 and more.
((calls <= SIZE / MiB * 2 + 24)) ||
	fail "$calls fcntl calls for a $SIZE-byte upload: charged more often than a MiB at a time"
ok "a $((SIZE / MiB)) MiB upload takes the accounting lock $((calls / 2)) times or fewer ($calls fcntl calls)"

maps=$(awk '$NF == "mmap" { print $4 }' "$T/strace.out")
maps=${maps:-0}
note "$maps mmap calls for a $((SIZE / MiB)) MiB upload"
# The chunk's two buffers, the read buffer once, and the two frames
# before the data; freed and mapped again each time it ran empty, the
# read buffer alone made about 250 (and 5 to 22 when it was kept only
# through reads of 64 KiB or more, not through a chunk's last piece).
((maps <= 8)) ||
	fail "$maps mmap calls for a $SIZE-byte upload: the read buffer is not kept"
ok "the upload maps memory $maps times"
