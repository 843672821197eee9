#!/usr/bin/env bash
# t_host_key_encrypted: a host key encrypted with a passphrase is
# refused at the start and at a reload, with a reason that says so, and
# nothing asks for the passphrase.  mftpd has no passphrase to give: the
# check of the key pair took one from the standard input (or the
# terminal) and passed, and then every spare signer, with no one to
# ask, failed each login; with nothing on the standard input the start
# failed with OpenSSL's prompt as its only message.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || fail "openssl(1) is needed (scripts/deps.sh)"
dir=$T/hostkey
enc=$T/enc
mkdir -p "$enc"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes256 \
    -pass pass:hostpass -out "$enc/host.key" 2>/dev/null ||
	fail "openssl cannot make an encrypted key"
openssl req -x509 -new -key "$enc/host.key" -passin pass:hostpass \
    -subj /CN=localhost -days 2 -out "$enc/host.crt" 2>/dev/null ||
	fail "openssl req"
chmod 600 "$enc/host.key"
grep -q 'ENCRYPTED' "$enc/host.key" || fail "openssl wrote the key in clear"

# --- a reload onto the encrypted pair is refused; logins go on
pw=$(rand_pw)
add_user alice "$pw"
start_daemon
cp "$enc/host.key" "$enc/host.crt" "$dir/"
n=$(grep -c 'reload failed' "$DAEMON_LOG")
kill -HUP "$DAEMON_PID" || fail "kill -HUP"
_refused() { [ "$(grep -c 'reload failed' "$DAEMON_LOG")" -gt "$n" ]; }
wait_for 10 _refused || fail "the reload onto an encrypted key was not refused"
expect_match "$(grep 'reload failed' "$DAEMON_LOG" | tail -n 1)" \
    'encrypted' "the failed reload says the key is encrypted"
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login after the refused reload"
ok "a reload onto an encrypted host key is refused and logins go on"
stop_daemon
expect_no_match "$(cat "$DAEMON_LOG")" 'pass phrase' "the log"

# --- the start, with the passphrase on the standard input (as a
# script might pipe it), and with nothing there
PORT=$(pick_port) || fail "no free port"
write_config
out=$( (
	echo hostpass
	sleep 5
) | timeout 10 "$MFTPD" -f -e -c "$CONF" 2>&1)
rc=$?
[ "$rc" -ne 124 ] || fail "mftpd started with an encrypted host key: $out"
[ "$rc" -ne 0 ] || fail "mftpd exited 0 with an encrypted host key: $out"
expect_no_match "$out" 'pass phrase' "mftpd's output"
expect_contains "$out" "$dir/host.key" "the reason names the key file"
expect_contains "$out" "encrypted" "the reason says what is wrong"
ok "an encrypted host key is refused at the start, without a prompt"

out=$(timeout 10 "$MFTPD" -f -e -c "$CONF" 2>&1 </dev/null)
rc=$?
if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ]; then
	fail "mftpd did not refuse an encrypted host key (exit $rc): $out"
fi
expect_no_match "$out" 'pass phrase' "mftpd's output, no input"
expect_contains "$out" "encrypted" "the reason, no input"
ok "the same with nothing on the standard input"
