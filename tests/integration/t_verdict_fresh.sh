#!/usr/bin/env bash
# t_verdict_fresh: the monitor's check of a good verdict
# (privsep/monitor_check.c) is forked while the login is under way, and
# reads the user database only when the verdict comes.  So an account
# locked while its user is still typing the password is refused (logged,
# the client told it was locked, as a running session is: before, it was
# told its account "cannot be served now"), although the password
# helper, started earlier, still had the unlocked line; so is a user
# removed meanwhile.  The password comes from a FIFO the test
# writes only after the lock, once the helper is under its seccomp list
# (it has opened the database, and reads that file when the request
# comes) and the check waits for the verdict.  A password changed the
# same way is refused too: the check compares the hash the helper used
# (and the serving process is not left holding it, nor the waiting
# helper yet).  A check killed in that wait gets the login refused.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon

# The session's check: the monitor's child that runs mftpd as root (the
# worker runs it as the pre-auth user, the helpers are other programs).
checker() {
	local s p
	for s in $(sessions); do
		for p in $(children_of "$s"); do
			_runs "$p" "$MFTPD" &&
				[ "$(proc_uid "$p" 2>/dev/null)" = 0 ] &&
				echo "$p" && return 0
		done
	done
	return 0
}

# Both wait for the login: the helper under its list (it opens the
# database before its drop), the check in poll (7) or ppoll (271).
_both_wait() {
	local c h
	c=$(checker)
	h=$(helper_of "$MFTPD_AUTH")
	[ -n "$c" ] && [ -n "$h" ] &&
		[ "$(proc_status "$h" Seccomp 2>/dev/null)" = 2 ] &&
		read -r nr _ <"/proc/$c/syscall" 2>/dev/null &&
		{ [ "$nr" = 7 ] || [ "$nr" = 271 ]; }
}

# login_midway CMD...: log in as alice, running CMD once the helper has
# opened the database and the check waits, before the password is sent.
# Sets RC, ERR.
login_midway() {
	local cpid
	rm -f "$T/pw"
	mkfifo "$T/pw" || fail "mkfifo"
	exec 9<>"$T/pw"
	timeout -k 5 "$CLIENT_TIMEOUT" "$MFTP" -P "$PORT" -q --password-fd 3 \
	    "alice@$HOST" 3<"$T/pw" <<<"pwd" >"$T/c.out" 2>"$T/c.err" 9>&- &
	cpid=$!
	BG_PIDS+=("$cpid")
	wait_for 10 _both_wait ||
		fail "the helper and the check do not both wait for the login"
	"$@" || fail "$*"
	printf '%s\n' "$pw" >&9
	exec 9>&-
	RC=0
	wait_pid "$cpid" 30 || RC=$?
	ERR=$(cat "$T/c.err")
}

# The control: nothing changes midway, and the same path logs in.
login_midway true
expect_eq "$RC" 0 "a login with nothing changed midway ($ERR)"
ok "a login whose password comes late, nothing changed meanwhile, works"

login_midway "$top_builddir/ftpuser-mod" -c "$CONF" --lock alice
expect_eq "$RC" 4 "a login whose account was locked midway ($ERR)"
expect_contains "$ERR" "your account was locked by the administrator" \
    "what the client of a locked account is told"
grep -Eq 'verdict for user=alice refused addr=.*: the account is locked' \
    "$DAEMON_LOG" ||
	fail "the monitor's reason for the refusal: $(tail -5 "$DAEMON_LOG")"
[ -z "$(serving_pids_of "$(user_uid alice)")" ] ||
	fail "a serving process runs for the locked account"
ok "an account locked during the login is refused by the check, which reads the database at the verdict"

# A password changed while the login waits (the leaked one replaced,
# the account locked and unlocked): the helper, started earlier, still
# had the old hash and accepts the old password; the check compares
# the hash the helper used with the database's now, and refuses.
"$top_builddir/ftpuser-mod" -c "$CONF" --unlock alice >/dev/null ||
	fail "ftpuser-mod --unlock alice"
