#!/usr/bin/env bash
# t_del_login: ftpuser-del of a user whose login is being accepted, on a
# node the tool does not run on.  A session of a removed user ends on
# every node because it watches the accounting file it holds open
# (quota.h), which ftpuser-del removes; and this node's sessions the tool
# finds in /proc, looking again for half a second for a login under way.
# Before, the monitor opened the accounting file only once the login was
# accepted, after the check of the verdict against the user database: a
# removal in between left the session without a file to watch (missing,
# it reads as "no accounting file, writes refused"), and so it ran on for
# good, listing, downloading and deleting the removed user's files,
# unseen by the tool, which had looked before it became the user's
# process.  The monitor now opens the file before that check reads the
# database: a removal before the open is then seen by the check (the
# users file is written before the accounting file is removed), and one
# after it by the session's watch.  strace holds the monitor's open of
# the quota directory for a while, and the tool runs meanwhile in a PID
# namespace of its own (another node: this one's processes are not in
# its /proc).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FTPUSER_DEL=$top_builddir/ftpuser-del
[ -x "$FTPUSER_DEL" ] || fail "$FTPUSER_DEL is not built"
command -v unshare >/dev/null || fail "unshare (util-linux) is missing"

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
home=$(user_home alice)
case $home in
"$T"/*) ;;
*) fail "the home of alice is not under $T: '$home'" ;;
esac
echo "alice's file" >"$home/keep"
chown "$uid" "$home/keep"
start_daemon

# The monitor's opens in the quota directory (the directory, then the
# file in it) each wait 2 s: the monitor is the master's child, traced
# with it.
strace_attach "$DAEMON_PID" "$T/strace.out" -f -e trace=openat \
    -e signal=none -P "$T/quota" -e inject=openat:delay_enter=2000000
BG_PIDS+=("$STRACE_PID")
_opening() {
	grep -qF "openat(AT_FDCWD, \"$T/quota\"" "$T/strace.out"
}

session_open alice "$pw"
session_send pwd
wait_for 20 _opening || fail "the monitor did not open the quota directory"
# Another node's tool: this node's processes are out of its sight.
RC=0
unshare --pid --fork --mount-proc "$FTPUSER_DEL" -c "$CONF" alice \
    >"$T/del.out" 2>"$T/del.err" || RC=$?
expect_eq "$RC" 0 "ftpuser-del alice, during the login ($(cat "$T/del.err"))"
has_user alice && fail "alice is still in the users file"

# The delays end (4 s); a session, if there is one, looks at its account
# every second.  None may be left.
_no_alice() { [ -z "$(serving_pids_of "$uid")" ]; }
sleep 5
kill "$STRACE_PID" 2>/dev/null
wait_for 10 _no_alice ||
	fail "a session of the removed user runs on: $(serving_pids_of "$uid")"
session_send ls
session_close 20
[ "$SESS_RC" != 0 ] || fail "the removed user's client ended well"
expect_not_contains "$(cat "$SESS_OUT")" keep "what the client listed"
expect_match "$(cat "$SESS_ERR")" \
    'was removed by the administrator|cannot be served now' \
    "what the client was told"
[ -f "$home/keep" ] || fail "alice's file is gone"
ok "a login accepted while the user was removed does not become a session" \
    "that outlives the removal"
check_log_clean
