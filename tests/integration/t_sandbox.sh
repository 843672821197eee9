#!/usr/bin/env bash
# t_sandbox: every unprivileged process runs under its seccomp allowlist
# (Seccomp: 2 in /proc/PID/status): the pre-auth worker, mftpd-auth and
# mftpd-sign after their drop, and the serving process.  The worker and
# the serving process are under it before they can read a byte from the
# client: the worker of a connection that sends nothing, and the serving
# process of a login whose second ClientHello a relay holds back (tlsproxy
# with TLSPROXY_HOLD), are each found with their filter on.  A call outside
# the list ends the process with SIGSYS, and the monitor (for the worker
# and the helpers) or the master (for the serving process and the spare
# mftpd-sign it keeps ready) logs it:
# socket, ptrace and execve from the serving process; kill and ptrace
# from the pre-auth worker, which thus can neither signal nor trace the
# helpers; socket from each helper, open from mftpd-sign.  The calls
# are made from outside with gdb (root may attach to any process), so
# the product has no way of its own to make them.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v gdb >/dev/null || fail "gdb is needed (scripts/deps.sh)"
LOGIN_TIMEOUT=60
pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
pu=$(id -u "$PREAUTH_USER")
pg=$(id -g "$PREAUTH_USER")
start_daemon

# expect_sandboxed PID WHAT: filter mode, one filter.
expect_sandboxed() {
	expect_eq "$(proc_status "$1" Seccomp)" 2 "$2: Seccomp"
	expect_eq "$(proc_status "$1" Seccomp_filters)" 1 \
	    "$2: Seccomp_filters"
}

# serving_session [mftp options]: a session of alice's held open; sp is
# its serving process, once under its list.
serving_session() {
	session_open alice "$pw" "$@"
	session_send pwd
	wait_serving_pid "$uid"
	sp=$SERVING_PID
	wait_for 10 _sandboxed "$sp" ||
		fail "serving process $sp: no seccomp filter"
}

# tasks_of PID: its thread ids, one a line.
tasks_of() {
	ls "/proc/$1/task"
}

_sandboxed() {
	[ "$(proc_status "$1" Seccomp 2>/dev/null)" = 2 ]
}

# _ended PID: gone, or dead and not yet reaped by its parent.
# forbidden PID CALL: make the process call CALL (a C expression gdb
# evaluates in it); the process must be dead afterwards.
forbidden() {
	local out
	out=$(timeout 60 gdb -nx -batch -p "$1" -ex "call $2" 2>&1)
	wait_for 10 _ended "$1" ||
		fail "process $1 is still running after $2: $out"
	expect_contains "$out" SIGSYS "gdb's report of $2 in $1"
}

# _logged RE [N]: the daemon's log has (at least N) lines matching RE.
_logged() {
	[ "$(grep -Ec -- "$1" "$DAEMON_LOG")" -ge "${2:-1}" ]
}

# --- the serving process: the list is on and the session still works.
serving_session
expect_sandboxed "$sp" "serving process"
expect_eq "$(tasks_of "$sp" | wc -l)" 1 "tasks of an XXH3-128 session"
printf 'sandboxed\n' >"$T/small"
session_send "put $T/small small"
session_send "get small $T/small.back"
session_send "mkdir d"
session_send "mv small d/small"
session_send "ls -l d"
session_send "rm d/small"
session_send "rmdir d"
session_send quit
session_close 30
expect_eq "$SESS_RC" 0 "a session under the sandbox ($(cat "$SESS_ERR"))"
expect_same_file "$T/small" "$T/small.back" "download under the sandbox"
ok "serving process $sp: Seccomp 2, and put, get, mkdir, mv, ls, rm work"

# --- the serving process is under its list before it reads its client:
# a login through the holding relay has its serving process while the
# client's second ClientHello is held back, so that no byte of it can
# have been read yet; the list must be on then, not after the handshake.
held_proxy_up "$T/release"
# The sessions before have ended: the one serving process is this one.
wait_for 10 _no_sessions || fail "sessions left: $(sessions)"
spawn rawpeer_held --hold 30 \
    <<<"$(hex_hello 0) @reply $(hex_login alice "$pw") @reply" >"$T/held.out"
held=$BG_PID
wait_serving_pid "$uid"
sp=$SERVING_PID
wait_for 10 _sandboxed "$sp" ||
	fail "serving process $sp waits for its second ClientHello without" \
	    "its seccomp filter (Seccomp: $(proc_status "$sp" Seccomp))"
