#!/usr/bin/env bash
# t_quota_share: a writable share bound into a home counts for nothing,
# whatever the user does in it.  The count of the home leaves a mount
# point and everything below it out (t_home_mounts.sh), so the requests
# neither charge nor credit anything there: removing another user's file
# or the user's own (REMOVE), an emptied directory (RMDIR), an abandoned
# partial, a file replaced by a RENAME or by an upload, a new directory,
# link or upload.  Before, each removal there was credited as if the
# count held it, and the count fell below the truth: with 8 MiB of a
# 10 MiB quota in the home, removing a 6 MiB file of the share let the
# user upload 7 MiB more.  A RENAME into or out of the share fails
# (EXDEV: one mount to another) and says so.  While the accounting file
# is damaged, writes there are refused like any write, and removals go
# on.  After each step the accounting file equals what ftpuser-quota
# --recount writes, and the byte and file limits still hold for the home.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

FTPUSER_QUOTA=$top_builddir/ftpuser-quota
[ -x "$FTPUSER_QUOTA" ] || fail "$FTPUSER_QUOTA is not built"
MIB=1048576

pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 10M --quota-files 4
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)

# The share: root's, writable by everyone and not sticky, so a user may
# remove what others put there.  Some of it is alice's (uploads an
# earlier count left out), some another uid's.
S=$T/shared
mkdir -p "$S/sub"
chmod 0777 "$S" "$S/sub"
head -c $((6 * MIB)) /dev/urandom >"$S/mine"
head -c $((2 * MIB)) /dev/urandom >"$S/theirs"
head -c $MIB /dev/urandom >"$S/sub/inner"
head -c $MIB /dev/urandom >"$S/a"
head -c $((3 * MIB)) /dev/urandom >"$S/b"
head -c $((2 * MIB)) /dev/urandom >"$S/.gone.mftp-part"
chown "$uid:$gid" "$S/mine" "$S/a" "$S/b" "$S/.gone.mftp-part"
chown 4242:4242 "$S/theirs" "$S/sub/inner"

mkdir -p "$home/pub"
head -c $((8 * MIB)) /dev/urandom >"$home/own"
chown "$uid:$gid" "$home/pub" "$home/own"
if ! mount --bind "$S" "$home/pub" 2>"$T/mount.err"; then
	echo "SKIP: $TEST_NAME: mount --bind fails here: $(cat "$T/mount.err")"
	exit 77
fi
CLEANUP_MOUNTS+=("$home/pub")

# agrees WHAT: the accounting file is what a recount writes.
agrees() {
	local before
	before=$(cat "$(quota_file alice)")
	tool "$FTPUSER_QUOTA" --recount alice
	expect_eq "$RC" 0 "$1: ftpuser-quota --recount ($ERR)"
	expect_eq "$(cat "$(quota_file alice)")" "$before" \
	    "$1: the accounting file vs what a recount writes"
}

# step HEX CODE WHAT: a request, its reply, and the count unchanged: the
# home's 8 MiB file alone.
step() {
	raw_req "$1" "$2" "$3"
	expect_eq "$(acct alice)" "$((8 * MIB)) 1" "$3: the count"
	agrees "$3"
}

tool "$FTPUSER_QUOTA" --recount alice
expect_eq "$(acct alice)" "$((8 * MIB)) 1" "the count of the home"

start_daemon
proxy_up
RAW_FEATURES=2 # SHA-256 and MFTP_FEAT_CHMOD_SYMLINK
raw_open alice "$pw"

# ------------------------------------------------------ removals credit nothing
step "$(hex_path_req 16 pub/mine)" 0 "REMOVE of the user's file in the share"
[ ! -e "$S/mine" ] || fail "pub/mine is still there"
step "$(hex_path_req 16 pub/theirs)" 0 "REMOVE of another's file in the share"
step "$(hex_path_req 16 pub/sub/inner)" 0 "REMOVE one level down in the share"
step "$(hex_path_req 17 pub/sub)" 0 "RMDIR in the share"
step "$(hex_path_req 16 pub/.gone.mftp-part)" 0 \
    "REMOVE of an abandoned partial in the share"
[ ! -e "$S/.gone.mftp-part" ] || fail "the partial is still there"
step "$(hex_rename pub/a pub/b)" 0 "RENAME over a file in the share"
expect_eq "$(stat -c %s "$S/b")" "$MIB" "what pub/b holds after the RENAME"
ok "nothing below the mount point is credited"

