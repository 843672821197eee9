#!/usr/bin/env bash
# t_users_file_lost: a user database that cannot be read (removed, a
# dangling link to shared storage that is not mounted, a line that does
# not parse, a file others may write or read) is the server's fault, not the
# user's: a login with the right password is answered "unavailable, try
# again later" (the client exits 3, as for a server it cannot reach), and
# the log says what is wrong with the file, in a line the fail2ban filter
# does not match.  Before, a missing or misowned file killed mftpd-auth
# and the client read "connection closed by the server", and a file that
# did not parse answered every login "login incorrect" and logged it as
# "login failed", which fail2ban counts: an outage banned every user.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon
cp -p "$USERS" "$T/users.good"

# since TEXT: a line of the log written since line FROM holds TEXT.
FROM=0
since() {
	tail -n +$((FROM + 1)) "$DAEMON_LOG" | grep -qF -- "$1"
}

# unavailable WHAT LOGREASON: a login with the right password is refused
# as the server's fault; the log names the file and LOGREASON.
unavailable() {
	local before
	before=$(log_count 'login failed')
	FROM=$(wc -l <"$DAEMON_LOG")
	run_client alice "$pw" <<<'pwd'
	expect_rc 3 "$1: a login with the right password"
	expect_contains "$ERR" "cannot check logins now; try again later" \
	    "$1: what the client says"
	expect_not_contains "$ERR" "login incorrect" "$1: what the client says"
	wait_for 5 since "user database cannot be read addr=127.0.0.1 port" ||
		fail "$1: no log line says the user database cannot be read"
	since ": $USERS" ||
		fail "$1: no log line names the user database"
	since "$2" || fail "$1: the log does not say '$2'"
	expect_eq "$(log_count 'login failed')" "$before" \
	    "$1: 'login failed' lines"
	daemon_alive || fail "$1: mftpd died"
	ok "$1: the login is refused as unavailable, not failed"
}

mv "$USERS" "$T/users.away"
unavailable "a removed users file" "No such file or directory"
mv "$T/users.away" "$USERS"

run_client alice "$pw" <<<'pwd'
expect_rc 0 "a login once the file is back ($ERR)"
ok "the file back, logins work again"

# Each node's link to the file on shared storage that is not mounted.
mv "$USERS" "$T/users.real"
ln -s "$T/shared/users" "$USERS"
unavailable "a link to a missing file" "No such file or directory"
rm -f "$USERS"
mv "$T/users.real" "$USERS"

echo "garbage" >>"$USERS"
unavailable "a line that does not parse" "line 2: 1 field instead of 7 or 10"
cp -p "$T/users.good" "$USERS"

chmod 0666 "$USERS"
unavailable "a file others may write" "must be a regular file owned by root"
# The password hashes are root's secret: a file others may read (0644,
# or 0640 for a group) is refused the same way, not served with a
# warning no one reads.
for mode in 0644 0640; do
	chmod "$mode" "$USERS"
	unavailable "a file of mode $mode" "no one else may read or write"
	tool "$top_builddir/ftpuser-list"
	expect_eq "$RC" 1 "ftpuser-list with a users file of mode $mode"
	expect_contains "$ERR" "can be read by others (mode $mode)" \
	    "what ftpuser-list says of a users file of mode $mode"
done
chmod 0600 "$USERS"

# A wrong password, unlike these, is still a failed login.
run_client alice "x$pw" <<<'pwd'
expect_rc 4 "a wrong password"
expect_contains "$ERR" "login incorrect" "a wrong password"
failed_once() { [ "$(log_count 'login failed')" = 1 ]; }
wait_for 5 failed_once ||
	fail "a wrong password is not logged once as 'login failed'"
ok "a wrong password is still a failed login"

if command -v fail2ban-regex >/dev/null 2>&1; then
	FILTER=$top_srcdir/etc/fail2ban/filter.d/mftpd.conf
	n=$(fail2ban-regex "$DAEMON_LOG" "$FILTER" 2>&1 |
	    sed -n 's/^Lines: .* \([0-9][0-9]*\) matched,.*/\1/p')
	expect_eq "$n" 1 "lines the fail2ban filter matches"
	ok "the fail2ban filter matches the wrong password alone"
fi
stop_daemon
check_log_clean
