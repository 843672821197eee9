#!/usr/bin/env bash
# t_fail2ban: the fail2ban filter etc/fail2ban/filter.d/mftpd.conf against
# log lines a real daemon wrote.  Failed logins made with the real client
# (wrong password, unknown user, a name that is not valid, over IPv4 and
# IPv6) are matched exactly once each, with the client's address; the
# lines of good logins and of the rest of the sessions match nothing.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FILTER=$top_srcdir/etc/fail2ban/filter.d/mftpd.conf
[ -f "$FILTER" ] || fail "$FILTER is missing"

# The example jail says to copy itself from where the package puts it.
JAIL=$top_srcdir/etc/fail2ban/jail.d/mftpd.conf
shipped=$(sed -n 's|.*debian/mftp-server\(/usr/share/doc/.*jail.*\)$|\1|p' \
    "$top_srcdir/debian/rules")
[ -n "$shipped" ] || fail "debian/rules installs no example jail"
grep -qF -- "cp $shipped " "$JAIL" ||
	fail "the example jail's comment does not name $shipped: $(head -n 4 "$JAIL")"
ok "the example jail names the file the package installs"
if ! command -v fail2ban-regex >/dev/null 2>&1; then
	echo "SKIP: fail2ban-regex is not installed (scripts/deps.sh)"
	exit 77
fi

# matched LOGFILE: how many lines the filter matches.
matched() {
	local out
	out=$(fail2ban-regex "$1" "$FILTER" 2>&1) ||
		fail "fail2ban-regex $1 failed: $out"
	printf '%s\n' "$out" |
		sed -n 's/^Lines: .* \([0-9][0-9]*\) matched,.*/\1/p'
}

pw="f2b-$(rand_pw)"
add_user f2b "$pw"
start_daemon

failures=0
# A wrong password, twice, as one session each.
for _ in 1 2; do
	run_client f2b "wrong-$(rand_pw)" <<<"pwd"
	expect_ne "$RC" 0 "a login with a wrong password"
	failures=$((failures + 1))
done
# An unknown user, and a name that is not a valid user name.
run_client nosuchuser "whatever" <<<"pwd"
expect_ne "$RC" 0 "a login of an unknown user"
failures=$((failures + 1))
run_client 'Not.Valid' "whatever" <<<"pwd"
expect_ne "$RC" 0 "a login with an invalid name"
failures=$((failures + 1))
if have_ipv6; then
	HOST=::1
	run_client f2b "wrong-again" <<<"pwd"
	expect_ne "$RC" 0 "a login with a wrong password over IPv6"
	failures=$((failures + 1))
	HOST=127.0.0.1
fi
# Good logins, with a transfer, for the other lines a session writes.
echo hello >"$T/work/hello.txt"
for _ in 1 2; do
	run_client f2b "$pw" <<<"lcd $T/work
put hello.txt
get hello.txt hello.back
ls"
	expect_rc 0 "a good login"
done
stop_daemon
check_log_clean

wait_for 5 eval '[ "$(grep -c "login failed" "$DAEMON_LOG")" = "$failures" ]' ||
	fail "expected $failures 'login failed' lines, got $(grep -c 'login failed' "$DAEMON_LOG")"
lines=$(wc -l <"$DAEMON_LOG")
expect_eq "$(matched "$DAEMON_LOG")" "$failures" \
    "lines the filter matches in the whole log ($lines lines)"

# Only the lines of good sessions: nothing.
grep -v 'login failed' "$DAEMON_LOG" >"$T/good.log"
grep -q 'login user=f2b ' "$T/good.log" || fail "no good login in the log"
expect_eq "$(matched "$T/good.log")" 0 "lines matched among good sessions"

# Each failure is matched with the client's address.
out=$(fail2ban-regex -v "$DAEMON_LOG" "$FILTER" 2>&1)
n4=$(printf '%s\n' "$out" | grep -cE '^\| +127\.0\.0\.1 ')
expect_eq "$n4" 4 "failures matched for 127.0.0.1"
if have_ipv6; then
	n6=$(printf '%s\n' "$out" | grep -cE '^\| +::1 ')
	expect_eq "$n6" 1 "failures matched for ::1"
fi

# The same lines as syslog writes them ("date host mftpd[pid]: ...").
sed 's/^/Nov 22 10:00:00 myhost /' "$DAEMON_LOG" >"$T/syslog.log"
expect_eq "$(matched "$T/syslog.log")" "$failures" \
    "lines matched in syslog form"
ok "the filter matches the $failures failed logins and nothing else"
