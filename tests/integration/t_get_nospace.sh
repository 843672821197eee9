#!/usr/bin/env bash
# t_get_nospace: a download that fills the local disk keeps what it
# wrote in NAME.part and says so, with the command that resumes it; once
# there is room, that command finishes it, verified.  Before, the user
# was told only "NAME.part: No space left on device".  get -r on a file
# system out of inodes stops at its first .part not made, and says
# which command fetches the rest.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
home=$(user_home alice)
head -c $((3 * 1048576)) /dev/urandom >"$home/big"
chown "$(user_uid alice):$(user_gid alice)" "$home/big"
start_daemon

L=$T/small
mkdir -p "$L"
if ! mount -t tmpfs -o size=1m,mode=0755 none "$L" 2>"$T/mount.err"; then
	echo "SKIP: $TEST_NAME: tmpfs cannot be mounted here: $(cat "$T/mount.err")"
	exit 77
fi
CLEANUP_MOUNTS+=("$L")

run_client alice "$pw" <<<"get big $L/big"
expect_rc 1 "get onto a full file system"
expect_contains "$ERR" "No space left on device" "the reason"
expect_contains "$ERR" "reget big $L/big resumes it" "what resumes it"
[ ! -e "$L/big" ] || fail "the unfinished download was given the file's name"
kept=$(stat -c %s "$L/big.part") || fail "no part kept"
[ "$kept" -gt 0 ] || fail "the part kept is empty"
ok "a download onto a full disk keeps its part ($kept bytes) and says reget resumes it"

mount -o remount,size=8m "$L" || fail "remount of $L larger"
# The command the message gives, as it gives it.
run_client alice "$pw" <<<"$(sed -n 's/.*: \(reget .*\) resumes it$/\1/p' <<<"$ERR")"
expect_rc 0 "reget once there is room"
cmp "$home/big" "$L/big" || fail "the resumed download differs"
[ ! -e "$L/big.part" ] || fail "the part is still there"
ok "once there is room, reget finishes it"
umount "$L" || fail "umount $L"

# A file system out of inodes: get -r cannot make the next .part.  That
# stops the command at once (each later file would fail the same way),
# with the command that fetches the rest; before, every later file
# printed its own "No space left on device" and the tree's command was
# never given.
mkdir -p "$home/many"
for i in 1 2 3 4 5 6; do
	echo "file $i" >"$home/many/f$i"
done
chown -R "$(user_uid alice):$(user_gid alice)" "$home/many"
I=$T/inodes
mkdir -p "$I"
mount -t tmpfs -o size=8m,nr_inodes=5,mode=0755 none "$I" ||
	fail "tmpfs with nr_inodes=5"
CLEANUP_MOUNTS+=("$I")
run_client alice "$pw" <<<"get -r many $I/x"
expect_rc 1 "get -r onto a file system out of inodes"
expect_eq "$(grep -c 'No space left on device' <<<"$ERR")" 1 \
    "lines that say the disk is full ($ERR)"
expect_contains "$ERR" \
    "; it and the rest were not downloaded: reget -rT many $I/x fetches them once there is room" \
    "what the line adds"
ok "get -r out of inodes stops at once, with the command that fetches the rest"

mount -o remount,nr_inodes=64 "$I" || fail "remount of $I with more inodes"
run_client alice "$pw" <<<"$(sed -n 's/.*: \(reget -rT .*\) fetches them.*$/\1/p' <<<"$ERR")"
expect_rc 0 "the command given, once there is room"
for i in 1 2 3 4 5 6; do
	expect_same_file "$I/x/f$i" "$home/many/f$i" "x/f$i"
done
[ ! -e "$I/x/many" ] || fail "the command given went inside x"
ok "once there is room, the command given fetches the rest in place"
umount "$I" || fail "umount $I"
