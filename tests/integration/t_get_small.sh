#!/usr/bin/env bash
# t_get_small: a small file's download is one write of the serving
# process: FILE, the bytes and DATA_END together (one TLS record), not
# three.  mget of 60 files of 2 KiB, with strace counting the serving
# process's writes to its socket (strace -y names it); every file
# verifies.  System calls, not time.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
home=$(user_home alice)
start_daemon
N=60
mkdir -p "$home/s" "$T/dl"
for i in $(seq 1 "$N"); do head -c 2048 /dev/urandom >"$home/s/f$i"; done
chown -R "$uid:$(user_gid alice)" "$home/s"

session_open alice "$pw"
session_send "cd s"
session_send "lcd $T/dl"
wait_serving_pid "$uid"
strace_attach "$SERVING_PID" "$T/strace.out" -y \
    -e trace=write,sendto,sendmsg,writev
session_send "mget f*"
session_close 60
wait "$STRACE_PID" 2>/dev/null
[ "$SESS_RC" = 0 ] || fail "mget failed: $(cat "$SESS_ERR")"
for i in $(seq 1 "$N"); do
	cmp -s "$T/dl/f$i" "$home/s/f$i" || fail "f$i differs after mget"
done
writes=$(grep -c '^[a-z]*([0-9]*<socket:' "$T/strace.out")
note "$writes socket writes for $N small downloads (and the listing)"
((writes >= N)) || fail "strace saw $writes socket writes for $N files"
((writes <= N + 10)) ||
	fail "$writes socket writes for $N small files: more than one each"
ok "a small download is one write ($writes for $N files)"
