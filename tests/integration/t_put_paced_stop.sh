#!/usr/bin/env bash
# t_put_paced_stop: an upload at a user's rate, stopped (Ctrl-C: SIGINT
# in batch mode), resumes at once.  The client closes the connection; the
# serving process then reads what its socket still holds without pacing
# (it crossed the network already), keeps it in the partial and lets go
# of the partial's lock, within seconds.  Before, it read all the client
# had queued at the user's rate, for tens of seconds, and a reput
# meanwhile was refused: "another session is uploading this file".
# A serving process that sees the reset late (held, as a busy machine
# may leave it unscheduled) still holds the lock when the next session
# asks: that session's PUT, or REMOVE of the partial, waits for it (a few
# seconds at most) rather than being refused at once; told to end
# meanwhile, it stops waiting and ends, with no LOCKED answer.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FTPUSER_MOD=$top_builddir/ftpuser-mod
W=$T/work
pw=$(rand_pw)
add_user alice "$pw" --rate 128K
home=$(user_home alice)
start_daemon
head -c $((8 * 1048576)) /dev/urandom >"$W/up"

_part_has() { [ "$(stat -c %s "$home/.up.mftp-part" 2>/dev/null || echo 0)" -ge "$1" ]; }

"$MFTP" -P "$PORT" -q --password-fd 3 "alice@$HOST" 3<<<"$pw" \
    <<<"put $W/up up" >"$T/put.out" 2>"$T/put.err" &
pid=$!
BG_PIDS+=("$pid")
wait_for 30 _part_has 200000 || fail "the upload did not start: $(cat "$T/put.err")"
kill -INT "$pid"
rc=0
wait_pid "$pid" 20 || rc=$?
expect_eq "$rc" 130 "the stopped put's status ($(cat "$T/put.err"))"
expect_contains "$(cat "$T/put.err")" "interrupted" "what the stopped put says"

# The stopped session ends within seconds, however busy the machine:
# before, it read what the client had queued (megabytes) at 128 KiB/s.
uid=$(user_uid alice)
_ended() { ! _has_serving "$uid"; }
wait_for 10 _ended ||
	fail "the stopped upload's session still runs 10 s after the stop"
# The next session then finds the partial free: no rate for it, so that
# the rest goes at once.
tool "$FTPUSER_MOD" --rate 0 alice
expect_eq "$RC" 0 "ftpuser-mod --rate 0 ($ERR)"
run_client alice "$pw" <<<"reput $W/up up"
expect_rc 0 "reput right after the stop ($ERR)"
expect_not_contains "$ERR" "another session is uploading" "the reput's refusal"
expect_same_file "$home/up" "$W/up" "the file after reput"
ok "a paced upload stopped by Ctrl-C resumes at once"

# stopped_upload NAME: a paced put of $W/up to NAME, stopped by Ctrl-C
# while its serving process is held (SIGSTOP), as a busy machine may
# leave it unscheduled: it has not yet seen the reset, and holds the
# partial's lock, when the next session asks for it.  Its pid in HELD.
stopped_upload() {
	wait_for 10 _ended || fail "the last session still runs"
	tool "$FTPUSER_MOD" --rate 128K alice
	expect_eq "$RC" 0 "ftpuser-mod --rate 128K ($ERR)"
	"$MFTP" -P "$PORT" -q --password-fd 3 "alice@$HOST" 3<<<"$pw" \
	    <<<"put $W/up $1" >"$T/put.out" 2>"$T/put.err" &
	pid=$!
	BG_PIDS+=("$pid")
	_grows() { [ "$(fsize "$home/.$1.mftp-part")" -ge 200000 ]; }
	wait_for 30 _grows "$1" ||
		fail "the upload to $1 did not start: $(cat "$T/put.err")"
	wait_serving_pid "$uid"
	HELD=$SERVING_PID
	kill -STOP "$HELD"
	kill -INT "$pid"
	rc=0
	wait_pid "$pid" 20 || rc=$?
	expect_eq "$rc" 130 "the stopped put's status ($(cat "$T/put.err"))"
	tool "$FTPUSER_MOD" --rate 0 alice
	expect_eq "$RC" 0 "ftpuser-mod --rate 0 ($ERR)"
}

# held_for_a_second COMMAND: COMMAND in a new session while the stopped
# upload's process is held, let go a second after the session began.
held_for_a_second() {
	"$MFTP" -P "$PORT" -q --password-fd 3 "alice@$HOST" 3<<<"$pw" \
	    <<<"$1" >"$T/next.out" 2>"$T/next.err" &
	pid=$!
	BG_PIDS+=("$pid")
	sleep 1
	kill -CONT "$HELD"
	RC=0
	wait_pid "$pid" 30 || RC=$?
	ERR=$(cat "$T/next.err")
}

# The next session's PUT waits for the partial (seconds at most) rather
# than refusing it at once: the user's own Ctrl-C and the same command
# again at once must not meet "another session is uploading this file".
stopped_upload up2
held_for_a_second "reput $W/up up2"
expect_rc 0 "reput while the stopped session still held the partial ($ERR)"
expect_not_contains "$ERR" "another session is uploading" "the reput's refusal"
expect_same_file "$home/up2" "$W/up" "the file after reput"
ok "a reput waits for the partial of a session that is ending"

