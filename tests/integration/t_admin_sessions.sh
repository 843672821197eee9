#!/usr/bin/env bash
# t_admin_sessions: removing or locking a user ends the sessions it is
# running.  A client holds a session open (commands from a FIFO); after
# ftpuser-del, and after ftpuser-mod --lock, its serving process is gone
# at once, the tool says how many sessions it ended, and the client's
# next command fails.  Another user's session goes on untouched.  A
# session that logged in before its user's home was moved (ftpuser-mod
# --home) runs chrooted in the old home and is ended all the same, also
# when the user has no accounting file to watch, or had none at login.
# A process of another mftpd instance that gave the same uid to a user
# of its own is left alone.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FTPUSER_DEL=$top_builddir/ftpuser-del
FTPUSER_MOD=$top_builddir/ftpuser-mod

pw_a=$(rand_pw)
pw_b=$(rand_pw)
pw_c=$(rand_pw)
pw_d=$(rand_pw)
pw_e=$(rand_pw)
pw_f=$(rand_pw)
add_user alice "$pw_a"
add_user bob "$pw_b"
add_user carol "$pw_c"
add_user dave "$pw_d"
add_user erin "$pw_e"
add_user fay "$pw_f"
uid_a=$(user_uid alice)
uid_b=$(user_uid bob)
uid_c=$(user_uid carol)
uid_d=$(user_uid dave)
uid_e=$(user_uid erin)
uid_f=$(user_uid fay)
start_daemon

_pwd_shown() {
	grep -q '^/' "$SESS_OUT"
}

# ended_one WHAT NAME: the tool ended NAME's session ("ended 1"); or the
# session, at its own look for its account's end (every 5 s, for the
# tools of other nodes), saw the removal or the lock mark first and
# ended itself, saying so, and the tool found none left to end.
ended_one() {
	[[ $OUT == *"ended 1 running session"* ]] && return 0
	if [[ $OUT == *"ended 0 running sessions"* ]] &&
	    grep -qE "session ended user=$2 .*: the account was (removed|locked)" \
	    "$DAEMON_LOG"; then
		note "$1: the session saw its account's end first, and ended"
		return 0
	fi
	fail "$1: 'ended 1 running session' not found in: $OUT"
}

# hold NAME PASS UID: a session of NAME held open; SERVING_PID its
# serving process.
hold() {
	session_open "$1" "$2"
	session_send pwd
	wait_for 10 _pwd_shown || fail "$1's held session did not log in"
	wait_serving_pid "$3"
}

# carol's session, held on a FIFO of its own for the whole test.
mkfifo "$T/carol.fifo"
exec 9<>"$T/carol.fifo"
client carol "$pw_c" <"$T/carol.fifo" >"$T/carol.out" 2>"$T/carol.err" 9>&- &
carol_pid=$!
BG_PIDS+=("$carol_pid")
printf 'pwd\n' >&9
wait_serving_pid "$uid_c"
sp_c=$SERVING_PID

# Another mftpd instance's session that has bob's uid (its own user,
# its own home and accounting file): a process named mftpd under that
# uid, chrooted elsewhere, holding no file of bob's.
mkdir -p "$T/other"
cp "$(command -v sleep)" "$T/other/mftpd"
setpriv --reuid="$uid_b" --regid="$uid_b" --clear-groups \
    "$T/other/mftpd" 120 &
other=$!
BG_PIDS+=("$other")

# --------------------------------------------------------- ftpuser-del
hold bob "$pw_b" "$uid_b"
sp=$SERVING_PID
tool "$FTPUSER_DEL" bob
expect_eq "$RC" 0 "ftpuser-del bob ($ERR)"
# The tool waits for the sessions it ends: the process is gone already.
_not_running "$sp" || fail "bob's serving process $sp outlived ftpuser-del"
ended_one "what ftpuser-del says" bob
[ -z "$(serving_pids_of "$uid_b")" ] || fail "bob still has a session"
session_send pwd
session_close
expect_ne "$SESS_RC" 0 "bob's client after ftpuser-del"
kill -0 "$sp_c" 2>/dev/null || fail "carol's session ended with bob's"
kill -0 "$other" 2>/dev/null ||
	fail "another instance's process of bob's uid ended with bob's session"