expect_sandboxed "$sp" "serving process before its second handshake"
expect_eq "$(proc_status "$sp" NoNewPrivs)" 1 \
    "serving process before its second handshake: NoNewPrivs"
# The handshake was still to come: LOGIN is answered only after it.
expect_no_match "$(cat "$T/held.out")" '^frame 0x80 ' \
    "the LOGIN answered while the second handshake was held"
: >"$T/release"
wait_for 10 grep -q '^frame 0x80 ' "$T/held.out" ||
	fail "the held login did not finish once let go: $(cat "$T/held.out")"
kill_tree "$held"
wait "$held" 2>/dev/null
ok "serving process $sp: Seccomp 2 and NoNewPrivs before its second ClientHello"

# --- a SHA-256 session: two tasks, the hashing thread under the list too.
serving_session -o Verify=sha256
expect_eq "$(tasks_of "$sp" | wc -l)" 2 "tasks of a SHA-256 session"
expect_tasks_confined() { # PID WHAT [UID, the user's if not given]
	local tid p u=${3:-$uid}
	for tid in $(tasks_of "$1"); do
		p=$1/task/$tid
		expect_sandboxed "$p" "$2, task $tid"
		expect_eq "$(proc_status "$p" NoNewPrivs)" 1 "$2, task $tid: NoNewPrivs"
		expect_eq "$(proc_status "$p" Uid)" "$u $u $u $u" \
		    "$2, task $tid: uids"
		expect_eq "$(proc_status "$p" CapPrm)" 0000000000000000 \
		    "$2, task $tid: CapPrm"
		expect_eq "$(proc_status "$p" CapEff)" 0000000000000000 \
		    "$2, task $tid: CapEff"
	done
}
expect_tasks_confined "$sp" "SHA-256 serving process $sp"
# Uploads hash in the thread (3 MB: over the pipe's 1 MiB threshold).
head -c 3000000 /dev/urandom >"$T/big"
session_send "put $T/big big"
session_send "get big $T/big.back"
session_send "rm big"
session_send quit
session_close 30
expect_eq "$SESS_RC" 0 "a SHA-256 session under the sandbox ($(cat "$SESS_ERR"))"
expect_same_file "$T/big" "$T/big.back" "a SHA-256 upload and download"
ok "SHA-256 serving process $sp: 2 tasks, each Seccomp 2, NoNewPrivs, the user's ids, no capability"

# The hashing thread, made to call socket, ends the whole process.
serving_session -o Verify=sha256
hash_tid=$(tasks_of "$sp" | grep -vx "$sp")
[ -n "$hash_tid" ] || fail "no hashing thread in $sp"
out=$(timeout 60 gdb -nx -batch -p "$sp" -ex "thread find LWP $hash_tid" \
    -ex "thread 2" -ex "info threads" -ex 'call (int)socket(2, 1, 0)' 2>&1)
expect_contains "$out" "LWP $hash_tid" "gdb sees the hashing thread"
expect_match "$out" "\\* 2 +Thread [^ ]+ \\(LWP $hash_tid\\)" \
    "gdb's call runs in the hashing thread"
wait_for 10 _ended "$sp" || fail "process $sp is still running: $out"
expect_contains "$out" SIGSYS "gdb's report of socket in the hashing thread"
wait_for 10 _logged "session process $sp killed by its sandbox \(seccomp\) addr=127\.0\.0\.1 port [0-9]+$" ||
	fail "the master did not log the SIGSYS death of $sp (hashing thread)"
session_close 30
ok "SHA-256 serving process: socket from its hashing thread ends it with SIGSYS"

# --- the serving process: socket, ptrace and execve each end it; so do
# the allowed calls with arguments outside their filter: an executable
# mapping (PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS), fcntl
# F_SETOWN, sendto an address.
for call in '(int)socket(2, 1, 0)' '(long)ptrace(16, 1, 0, 0)' \
    '(int)execve(0, 0, 0)' '(long)mmap(0, 4096, 5, 34, -1, 0)' \
    '(int)fcntl(0, 8, 0)' \
    '(long)sendto(0, (void *)0, 0, 0, (void *)8, 16)'; do
	serving_session
	forbidden "$sp" "$call"
	wait_for 10 _logged "session process $sp killed by its sandbox \(seccomp\) addr=127\.0\.0\.1 port [0-9]+$" ||
		fail "the master did not log the SIGSYS death of $sp ($call)"
	session_close 30
	expect_ne "$SESS_RC" 0 "the client of a killed session"
	ok "serving process: $call ends it with SIGSYS, and the master says so"
