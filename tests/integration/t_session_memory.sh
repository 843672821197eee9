#!/usr/bin/env bash
# t_session_memory: a session gives back what a transfer used.  The
# private memory of an idle serving process (Private_Dirty of
# /proc/PID/smaps_rollup, what it alone keeps) after an upload and a
# download of 5 MB each is within 64 KiB of what it was right after the
# login: the transfers' large buffers (the chunk, TLS's read-ahead, the
# bulk write buffer) are not left in its heap.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon
head -c 5000000 /dev/urandom >"$T/work/up"

private_kib() { awk '/^Private_Dirty:/ { print $2 }' "/proc/$1/smaps_rollup"; }
_answered() { grep -q "$1" "$SESS_OUT"; }
_downloaded() { [ -f "$T/work/down" ]; }

session_open alice "$pw"
session_send pwd
wait_serving_pid "$(user_uid alice)"
wait_for 10 _answered / || fail "no answer to pwd"
before=$(private_kib "$SERVING_PID")
session_send "put $T/work/up up"
session_send "get up $T/work/down"
wait_for 60 _downloaded || fail "the transfers did not end"
sleep 0.5
after=$(private_kib "$SERVING_PID")
session_close
expect_same_file "$T/work/down" "$T/work/up" "the file, up and down again"
note "idle serving process: $before KiB private after login, $after KiB after the transfers"
((after <= before + 64)) ||
	fail "the session keeps $((after - before)) KiB more after two transfers"
ok "a session is no larger after its transfers than before ($before -> $after KiB)"
