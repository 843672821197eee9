#!/usr/bin/env bash
# t_admin_live: what ftpuser-mod changes reaches a session at its login,
# not before.  A session held open while its user's byte quota is
# lowered goes on with the quota it logged in with (its upload past the
# new limit is taken), while a new login gets the new one (the same
# upload refused); ftpuser-mod says how many sessions run with the old
# settings and how to end them.  Without a session running it says
# nothing of them.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FTPUSER_MOD=$top_builddir/ftpuser-mod
[ -x "$FTPUSER_MOD" ] || fail "$FTPUSER_MOD is not built"
W=$T/work
mkdir -p "$W"

pw_a=$(rand_pw)
add_user alice "$pw_a" --quota-bytes 4M
uid_a=$(user_uid alice)
home_a=$(user_home alice)
case $home_a in
"$T"/*) ;;
*) fail "alice's home $home_a is not under $T" ;;
esac
head -c 2097152 /dev/urandom >"$W/two" || fail "cannot make $W/two"
start_daemon

_pwd_shown() {
	grep -q '^/' "$SESS_OUT"
}

session_open alice "$pw_a"
session_send pwd
wait_for 10 _pwd_shown || fail "alice's held session did not log in"
wait_serving_pid "$uid_a"

tool "$FTPUSER_MOD" --quota-bytes 1M alice
expect_eq "$RC" 0 "ftpuser-mod --quota-bytes 1M alice ($ERR)"
expect_contains "$OUT" "1 session of 'alice' runs on this machine" \
    "what ftpuser-mod says of the running session"
expect_contains "$OUT" "counts from its next login" \
    "when the change counts"
expect_contains "$OUT" "--lock ends it" "how to end it"
ok "ftpuser-mod tells of a session that keeps the old settings"

# The held session logged in with 4 MiB: its upload of 2 MiB is taken.
session_send "put $W/two held"
session_send "pwd"
_two_pwd() {
	[ "$(grep -c '^/' "$SESS_OUT")" -ge 2 ]
}
wait_for 30 _two_pwd || fail "the held session's put did not finish"
[ -f "$home_a/held" ] ||
	fail "the held session's upload was refused: $(cat "$SESS_ERR")"
session_close 20
ok "the held session goes on with the quota it logged in with"

# A new login has the new limit: the same upload is refused.
run_client alice "$pw_a" <<<"put $W/two fresh"
expect_ne "$RC" 0 "a new login's upload past the new quota"
expect_contains "$ERR" "quota" "the refusal"
[ -e "$home_a/fresh" ] && fail "a new login stored past the new quota"
ok "a new login gets the new quota"

wait_for 10 _no_sessions || fail "sessions still running"
tool "$FTPUSER_MOD" --quota-bytes 8M alice
expect_eq "$RC" 0 "ftpuser-mod --quota-bytes 8M alice ($ERR)"
expect_eq "$OUT" "" "ftpuser-mod's output with no session running"
ok "without a session, ftpuser-mod says nothing of sessions"
