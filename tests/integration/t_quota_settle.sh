#!/usr/bin/env bash
# t_quota_settle: a serving process SIGKILLed between a removal and the
# write that pays it back -- held there by strace, which delays the
# return of its unlinkat or renameat -- leaves the accounting file high by
# the removed file, with the removal line that says so; the next login of
# the user counts the home, and the file equals a recount again (not
# high until an administrator's recount).  Cases: REMOVE of a file,
# RENAME over a file, PUT replacing a file, and REMOVE in a home where
# the user made a directory with mode 0 and CHMODed another to 0 (the
# server keeps their owner's read and search bits, so the count of the
# home, made as the user, still reads them).  Last, a directory that
# root made unreadable to the user: the count fails, the file stays
# high, the log says why once, and the changes that follow do not walk
# the home again (strace counts their getdents64); a recount makes it
# exact.  Bounded: five kills, each within a few seconds.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

W=$T/work
pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 100M --quota-files 100
uid=$(user_uid alice)
home=$(user_home alice)
start_daemon

head -c 300000 /dev/urandom >"$W/old"
head -c 200000 /dev/urandom >"$W/new"
head -c 100000 /dev/urandom >"$W/other"

# A held session (lib.sh's session_open); SERVING_PID is its serving
# process.
start_session() {
	session_open alice "$pw"
	session_send pwd
	wait_serving_pid "$uid"
}

_gone() { [ ! -e "$1" ]; }
_is_copy_of() { cmp -s "$1" "$2"; }

# hold_after SYSCALLS: strace the serving process so that these calls,
# once made, do not return for 20 s: the window in which it is killed.
hold_after() {
	strace_attach "$SERVING_PID" /dev/null -e trace="$1" \
	    -e inject="$1":delay_exit=20000000
}

# kill_session: SIGKILL the held serving process; the client ends with
# it, and strace, which would sit out its 20 s delay, is stopped.
kill_session() {
	# Killed, it runs no more of its own code, however strace lets go.
	kill -KILL "$SERVING_PID"
	kill "$STRACE_PID" 2>/dev/null
	wait "$STRACE_PID" 2>/dev/null
	wait_for 10 _not_running "$SERVING_PID" ||
		fail "the serving process outlived SIGKILL"
	session_close 20
	wait_for 10 _no_session || fail "a session of alice is left"
}
_no_session() { [ -z "$(serving_pids_of "$uid")" ]; }

# after_kill WHAT FREED_BYTES: the file is high by exactly what was
# removed, and says a removal was under way; a login settles it.
after_kill() {
	local a r
	a=$(acct alice)
	r=$(recount "$home")
	[ "${a% *}" = $((${r% *} + $2)) ] ||
		fail "$1: accounting ${a% *} bytes, real ${r% *} + $2 removed"
	[ "$(acct_pending alice)" != "0 0" ] ||
		fail "$1: no removal line in the accounting file"
	note "$1: killed in the window, accounting high by $2 bytes"
	run_client alice "$pw" <<<"pwd"
	expect_rc 0 "$1: the next login"
	exact alice "$1: after the next login"
	[ "$(acct_pending alice)" = "0 0" ] ||
		fail "$1: the removal line is still there"
}

