#!/usr/bin/env bash
# t_auth_timing: mftpd-auth answers an unknown user exactly as a wrong
# password, and takes the same time for it: it verifies a dummy hash of
# the default method rather than answering at once.  Timed on the helper
# itself (authtime drives it the way the monitor does), where the
# pre-auth worker's fixed delay cannot hide a difference.  The check is
# a ratio of medians of the helper's CPU time (authtime), not of the
# clock's, in rounds that take every case in turn, so a slow or busy
# machine does not fail it.
# Hashes written by hand or imported take that time too, when the check
# fails: a marker crypt(3) cannot use ("x", "NP"), one it reads as DES
# ("LOCKED"), and the fast legacy methods (DES, MD5), which still let
# their users in.
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
# Lines as an administrator may have written them, or imported.
legacy_pw=$(rand_pw)
des=$(perl -e 'print crypt($ARGV[0], "ab")' "$legacy_pw") || fail "DES hash"
md5=$(perl -e 'print crypt($ARGV[0], q($1$saltsalt$))' "$legacy_pw") ||
	fail "MD5 hash"
[[ $md5 = \$1\$saltsalt\$* ]] || fail "no MD5 from crypt(3): $md5"
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)
tool "$top_builddir/ftpuser-list"
expect_eq "$RC" 0 "ftpuser-list"
expect_not_contains "$ERR" "warning" "ftpuser-list, yescrypt hashes only"
for u in "xmark:x" "np:NP" "lockedword:LOCKED" "des:$des" "md5:$md5"; do
	echo "${u%%:*}:${u#*:}:$uid:$gid:$home:0:0" >>"$USERS"
done
# The administrator is told of the two that are of another method than
# the default, and of the three no password matches ("x"; "NP" and
# "LOCKED", which crypt(3) reads as DES settings, but no DES hash is as
# short).
tool "$top_builddir/ftpuser-list"
expect_eq "$RC" 0 "ftpuser-list with legacy hashes"
expect_contains "$ERR" "warning: 2 users ('des', ...) have a password hash of another method or cost" \
    "the warning of ftpuser-list"
expect_contains "$ERR" "warning: 3 users ('xmark', ...) have a password hash no password matches: they cannot log in" \
    "the warning of hashes no password matches"
ok "the admin tools warn of hashes of another method or cost, and of those that match nothing"
pre_uid=$(id -u "$PREAUTH_USER")
pre_gid=$(id -g "$PREAUTH_USER")

# Every case in one run of authtime, which takes them in turn in each
# round: a burst of load on a busy machine falls on all of them alike.
"$AUTHTIME" "$MFTPD_AUTH" "$USERS" "$pre_uid" "$pre_gid" "$ROUNDS" \
    alice "$pw" alice "x$pw" nosuchuser "x$pw" carol "x$pw" \
    'Not/A:Name' "x$pw" xmark "x$pw" np "x$pw" lockedword "x$pw" \
    des "x$pw" md5 "x$pw" des "$legacy_pw" md5 "$legacy_pw" \
    >"$T/authtime.out" 2>"$T/authtime.err" ||
	fail "authtime: $(cat "$T/authtime.err")"
expect_eq "$(wc -l <"$T/authtime.out")" 12 "authtime's lines"
{
	read -r t_good v_good
	read -r t_wrong v_wrong
	read -r t_unknown v_unknown
	read -r t_locked v_locked
	read -r t_bad v_bad
	read -r t_xmark v_xmark
	read -r t_np v_np
	read -r t_word v_word
	read -r t_des v_des
	read -r t_md5 v_md5
	read -r _ v_des_good
	read -r _ v_md5_good
} <"$T/authtime.out"
note "median us: good $t_good, wrong $t_wrong, unknown $t_unknown," \
    "locked $t_locked, invalid name $t_bad; hash x $t_xmark, NP $t_np," \
    "LOCKED $t_word, DES $t_des, MD5 $t_md5"

expect_eq "$v_good" ok "the right password"
expect_eq "$v_wrong" fail "a wrong password"
expect_eq "$v_unknown" fail "an unknown user"
expect_eq "$v_locked" fail "a locked user"
expect_eq "$v_bad" fail "an invalid user name"
expect_eq "$v_xmark" fail "a user whose hash is x"
expect_eq "$v_np" fail "a user whose hash is NP"
expect_eq "$v_word" fail "a user whose hash is LOCKED"
expect_eq "$v_des" fail "a DES user, wrong password"
expect_eq "$v_md5" fail "an MD5 user, wrong password"
expect_eq "$v_des_good" ok "a DES user, right password"
expect_eq "$v_md5_good" ok "an MD5 user, right password"
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
similar "$t_xmark" "$t_wrong" "a user whose hash is x is answered in another time"
similar "$t_np" "$t_wrong" "a user whose hash is NP is answered in another time"
similar "$t_word" "$t_wrong" "a user whose hash is LOCKED is answered in another time"
similar "$t_des" "$t_wrong" "a DES user is answered in another time"
similar "$t_md5" "$t_wrong" "an MD5 user is answered in another time"
ok "unusable and legacy hashes take as long as a wrong password"
