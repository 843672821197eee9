#!/usr/bin/env bash
# t_quota_missing: a user whose accounting file is missing is told so, in
# the words ftpuser-quota uses ("there is no accounting file"), not that
# it is damaged; a damaged one is still called damaged.
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
