#!/usr/bin/env bash
# t_account_end: ftpuser-mod --lock and ftpuser-del end a user's sessions
# on every node that shares the storage, not only on the machine they run
# on: each session watches the accounting file it holds open (lib/quota.h),
# which --lock marks (mode 0400) and ftpuser-del removes.  Here the mark
# is made by hand, as another node's tool would leave it, so that this
# machine's own ending of sessions (/proc) plays no part: an idle session
# ends within seconds, and says why; a removed account's session ends
# too.  A busy session asks the file server itself (AT_STATX_FORCE_SYNC:
# NFS's attribute cache can be a minute old) at most every 5 s, not once
# a request, and does when idle.  The tools leave the marks: --lock 0400,
# --unlock 0600 and a login works again, ftpuser-del no file.
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

# ------------------- a busy session: the file server once in 5 s at most
N=60
session_open alice "$pw"
session_send pwd
wait_serving_pid "$(user_uid alice)"
strace_attach "$SERVING_PID" "$T/strace.out" -e trace=statx
for _ in $(seq 1 "$N"); do session_send pwd; done
# Then idle past the check's interval: that look asks the file server.
sleep 6
session_send pwd
session_close 60
wait "$STRACE_PID" 2>/dev/null
[ "$SESS_RC" = 0 ] || fail "the $N requests failed: $(cat "$SESS_ERR")"
looks=$(grep -c '^statx([0-9]*, "", [A-Z_|]*AT_EMPTY_PATH' "$T/strace.out")
forced=$(grep -c '^statx([0-9]*, "", [A-Z_|]*AT_STATX_FORCE_SYNC' \
    "$T/strace.out")
note "$looks looks at the account for $N requests, $forced of them forced"
((looks >= N)) || {
	head -5 "$T/strace.out" >&2
	fail "$looks looks at the account for $N requests"
}
((forced >= 1)) || fail "an idle session never asked the file server"
((forced <= 3)) ||
	fail "$forced of $N requests asked the file server for the account"
ok "a busy session asks the file server for its account at most every 5 s"

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
