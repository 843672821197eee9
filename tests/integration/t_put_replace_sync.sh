#!/usr/bin/env bash
# t_put_replace_sync: an upload that replaces a file on the server
# reaches the disk before the rename that replaces it, as mftp does for
# a download (t_get_replace_sync).  Without that, a crash or power cut
# soon after the commit could leave, on a file system that orders no
# data before a rename (XFS, ext4 with noauto_da_alloc), the name on an
# empty or partly written file: the user's old file lost, and the new
# one too, after the server said it was verified.  An upload to a new
# name is not synced: a crash costs it the upload, no file the user had.
# Seen with strace on the serving process.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
home=$(user_home alice)
case $home in "$T"/*) ;; *) fail "home '$home' is not under $T" ;; esac
start_daemon
head -c 200000 /dev/urandom >"$T/new"
echo "the user's old a" >"$home/a"
chown "$uid:$(user_gid alice)" "$home/a"

session_open alice "$pw"
session_send pwd
wait_serving_pid "$uid"
strace_attach "$SERVING_PID" "$T/trace" \
    -e trace=openat,fsync,fdatasync,renameat,renameat2
session_send "put $T/new a"
session_send "put $T/new b"
session_send quit
session_close 30
expect_eq "$SESS_RC" 0 "the two puts ($(cat "$SESS_ERR"))"
wait "$STRACE_PID" 2>/dev/null
expect_same_file "$home/a" "$T/new" "a, replaced"
expect_same_file "$home/b" "$T/new" "b, new"

# synced NAME: whether the partial of NAME was synced before its rename.
synced() {
	python3 "$(dirname "$0")/synced_first.py" "$T/trace" ".$1.mftp-part"
}
rc=0
synced a || rc=$?
expect_eq "$rc" 0 "the partial of a, which replaced a file, synced before its rename"
rc=0
synced b || rc=$?
expect_eq "$rc" 1 "the partial of b, a new name, synced (it need not be)"
ok "an upload replacing a file is synced before the rename; one to a new name is not"
