#!/usr/bin/env bash
# t_put_paced_stop: an upload at a user's rate, stopped (Ctrl-C: SIGINT
# in batch mode), resumes at once.  The client closes the connection; the
# serving process then reads what its socket still holds without pacing
# (it crossed the network already), keeps it in the partial and lets go
# of the partial's lock, within seconds.  Before, it read all the client
# had queued at the user's rate, for tens of seconds, and a reput
# meanwhile was refused: "another session is uploading this file".
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
expect_match "$(cat "$T/put.err")" \
    'small: interrupted after 1\.5 MiB of 1\.5 MiB sent; reput .*small resumes it$' \
    "what it says"
[ "$ms" -lt 3000 ] || fail "the put ended $ms ms after Ctrl-C"
[ -e "$home/small" ] && fail "the stopped put stored the file"
wait_for 10 _ended ||
	fail "the stopped upload's session still runs 10 s after the stop"
tool "$FTPUSER_MOD" --rate 0 alice
run_client alice "$pw" <<<"reput $W/small small"
expect_rc 0 "reput after the stop ($ERR)"
expect_same_file "$home/small" "$W/small" "the file after reput"
ok "Ctrl-C stops an upload whose last data is still on its way"

check_log_clean
