#!/usr/bin/env bash
# t_dumpable: every process that drops root is not dumpable, whatever
# fs.suid_dumpable says.  The kernel makes a process that changes its
# ids dumpable or not as that setting says: 0, the default, leaves it
# not dumpable, but 1, which an administrator may set to get the cores
# of crashed daemons, would leave the serving process open to ptrace by
# its user (and with it the accounting file it holds open, written as
# root: a way around the quota), and the auth helper, which holds the
# user database open, to the pre-auth worker.  Under fs.suid_dumpable 1
# (the setting is put back on exit), the serving process, the pre-auth
# worker, mftpd-auth and mftpd-sign have their /proc/PID/mem owned by
# root (the kernel's sign of a process that is not dumpable; /proc/PID
# itself is always the process's) and refuse a ptrace attach from their
# own uid.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

SUID_DUMPABLE=/proc/sys/fs/suid_dumpable
command -v strace >/dev/null ||
	fail "strace is needed (scripts/deps.sh installs it)"
[ -w "$SUID_DUMPABLE" ] || {
	note "SKIP: $SUID_DUMPABLE cannot be written here"
	exit 77
}
old_dumpable=$(cat "$SUID_DUMPABLE") || fail "read $SUID_DUMPABLE"
case $old_dumpable in
[012]) ;;
*) fail "$SUID_DUMPABLE says '$old_dumpable'" ;;
esac
_exit() {
	local rc=$?
	echo "$old_dumpable" >"$SUID_DUMPABLE"
	(exit "$rc")
	_cleanup
}
trap _exit EXIT
echo 1 >"$SUID_DUMPABLE" || fail "cannot set $SUID_DUMPABLE to 1"

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
gid=$(user_gid alice)
pu=$(id -u "$PREAUTH_USER")
pg=$(id -g "$PREAUTH_USER")
start_daemon

# check_undumpable PID UID GID WHAT: PID runs as UID, its /proc/PID/mem
# is root's, and a tracer of its uid cannot attach to it.
check_undumpable() {
	local pid=$1 u=$2 g=$3 what=$4 out rc=0
	expect_eq "$(proc_uid "$pid")" "$u" "$what: uid"
	expect_eq "$(stat -c %u "/proc/$pid/mem")" 0 \
	    "$what: the owner of /proc/$pid/mem (root when not dumpable)"
	out=$(timeout 10 setpriv --reuid="$u" --regid="$g" --clear-groups \
	    strace -qq -o /dev/null -e trace=none -p "$pid" 2>&1) || rc=$?
	[ "$rc" != 124 ] ||
		fail "$what: uid $u could ptrace it (strace stayed attached)"
	expect_contains "$out" "Operation not permitted" \
	    "$what: a ptrace attach as uid $u (rc $rc)"
	kill -0 "$pid" 2>/dev/null || fail "$what: $pid died of the looking"
}

# Pre-auth: a connection that says HELLO and then waits; its worker
# and its mftpd-auth have dropped to the pre-auth user by then.
spawn rawpeer --hold 30 <<<"$(hex_hello 0) @reply" >"$T/preauth.out"
wait_for 10 grep -q '^frame 0x82 ' "$T/preauth.out" ||
	fail "no HELLO_OK from the pre-auth process"
wp=$(preauth_pids | head -n 1)
[ -n "$wp" ] || fail "no pre-auth worker under the master"
check_undumpable "$wp" "$pu" "$pg" "pre-auth worker"
ok "pre-auth worker $wp: not dumpable"
_auth_dropped() {
	ap=$(helper_of "$MFTPD_AUTH")
	[ -n "$ap" ] && [ "$(proc_uid "$ap")" = "$pu" ] &&
		[ "$(proc_status "$ap" Seccomp)" = 2 ]
}
wait_for 10 _auth_dropped || fail "no mftpd-auth running as $PREAUTH_USER"
check_undumpable "$ap" "$pu" "$pg" "mftpd-auth"
ok "mftpd-auth $ap: not dumpable"
_sign_dropped() {
	gp=$(signers_of "$DAEMON_PID" | head -n 1)
	[ -n "$gp" ] && [ "$(proc_uid "$gp")" = "$pu" ] &&
		[ "$(proc_status "$gp" Seccomp)" = 2 ]
}
wait_for 10 _sign_dropped || fail "no spare mftpd-sign as $PREAUTH_USER"
check_undumpable "$gp" "$pu" "$pg" "mftpd-sign"
ok "mftpd-sign $gp: not dumpable"
kill_tree "$BG_PID"

# The serving process, which holds the accounting file open.
session_open alice "$pw"
session_send pwd
wait_serving_pid "$uid"
sp=$SERVING_PID
check_undumpable "$sp" "$uid" "$gid" "serving process"
ok "serving process $sp: not dumpable"

# The session still works after all this looking.
session_send pwd
session_send quit
session_close 20
expect_eq "$SESS_RC" 0 "the held session ($(cat "$SESS_ERR"))"
daemon_alive || fail "mftpd died"
check_log_clean
