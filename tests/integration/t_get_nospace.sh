#!/usr/bin/env bash
# t_get_nospace: a download that fills the local disk keeps what it
# wrote in NAME.part and says so, with the command that resumes it; once
# there is room, that command finishes it, verified.  Before, the user
# was told only "NAME.part: No space left on device".
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
