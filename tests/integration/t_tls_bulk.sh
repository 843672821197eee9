#!/usr/bin/env bash
# t_tls_bulk: without kTLS, a large download's TLS records reach the
# socket many at a time (a buffer as large as one I/O chunk's records
# between libssl and the socket), not one system call per 16 KiB record;
# the file still verifies, and a small download that follows (no buffer)
# too.  Counted with strace on the serving process: system calls, not
# time.  Skipped where the kernel has kTLS (the kernel writes the records
# there, through sendfile); without it, mftpd's log says how to load the
# kernel's tls module.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
home=$(user_home alice)
start_daemon
if grep -q 'TLS: the kernel has kTLS' "$DAEMON_LOG"; then
	echo "SKIP: this kernel has kTLS; downloads use SSL_sendfile"
	exit 77
fi
# The serving process cannot load the module itself (no CAP_SYS_MODULE,
# ProtectKernelModules=yes): the log says how the administrator can.
expect_contains "$(cat "$DAEMON_LOG")" "modprobe tls" \
    "the log line about kTLS"
expect_contains "$(cat "$DAEMON_LOG")" "/etc/modules-load.d" \
    "the log line about kTLS"

MiB=1048576
SIZE=$((32 * MiB))
head -c "$SIZE" /dev/urandom >"$home/big"
echo "a small one" >"$home/small"
chown "$uid:$(user_gid alice)" "$home/big" "$home/small"

session_open alice "$pw"
session_send pwd
wait_serving_pid "$uid"
strace_attach "$SERVING_PID" "$T/strace.out" -f -c \
    -e trace=write,sendto,sendmsg,writev
session_send "get big $T/big"
session_send "get small $T/small"
session_close 60
wait "$STRACE_PID" 2>/dev/null
[ "$SESS_RC" = 0 ] || fail "the downloads failed: $(cat "$SESS_ERR")"
expect_same_file "$T/big" "$home/big" "the large download"
expect_same_file "$T/small" "$home/small" "the small download after it"

# strace -c: "% time seconds usecs/call calls errors syscall".
calls=$(awk '$NF ~ /^(write|sendto|sendmsg|writev)$/ { n += $4 }
    END { print n + 0 }' "$T/strace.out")
records=$((SIZE / 16384))
note "$calls writes for $records records of the download"
((calls > 0)) || fail "strace counted no writes: $(cat "$T/strace.out")"
# One write per 256 KiB chunk and a few for the messages around it; a
# write per record would be $records.
((calls <= SIZE / (256 * 1024) * 2 + 32)) ||
	fail "$calls writes for a $SIZE-byte download: records are not gathered"
ok "a large download's records go out many to a write ($calls writes)"
