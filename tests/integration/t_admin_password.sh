#!/usr/bin/env bash
# t_admin_password: a password given to ftpuser-add and ftpuser-mod with
# --password-stdin from a file saved with DOS line ends (CR LF) is the
# password without the CR, as mftp --password-fd reads the same file: the
# user logs in with it.  A line that is a CR alone is an empty password,
# refused, with nothing changed.  A 511-byte password (the most) on a
# CR LF line logs in: the CR is not counted as a 512th byte.  A password
# shorter than password_min_length characters (8 unless set; a UTF-8
# character counts once) is refused by both tools, with nothing changed;
# one set before the setting was raised still logs in.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FTPUSER_MOD=$top_builddir/ftpuser-mod
[ -x "$FTPUSER_MOD" ] || fail "$FTPUSER_MOD is not built"

# can_login_file NAME FILE: 0 if mftp, reading the password from FILE on
# --password-fd, logs in and runs pwd.
can_login_file() {
	RC=0
	timeout -k 5 "$CLIENT_TIMEOUT" "$MFTP" -P "$PORT" -q \
	    --password-fd 3 "$1@$HOST" 3<"$2" <<<"pwd" \
	    >"$T/client.out" 2>"$T/client.err" || RC=$?
	ERR=$(cat "$T/client.err")
	[ "$RC" = 0 ]
}

pw=$(rand_pw)
printf '%s\r\n' "$pw" >"$T/pw.dos"
printf '%s\n' "$pw" >"$T/pw.unix"
RC=0
ERR=$("$FTPUSER_ADD" -c "$CONF" --password-stdin alice 2>&1 <"$T/pw.dos") ||
	RC=$?
expect_eq "$RC" 0 "ftpuser-add with a CR LF password file ($ERR)"
start_daemon
can_login_file alice "$T/pw.dos" ||
	fail "alice cannot log in with the CR LF file she was added with ($ERR)"
can_login_file alice "$T/pw.unix" ||
	fail "alice cannot log in with the password without the CR ($ERR)"
ok "ftpuser-add --password-stdin: a CR LF line is the password without CR"

pw2=$(rand_pw)
printf '%s\r\n' "$pw2" >"$T/pw2.dos"
printf '%s\n' "$pw2" >"$T/pw2.unix"
tool "$FTPUSER_MOD" --password-stdin alice <"$T/pw2.dos"
expect_eq "$RC" 0 "ftpuser-mod with a CR LF password file ($ERR)"
can_login_file alice "$T/pw2.unix" ||
	fail "alice cannot log in with her new password without the CR ($ERR)"
ok "ftpuser-mod --password-stdin: a CR LF line is the password without CR"

before=$(sha256sum <"$USERS")
tool "$FTPUSER_MOD" --password-stdin alice <<<$'\r'
expect_eq "$RC" 1 "ftpuser-mod with a CR alone ($ERR)"
expect_contains "$ERR" "empty password" "the reason"
expect_eq "$(sha256sum <"$USERS")" "$before" "the users file"
ok "a CR alone is an empty password, refused"

# The longest password the protocol takes (511 bytes), on a CR LF line:
# the CR is the line's end, not a 512th byte, for the tools and mftp.
long=$(head -c 511 /dev/zero | tr '\0' 'k')
printf '%s\r\n' "$long" >"$T/long.dos"
tool "$FTPUSER_MOD" --password-stdin alice <"$T/long.dos"
expect_eq "$RC" 0 "ftpuser-mod with a 511-byte CR LF password ($ERR)"
can_login_file alice "$T/long.dos" ||
	fail "alice cannot log in with a 511-byte password on a CR LF line ($ERR)"
ok "a 511-byte password on a CR LF line logs in"

# short_refused TOOL ARGS... <<<password: exit 1, the reason, the users
# file as it was.
short_refused() {
	local before
	before=$(sha256sum <"$USERS")
	tool "$@"
	expect_eq "$RC" 1 "$(basename "$1") with a short password ($ERR)"
	expect_contains "$ERR" \
	    "password shorter than $want characters (password_min_length in mftpd.conf)" \
	    "the reason"
	expect_eq "$(sha256sum <"$USERS")" "$before" "the users file"
}

want=8
short_refused "$FTPUSER_MOD" --password-stdin alice <<<"seven77"
short_refused "$FTPUSER_ADD" --password-stdin bob <<<"seven77"
has_user bob && fail "ftpuser-add added bob with a 7-character password"
# Seven characters in nine bytes: refused; eight in ten: taken.
short_refused "$FTPUSER_MOD" --password-stdin alice <<<"pässwör"
tool "$FTPUSER_MOD" --password-stdin alice <<<"pässwört"
expect_eq "$RC" 0 "ftpuser-mod with 8 characters in 10 bytes ($ERR)"
printf '%s\n' "pässwört" >"$T/pw8"
can_login_file alice "$T/pw8" ||
	fail "alice cannot log in with her 8-character password ($ERR)"
ok "a password under 8 characters is refused by ftpuser-add and -mod"

# The setting lowers the bar, and raising it again leaves a password set
# in between as it is: alice still logs in with it.
echo "password_min_length = 4" >>"$CONF"
tool "$FTPUSER_MOD" --password-stdin alice <<<"four"
expect_eq "$RC" 0 "ftpuser-mod with 4 characters at password_min_length 4 ($ERR)"
want=4
short_refused "$FTPUSER_MOD" --password-stdin alice <<<"thr"
echo "password_min_length = 12" >>"$CONF"
printf '%s\n' four >"$T/pw4"
can_login_file alice "$T/pw4" ||
	fail "alice cannot log in with the password set at the lower setting ($ERR)"
want=12
short_refused "$FTPUSER_MOD" --password-stdin alice <<<"elevenchars"
ok "password_min_length: lowered, a shorter password is taken; raised, it still logs in"

check_log_clean
