#!/usr/bin/env bash
# t_put_hash_gone: a resumed PUT whose client goes away while the server
# reads the kept part back (slowed here by strace, so that it sends
# WORKING and finds the connection gone) gives back the reservation it
# took for the rest of the file and logs its transfer line, like any
# upload cut off by a lost connection.  Before, the WORKING that could
# not be sent ended the process on the spot: the reservation stayed in
# the accounting file ("reserved by uploads in progress") until an
# administrator's recount, and no transfer line was written.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 200M
home=$(user_home alice)
uid=$(user_uid alice)
start_daemon
KEPT=$((16 * 1048576))
FULL=$((32 * 1048576))
head -c "$FULL" /dev/urandom >"$T/src"
mt=$(stat -c %Y "$T/src")
# The partial an earlier PUT of the same source left, with its key.
head -c "$KEPT" "$T/src" >"$home/.big.mftp-part"
chown "$uid:$(user_gid alice)" "$home/.big.mftp-part"
chmod 0600 "$home/.big.mftp-part"
python3 -c 'import os, sys
os.setxattr(sys.argv[1], "user.mftp.resume", bytes.fromhex(sys.argv[2]))' \
    "$home/.big.mftp-part" "$(printf '%016x%016x' "$FULL" "$mt")" ||
	fail "cannot mark the partial"
quota_reset alice

session_open alice "$pw"
session_send pwd
wait_serving_pid "$uid"
strace_attach "$SERVING_PID" "$T/strace.out" -f -e trace=pread64 \
    -e inject=pread64:delay_enter=100000
session_send "put $T/src big"
# Once the server reads the kept part back, the client goes.
_reading() { grep -q 'pread64(.*, 262144, ' "$T/strace.out" 2>/dev/null; }
wait_for 20 _reading || fail "the server did not read the partial back"
expect_eq "$(acct_reserved alice)" $((FULL - KEPT)) "reserved while hashing"
kill_tree "$SESS_PID"
wait_for 60 _not_running "$SERVING_PID" ||
	fail "the serving process did not end"
kill "$STRACE_PID" 2>/dev/null
wait "$STRACE_PID" 2>/dev/null

expect_eq "$(acct_reserved alice)" 0 "reserved after the client left"
expect_match "$(cat "$DAEMON_LOG")" \
    "transfer user=alice .* op=put path=big .*result=error" \
    "the upload's transfer line"
expect_match "$(cat "$DAEMON_LOG")" \
    "session end user=alice .*reason=connection-lost" "the session's end"
expect_eq "$(fsize "$home/.big.mftp-part")" "$KEPT" "the partial kept"
expect_quota_exact alice "after the client left"
ok "a client gone while its kept part is read back leaves no reservation"
check_log_clean