done

# --- the pre-auth worker is under its list before the first byte from
# the client: a connection that sends nothing has a worker waiting for
# its ClientHello, and the list must be on then.
wait_for 10 _no_sessions || fail "sessions left: $(sessions)"
spawn rawpeer_direct --hold 30 </dev/null >/dev/null
silent=$BG_PID
wait_for 10 _has_preauth || fail "no pre-auth worker for a silent connection"
wp=$(preauth_pids | head -n 1)
wait_for 10 _sandboxed "$wp" ||
	fail "pre-auth worker $wp waits for the ClientHello without its" \
	    "seccomp filter (Seccomp: $(proc_status "$wp" Seccomp))"
expect_sandboxed "$wp" "pre-auth worker before the ClientHello"
expect_eq "$(proc_status "$wp" NoNewPrivs)" 1 \
    "pre-auth worker before the ClientHello: NoNewPrivs"
kill_tree "$silent"
wait "$silent" 2>/dev/null
wait_for 10 _ended "$wp" || fail "pre-auth worker $wp outlived its client"
ok "pre-auth worker $wp: Seccomp 2 and NoNewPrivs before any byte from its client"

# --- the pre-auth worker: the list is on after HELLO; kill and ptrace
# (of its own helper) each end it, and the monitor says so.
n=0
for call in kill ptrace; do
	n=$((n + 1))
	spawn rawpeer --hold 30 <<<"$(hex_hello) @reply" >"$T/preauth.out"
	wait_for 10 _has_preauth || fail "no pre-auth worker"
	wp=$(preauth_pids | head -n 1)
	wait_for 5 grep -q '^frame 0x82 ' "$T/preauth.out" ||
		fail "no HELLO_OK from the pre-auth worker"
	expect_sandboxed "$wp" "pre-auth worker"
	# Its sibling, the auth helper waiting for the first attempt.
	helper=
	for p in $(children_of "$(awk '{ print $4 }' "/proc/$wp/stat")"); do
		[ "$(readlink "/proc/$p/exe")" = "$(realpath "$MFTPD_AUTH")" ] &&
			helper=$p
	done
	[ -n "$helper" ] || fail "no mftpd-auth beside worker $wp"
	wait_for 10 _sandboxed "$helper" || fail "mftpd-auth $helper: no filter"
	expect_sandboxed "$helper" "mftpd-auth (started by the monitor)"
	# The worker dies in the call: the signal or attach never happens.
	if [ "$call" = kill ]; then
		forbidden "$wp" "(int)kill($helper, 19)"
	else
		forbidden "$wp" "(long)ptrace(16, $helper, 0, 0)"
	fi
	wait_for 10 _logged "pre-auth worker killed by its sandbox \(seccomp\) addr=" "$n" ||
		fail "the monitor did not log the SIGSYS death of $wp ($call)"
	wait_pid "$BG_PID" 30 >/dev/null
	ok "pre-auth worker: $call of mftpd-auth $helper ends it with SIGSYS, and the monitor says so"
done

_has_helper() {
	[ -n "$(helper_of "$1")" ]
}

# --- the spare mftpd-sign the master keeps ready: a forbidden call ends
# it, and the master says so.
_has_spare() { [ -n "$(signers_of "$DAEMON_PID")" ]; }
wait_for 10 _has_spare || fail "no spare mftpd-sign under the master"
gp=$(signers_of "$DAEMON_PID" | head -n 1)
wait_for 10 _sandboxed "$gp" || fail "mftpd-sign $gp: no seccomp filter"
expect_sandboxed "$gp" "mftpd-sign (the master's spare)"
# Older than a second: its death is then not taken for a failed start.
sleep 1.1
forbidden "$gp" '(int)socket(2, 1, 0)'
wait_for 10 _logged "mftpd-sign killed by its sandbox \(seccomp\) addr=-" ||
	fail "the master did not log the SIGSYS death of mftpd-sign $gp"
ok "spare mftpd-sign $gp: socket ends it, and the master says so"

