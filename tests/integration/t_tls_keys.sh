#!/usr/bin/env bash
# t_tls_keys: the host's private key is never in the memory of a process
# that parses network bytes.  The private scalar of the host key (as
# stored in a file and as OpenSSL's BIGNUM holds it in memory) and each
# base64 line of the key file (a PEM copy) are searched through every
# readable page of /proc/PID/mem of the pre-auth worker (in the middle of
# a login, after its TLS handshake), of a serving process, of their
# monitor and of the master.  Each scan must find the host key's public
# point, which every one of them holds (with the certificate), or it
# fails: a scan that could read nothing does not pass for a clean one.
# The search is shown to find the scalar in mftpd-sign, which does hold
# the key, and the PEM lines in a process that read the key file.  Also:
# mftpd-sign is not dumpable and has dropped to the pre-auth user.  The
# master keeps the key file open for its signers, never read; no other
# process of the daemon has it open.
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

# The public point (04 || X || Y), in the certificate and in the key.
point=$(openssl pkey -in "$key" -text -noout |
	awk '/^pub:/ { on = 1; next } /^[a-zA-Z]/ { on = 0 } on' |
	tr -d ' :\n')
[ "${#point}" = 130 ] || fail "cannot read the public point of $key"
# The key file's base64 lines, in hex: any copy of the PEM text has them.
pem_lines=()
while IFS= read -r line; do
	case $line in -----*) continue ;; esac
	pem_lines+=("$(hex_bytes "$line")")
done <"$key"
[ "${#pem_lines[@]}" -ge 2 ] || fail "no base64 lines in $key"
pem=()
for line in "${pem_lines[@]}"; do
	pem+=(--also "$line")
done

memscan() { # PID: occurrences of the key's scalar (a BIGNUM: reversed)
	# and of its PEM lines; the public point must be found.
	mem_count "$1" "$priv" --reverse "${pem[@]}" --present "$point"
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

# The search finds the PEM lines where they are: in a process that has
# read the key file's text, each line at least once.
python3 -c 'import sys, time
text = open(sys.argv[1]).read()
print("read", flush=True)
time.sleep(30)' "$key" >"$T/reader.out" &
reader=$!
BG_PIDS+=("$reader")
wait_for 10 grep -q read "$T/reader.out" || fail "the key file's reader did not start"
for line in "${pem_lines[@]}"; do
	n=$(mem_count "$reader" "$line")
	[ "$n" -ge 1 ] || fail "the search did not find the PEM line $line in its reader"
done
kill_tree "$reader"
ok "the search finds each of the key file's ${#pem_lines[@]} base64 lines in a process that read it"

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
	expect_eq "$(memscan "$p")" 0 \
	    "the key's scalar and PEM lines in the pre-auth worker $p"
	expect_eq "$(keyfds "$p")" 0 "key file descriptors of the worker $p"
done
for p in $(sessions); do
	expect_eq "$(memscan "$p")" 0 \
	    "the key's scalar and PEM lines in the monitor $p"
	expect_eq "$(keyfds "$p")" 0 "key file descriptors of the monitor $p"
done
ok "the pre-auth worker and its monitor hold the public key, not the private one"
kill_tree "$holder"

# A serving process.
session_open alice "$pw"
session_send pwd
wait_serving_pid "$uid"
expect_eq "$(memscan "$SERVING_PID")" 0 \
    "the key's scalar and PEM lines in the serving process $SERVING_PID"
expect_eq "$(keyfds "$SERVING_PID")" 0 \
    "key file descriptors of the serving process $SERVING_PID"
expect_eq "$(memscan "$DAEMON_PID")" 0 \
    "the key's scalar and PEM lines in the master"
expect_eq "$(keyfds "$DAEMON_PID")" 1 "key file descriptors of the master"
session_send quit
session_close
expect_eq "$SESS_RC" 0 "the held session"
ok "the serving process and the master hold the public key, not the private one"
check_log_clean