# ---------------------------------------------------- nor is anything charged
step "$(hex_mkdir pub/d 493)" 0 "MKDIR in the share"
step "$(hex_symlink own pub/l)" 0 "SYMLINK in the share"
head -c $((3 * MIB)) /dev/urandom >"$T/up"
raw_put "$T/up" pub/up 1700000000
[ "$RAW_TYPE" = 0x80 ] || fail "PUT into the share: $RAW_TYPE $RAW_TEXT"
expect_same_file "$T/up" "$S/up" "the upload into the share"
expect_eq "$(acct alice)" "$((8 * MIB)) 1" "PUT into the share: the count"
expect_eq "$(acct_reserved alice)" 0 "PUT into the share: the reservation"
agrees "PUT into the share"
raw_put "$T/up" pub/b 1700000000
[ "$RAW_TYPE" = 0x80 ] || fail "PUT over pub/b: $RAW_TYPE $RAW_TEXT"
expect_eq "$(acct alice)" "$((8 * MIB)) 1" "PUT over a file in the share"
agrees "PUT over a file in the share"
step "$(hex_path_req 16 pub/up)" 0 "REMOVE of the upload into the share"
ok "nothing below the mount point is charged"

# ---------------------------------------- no rename across the mount point
step "$(hex_rename own pub/own)" 16 "RENAME from the home into the share"
expect_contains "$RAW_TEXT" "another mount" "why the RENAME into the share fails"
[ -f "$home/own" ] || fail "the refused RENAME moved own"
step "$(hex_rename pub/b b)" 16 "RENAME from the share into the home"
[ -f "$S/b" ] || fail "the refused RENAME moved pub/b"
ok "a RENAME across the mount point fails and says why"

# ------------------------------------- another uid's partial in the share
# Written into, it would end as that uid's file after the rename: the
# upload is refused, and the partial left as it is.
head -c 1000 /dev/urandom >"$S/.theirs2.mftp-part"
chown 4242:4242 "$S/.theirs2.mftp-part"
chmod 0666 "$S/.theirs2.mftp-part"
cp "$S/.theirs2.mftp-part" "$T/theirs2.orig"
raw_send "$(hex_put pub/theirs2 $MIB 420 1700000000)"
raw_expect_error 11 "PUT onto another uid's partial in the share"
expect_contains "$RAW_TEXT" "belongs to another user" "the refusal"
[ ! -e "$S/theirs2" ] || fail "the refused PUT made pub/theirs2"
expect_same_file "$S/.theirs2.mftp-part" "$T/theirs2.orig" "the other's partial"
rm -f "$S/.theirs2.mftp-part"
ok "another uid's partial in the share is not written into"

# ------------------------------- writes there wait for a repaired account
echo damaged >"$(quota_file alice)"
raw_req "$(hex_mkdir pub/d2 493)" 18 "MKDIR in the share, accounting damaged"
raw_req "$(hex_symlink own pub/l2)" 18 "SYMLINK in the share, accounting damaged"
raw_send "$(hex_put pub/up2 $MIB 420 1700000000)"
raw_expect_error 18 "PUT into the share, accounting damaged"
for f in d2 l2 up2 .up2.mftp-part; do
	if [ -e "$S/$f" ] || [ -L "$S/$f" ]; then
		fail "pub/$f was made"
	fi
done
raw_req "$(hex_path_req 16 pub/l)" 0 "REMOVE in the share, accounting damaged"
tool "$FTPUSER_QUOTA" --recount alice
expect_eq "$(acct alice)" "$((8 * MIB)) 1" "the repaired count"
ok "a damaged account refuses writes into the share too; removals go on"

# ------------------------------------------------ the home's limits still hold
head -c $((3 * MIB)) /dev/urandom >"$T/big"
raw_send "$(hex_put big $((3 * MIB)) 420 1700000000)"
raw_expect_error 18 "PUT of 3 MiB into the home with 8 of 10 MiB used"
head -c $((2 * MIB)) /dev/urandom >"$T/fits"
raw_put "$T/fits" fits 1700000000
[ "$RAW_TYPE" = 0x80 ] || fail "PUT of 2 MiB into the home: $RAW_TYPE $RAW_TEXT"
expect_eq "$(acct alice)" "$((10 * MIB)) 2" "the count after a PUT into the home"
agrees "PUT into the home"
raw_req "$(hex_path_req 16 own)" 0 "REMOVE in the home"
expect_eq "$(acct alice)" "$((2 * MIB)) 1" "the count after a REMOVE in the home"
agrees "REMOVE in the home"
raw_req "$(hex_mkdir d1 493)" 0 "MKDIR d1"
raw_req "$(hex_mkdir d2 493)" 0 "MKDIR d2"
raw_req "$(hex_mkdir d3 493)" 0 "MKDIR d3"
raw_req "$(hex_mkdir d4 493)" 18 "MKDIR past the file limit"
agrees "at the file limit"
ok "the home is charged and credited as before, and its limits hold"

raw_close
check_log_clean
