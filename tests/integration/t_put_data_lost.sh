#!/usr/bin/env bash
# t_put_data_lost: a PUT_DATA whose connection ends before all its bytes
# came leaves no partial behind (PROTOCOL.md §5.6a: no PUT_DATA resumes
# it), whether the partial was made for it or was one an earlier PUT
# left, and the accounting equals a recount.  Before, a lost connection
# left the partial, with no resume key, counted in the quota until the
# user found and removed it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 100M
home=$(user_home alice)
uid=$(user_uid alice)
start_daemon
SIZE=500000
head -c "$SIZE" /dev/urandom >"$T/src"

# put_data_cut NAME: PUT_DATA of NAME, 200000 of its bytes, then close.
put_data_cut() {
	RAW_FEATURES=4 raw_open alice "$pw"
	(((RAW_GRANTED & 4) != 0)) || fail "PUT_DATA was not granted"
	wait_serving_pid "$uid"
	raw_send "$(hex_frame "23$(hex_str "$1")$(hex_u64 "$SIZE")$(hex_u32 420)$(hex_u64 1700000000)")"
	raw_send_file "$T/src" 0 200000
	# The partial is made before the bytes are read.
	wait_for 10 test -e "$home/.$1.mftp-part" ||
		fail "$1: no partial was made"
	raw_close
	wait_for 20 _not_running "$SERVING_PID" ||
		fail "$1: the serving process did not end"
}

put_data_cut a
[ ! -e "$home/.a.mftp-part" ] || fail "a cut PUT_DATA left its partial"
expect_match "$(cat "$DAEMON_LOG")" \
    "transfer user=alice .* op=put path=a .*result=error" "a's transfer line"
expect_recount_agrees alice "after a cut PUT_DATA"
ok "a PUT_DATA cut off leaves no partial"

# A partial an earlier PUT left (with its resume key) is emptied for the
# PUT_DATA, and goes with it.
RAW_FEATURES=0 raw_open alice "$pw"
wait_serving_pid "$uid"
raw_send "$(hex_put b "$SIZE" 420 1700000000)"
raw_expect 0x87 "PUT b"
raw_send_file "$T/src" 0 100000
raw_close
wait_for 20 _not_running "$SERVING_PID" || fail "the PUT's session did not end"
expect_eq "$(fsize "$home/.b.mftp-part")" 100000 "the PUT's partial"
put_data_cut b
[ ! -e "$home/.b.mftp-part" ] || fail "a cut PUT_DATA left the PUT's partial"
expect_recount_agrees alice "after a cut PUT_DATA over a PUT's partial"
ok "a PUT_DATA cut off over a PUT's partial leaves none either"
check_log_clean
