#!/usr/bin/env bash
# t_login_stopped: a login told to stop (SIGTERM: mftpd's stop,
# ftpuser-del, ftpuser-mod --lock) while its serving process settles the
# accounting file, before the LOGIN is answered, is refused, and the
# refusal logged: ERROR(PERM) "the account ... was locked" when the
# account was ended (mftp exits 4), ERROR(UNAVAILABLE) otherwise (the
# server's doing: mftp exits 3, try again later; it was BUSY, exit 4).  It was answered OK all the
# same, and the session ended at its first look at the stop: the client
# was told it had logged in, then lost the connection at its first
# request.  Here the settle waits for the accounting file's lock, which
# this shell holds (as a recount would), and the SIGTERM comes once
# strace has seen the serving process find the lock taken.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_quota.sh
. "$(dirname "$0")/lib_quota.sh"

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
[ -f "$T/quota/alice" ] || fail "no accounting file for alice"
start_daemon

# stopped_login WHAT [CMD...]: a login of alice whose settle waits for
# the lock; once it does, CMD (if any), then SIGTERM to the session,
# which must end within 5 s.  The client's stderr in $T/login.err.
stopped_login() {
	local what=$1 cpid
	shift
	hold_lock alice
	client alice "$pw" <<<"pwd" >"$T/login.out" 2>"$T/login.err" &
	cpid=$!
	BG_PIDS+=("$cpid")
	wait_serving_pid "$uid"
	strace_attach "$SERVING_PID" "$T/strace.out" -e trace=fcntl
	_waits() { grep -q 'F_OFD_SETLK.* = -1 EAGAIN' "$T/strace.out"; }
	wait_for 10 _waits || fail "$what: the settle did not wait for the lock"
	[ $# -gt 0 ] && { "$@" || fail "$what: $*"; }
	kill -TERM "$SERVING_PID"
	_gone() { [ -z "$(serving_pids_of "$uid")" ]; }
	wait_for 5 _gone || fail "$what: the session went on after SIGTERM"
	CRC=0
	wait_pid "$cpid" 20 || CRC=$?
	[ "$CRC" != 0 ] || fail "$what: the client said it logged in"
	release_lock
	expect_not_contains "$(cat "$T/login.out")" "/" "$what: pwd's answer"
	expect_contains "$(cat "$T/login.err")" "login as alice on $HOST failed: " \
	    "$what: the client told the login failed"
}

# ----------------------------------- mftpd's stop: UNAVAILABLE
stopped_login "a login told to stop"
expect_contains "$(cat "$T/login.err")" \
    "the server ended this session before the login was answered" \
    "what the client says"
# The server's doing, not the user's: try again later (exit 3, which
# --retry retries), as for a server that cannot be reached.
expect_eq "$CRC" 3 "the client's exit status"
expect_eq "$(log_count 'login of user=alice addr=.* refused: told to stop before its answer')" 1 \
    "the log line of the refused login"
expect_eq "$(log_count 'session end user=alice .*reason=terminated')" 1 \
    "the session's end"
ok "a login told to stop before its answer is refused (UNAVAILABLE), and logged"

# ----------------------------------- the account locked: PERM
stopped_login "a login of an account locked" chmod 0400 "$T/quota/alice"
expect_contains "$(cat "$T/login.err")" \
    "the account alice was locked by the administrator" \
    "what the client says"
expect_eq "$CRC" 4 "the client's exit status"
expect_eq "$(log_count 'session ended user=alice .*: the account was locked')" 1 \
    "the log line of the ended session"
chmod 0600 "$T/quota/alice"
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login once unlocked ($ERR)"
ok "a login of an account locked before its answer is refused (PERM), and logged"
check_log_clean