newpw=$(rand_pw)
change_password() {
	"$top_builddir/ftpuser-mod" -c "$CONF" --password-stdin alice \
	    <<<"$newpw" >/dev/null
}
login_midway change_password
expect_ne "$RC" 0 "a login with the password changed midway"
expect_contains "$ERR" "password was changed" \
    "what the client of a changed password is told"
grep -Eq 'verdict for user=alice refused addr=.*: the password hash differs from the user database' \
    "$DAEMON_LOG" ||
	fail "the monitor's reason for the refusal: $(tail -5 "$DAEMON_LOG")"
[ -z "$(serving_pids_of "$(user_uid alice)")" ] ||
	fail "a serving process runs with the old password"
pw=$newpw
# The hash passes through the monitor to the check: the scan must not
# find it in the serving process the monitor becomes, nor in the helper
# while it waits for the request (it has not read the file yet).  The
# scan does find it in a process of the test's that holds it (its
# arguments): one that saw nothing is no clean one.
hash=$(awk -F: '$1 == "alice" { printf "%s", $2 }' "$USERS")
hash_hex=$(printf '%s' "$hash" | od -An -v -tx1 | tr -d ' \n')
[ -n "$hash_hex" ] || fail "no hash for alice in $USERS"
spawn bash -c 'sleep 60; :' holder "$hash" </dev/null
holder=$BG_PID
in_holder=$(mem_count "$holder" "$hash_hex")
((in_holder >= 1)) || fail "the scan did not find the hash in $holder"
kill_tree "$holder"
scan_helper() {
	in_helper=$(mem_count "$(helper_of "$MFTPD_AUTH")" "$hash_hex")
}
login_midway scan_helper
expect_eq "$RC" 0 "a login with the new password ($ERR)"
expect_eq "$in_helper" 0 "alice's hash in the helper before her request"
session_open alice "$pw"
session_send pwd
wait_serving_pid "$(user_uid alice)"
expect_eq "$(mem_count "$SERVING_PID" "$hash_hex")" 0 \
    "alice's password hash in her serving process"
session_close 20
ok "a password changed during the login: the old one is refused by the" \
    "check; the hash it compared is not left in the serving process"

# A check that is gone by the verdict (killed here) is no approval: the
# login is refused, and nothing waits for it.
kill_checker() {
	local c
	c=$(checker)
	[ -n "$c" ] || return 1
	kill -KILL "$c"
}
login_midway kill_checker
expect_ne "$RC" 0 "a login whose check was killed"
expect_contains "$ERR" "your account cannot be served now" \
    "what the client is told when the check is gone"
grep -Eq 'verdict for user=alice refused addr=.*: the check did not finish' \
    "$DAEMON_LOG" ||
	fail "the monitor's reason without a check: $(tail -5 "$DAEMON_LOG")"
ok "a check killed before the verdict: the login is refused, not waved through"

# A user removed while the login waits, by ftpuser-del on another node
# (a PID namespace of its own: this node's login is out of its sight):
# the check finds no such user; the client is told the account was
# removed, as a session that runs is, not that it "cannot be served".
remove_elsewhere() {
	unshare --pid --fork --mount-proc "$top_builddir/ftpuser-del" \
	    -c "$CONF" alice >"$T/del.out" 2>&1
}
uid=$(user_uid alice)
login_midway remove_elsewhere
expect_eq "$RC" 4 "a login whose user was removed midway ($ERR)"
expect_contains "$ERR" "your account was removed by the administrator" \
    "what the client of a removed account is told"
grep -Eq 'verdict for user=alice refused addr=.*: the user is not in the user database' \
    "$DAEMON_LOG" ||
	fail "the monitor's reason for the refusal: $(tail -5 "$DAEMON_LOG")"
[ -z "$(serving_pids_of "$uid")" ] ||
	fail "a serving process runs for the removed account"
ok "a user removed during the login is refused by the check, and told so"
daemon_alive || fail "mftpd died"
