#!/usr/bin/env bash
# t_ktls: with the kernel's TLS (the tls module loaded), a download goes
# out through SSL_sendfile on a socket whose records the kernel seals:
# mftpd's log says so at start, the serving process (in its seccomp
# sandbox) turns kTLS on for its socket after the second handshake,
# calls sendfile and no write per record, and what arrives verifies -
# a large file, a small one after it, a download resumed past its start
# (sendfile from an offset), and an upload and a listing in the same
# session (its replies go out through the kernel's records too); in
# either suite, named with mftp -o Ciphers.  A
# paced download whose client dies mid-file ends its session cleanly,
# and resumes.
#
# This machine's kernel may have no tls module (it runs without
# modules), so the test runs in a VM on Debian's kernel (lib_vm.sh),
# where it loads the module as an administrator would.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

if [ -z "${MFTP_IN_VM:-}" ]; then
	# shellcheck source-path=SCRIPTDIR source=lib_vm.sh
	. "$(dirname "$0")/lib_vm.sh"
	vm_run "$0"
	exit "$VM_RC"
fi

# ---------------------------------------------------------- in the VM

modprobe tls || fail "modprobe tls failed in the VM"
grep -qw tls /proc/sys/net/ipv4/tcp_available_ulp ||
	fail "the tls module is loaded but tcp_available_ulp has no tls"

# tls_stat NAME: a counter of the kernel's TLS (sockets with software
# kTLS set up for sending, so far: TlsTxSw).
tls_stat() {
	awk -v k="$1" '$1 == k { print $2 }' /proc/net/tls_stat
}

pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
expect_contains "$(cat "$DAEMON_LOG")" "TLS: the kernel has kTLS" \
	"the start's log line about kTLS"
ok "mftpd says at start that downloads use kTLS"

MiB=1048576
SIZE=$((24 * MiB))
head -c "$SIZE" /dev/urandom >"$home/big"
echo "a small one" >"$home/small"
head -c 300000 /dev/urandom >"$T/up"
chown "$uid:$gid" "$home/big" "$home/small"
L=$T/local
mkdir -p "$L"

tx_before=$(tls_stat TlsTxSw)
session_open alice "$pw"
session_send pwd
wait_serving_pid "$uid"
strace_attach "$SERVING_PID" "$T/strace.out" -f -c \
	-e trace=sendfile,write,sendto,sendmsg,writev
session_send "get big $L/big"
session_send "get small $L/small"
session_send "put $T/up up"
session_send "ls -l"
session_close 300
wait "$STRACE_PID" 2>/dev/null
[ "$SESS_RC" = 0 ] ||
	fail "the session failed: $(cat "$SESS_ERR") $(cat "$SESS_OUT")"
expect_same_file "$L/big" "$home/big" "the large download"
expect_same_file "$L/small" "$home/small" "the small download after it"
expect_same_file "$home/up" "$T/up" "the upload"
expect_match "$(cat "$SESS_OUT")" ' up$' "the listing after them"
ok "downloads, an upload and a listing over kTLS arrive whole"

tx_after=$(tls_stat TlsTxSw)
note "TlsTxSw $tx_before -> $tx_after"
((tx_after > tx_before)) ||
	fail "no socket got kTLS for sending (TlsTxSw stayed $tx_after)"
# strace -c: "% time seconds usecs/call calls errors syscall".
calls() {
	awk -v c="$1" '$NF == c { print $4 + 0; f = 1 } END { if (!f) print 0 }' \
		"$T/strace.out"
}
sendfiles=$(calls sendfile)
writes=$(($(calls write) + $(calls sendto) + $(calls sendmsg) + $(calls writev)))
note "serving process: $sendfiles sendfile, $writes writes"
((sendfiles > 0)) || fail "the download made no sendfile: $(cat "$T/strace.out")"
# A write per 16 KiB record would be $SIZE / 16384; the messages around
# the transfers take a few.
((writes < SIZE / 16384 / 4)) ||
	fail "$writes writes for a $SIZE-byte download: it went through SSL_write"
ok "the serving process set up kTLS and sent the file with sendfile"

# A download resumed past its start: sendfile from an offset.
head -c $((5 * MiB + 12345)) "$home/big" >"$L/big2.part"
ln "$home/big" "$home/big2"
run_client alice "$pw" <<<"lcd $L
reget big2"
expect_rc 0 "reget big2"
expect_resumed get big2 "reget big2"
expect_same_file "$L/big2" "$home/big" "the resumed download"
ok "a download resumed at $RESUMED_AT verifies over kTLS"

# Each suite in turn (mftp -o Ciphers): the kernel seals AES-128-GCM
# and ChaCha20-Poly1305 records alike, whichever the server prefers.
for c in aes128-gcm:TLS_AES_128_GCM_SHA256 \
    chacha20-poly1305:TLS_CHACHA20_POLY1305_SHA256; do
	rm -f "$L/big3"
	tx=$(tls_stat TlsTxSw)
	run_client alice "$pw" -v -o "Ciphers=${c%%:*}" <<<"lcd $L
get big big3"
	expect_rc 0 "get big big3 with -o Ciphers=${c%%:*}"
	expect_contains "$ERR" "TLSv1.3 ${c#*:} " "the suite of -o Ciphers=${c%%:*}"
	expect_same_file "$L/big3" "$home/big" "the download in ${c#*:}"
	[ "$(tls_stat TlsTxSw)" -gt "$tx" ] ||
		fail "${c#*:}: no socket got kTLS for sending (TlsTxSw stayed $tx)"
	ok "a download in ${c#*:} goes out through kTLS and verifies"
done

# A paced download whose client dies mid-file: sendfile on the kTLS
# socket fails (the peer is gone), the session ends and says so, and the
# part resumes.
add_user bob "$pw" --rate 512K
user_vars bob
head -c $((4 * MiB)) /dev/urandom >"$home/paced"
chown "$uid:$gid" "$home/paced"
batch_bg bob "$pw" "$L" "get paced"
part_started() { [ "$(fsize "$L/paced.part")" -ge "$MiB" ]; }
bob_ended() { [ "$(log_count "session end user=bob ")" -ge 1 ]; }
wait_for 60 part_started ||
	fail "the paced download did not start"
mftp_below "$JOB" || fail "no client process"
kill -KILL "$CPID"
wait_pid "$JOB" 30
wait_for 30 bob_ended ||
	fail "the session of the killed client did not end"
expect_match "$(grep -F "user=bob" "$DAEMON_LOG" | grep -F "op=get path=paced ")" \
	'result=[a-z]' "the log line of the cut download"
run_client bob "$pw" <<<"lcd $L
reget paced"
expect_rc 0 "reget paced"
expect_resumed get paced "reget paced"
expect_same_file "$L/paced" "$home/paced" "the resumed paced download"
ok "a paced download cut by its client's death resumes at $RESUMED_AT"

check_log_clean
