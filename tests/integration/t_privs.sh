#!/usr/bin/env bash
# t_privs: the kernel's view of the processes.  The serving process of a
# logged-in session has the user's uid and gid in all four fields, no
# supplementary groups, no capabilities, NoNewPrivs, its root at the
# user's home, RLIMIT_NPROC 0, no descriptor on the user database and
# none but its connection, accounting and slot files.  The
# pre-auth process runs as the pre-auth user in the empty chroot, with
# NoNewPrivs and no capabilities, already while it waits for the first
# byte from its client.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

LOGIN_TIMEOUT=60
pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)
start_daemon

# check_no_etc_fds PID WHAT: no descriptor of PID is on the user
# database, found by device and inode (whatever name it is open by) or
# as a copy since replaced ("... (deleted)"), nor on anything else in
# the configuration directory $T/etc.
check_no_etc_fds() {
	local pid=$1 what=$2 fd target id users_id n=0 etc
	users_id=$(stat -L -c '%d:%i' "$USERS") || fail "stat $USERS"
	# The kernel names a descriptor's file by its real path.
	etc=$(realpath "$T/etc") || fail "realpath $T/etc"
	for fd in /proc/"$pid"/fd/*; do
		target=$(readlink "$fd") || continue
		n=$((n + 1))
		case $target in
		"$USERS" | "$USERS (deleted)" | "$etc/users" | \
		    "$etc/users (deleted)")
			fail "$what: has the user database open ($fd -> $target)"
			;;
		"$T/etc/"* | "$etc/"*) fail "$what: has $target open ($fd)" ;;
		esac
		id=$(stat -L -c '%d:%i' "$fd" 2>/dev/null) || continue
		[ "$id" != "$users_id" ] ||
			fail "$what: has the user database open ($fd -> $target)"
	done
	# A process without a descriptor was not looked at.
	[ "$n" -gt 0 ] || fail "$what: no descriptor of $pid could be read"
}

# fd_kinds PID: what each descriptor of PID above 2 is, sorted, one a
# line: "tcp" (a connection), "tcp-listen", "unix" (a socket pair or
# the log's), "pipe", or the file's path.  (With -e, 0-2 are the test's.)
fd_kinds() {
	local fd target ino
	for fd in /proc/"$1"/fd/*; do
		[ "${fd##*/}" -gt 2 ] || continue
		target=$(readlink "$fd") || continue
		case $target in
		socket:*)
			ino=${target#socket:[}
			ino=${ino%]}
			if awk -v i="$ino" '$10 == i && $4 == "0A" { f = 1 }
			    END { exit !f }' /proc/net/tcp /proc/net/tcp6; then
				echo tcp-listen
			elif awk -v i="$ino" '$10 == i { f = 1 } END { exit !f }' \
			    /proc/net/tcp /proc/net/tcp6; then
				echo tcp
			elif awk -v i="$ino" '$7 == i { f = 1 } END { exit !f }' \
			    /proc/net/unix; then
				echo unix
			else
				echo "$target"
			fi
			;;
		pipe:*) echo pipe ;;
		*) echo "$target" ;;
		esac
	done | sort
}

# check_creds PID UID GID ROOT WHAT
check_creds() {
	local pid=$1 u=$2 g=$3 root=$4 what=$5
	expect_eq "$(proc_status "$pid" Uid)" "$u $u $u $u" "$what: Uid"
	expect_eq "$(proc_status "$pid" Gid)" "$g $g $g $g" "$what: Gid"
	expect_eq "$(proc_status "$pid" Groups)" "" "$what: Groups"
	expect_eq "$(proc_status "$pid" NoNewPrivs)" 1 "$what: NoNewPrivs"
	expect_eq "$(proc_status "$pid" CapEff)" 0000000000000000 "$what: CapEff"
	expect_eq "$(proc_status "$pid" CapPrm)" 0000000000000000 "$what: CapPrm"
	expect_eq "$(proc_status "$pid" CapInh)" 0000000000000000 "$what: CapInh"
	expect_eq "$(readlink "/proc/$pid/root")" "$(realpath "$root")" \
	    "$what: root directory"
	check_no_etc_fds "$pid" "$what"
}

