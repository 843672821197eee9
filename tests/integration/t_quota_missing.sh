#!/usr/bin/env bash
# t_quota_missing: a user whose accounting file is missing is told so, in
# the words ftpuser-quota uses ("there is no accounting file"), not that
# it is damaged; a damaged one is still called damaged.  One that is
# there but cannot be opened (its file system read-only) is not called
# missing, nor is a recount offered as the cure: the user is told why,
# and so is the daemon's log.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon
echo hello >"$T/work/f"

rm -f "$T/quota/alice"
run_client alice "$pw" <<<'quota'
expect_rc 1 "quota without an accounting file"
expect_contains "$ERR" "there is no accounting file" "the user is told"
expect_not_contains "$ERR" "damaged" "what the user is told"
run_client alice "$pw" <<<"put $T/work/f f"
expect_rc 1 "put without an accounting file"
expect_contains "$ERR" "there is no accounting file (uploads are refused)" \
    "the refusal of an upload"
RC=0
admin=$("$top_builddir/ftpuser-quota" -c "$CONF" alice 2>&1) || RC=$?
expect_contains "$admin" "there is no accounting file" "what the admin tool says"
ok "a missing accounting file is called missing, as the admin tool does"

"$top_builddir/ftpuser-quota" -c "$CONF" --recount alice >/dev/null 2>&1 ||
	fail "ftpuser-quota --recount"
printf 'garbage' >"$T/quota/alice"
run_client alice "$pw" <<<'quota'
expect_rc 1 "quota with a damaged accounting file"
expect_contains "$ERR" "accounting file is damaged" "a damaged one"
ok "a damaged accounting file is still called damaged"

# A recount that cannot walk the home (not there: shared storage not yet
# mounted, a home moved away) makes no accounting file: one of zero
# usage would let the user store again what the home already holds.
rm -f "$T/quota/alice"
home=$(user_home alice)
mv "$home" "$home.away"
RC=0
admin=$("$top_builddir/ftpuser-quota" -c "$CONF" --recount alice 2>&1) || RC=$?
mv "$home.away" "$home"
expect_rc 1 "a recount of a home that is not there"
expect_contains "$admin" "cannot recount" "what the recount says"
[ ! -e "$T/quota/alice" ] ||
	fail "the failed recount left an accounting file: $(cat "$T/quota/alice")"
run_client alice "$pw" <<<"put $T/work/f f2"
expect_rc 1 "put after the failed recount"
expect_contains "$ERR" "there is no accounting file" "the refusal after it"
"$top_builddir/ftpuser-quota" -c "$CONF" --recount alice >/dev/null 2>&1 ||
	fail "ftpuser-quota --recount with the home back"
run_client alice "$pw" <<<"put $T/work/f f2"
expect_rc 0 "put after a good recount"
ok "a recount that fails leaves no accounting file; writes stay refused until one succeeds"

# The accounting file is there, on a file system mounted read-only: the
# session cannot open it to write.  Before, the user was told "there is
# no accounting file" and to ask for a recount, which fails the same way.
Q=$T/quota
mkdir -p "$T/quota.copy"
cp -a "$Q/." "$T/quota.copy/"
if ! mount -t tmpfs -o size=1m,mode=0755 none "$Q" 2>"$T/mount.err"; then
	echo "SKIP: $TEST_NAME: tmpfs cannot be mounted here: $(cat "$T/mount.err")"
	exit 77
fi
CLEANUP_MOUNTS+=("$Q")
cp -a "$T/quota.copy/." "$Q/"
mount -o remount,ro "$Q" || fail "remount of $Q read-only"
run_client alice "$pw" <<<"put $T/work/f f3"
expect_rc 1 "put with the accounting file on a read-only file system"
expect_not_contains "$ERR" "there is no accounting file" \
    "what the user is told of an accounting file that is there"
expect_contains "$ERR" \
    "the accounting file cannot be opened (Read-only file system)" \
    "the reason the user is told"
expect_match "$(cat "$DAEMON_LOG")" \
    "accounting file $Q/alice of user=alice cannot be opened.*Read-only file system" \
    "the daemon's log"
umount "$Q" || fail "umount $Q"
run_client alice "$pw" <<<"put $T/work/f f3"
expect_rc 0 "put with the accounting file writable again"
ok "an accounting file that cannot be opened is not called missing"
