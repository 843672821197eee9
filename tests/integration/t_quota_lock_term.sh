#!/usr/bin/env bash
# t_quota_lock_term: a session that waits for its accounting file's lock,
# held by another process (ftpuser-quota --recount walking a big home,
# a node of the shared storage that hangs), still ends promptly on
# SIGTERM (ftpuser-del, ftpuser-mod --lock, mftpd's stop), its end
# logged, and leaves the accounting exact: an upload's partial is kept
# for the resume, a removal is not done unrecorded.  The serving process
# waited in F_OFD_SETLKW, which its SIGTERM handler (SA_RESTART) did not
# interrupt: the session went on until the lock was given back, for
# ever if it never was, and mftpd's stop killed it unheard.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_quota.sh
. "$(dirname "$0")/lib_quota.sh"

MiB=1048576
SIZE=$((4 * MiB))
W=$T/work
mkdir -p "$W" || fail "mkdir $W"

pw=$(rand_pw)
add_user alice "$pw" --rate 1M --quota-bytes 256M --quota-files 2000
uid=$(user_uid alice)
home=$(user_home alice)
case $home in
"$T"/*) ;;
*) fail "alice's home '$home' is not under $T" ;;
esac
start_daemon
head -c "$SIZE" /dev/urandom >"$W/big" || fail "cannot make big"
FTPUSER_MOD=$top_builddir/ftpuser-mod

_at_least() { [ "$(fsize "$1")" -ge "$2" ]; }
_no_session() { [ -z "$(serving_pids_of "$uid")" ]; }

# term_ends WHAT: SIGTERM to the session, which must end within 5 s
# (its wait for the lock is the only thing in the way), its end logged.
term_ends() {
	local before
	before=$(log_count 'session end user=alice .*reason=terminated')
	kill -TERM "$SERVING_PID" 2>/dev/null
	wait_for 5 _no_session ||
		fail "$1: the session waited for the lock after SIGTERM"
	expect_eq "$(log_count 'session end user=alice .*reason=terminated')" \
	    $((before + 1)) "$1: the lines of the session's end"
}

# ---------------------------------------- an upload's chunk waits
# The holder is started before the upload and takes the lock within
# milliseconds at 1 MiB: the 3 s left of the upload are not spent on
# python's start (a second or more on a busy machine), which would let
# the upload end before the lock is held.
arm_lock alice 120
client alice "$pw" <<<"put $W/big big" >"$T/put.out" 2>"$T/put.err" &
cpid=$!
BG_PIDS+=("$cpid")
wait_serving_pid "$uid"
wait_for 20 _at_least "$home/.big.mftp-part" "$MiB" ||
	fail "the PUT did not start"
fire_lock
sleep 1.5
kept=$(fsize "$home/.big.mftp-part")
term_ends "a PUT whose charge waits"
wait_pid "$cpid" 20 && fail "the cut PUT was said to succeed"
release_lock
[ -f "$home/.big.mftp-part" ] || fail "the cut PUT's partial was not kept"
expect_eq "$(fsize "$home/.big.mftp-part")" "$kept" \
    "the partial: nothing written once the lock was held"
exact alice "after the cut PUT"
tool "$FTPUSER_MOD" --rate 0 alice
expect_eq "$RC" 0 "ftpuser-mod --rate 0 ($ERR)"
run_client alice "$pw" <<<"put $W/big big"
expect_rc 0 "the PUT run again ($ERR)"
expect_same_file "$home/big" "$W/big" "the PUT run again"
grep -q "op=put path=big bytes=[0-9]* offset=$kept " "$DAEMON_LOG" ||
	fail "the PUT run again did not resume at $kept"
expect_eq "$(acct_reserved alice)" 0 "the bytes still reserved"
exact alice "after the resumed PUT"
ok "a PUT whose charge waits for the lock ends on SIGTERM; resumed, exact"

# ---------------------------------------- a removal waits
session_open alice "$pw"
session_send pwd
wait_serving_pid "$uid"
hold_lock alice
session_send "rm big"
sleep 1.5
term_ends "a REMOVE that waits"
session_close 10
release_lock
[ -f "$home/big" ] || fail "the REMOVE cut in its wait for the lock removed big"
exact alice "after the cut REMOVE"
ok "a REMOVE that waits for the lock ends on SIGTERM; nothing removed unrecorded"

check_log_clean
