#!/usr/bin/env bash
# t_reload_nofork: a reload that cannot fork (a unit at its TasksMax=,
# EAGAIN; ENOMEM or EMFILE the same) fails like any other reload: the
# master logs it, keeps the configuration in force and goes on serving.
# (Under the shipped unit, KillMode=mixed and Restart=on-failure, a
# master that died there took every running session with it.)  The
# master alone is put in a pids cgroup whose pids.max is what it has.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_cgroup.sh
. "$(dirname "$0")/lib_cgroup.sh"

if ! cg_available; then
	echo "SKIP: $TEST_NAME: $CG_WHY"
	exit 77
fi
_exit() {
	local rc=$?
	cg_release
	(exit "$rc")
	_cleanup
}
trap _exit EXIT

pw=$(rand_pw)
add_user nofork "$pw"
uid=$(user_uid nofork)
start_daemon

# more ERE N: more than N lines match, or the master is gone.
more() {
	[ "$(log_count "$1")" -gt "$2" ] || ! daemon_alive
}

# A session running before, which the reload must not end.
session_open nofork "$pw"
wait_serving_pid "$uid"

cg_enter "$DAEMON_PID"
cg_limit "$(cg_current)"
n=$(log_count 'reload failed')
kill -HUP "$DAEMON_PID" || fail "kill -HUP"
wait_for 10 more 'reload failed' "$n" ||
	fail "no 'reload failed' line after SIGHUP"
daemon_alive || fail "the master died on a reload that could not fork"
expect_match "$(grep 'reload failed' "$DAEMON_LOG" | tail -n 1)" \
    'reload failed: .*fork.*keeping the configuration in force' \
    "the failed reload's log line"
port_listening "$PORT" || fail "not listening after the failed reload"
ok "a reload that cannot fork fails; the master stays"

cg_limit max
session_send pwd
session_send quit
session_close 20
expect_eq "$SESS_RC" 0 "the session held over the reload ($(cat "$SESS_ERR"))"
run_client nofork "$pw" <<<"pwd"
expect_rc 0 "a login after the failed reload ($ERR)"
n=$(log_count 'configuration reloaded')
kill -HUP "$DAEMON_PID" || fail "kill -HUP"
wait_for 10 more 'configuration reloaded' "$n" ||
	fail "the next reload, with room to fork, did not apply"
run_client nofork "$pw" <<<"pwd"
expect_rc 0 "a login after the next reload ($ERR)"
ok "with room again: the session went on, logins and reloads work"
cg_release
[ ! -e "$CG_ROOT/mftp-$TEST_NAME-$$" ] || fail "the test's cgroup was left"
check_log_clean