reset_home() {
	rm -rf "${home:?}"/*
	cp "$W/old" "$home/target"
	cp "$W/other" "$home/other"
	chown "$uid:$(user_gid alice)" "$home/target" "$home/other"
	"$top_builddir/ftpuser-quota" -c "$CONF" --recount alice >/dev/null ||
		fail "ftpuser-quota --recount"
}

# --------------------------------------------------------------- REMOVE
reset_home
start_session
hold_after unlinkat
session_send "rm target"
wait_for 10 _gone "$home/target" || fail "the remove did not happen"
kill_session
after_kill "remove" 300000
ok "a session killed right after a remove: settled at the next login"

# ------------------------------------------------------ RENAME over one
reset_home
start_session
hold_after renameat,renameat2
session_send "rename other target"
wait_for 10 _gone "$home/other" || fail "the rename did not happen"
kill_session
expect_same_file "$home/target" "$W/other" "the renamed file"
after_kill "rename over a file" 300000
ok "a session killed right after a rename over a file: settled"

# ------------------------------------------------- PUT replacing a file
reset_home
start_session
hold_after renameat,renameat2
session_send "put $W/new target"
wait_for 20 _is_copy_of "$home/target" "$W/new" ||
	fail "the upload did not replace the file"
kill_session
after_kill "upload replacing a file" 300000
expect_same_file "$home/target" "$W/new" "the uploaded file"
ok "a session killed right after an upload's commit: settled"

# ----------------------- REMOVE, the user's directories set to mode 0
# MKDIR with mode 0, CHMOD of a directory to 0 or to write-only: each
# keeps its owner's read and search bits (doc/PROTOCOL.md), so the
# count that settles the kill can enter them.
reset_home
RAW_FEATURES=2
raw_open alice "$pw"
raw_req "$(hex_mkdir shut 0)" 0 "MKDIR shut, mode 0"
raw_req "$(hex_mkdir closed 493)" 0 "MKDIR closed"
raw_req "$(hex_mkdir closed/in 493)" 0 "MKDIR closed/in"
raw_req "$(hex_chmod closed/in 0)" 0 "CHMOD closed/in 0"
raw_req "$(hex_chmod closed/ $((8#200)))" 0 "CHMOD closed/ 0200"
raw_close
start_session
hold_after unlinkat
session_send "rm target"
wait_for 10 _gone "$home/target" || fail "the remove did not happen"
kill_session
after_kill "remove, with directories of mode 0" 300000
for d in shut closed closed/in; do
	m=$(stat -c %a "$home/$d")
	[ $((8#$m & 8#500)) = $((8#500)) ] ||
		fail "$d: mode $m, without its owner's read and search bits"
done
expect_eq "$(stat -c %a "$home/closed")" 700 "CHMOD 0200 of a directory"
expect_eq "$(stat -c %a "$home/closed/in")" 500 "CHMOD 0 of a directory"
ok "directories keep u+rx: a kill in a home with mode-0 requests settled"

# ------------------- REMOVE, a directory the user cannot read (root's)
# One an administrator made unreadable to its user: the count fails.
# The file stays high, the login says why in the log, and the changes
# that follow do not walk the home again, each under the accounting
# lock, to fail again; a recount makes it exact.
reset_home
mkdir "$home/hidden"
chown "$uid:$(user_gid alice)" "$home/hidden"
chmod 0 "$home/hidden"
"$top_builddir/ftpuser-quota" -c "$CONF" --recount alice >/dev/null ||
	fail "ftpuser-quota --recount"
start_session
hold_after unlinkat
session_send "rm target"
wait_for 10 _gone "$home/target" || fail "the remove did not happen"
kill_session
high=$(acct alice)
start_session
strace_attach "$SERVING_PID" "$T/walks" -e trace=getdents64
session_send "mkdir m1"
session_send "mkdir m2"
session_send "mkdir m3"
session_send "pwd"
_made() { [ -d "$home/m3" ]; }
wait_for 10 _made || fail "the mkdirs did not happen"
kill "$STRACE_PID"
wait "$STRACE_PID" 2>/dev/null
session_close 20
walks=$(grep -c getdents64 "$T/walks")
expect_eq "$walks" 0 "directories read by three MKDIRs after the failed count"
expect_eq "$(acct alice)" \
    "$((${high% *} + 3 * ENTRY_BYTES)) $((${high#* } + 3))" \
    "the file, high by the removed file, with the three directories"
[ "$(acct_pending alice)" != "0 0" ] || fail "the removal line went"
expect_eq "$(log_count 'user=alice: usage left high.*cannot be counted')" 1 \
    "the log lines that say the count failed"
"$top_builddir/ftpuser-quota" -c "$CONF" --recount alice >/dev/null ||
	fail "ftpuser-quota --recount"
exact alice "after the recount"
chmod 755 "$home/hidden"
ok "a count that fails is logged and not made again at every change"
