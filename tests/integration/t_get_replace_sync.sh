#!/usr/bin/env bash
# t_get_replace_sync: a download that replaces an existing local file
# reaches the disk before the rename that replaces it.  Without that, a
# crash or power cut soon after the rename could leave, on a file system
# that orders no data before a rename (XFS, ext4 with noauto_da_alloc),
# the name on an empty or partly written file: the user's old file lost
# and the new one not there, after mftp said "verified".  Seen with
# strace: the part's data is synced before it is renamed over the file,
# by get and by get -r alike.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || fail "strace is needed (scripts/deps.sh)"
pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)
start_daemon
L=$T/local
mkdir -p "$L/d" "$home/d"
head -c 100000 /dev/urandom >"$home/a"
head -c 100000 /dev/urandom >"$home/d/b"
chown -R "$uid:$gid" "$home"
echo "the user's old a" >"$L/a"
echo "the user's old b" >"$L/d/b"

# traced_get COMMAND NAME: run COMMAND under strace; the part of NAME
# must be synced (fsync or fdatasync of its descriptor) before its
# rename onto NAME.
traced_get() {
	local trace=$T/trace.$2
	RC=0
	strace -f -qq -o "$trace" \
	    -e trace=openat,fsync,fdatasync,rename,renameat,renameat2 \
	    "$MFTP" -P "$PORT" -q --password-fd 3 "alice@$HOST" 3<<<"$pw" \
	    <<<"lcd $L
$1" >"$T/out" 2>"$T/err" || RC=$?
	expect_eq "$RC" 0 "$1 ($(cat "$T/err"))"
	python3 "$(dirname "$0")/synced_first.py" "$trace" "$2.part" ||
		fail "$1: $2.part was not synced before its rename"
}

traced_get "get a" a
expect_same_file "$L/a" "$home/a" "a"
traced_get "get -r d" b
expect_same_file "$L/d/b" "$home/d/b" "d/b"
ok "a download replacing a file is synced before the rename, get and get -r"
