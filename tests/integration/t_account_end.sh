#!/usr/bin/env bash
# t_account_end: ftpuser-mod --lock and ftpuser-del end a user's sessions
# on every node that shares the storage, not only on the machine they run
# on: each session watches the accounting file it holds open (lib/quota.h),
# which --lock marks (mode 0400) and ftpuser-del removes.  Here the mark
# is made by hand, as another node's tool would leave it, so that this
# machine's own ending of sessions (/proc) plays no part: an idle session
# ends within seconds, and says why; a removed account's session ends
# too.  The tools leave the marks: --lock 0400, --unlock 0600 and a login
# works again, ftpuser-del no file.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
add_user bob "$pw"
add_user carol "$pw"
start_daemon

_gone() { ! kill -0 "$1" 2>/dev/null; }

# held_session NAME: a logged-in session, idle; SERVING_PID is its
# serving process.
held_session() {
	session_open "$1" "$pw"
	session_send pwd
	wait_serving_pid "$(user_uid "$1")"
}

# ------------------------------------------- locked elsewhere: mode 0400
held_session alice
chmod 0400 "$T/quota/alice"
wait_for 15 _gone "$SERVING_PID" ||
	fail "the session of a locked account went on"
session_close
expect_contains "$(cat "$SESS_ERR")" "was locked by the administrator" \
    "what the client says"
grep -q 'session ended user=alice .*: the account was locked' "$DAEMON_LOG" ||
	fail "no log line for the ended session"
chmod 0600 "$T/quota/alice"
ok "an account marked locked by another node: its idle session ends"

# ----------------------------------------- removed elsewhere: no file
held_session bob
rm "$T/quota/bob"
wait_for 15 _gone "$SERVING_PID" ||
	fail "the session of a removed account went on"
session_close
expect_contains "$(cat "$SESS_ERR")" "was removed by the administrator" \
    "what the client says"
ok "an account removed by another node: its idle session ends"

# ------------------------------------------- the tools leave the marks
"$top_builddir/ftpuser-mod" -c "$CONF" --lock alice >/dev/null ||
	fail "ftpuser-mod --lock"
[ "$(stat -c %a "$T/quota/alice")" = 400 ] ||
	fail "--lock left the accounting file $(stat -c %a "$T/quota/alice")"
"$top_builddir/ftpuser-mod" -c "$CONF" --unlock alice >/dev/null ||
	fail "ftpuser-mod --unlock"
[ "$(stat -c %a "$T/quota/alice")" = 600 ] ||
	fail "--unlock left the accounting file $(stat -c %a "$T/quota/alice")"
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login after --unlock"
"$top_builddir/ftpuser-del" -c "$CONF" carol >/dev/null || fail "ftpuser-del"
[ ! -e "$T/quota/carol" ] || fail "ftpuser-del left carol's accounting file"
ok "ftpuser-mod --lock/--unlock and ftpuser-del leave the marks sessions see"
