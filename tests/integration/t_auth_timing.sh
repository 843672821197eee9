#!/usr/bin/env bash
# t_auth_timing: mftpd-auth answers an unknown user exactly as a wrong
# password, and takes the same time for it: it verifies a dummy hash of
# the default method rather than answering at once.  Timed on the helper
# itself (authtime drives it the way the monitor does), where the
# pre-auth worker's fixed delay cannot hide a difference.  The check is
# a ratio of medians, so a slow or busy machine does not fail it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

AUTHTIME=$top_builddir/tests/integration/authtime
[ -x "$AUTHTIME" ] || fail "$AUTHTIME is not built"
ROUNDS=7

pw=$(rand_pw)
add_user alice "$pw"
add_user carol "$(rand_pw)"
"$top_builddir/ftpuser-mod" -c "$CONF" --lock carol >/dev/null ||
	fail "ftpuser-mod --lock carol"
pre_uid=$(id -u "$PREAUTH_USER")
pre_gid=$(id -g "$PREAUTH_USER")

timed() { # USER PASSWORD: "median-microseconds verdict"
	"$AUTHTIME" "$MFTPD_AUTH" "$USERS" "$pre_uid" "$pre_gid" "$ROUNDS" \
	    "$1" "$2" 2>>"$T/authtime.err" ||
		fail "authtime $1: $(cat "$T/authtime.err")"
}

read -r t_good v_good <<<"$(timed alice "$pw")"
read -r t_wrong v_wrong <<<"$(timed alice "x$pw")"
read -r t_unknown v_unknown <<<"$(timed nosuchuser "x$pw")"
read -r t_locked v_locked <<<"$(timed carol "x$pw")"
read -r t_bad v_bad <<<"$(timed 'Not/A:Name' "x$pw")"
note "median us: good $t_good, wrong $t_wrong, unknown $t_unknown," \
    "locked $t_locked, invalid name $t_bad"

expect_eq "$v_good" ok "the right password"
expect_eq "$v_wrong" fail "a wrong password"
expect_eq "$v_unknown" fail "an unknown user"
expect_eq "$v_locked" fail "a locked user"
expect_eq "$v_bad" fail "an invalid user name"
ok "verdicts"

# Each failure must cost what a real verification costs: within a factor
# of two of the wrong-password case.  Answering an unknown user without
# hashing is some twenty times faster and fails this.
similar() { # A B WHAT
	if (($1 * 2 < $2 || $2 * 2 < $1)); then
		fail "$3: ${1} us vs ${2} us for a wrong password"
	fi
}
similar "$t_unknown" "$t_wrong" "an unknown user is answered in another time"
similar "$t_locked" "$t_wrong" "a locked user is answered in another time"
similar "$t_bad" "$t_wrong" "an invalid name is answered in another time"
ok "unknown, locked and invalid users take as long as a wrong password"
