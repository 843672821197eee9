#!/usr/bin/env bash
# t_login: the right password logs in; a wrong password and an unknown user
# both end with exit 4 and the very same "login incorrect"; the password is
# read from the descriptor --password-fd names; the daemon answers on ::1
# too when the host has IPv6; three failed logins end the connection;
# ~/.netrc gives a script's password, and is refused if others can read it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
pw_bob=$(rand_pw)
add_user alice "$pw"
add_user bob "$pw_bob"

"$MFTPD" -t -c "$CONF" >/dev/null 2>&1 || fail "mftpd -t rejects a good config"
printf 'port = 21\nno_such_key = 1\n' >"$T/etc/bad.conf"
if "$MFTPD" -t -c "$T/etc/bad.conf" >/dev/null 2>&1; then
	fail "mftpd -t accepts an unknown key"
fi
ok "mftpd -t checks the config"

start_daemon

run_client alice "$pw" <<<'pwd'
expect_rc 0 "login with the right password"
expect_match "$OUT" '(^|[[:space:]"])/"?$' "pwd after login"
ok "right password: logged in, pwd is /"

run_client alice "x$pw" <<<'pwd'
expect_rc 4 "wrong password"
expect_contains "$ERR" "login incorrect" "wrong password"
expect_no_match "$OUT" '/"?$' "a command ran after a failed login"
err_wrong=${ERR//alice/USER}
ok "wrong password: exit 4, login incorrect"

run_client nosuchuser "$pw" <<<'pwd'
expect_rc 4 "unknown user"
err_unknown=${ERR//nosuchuser/USER}
expect_eq "$err_unknown" "$err_wrong" "unknown user and wrong password differ"
ok "unknown user: exit 4, the same message"

run_client alice "$pw_bob" <<<'pwd'
expect_rc 4 "bob's password for alice"
run_client bob "$pw_bob" <<<'pwd'
expect_rc 0 "bob's own login"
ok "a password is only good for its own user"

# --password-fd reads the descriptor it is given, not a fixed one.
printf '%s\n' "$pw" >"$T/work/pw"
RC=0
timeout -k 5 "$CLIENT_TIMEOUT" "$MFTP" -P "$PORT" -q --password-fd 5 \
    "alice@$HOST" 5<"$T/work/pw" <<<'pwd' >"$T/out" 2>"$T/err" || RC=$?
expect_eq "$RC" 0 "login with the password on descriptor 5 ($(cat "$T/err"))"
printf 'wrong\n' >"$T/work/pw"
RC=0
timeout -k 5 "$CLIENT_TIMEOUT" "$MFTP" -P "$PORT" -q --password-fd 5 \
    "alice@$HOST" 5<"$T/work/pw" <<<'pwd' >"$T/out" 2>"$T/err" || RC=$?
expect_eq "$RC" 4 "a wrong password on descriptor 5"
ok "--password-fd"

# The protocol itself: HELLO_OK, then OK for the right password.
out=$(rawpeer --hold 5 <<<"$(hex_hello) @reply $(hex_login alice "$pw") @reply
    $(hex_frame 03) @reply")
expect_match "$out" '^frame 0x82 ' "HELLO_OK"
expect_match "$out" '^frame 0x80 1$' "OK to LOGIN"
expect_match "$out" '^closed$' "QUIT closes"
ok "HELLO, LOGIN, QUIT on the wire"
# ERROR(AUTH) for a wrong password and an unknown user, with one text.
out=$(rawpeer --hold 5 <<<"$(hex_hello) @reply $(hex_login alice nope) @reply")
line_wrong=$(printf '%s\n' "$out" | grep '^error ')
expect_match "$line_wrong" '^error 3 .*login incorrect' "ERROR(AUTH)"
out=$(rawpeer --hold 5 <<<"$(hex_hello) @reply $(hex_login nosuchuser nope) @reply")
line_unknown=$(printf '%s\n' "$out" | grep '^error ')
expect_eq "$line_unknown" "$line_wrong" "the ERROR for an unknown user"
ok "ERROR(AUTH, login incorrect) on the wire, the same for both"

# Three failures end the connection.
out=$(rawpeer --expect-close 30 <<<"$(hex_hello) @reply
    $(hex_login alice a) @reply $(hex_login alice b) @reply
    $(hex_login alice c) @reply")
expect_eq "$(printf '%s\n' "$out" | grep -c '^error 3 ')" 3 "three ERROR(AUTH)"
expect_match "$out" '^closed$' "the connection after three failures"
ok "three failed logins close the connection"

if have_ipv6; then
	HOST=::1 run_client alice "$pw" <<<'pwd'
	expect_rc 0 "a session over ::1"
	ok "listens on ::1"
else
	note "no IPv6 on this host; ::1 not tried"
fi

# ~/.netrc: a script's password (and user) without --password-fd; a file
# others could read is refused rather than used.
nhome=$T/nhome
mkdir -p "$nhome"
printf 'machine %s login alice password %s\n' "$HOST" "$pw" >"$nhome/.netrc"
chmod 600 "$nhome/.netrc"
netrc_client() { # [mftp options]: sets RC, OUT, ERR
	RC=0
	HOME=$nhome timeout -k 5 "$CLIENT_TIMEOUT" "$MFTP" -P "$PORT" -q "$@" \
	    <<<'pwd' >"$T/out" 2>"$T/err" || RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}
netrc_client "$HOST"
expect_eq "$RC" 0 "login from ~/.netrc, user and password"
netrc_client "alice@$HOST"
expect_eq "$RC" 0 "login from ~/.netrc with the user given"
netrc_client "bob@$HOST"
expect_eq "$RC" 4 "no entry for bob in ~/.netrc (and no terminal)"
netrc_client -n "alice@$HOST"
expect_eq "$RC" 4 "-n ignores ~/.netrc"
chmod 644 "$nhome/.netrc"
netrc_client "alice@$HOST"
expect_eq "$RC" 4 "a ~/.netrc others can read"
expect_contains "$ERR" "chmod 600" "the refusal of a readable ~/.netrc"
ok "login from ~/.netrc, refused when others can read it"

# A ~/.netrc kept elsewhere and linked (as dotfile managers do) is read,
# and the file it names is what must be private; a FIFO there is
# refused, not waited on.
mkdir -p "$nhome/dotfiles"
mv "$nhome/.netrc" "$nhome/dotfiles/netrc"
ln -s dotfiles/netrc "$nhome/.netrc"
chmod 600 "$nhome/dotfiles/netrc"
netrc_client "$HOST"
expect_eq "$RC" 0 "login from a linked ~/.netrc ($ERR)"
chmod 640 "$nhome/dotfiles/netrc"
netrc_client "$HOST"
expect_eq "$RC" 4 "a linked ~/.netrc others can read"
expect_contains "$ERR" "chmod 600" "the refusal of a readable linked file"
rm "$nhome/.netrc"
mkfifo -m 600 "$nhome/.netrc"
netrc_client "$HOST"
expect_eq "$RC" 4 "a FIFO as ~/.netrc"
expect_contains "$ERR" "not a regular file" "the refusal of a FIFO"
ok "a linked ~/.netrc is followed, a FIFO refused"

# Nothing listens on another port: a connect error is exit 3.
other=$(pick_port) || fail "no free port"
RC=0
timeout -k 5 "$CLIENT_TIMEOUT" "$MFTP" -P "$other" -q --password-fd 3 \
    "alice@$HOST" 3<<<"$pw" <<<'pwd' >"$T/out" 2>"$T/err" || RC=$?
expect_eq "$RC" 3 "connecting to a closed port"
ok "connect error: exit 3"

daemon_alive || fail "mftpd died"
check_log_clean
