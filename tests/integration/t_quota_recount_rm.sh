#!/usr/bin/env bash
# t_quota_recount_rm: the administrator removes a user's accounting file
# and runs ftpuser-quota --recount (the repair mftpd asks for when the
# file is missing) while an upload of the user runs.  The recount's new
# file has a lock of its own, which the session, holding the removed
# file, does not share: the session must charge nothing more to the
# removed file, and take back the chunk it wrote when the removal came,
# or the new count misses what it writes after the recount's walk.
# Before, the upload went on into the removed file until the session's
# next look at the account, a second later, and the user could then
# store that much past the limit.  Here: the new accounting file never
# counts less than the home holds, the upload stops saying why, and the
# limit holds for the next upload.  A rename is refused too.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_quota.sh
. "$(dirname "$0")/lib_quota.sh"

FTPUSER_QUOTA=$top_builddir/ftpuser-quota
FTPUSER_MOD=$top_builddir/ftpuser-mod
MiB=1048576
LIMIT=$((40 * MiB))
SIZE=$((32 * MiB))

pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 40M
user_vars alice
head -c "$SIZE" /dev/urandom >"$T/big" || fail "cannot make big"
start_daemon
# At 2 MiB/s the upload lasts 16 s: the removal comes after 2 s, with
# 14 s left, so that it comes in the middle on a busy machine too (at
# 8 MiB/s, 3.5 s were left).
tool "$FTPUSER_MOD" --rate 2M alice
expect_eq "$RC" 0 "ftpuser-mod --rate 2M alice ($ERR)"

client alice "$pw" <<<"put $T/big big" >"$T/put.out" 2>"$T/put.err" &
CPID=$!
BG_PIDS+=("$CPID")
_part_has() { [ "$(fsize "$home/.big.mftp-part")" -ge "$1" ]; }
wait_for 20 _part_has $((4 * MiB)) || fail "the upload did not reach 4 MiB"
rm -f "$T/quota/alice"
tool "$FTPUSER_QUOTA" --recount alice
expect_eq "$RC" 0 "ftpuser-quota --recount alice ($ERR)"
wait "$CPID"
rc=$?
expect_ne "$rc" 0 "the upload through the removal"
# The session ends (the account's file is gone), at once or at its
# next look at the account.
expect_match "$(cat "$DAEMON_LOG")" \
    'session end user=alice .*reason=account-removed' "the session's end"
[ ! -e "$home/big" ] || fail "the upload was committed"
# Never less than the home holds: at most the chunk in flight more.
read -r abytes afiles <<<"$(acct alice)"
read -r rbytes rfiles <<<"$(recount "$home")"
[ "$abytes" -ge "$rbytes" ] ||
	fail "the new accounting file counts $abytes bytes; the home holds $rbytes"
[ "$afiles" -ge "$rfiles" ] ||
	fail "the new accounting file counts $afiles files; the home holds $rfiles"
[ $((abytes - rbytes)) -le $((4 * MiB)) ] ||
	fail "the new accounting file counts $((abytes - rbytes)) bytes too many"
ok "a recount during an upload: the new count covers the home ($abytes >= $rbytes)"

# What the accounting says is free is all there is: one byte more than
# that is refused, and the home stays within the limit.
tool "$FTPUSER_MOD" --rate 0 alice
free=$((LIMIT - abytes))
head -c $((free + 1)) /dev/urandom >"$T/more"
run_client alice "$pw" <<<"put $T/more more"
expect_rc 1 "an upload of one byte more than is free"
expect_contains "$ERR" "quota" "the reason"
read -r rbytes _ <<<"$(recount "$home")"
[ "$rbytes" -le "$LIMIT" ] || fail "the home holds $rbytes bytes, past $LIMIT"
ok "the limit holds after the recount"

# A rename in a session whose accounting file was just removed: refused
# (it could move a tree past a recount's walk), and nothing moves.  The
# session's look at the account before each request refuses it here;
# the charge's own look under the lock (lib/quota.c) is for a removal
# that comes after that, which no test can place without slowing the
# serving process down.
mkdir -p "$home/from"
echo "moved?" >"$home/from/f"
chown -R "$uid:$gid" "$home/from"
session_open alice "$pw"
session_send pwd
_said() { grep -q '^/' "$SESS_OUT"; }
wait_for 10 _said || fail "the session did not log in: $(cat "$SESS_ERR")"
rm -f "$T/quota/alice"
session_send "mv from to"
session_send pwd
session_close 20
if [ ! -e "$home/from/f" ] || [ -e "$home/to" ]; then
	fail "the rename was made after the accounting file was removed"
fi
ok "a rename after the accounting file's removal is refused"

check_log_clean
