#!/usr/bin/env bash
# t_tls_keys: the host's private key is never in the memory of a process
# that parses network bytes.  The private scalar of the host key is
# searched (as stored in a file and as OpenSSL's BIGNUM holds it in
# memory) through every readable page of /proc/PID/mem of the pre-auth
# worker (in the middle of a login, after its TLS handshake), of a
# serving process, of their monitor and of the master.  The search is
# shown to work on mftpd-sign, which does hold the key.  Also: mftpd-sign
# is not dumpable and has dropped to the pre-auth user.  The master keeps
# the key file open for its signers, never read; no other process of the
# daemon has it open.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || fail "python3 is needed (scripts/deps.sh)"
command -v openssl >/dev/null || fail "openssl(1) is needed (scripts/deps.sh)"
pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
start_daemon

# The scalar, 32 bytes in hex, from the key file.
key=$T/hostkey/host.key
priv=$(openssl pkey -in "$key" -text -noout |
	awk '/^priv:/ { on = 1; next } /^[a-zA-Z]/ { on = 0 } on' |
	tr -d ' :\n')
priv=${priv: -64}
[ "${#priv}" = 64 ] || fail "cannot read the private scalar of $key"

memscan() { # PID: occurrences of the key's scalar (a BIGNUM: reversed)
	mem_count "$1" "$priv" --reverse
}

# keyfds PID: how many of its descriptors are the key file.
key_ino=$(stat -L -c %d:%i "$key")
keyfds() {
	local f n=0
	for f in /proc/"$1"/fd/*; do
		[ "$(stat -L -c %d:%i "$f" 2>/dev/null)" = "$key_ino" ] &&
			n=$((n + 1))
	done
	echo "$n"
}

# The search finds the key where it is: in mftpd-sign waiting for its
# one request (its input a pipe that stays silent).
sleep 30 | "$MFTPD_SIGN" -e -t 30 "$key" "$(id -u "$PREAUTH_USER")" \
    "$(id -g "$PREAUTH_USER")" 2>>"$DAEMON_LOG" &
signer=$!
BG_PIDS+=("$signer")
_signer_dropped() {
	[ "$(proc_uid "$signer")" = "$(id -u "$PREAUTH_USER")" ]
}
wait_for 10 _signer_dropped || fail "mftpd-sign did not drop to the pre-auth user"
n=$(memscan "$signer")
[ "$n" -ge 1 ] || fail "the search did not find the key in mftpd-sign itself"
# Not dumpable: a process of the same uid cannot attach or read it.
su -s /bin/sh -c "cat /proc/$signer/environ" "$PREAUTH_USER" \
    >/dev/null 2>&1 && fail "the pre-auth user can read mftpd-sign's memory"
kill_tree "$signer"
ok "the search finds the key in mftpd-sign ($n times), which the pre-auth user cannot read"

# A pre-auth worker in the middle of a login, its TLS session up.
spawn rawpeer --hold 30 <<<"$(hex_hello) @reply" >"$T/hold.out"
holder=$BG_PID
_hello_done() { grep -q '^frame 0x82' "$T/hold.out"; }
wait_for 10 _hello_done || fail "no HELLO_OK through TLS"
wait_for 10 _has_preauth || fail "no pre-auth worker"
for p in $(preauth_pids); do
	n=$(memscan "$p")
	expect_eq "$n" 0 "the key's scalar in the pre-auth worker $p"
	expect_eq "$(keyfds "$p")" 0 "key file descriptors of the worker $p"
	# It has the certificate, though (a check that the scan reads it).
done
for p in $(sessions); do
	expect_eq "$(memscan "$p")" 0 "the key's scalar in the monitor $p"
	expect_eq "$(keyfds "$p")" 0 "key file descriptors of the monitor $p"
done
ok "the pre-auth worker and its monitor do not hold the key"
kill_tree "$holder"

# A serving process.
session_open alice "$pw"
session_send pwd
wait_serving_pid "$uid"
expect_eq "$(memscan "$SERVING_PID")" 0 \
    "the key's scalar in the serving process $SERVING_PID"
expect_eq "$(keyfds "$SERVING_PID")" 0 \
    "key file descriptors of the serving process $SERVING_PID"
expect_eq "$(memscan "$DAEMON_PID")" 0 "the key's scalar in the master"
expect_eq "$(keyfds "$DAEMON_PID")" 1 "key file descriptors of the master"
session_send quit
session_close
expect_eq "$SESS_RC" 0 "the held session"
ok "the serving process and the master do not hold the key"
check_log_clean