# So does REMOVE of the partial (discarding the upload).
stopped_upload up3
held_for_a_second "rm .up3.mftp-part"
expect_rc 0 "rm of the partial while the stopped session held it ($ERR)"
expect_not_contains "$ERR" "in progress is using it" "the rm's refusal"
[ -e "$home/.up3.mftp-part" ] && fail "rm left the partial"
ok "rm of a partial waits for a session that is ending"

# Told to end while it waits (SIGTERM: mftpd's stop after
# shutdown_timeout, the account locked on this node), a session stops
# waiting and ends: the request is not answered LOCKED, which would tell
# of another session's upload rather than of the end.
# ended_while_waiting NAME COMMAND: COMMAND, which waits for the partial
# of the held upload to NAME, in a session that is then told to end.
_waiter() {
	local p
	for p in $(serving_pids_of "$uid"); do
		[ "$p" != "$HELD" ] && WAITER=$p && return 0
	done
	return 1
}
ended_while_waiting() {
	local ends
	stopped_upload "$1"
	"$MFTP" -P "$PORT" -q --password-fd 3 "alice@$HOST" 3<<<"$pw" \
	    <<<"$2" >"$T/next.out" 2>"$T/next.err" &
	pid=$!
	BG_PIDS+=("$pid")
	wait_for 10 _waiter || fail "$2: no session for it"
	ends=$(log_count "session end user=alice .*reason=terminated")
	sleep 0.5 # in its wait for the partial
	kill -TERM "$WAITER"
	wait_for 3 _not_running "$WAITER" ||
		fail "$2: a session told to end went on waiting for the partial"
	kill -CONT "$HELD"
	RC=0
	wait_pid "$pid" 30 || RC=$?
	ERR=$(cat "$T/next.err")
	expect_eq "$(log_count "session end user=alice .*reason=terminated")" \
	    $((ends + 1)) "$2: the end of the waiting session, logged"
	note "$2, cut by its session's end: status $RC: $ERR"
}
ended_while_waiting up4 "reput $W/up up4"
expect_not_contains "$ERR" "another session is uploading" \
    "what the reput cut by the end said"
ended_while_waiting up5 "rm .up5.mftp-part"
expect_ne "$RC" 0 "rm cut by the end"
expect_not_contains "$ERR" "in progress is using it" \
    "what the rm cut by the end said"
ok "a session told to end stops waiting for a partial, and ends"

# Once mftp has handed all of a file to the sockets (1.5 MiB: not a
# PUT_DATA, which is 1 MiB at most), it waits for the server's answer
# while the server reads the rest at 64 KiB/s (24 s in all).  Ctrl-C
# stops that wait too: before, it was not looked at until the answer
# came, and the upload then succeeded.
tool "$FTPUSER_MOD" --rate 64K alice
expect_eq "$RC" 0 "ftpuser-mod --rate 64K ($ERR)"
head -c $((3 * 524288)) /dev/urandom >"$W/small"
"$MFTP" -P "$PORT" -q --password-fd 3 "alice@$HOST" 3<<<"$pw" \
    <<<"put $W/small small" >"$T/put.out" 2>"$T/put.err" &
pid=$!
BG_PIDS+=("$pid")
# All of it handed over: what mftp wrote (TLS records, frames) is more
# than the file.
_handed() {
	[ "$(awk '$1 == "wchar:" { print $2 }' "/proc/$pid/io" 2>/dev/null ||
		echo 0)" -gt $((3 * 524288)) ]
}
wait_for 20 _handed ||
	fail "mftp did not hand the file over within 20 s: $(cat "$T/put.err")"
kill -INT "$pid"
t0=$(date +%s%N)
rc=0
wait_pid "$pid" 20 || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
expect_eq "$rc" 130 "the status of a put stopped while its last data drains ($(cat "$T/put.err"))"
# How far it came is what the server took, which it keeps: not the 1.5
# MiB handed to the connection, most of which the reset dropped.
expect_match "$(cat "$T/put.err")" \
    'small: interrupted after [0-9.]+ KiB of 1\.5 MiB sent; reput .*small resumes it$' \
    "what it says"
[ "$ms" -lt 3000 ] || fail "the put ended $ms ms after Ctrl-C"
[ -e "$home/small" ] && fail "the stopped put stored the file"
wait_for 10 _ended ||
	fail "the stopped upload's session still runs 10 s after the stop"
said=$(sed -n 's/.*interrupted after \([0-9.]*\) KiB.*/\1/p' "$T/put.err")
kept=$(fsize "$home/.small.mftp-part")
awk -v s="$said" -v k="$kept" 'BEGIN { d = s * 1024 - k; exit !(d < 65536 && d > -65536) }' ||
	fail "it said $said KiB sent; the server kept $kept bytes"
tool "$FTPUSER_MOD" --rate 0 alice
run_client alice "$pw" <<<"reput $W/small small"
expect_rc 0 "reput after the stop ($ERR)"
expect_same_file "$home/small" "$W/small" "the file after reput"
ok "Ctrl-C stops an upload whose last data is still on its way"

check_log_clean