# A spare that ends at its start is not replaced for a while, and
# meanwhile each monitor starts its own signer: that is the next test's.
_new_spare() {
	local p
	p=$(signers_of "$DAEMON_PID")
	[ -n "$p" ] && [ "$p" != "$gp" ]
}
wait_for 10 _new_spare || fail "the master did not start another spare"
# shellcheck disable=SC2046
kill -KILL $(signers_of "$DAEMON_PID")
wait_for 10 _logged "mftpd-sign ended at its start" ||
	fail "the master did not see its spare end at its start"

# --- the helpers the monitor starts: a forbidden call ends them, and the
# monitor says so.  mftpd-sign waits for its request while the client
# has sent nothing yet; mftpd-auth waits for the first login attempt.
spawn rawpeer_direct --hold 30 </dev/null >/dev/null
wait_for 10 _has_helper "$MFTPD_SIGN" || fail "no mftpd-sign under a session"
gp=$(helper_of "$MFTPD_SIGN")
wait_for 10 _sandboxed "$gp" || fail "mftpd-sign $gp: no seccomp filter"
expect_sandboxed "$gp" "mftpd-sign (started by the monitor)"
forbidden "$gp" '(int)socket(2, 1, 0)'
kill_tree "$BG_PID"
wait_for 10 _logged "mftpd-sign killed by its sandbox \(seccomp\) addr=127\.0\.0\.1 port [0-9]+$" ||
	fail "the monitor did not log the SIGSYS death of mftpd-sign $gp"
ok "mftpd-sign $gp under the monitor: socket ends it, and the monitor says so"

spawn rawpeer --hold 30 <<<"$(hex_hello) @reply" >"$T/preauth.out"
wait_for 5 grep -q '^frame 0x82 ' "$T/preauth.out" ||
	fail "no HELLO_OK from the pre-auth worker"
hp=$(helper_of "$MFTPD_AUTH")
[ -n "$hp" ] || fail "no mftpd-auth under a session"
wait_for 10 _sandboxed "$hp" || fail "mftpd-auth $hp: no seccomp filter"
forbidden "$hp" '(int)socket(2, 1, 0)'
wait_for 10 _logged "mftpd-auth killed by its sandbox \(seccomp\) addr=127\.0\.0\.1 port [0-9]+$" ||
	fail "the monitor did not log the SIGSYS death of mftpd-auth $hp"
wait_pid "$BG_PID" 30 >/dev/null
ok "mftpd-auth $hp under the monitor: socket ends it, and the monitor says so"

# --- mftpd-auth and mftpd-sign, started as the monitor starts them, with
# a silent FIFO for input: they wait for their request under the list.
mkfifo "$T/silent" || fail "mkfifo"
exec 7<>"$T/silent"
"$MFTPD_AUTH" -e -t 30 -- "$USERS" "$pu" "$pg" <&7 >/dev/null \
    2>>"$DAEMON_LOG" 7<&- &
auth=$!
BG_PIDS+=("$auth")
"$MFTPD_SIGN" -e -t 30 -- "$T/hostkey/host.key" "$pu" "$pg" <&7 \
    2>>"$DAEMON_LOG" 7<&- &
sign=$!
BG_PIDS+=("$sign")
for p in "$auth" "$sign"; do
	wait_for 10 _sandboxed "$p" || fail "helper $p: no seccomp filter"
	expect_sandboxed "$p" "$(readlink "/proc/$p/exe")"
	expect_eq "$(proc_uid "$p")" "$pu" "helper $p: dropped"
done
# mftpd-auth's second task, the thread that faults in yescrypt's region
# (privsep/auth_prefault.c), is under the same list, as the same user.
expect_eq "$(tasks_of "$auth" | wc -l)" 2 "tasks of mftpd-auth"
expect_tasks_confined "$auth" "mftpd-auth" "$pu"
ok "mftpd-auth: 2 tasks, each Seccomp 2, NoNewPrivs, the pre-auth user's ids, no capability"
# madvise is allowed to mftpd-auth for MADV_HUGEPAGE (14) and
# MADV_POPULATE_WRITE (23) alone.
forbidden "$auth" '(int)madvise(0, 4096, 4)'
forbidden "$sign" '(int)open(0, 0)'
rc=0
wait "$auth" || rc=$?
expect_eq "$rc" $((128 + 31)) "mftpd-auth's end: SIGSYS"
rc=0
wait "$sign" || rc=$?
expect_eq "$rc" $((128 + 31)) "mftpd-sign's end: SIGSYS"
ok "mftpd-auth and mftpd-sign: Seccomp 2 after the drop; madvise(MADV_DONTNEED), open end them"

daemon_alive || fail "mftpd died"