# A logged-in session, held open by a client that waits for commands.
session_open alice "$pw"
session_send pwd
wait_serving_pid "$uid"
sp=$SERVING_PID
note "serving process $sp"
check_creds "$sp" "$uid" "$gid" "$home" "serving process"
nproc=$(awk '/^Max processes/ { print $3, $4 }' "/proc/$sp/limits")
expect_eq "$nproc" "0 0" "serving process: RLIMIT_NPROC"
_st_ppid=
_proc_stat "$sp"
expect_eq "$_st_ppid" "$DAEMON_PID" "serving process: parent"
# The pre-auth process has gone with the login.
_no_preauth_child() {
	local c
	for c in $(children_of "$sp"); do
		[ "$(proc_uid "$c")" = "$(id -u "$PREAUTH_USER")" ] && return 1
	done
	return 0
}
wait_for 5 _no_preauth_child || fail "a pre-auth process outlived the login"
ok "serving process: uid/gid $uid/$gid, no groups, no caps, NoNewPrivs, root $home, NPROC 0"

# Into the home it holds its client's connection, the accounting file
# and the session slot file (and the log socket, here stderr: -e), and
# nothing else: no listening socket, no other connection, no channel
# of the login, no file of the master's (SECURITY.md).
want=$(printf '%s\n' tcp "$(realpath "$T/quota")/alice" \
    "$(realpath "$T/sessions")/alice" | sort)
expect_eq "$(fd_kinds "$sp")" "$want" "serving process: its descriptors"
# Under -e standard error is the log; its input and output are not the
# terminal's or the test's, but /dev/null.
expect_eq "$(readlink "/proc/$sp/fd/0") $(readlink "/proc/$sp/fd/1")" \
    "/dev/null /dev/null" "serving process: standard input and output"
ok "serving process: its connection, the accounting and slot files, nothing else"

# A user database replaced while the session runs (ftpuser-add renames
# a new file in): the serving process holds the old one by no descriptor.
add_user bob "$(rand_pw)"
check_no_etc_fds "$sp" "serving process, after the user database changed"
ok "serving process: no descriptor on the old or the new user database"

# The session still works after all this looking.
session_send pwd
session_send quit
session_close 20
expect_eq "$SESS_RC" 0 "the held session ($(cat "$SESS_ERR"))"

pu=$(id -u "$PREAUTH_USER")
pg=$(id -g "$PREAUTH_USER")

# Pre-auth, before the first byte from the client: a connection that
# sends nothing has a worker waiting for its ClientHello, and that worker
# has dropped already.  (Found once it runs as the pre-auth user; its
# seccomp list, the last step of its setup, says the drop is whole.)
spawn rawpeer_direct --hold 30 </dev/null >/dev/null
silent=$BG_PID
wait_for 10 _has_preauth ||
	fail "a connection that sent nothing has no process running as" \
	    "$PREAUTH_USER under a session of the master"
wp=$(preauth_pids | head -n 1)
_filtered() { [ "$(proc_status "$1" Seccomp 2>/dev/null)" = 2 ]; }
wait_for 10 _filtered "$wp" ||
	fail "pre-auth process $wp waits for the ClientHello without its" \
	    "seccomp filter"
check_creds "$wp" "$pu" "$pg" "$T/empty" "pre-auth process before the ClientHello"
# Its client's connection, the channels to mftpd-auth, the monitor and
# mftpd-sign, the pipe that tells the monitor it exited: no listening
# socket, no other connection, no file (the host key, the pid file).
expect_eq "$(fd_kinds "$wp")" "$(printf '%s\n' pipe tcp unix unix unix | sort)" \
    "pre-auth process: its descriptors"
kill_tree "$silent"
wait "$silent" 2>/dev/null
wait_for 10 _ended "$wp" || fail "pre-auth process $wp outlived its client"
ok "pre-auth process $wp before any byte from its client: $PREAUTH_USER, root $T/empty, no caps, NoNewPrivs"

# Pre-auth: a connection that says HELLO and then nothing.
spawn rawpeer --hold 30 <<<"$(hex_hello) @reply" >"$T/preauth.out"
wait_for 10 _has_preauth ||
	fail "no process runs as $PREAUTH_USER under a session of the master"
for pp in $(preauth_pids); do
	note "pre-auth process $pp"
	check_creds "$pp" "$pu" "$pg" "$T/empty" "pre-auth process"
done
expect_eq "$(stat -c '%U %a' "$T/empty")" "root 755" "the pre-auth chroot"
[ -z "$(ls -A "$T/empty")" ] || fail "the pre-auth chroot is not empty"
wait_for 5 grep -q '^frame 0x82 ' "$T/preauth.out" ||
	fail "no HELLO_OK from the pre-auth process"
ok "pre-auth process: $PREAUTH_USER ($pu/$pg), root $T/empty, no caps, NoNewPrivs"

daemon_alive || fail "mftpd died"
check_log_clean
