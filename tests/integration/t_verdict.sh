#!/usr/bin/env bash
# t_verdict: the monitor does not take the auth helper's verdict on
# faith.  A subverted helper (fakeauth, in place of mftpd-auth) says "ok"
# with records the user database does not have: another user's uid and
# home, bigger quotas, a locked account, an unknown name, another
# password hash.  The monitor
# refuses each (logged; the client told, no serving process started:
# that the account cannot be served, or, for a locked or unknown name,
# that it was locked or removed, as when that happens during a login);
# the true record passes the same check.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FAKEAUTH=$top_builddir/tests/integration/fakeauth
[ -x "$FAKEAUTH" ] || fail "$FAKEAUTH is not built (make check builds it)"
pw_a=$(rand_pw)
pw_b=$(rand_pw)
add_user alice "$pw_a" --quota-bytes 1M
add_user bob "$pw_b"
add_user carol "$(rand_pw)"
"$top_builddir/ftpuser-mod" -c "$CONF" --lock carol >/dev/null ||
	fail "ftpuser-mod --lock carol"
a_uid=$(user_uid alice)
b_uid=$(user_uid bob)
# The helper must be root's own, like the real one (mftpd checks).
cp "$FAKEAUTH" "$T/fakeauth"
chmod 0755 "$T/fakeauth"
MFTPD_AUTH=$T/fakeauth
start_daemon

# forge NAME UID GID HOME BYTES FILES [HASH]: the record the fake helper
# says ok with; the password hash is NAME's own in the database (or a
# placeholder for a name it lacks) unless HASH is given.
hash_of() { awk -F: -v u="$1" '$1 == u { print $2 }' "$USERS"; }
forge() {
	local hash=${7:-$(hash_of "$1")}
	echo "$1 $2 $3 $4 $5 $6 ${hash:-x}" >"$USERS.forge"
}
# try WHAT: log in as alice through the fake helper; must be refused.
try_forged() {
	local before
	before=$(grep -c 'verdict for user=.* refused' "$DAEMON_LOG")
	run_client alice "whatever" <<<'pwd'
	[ "$RC" != 0 ] || fail "$1: a forged verdict gave a session"
	expect_contains "$ERR" \
	    "${MISMATCH_TEXT:-your account cannot be served now}" \
	    "$1: what the client is told"
	[ -z "$(serving_pids_of "$b_uid")$(serving_pids_of "$a_uid")" ] ||
		fail "$1: a serving process runs"
	[ "$(grep -c 'verdict for user=.* refused' "$DAEMON_LOG")" -gt "$before" ] ||
		fail "$1: no log line"
}

forge alice "$b_uid" "$(user_gid bob)" "$(user_home bob)" 0 0
try_forged "alice with bob's uid and home"
grep -q 'uid or gid differ from the user database' "$DAEMON_LOG" ||
	fail "the reason for another uid"
forge alice "$a_uid" "$(user_gid alice)" "$(user_home bob)" 1048576 0
try_forged "alice with bob's home"
grep -q 'the home differs from the user database' "$DAEMON_LOG" ||
	fail "the reason for another home"
forge alice "$a_uid" "$(user_gid alice)" "$(user_home alice)" 0 0
try_forged "alice without her quota"
grep -q 'the quotas differ from the user database' "$DAEMON_LOG" ||
	fail "the reason for other quotas"
forge carol "$(user_uid carol)" "$(user_gid carol)" "$(user_home carol)" 0 0
MISMATCH_TEXT="your account was locked by the administrator" \
    try_forged "a locked account"
grep -q 'the account is locked' "$DAEMON_LOG" ||
	fail "the reason for a locked account"
forge mallory 61999 61999 /tmp 0 0
MISMATCH_TEXT="your account was removed by the administrator" \
    try_forged "a name not in the database"
grep -q 'the user is not in the user database' "$DAEMON_LOG" ||
	fail "the reason for an unknown name"
# Alice's true record with a hash that is not hers (bob's): refused,
# and the client is told to log in again, as after a password change.
forge alice "$a_uid" "$(user_gid alice)" "$(user_home alice)" 1048576 0 \
    "$(hash_of bob)"
MISMATCH_TEXT="your password was changed while you logged in" \
    try_forged "alice's record with bob's password hash"
grep -q 'the password hash differs from the user database' "$DAEMON_LOG" ||
	fail "the reason for another password hash"
ok "forged verdicts are refused, each with its reason"

# The true record passes (the fake says ok to any password).
forge alice "$a_uid" "$(user_gid alice)" "$(user_home alice)" 1048576 0
run_client alice "whatever" <<<'pwd'
expect_rc 0 "alice's true record"
ok "the true record passes the monitor's check"
check_log_clean
