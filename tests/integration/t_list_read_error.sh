#!/usr/bin/env bash
# t_list_read_error: a directory whose reading fails part way (EIO: a
# disk error, storage gone) is not listed as if what came before were
# all of it.  LIST took readdir's end and its failure alike for the end
# and replied OK, so mftp's ls showed a part and exited 0, and a get -r
# would fetch a part of the tree and succeed.  Here the directory lies
# on a small ext4 image on a loop device, mounted into the home; once
# the serving process's first getdents64 has read the start of it
# (strace holds the second one 3 s), the image is cut short before the
# rest of the directory's blocks, and a later getdents64 fails (EIO, or
# ENOMEM as some kernels say a read past the device's end).  LIST now
# ends in ERROR with that reason, which mftp says.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

for c in mkfs.ext4 debugfs losetup blockdev findmnt; do
	command -v "$c" >/dev/null || {
		echo "SKIP: $TEST_NAME: no $c"
		exit 77
	}
done
pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
home=$(user_home alice)
case $home in
"$T"/*) ;;
*) fail "alice's home '$home' is not under $T" ;;
esac
start_daemon

# 1 KiB blocks, no hashed directories (read as they lie), no journal.
img=$T/fs.img
{ truncate -s 16M "$img" &&
	mkfs.ext4 -q -F -O ^dir_index,^has_journal -b 1024 "$img"; } ||
	fail "cannot make the image"
mkdir "$home/m" || fail "mkdir m"
if ! mount -o loop "$img" "$home/m" 2>"$T/mount.err"; then
	echo "SKIP: $TEST_NAME: no loop mount here: $(cat "$T/mount.err")"
	exit 77
fi
CLEANUP_MOUNTS+=("$home/m")
dev=$(findmnt -n -o SOURCE "$home/m") || fail "no device for m"
mkdir "$home/m/d" || fail "mkdir m/d"
(cd "$home/m/d" && seq -w 1 2000 | xargs touch) || fail "cannot fill d"
chown -R "$uid:$(user_gid alice)" "$home/m" || fail "cannot chown m"
sync
# Its 24 blocks, in a row: the first getdents64 reads some 16 of them.
read -r first _ < <(debugfs -R "blocks /d" "$img" 2>/dev/null)
[[ $first =~ ^[0-9]+$ ]] || fail "no blocks of d: '$first'"

session_open alice "$pw"
session_send pwd
wait_serving_pid "$uid"
strace_attach "$SERVING_PID" "$T/strace.out" -e trace=getdents64 \
    -e inject=getdents64:delay_enter=3000000:when=2
session_send "ls m/d"
_first_read() { grep -q '^getdents64(.*entries.* = [1-9]' "$T/strace.out"; }
wait_for 10 _first_read || fail "no first getdents64: $(cat "$T/strace.out")"
# The rest of the directory is past the device's end now, and nothing
# of it is cached.
{ truncate -s $(((first + 20) * 1024)) "$img" &&
	losetup -c "$dev" && blockdev --flushbufs "$dev"; } ||
	fail "cannot cut the image"
session_close 20
failed=$(grep -o '^getdents64(.* = -1 E[A-Z]* (.*)' "$T/strace.out" |
	sed 's/.*(\(.*\))$/\1/')
[ -n "$failed" ] || fail "no getdents64 failed: $(cat "$T/strace.out")"
note "getdents64 failed: $failed"
expect_eq "$SESS_RC" 1 "mftp's exit status ($(wc -l <"$SESS_OUT") lines listed)"
expect_contains "$(cat "$SESS_ERR")" "mftp: ls: m/d: $failed" "what mftp says"
ok "a directory whose reading fails part way is an error, not a short listing"
