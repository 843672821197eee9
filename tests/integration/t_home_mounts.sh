#!/usr/bin/env bash
# t_home_mounts: what is mounted into a home is not the user's.  A
# root-owned directory bound into a home (mount --bind, the usual way to
# share a directory into chrooted homes; same file system, so the same
# st_dev) and a file bound over one of its files.  ftpuser-quota
# --recount counts neither mount point nor anything mounted on them, and
# neither does the serving process when it counts the home at login
# (chrooted, under its seccomp sandbox) to settle a removal a killed
# session left under way.  ftpuser-del --remove-home removes the rest of
# the home, leaves both mount points and what is mounted on them, names
# each and exits 1.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_quota.sh
. "$(dirname "$0")/lib_quota.sh"

FTPUSER_DEL=$top_builddir/ftpuser-del
FTPUSER_QUOTA=$top_builddir/ftpuser-quota
for p in "$FTPUSER_DEL" "$FTPUSER_QUOTA"; do
	[ -x "$p" ] || fail "$p is not built"
done

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)

# The shared tree, root's, outside every home.
S=$T/shared
mkdir -p "$S/sub"
echo "shared data" >"$S/data.txt"
echo "shared, one level down" >"$S/sub/inner.txt"
echo "a shared file" >"$T/shared-file"

mkdir -p "$home/pub" "$home/own/deep" "$home/notes"
echo mine >"$home/top.txt"
echo mine >"$home/own/deep/f"
ln -s /etc/passwd "$home/own/link"
: >"$home/notes/readme.txt"
chown -R -h "$uid:$gid" "$home"

# bind NAME TARGET: mount --bind NAME on TARGET, undone however the test
# ends; a test that cannot mount here skips.
bind() {
	if ! mount --bind "$1" "$2" 2>"$T/mount.err"; then
		echo "SKIP: $TEST_NAME: mount --bind fails here: $(cat "$T/mount.err")"
		exit 77
	fi
	CLEANUP_MOUNTS+=("$2")
}
bind "$S" "$home/pub"
bind "$T/shared-file" "$home/notes/readme.txt"

# What is the user's: own, own/deep, own/link and notes (4 KiB each),
# own/deep/f and top.txt (5 bytes each).
want="$((4 * ENTRY_BYTES + 10)) 6"

# ------------------------------------------------- ftpuser-quota --recount
tool "$FTPUSER_QUOTA" --recount alice
expect_eq "$RC" 0 "ftpuser-quota --recount alice ($ERR)"
expect_eq "$(acct alice)" "$want" "the recount (bytes files)"
ok "the recount counts no mount point and nothing mounted in the home"

# ---------------------------------------- the serving process's count
# As a session killed during a removal leaves the file: high, and
# saying so.  The next login counts the home and writes the truth.
printf 'MFTPQ1 %020d %020d\nMFTPP1 %020d %020d\n' 99999 99 100 1 \
    >"$T/quota/alice"
start_daemon
run_client alice "$pw" <<<"ls"
expect_rc 0 "a login and ls ($ERR)"
expect_eq "$(acct alice)" "$want" "the count at login (bytes files)"
expect_eq "$(acct_pending alice)" "0 0" "the removal line after the login"
check_log_clean
stop_daemon
ok "the serving process's count leaves out the mount points too"

# ------------------------------------------------- ftpuser-del --remove-home
tool "$FTPUSER_DEL" --remove-home alice
expect_eq "$RC" 1 "ftpuser-del --remove-home with mount points in the home ($ERR)"
expect_contains "$OUT" "removed user 'alice'" "what ftpuser-del says"
! has_user alice || fail "alice is still in the users file"
[ ! -e "$T/quota/alice" ] || fail "alice's accounting file is still there"
expect_eq "$(cat "$S/data.txt" 2>/dev/null)" "shared data" \
    "the shared directory's file"
expect_eq "$(cat "$S/sub/inner.txt" 2>/dev/null)" "shared, one level down" \
    "the shared directory's subdirectory"
expect_eq "$(cat "$T/shared-file" 2>/dev/null)" "a shared file" \
    "the file bound over one in the home"
expect_contains "$ERR" "$home/pub: a mount point; left alone" \
    "the directory's mount point named, and why"
expect_contains "$ERR" "$home/notes/readme.txt: a mount point; left alone" \
    "the file's mount point named, and why"
expect_contains "$ERR" "2 entries of $home were left" "the count of what was left"
# The rest is gone: the home holds the mount points and their parents.
expect_eq "$(cd "$home" && find . -mindepth 1 -maxdepth 1 | sort | xargs)" \
    "./notes ./pub" "what is left at the top of the home"
expect_eq "$(ls -A "$home/notes")" "readme.txt" "what is left in notes"
ok "ftpuser-del --remove-home leaves mount points and what is on them, and names them"
