#!/usr/bin/env bash
# t_orphans: a monitor's children die with it.  A monitor killed with
# SIGKILL (no cleanup of its own) while its login is under way leaves
# neither its pre-auth worker nor its password helper behind.  Both are
# made with PR_SET_PDEATHSIG, which the kernel clears when a process's
# ids change; they arm it again after their drop, and go at once if the
# monitor is already gone by then.  (The serving process is the monitor
# itself after its drop: a session outlives the master by design.)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

add_user alice "$(rand_pw)"
start_daemon

# A login under way: TLS#1 and HELLO done, no LOGIN yet.
spawn rawpeer --hold 30 <<<"$(hex_hello 0) @reply" >"$T/hold.out"
_hello_done() { grep -q '^frame 0x82' "$T/hold.out"; }
wait_for 10 _hello_done || fail "no HELLO_OK through TLS"
wait_for 10 _has_preauth || fail "no pre-auth worker"
worker=$(preauth_pids)
helper=$(helper_of "$MFTPD_AUTH")
[ -n "$helper" ] || fail "no password helper"
monitor=$(sessions)
expect_eq "$(wc -w <<<"$monitor")" 1 "monitors"
expect_eq "$(proc_status "$worker" PPid)" "$monitor" "the worker's parent"
expect_eq "$(proc_status "$helper" PPid)" "$monitor" "the helper's parent"
# Both have dropped: the kernel has cleared what they set as root.
expect_eq "$(proc_uid "$worker")" "$(id -u "$PREAUTH_USER")" "the worker's uid"
expect_eq "$(proc_uid "$helper")" "$(id -u "$PREAUTH_USER")" "the helper's uid"

kill -KILL "$monitor"
wait_for 5 _ended "$monitor" || fail "the monitor outlived SIGKILL"
wait_for 5 _ended "$worker" ||
	fail "the pre-auth worker $worker outlived its monitor"
wait_for 5 _ended "$helper" ||
	fail "the password helper $helper outlived its monitor"
ok "a monitor killed mid-login takes its worker and its helper with it"

daemon_alive || fail "mftpd died"