kill "$other"
ok "ftpuser-del ends the user's running session, and only that"

# ------------------------------------------------- ftpuser-mod --lock
hold alice "$pw_a" "$uid_a"
sp=$SERVING_PID
tool "$FTPUSER_MOD" --lock alice
expect_eq "$RC" 0 "ftpuser-mod --lock alice ($ERR)"
_not_running "$sp" || fail "alice's serving process $sp outlived the lock"
ended_one "what ftpuser-mod says" alice
[ -z "$(serving_pids_of "$uid_a")" ] || fail "alice still has a session"
session_send pwd
session_close
expect_ne "$SESS_RC" 0 "alice's client after ftpuser-mod --lock"
kill -0 "$sp_c" 2>/dev/null || fail "carol's session ended with alice's"
ok "ftpuser-mod --lock ends the user's running session"

# A user without sessions: nothing to end, and it says so.
tool "$FTPUSER_MOD" --unlock alice
expect_eq "$RC" 0 "ftpuser-mod --unlock alice ($ERR)"
tool "$FTPUSER_MOD" --lock alice
expect_contains "$OUT" "ended 0 running sessions" "a lock with no session"
ok "a lock with no session running ends none"

# --------------------------------------- sessions in a moved-from home
# moved NAME: give NAME a new home while its session runs in the old.
moved() {
	tool "$FTPUSER_MOD" --home "$T/home/$1-new" "$1"
	expect_eq "$RC" 0 "ftpuser-mod --home $1 ($ERR)"
	expect_eq "$(user_home "$1")" "$T/home/$1-new" "$1's new home"
}

hold dave "$pw_d" "$uid_d"
sp=$SERVING_PID
moved dave
kill -0 "$sp" 2>/dev/null || fail "moving the home ended dave's session"
tool "$FTPUSER_MOD" --lock dave
expect_eq "$RC" 0 "ftpuser-mod --lock dave ($ERR)"
ended_one "ftpuser-mod, old home" dave
_not_running "$sp" || fail "dave's session in his old home outlived --lock"
session_send pwd
session_close 20
expect_ne "$SESS_RC" 0 "dave's client after ftpuser-mod --lock"
ok "ftpuser-mod --lock ends a session running in the old home"

hold erin "$pw_e" "$uid_e"
sp=$SERVING_PID
moved erin
rm -f "$T/quota/erin"
tool "$FTPUSER_DEL" erin
expect_eq "$RC" 0 "ftpuser-del erin ($ERR)"
ended_one "ftpuser-del, old home" erin
_not_running "$sp" || fail "erin's session in her old home outlived ftpuser-del"
[ -z "$(serving_pids_of "$uid_e")" ] || fail "erin still has a session"
session_send pwd
session_close 20
expect_ne "$SESS_RC" 0 "erin's client after ftpuser-del"
ok "ftpuser-del ends a session in the old home, without an accounting file"

# fay has no accounting file when she logs in: her session holds none,
# and after --home it is not in her home either.  It is this daemon's.
rm -f "$T/quota/fay"
hold fay "$pw_f" "$uid_f"
sp=$SERVING_PID
moved fay
tool "$FTPUSER_MOD" --lock fay
expect_eq "$RC" 0 "ftpuser-mod --lock fay ($ERR)"
ended_one "ftpuser-mod, no file at login" fay
_not_running "$sp" || fail "fay's session outlived ftpuser-mod --lock"
session_send pwd
session_close 20
expect_ne "$SESS_RC" 0 "fay's client after ftpuser-mod --lock"
ok "--lock ends a session in the old home that never had an accounting file"

# carol's session still answers.
printf 'pwd\n' >&9
exec 9>&-
wait_pid "$carol_pid" 20 || fail "carol's client failed"
expect_eq "$(grep -c '^/' "$T/carol.out")" 2 "carol's two pwd answers"
ok "another user's session went on"
check_log_clean
