#!/usr/bin/env bash
# t_admin_lock_elsewhere: ftpuser-mod --lock, then --unlock at once, run
# where the user's session is not one of this machine's processes (as on
# another node sharing the storage: the tools run in a PID namespace of
# their own, where no session is seen).  Such a session ends only when
# it sees the accounting file's lock mark, within seconds; the unlock
# used to take the mark away before it looked, and the session ran on
# with what it logged in with, though the tool had said "locked".  Now
# --lock waits for the session slots of every machine to be let go, says
# how many ended elsewhere, and the session has ended when it returns.
# A change of the user's limits made there counts the session by its
# slot, though it is no process of that machine's.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FTPUSER_MOD=$top_builddir/ftpuser-mod
command -v unshare >/dev/null || fail "unshare(1) (util-linux) is needed"
pw=$(rand_pw)
add_user bob "$pw"
user_vars bob
start_daemon

session_open bob "$pw"
session_send pwd
_said() { grep -q '^/' "$SESS_OUT"; }
wait_for 10 _said || fail "bob's session did not log in: $(cat "$SESS_ERR")"
wait_serving_pid "$uid"
sp=$SERVING_PID

# Another machine's view: no process of this one is seen.  A change of
# the user's limits counts the session too, by its slot.
RC=0
unshare --pid --fork --mount-proc "$FTPUSER_MOD" -c "$CONF" --rate 8M bob \
    >"$T/mod.out" 2>"$T/mod.err" || RC=$?
expect_eq "$RC" 0 "ftpuser-mod --rate 8M bob, from elsewhere ($(cat "$T/mod.err"))"
expect_contains "$(cat "$T/mod.out")" "1 session of 'bob' runs (0 on this machine)" \
    "what a change says of the session elsewhere"
RC=0
unshare --pid --fork --mount-proc "$FTPUSER_MOD" -c "$CONF" --lock bob \
    >"$T/lock.out" 2>"$T/lock.err" || RC=$?
expect_eq "$RC" 0 "ftpuser-mod --lock bob, from elsewhere ($(cat "$T/lock.err"))"
expect_contains "$(cat "$T/lock.out")" "ended 0 running sessions" \
    "what it ended on its own machine"
expect_contains "$(cat "$T/lock.out")" \
    "1 session of 'bob' on other machines ended too" "what it saw end elsewhere"
tool "$FTPUSER_MOD" --unlock bob
expect_eq "$RC" 0 "ftpuser-mod --unlock bob ($ERR)"
_not_running "$sp" || fail "bob's session outlived the lock and the unlock"
expect_match "$(cat "$DAEMON_LOG")" \
    'session end user=bob .*reason=account-locked' "the session's end"
session_close 20
ok "a lock from another machine ends the session before --unlock can undo it"

# The user logs in again once unlocked.
run_client bob "$pw" <<<"pwd"
expect_rc 0 "a login after the unlock ($ERR)"
ok "unlocked, the user logs in"

# The session there may end before the tool looks at the slots: it sees
# the mark within a second, while the tool still looks for sessions of
# its own machine (half a second, and more on a busy machine; here each
# sleep 2 s more).  It is still said: counted before the mark.
session_open bob "$pw"
session_send pwd
wait_for 10 _said || fail "bob's session did not log in: $(cat "$SESS_ERR")"
wait_serving_pid "$uid"
sp=$SERVING_PID
RC=0
sleeps_held 2000 unshare --pid --fork --mount-proc "$FTPUSER_MOD" -c "$CONF" \
    --lock bob >"$T/lock.out" 2>"$T/lock.err" || RC=$?
expect_eq "$RC" 0 "ftpuser-mod --lock bob, slowed, from elsewhere ($(cat "$T/lock.err"))"
expect_contains "$(cat "$T/lock.out")" \
    "1 session of 'bob' on other machines ended too" \
    "what a slowed --lock saw end elsewhere"
_not_running "$sp" || fail "bob's session outlived the slowed lock"
session_close 20
tool "$FTPUSER_MOD" --unlock bob
expect_eq "$RC" 0 "ftpuser-mod --unlock bob, after the slowed lock ($ERR)"
ok "a session elsewhere that ends before --lock looks is still said"

check_log_clean
