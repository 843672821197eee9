#!/usr/bin/env bash
# t_host_key_curves: the host key's curve is one TLS 1.3 can sign with.
# TLS 1.3 has ECDSA signature schemes for P-256, P-384 and P-521 only: a
# key on another curve (secp256k1, a brainpool curve) loads as "an ECDSA
# key" but no handshake can use it.  mftpd refuses such a pair at start,
# saying which curve and which it takes, rather than start and fail
# every login with "unsupported protocol"; a reload onto one is refused
# and keeps the pair in force.  P-384 and P-521 pairs serve logins.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || fail "openssl(1) is needed (scripts/deps.sh)"
dir=$T/hostkey

# pair CURVE DIR: a fresh key on CURVE and a self-signed certificate, as
# DIR/host.key and DIR/host.crt.
pair() {
	mkdir -p "$2"
	rm -f "$2/host.key" "$2/host.crt"
	openssl ecparam -name "$1" -genkey -noout -out "$2/host.key" \
	    2>/dev/null || fail "openssl cannot make a $1 key"
	openssl req -x509 -new -key "$2/host.key" -subj /CN=localhost \
	    -days 2 -out "$2/host.crt" 2>/dev/null || fail "openssl req ($1)"
	chmod 600 "$2/host.key"
}

pw=$(rand_pw)
add_user alice "$pw"

# --- a secp256k1 pair: mftpd does not start, and says why
pair secp256k1 "$dir"
PORT=$(pick_port) || fail "no free port"
write_config
RC=0
timeout -k 5 20 "$MFTPD" -f -e -c "$CONF" >"$T/start.out" 2>"$T/start.err" ||
	RC=$?
ERR=$(cat "$T/start.err")
if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then
	fail "mftpd started with a secp256k1 host key (it should refuse it)"
fi
expect_rc 1 "mftpd with a secp256k1 host key (a configuration error)"
expect_contains "$ERR" "secp256k1" "the refusal names the key's curve"
expect_contains "$ERR" "P-256" "the refusal names a curve that works"
# Nor is its fingerprint printed, to be published for a key never served.
RC=0
out=$("$MFTPD" -c "$CONF" --fingerprint 2>&1) || RC=$?
expect_eq "$RC" 1 "mftpd --fingerprint of a secp256k1 certificate ($out)"
expect_contains "$out" "secp256k1" "--fingerprint's reason"
expect_not_contains "$out" "SHA256:" "--fingerprint printed a fingerprint"
ok "a host key on a curve TLS 1.3 cannot sign with fails the start and --fingerprint"

# --- P-384 and P-521 serve logins
for curve in secp384r1 secp521r1; do
	pair "$curve" "$dir"
	start_daemon
	run_client alice "$pw" <<<"pwd"
	expect_rc 0 "a login with a $curve host key"
	expect_contains "$OUT" "/" "pwd with a $curve host key"
	[ "$curve" = secp521r1 ] || stop_daemon
done
ok "P-384 and P-521 host keys serve logins"

# --- a reload onto a secp256k1 pair is refused; the P-521 pair stays
pair secp256k1 "$T/k1"
mv "$T/k1/host.key" "$dir/host.key"
mv "$T/k1/host.crt" "$dir/host.crt"
n=$(grep -c 'reload failed' "$DAEMON_LOG")
kill -HUP "$DAEMON_PID" || fail "kill -HUP"
_refused() { [ "$(grep -c 'reload failed' "$DAEMON_LOG")" -gt "$n" ]; }
wait_for 10 _refused || fail "the reload onto a secp256k1 pair was not refused"
expect_match "$(grep 'reload failed' "$DAEMON_LOG" | tail -n 1)" \
    'secp256k1' "the failed reload names the curve"
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login after the refused reload"
ok "a reload onto such a pair is refused and logins go on"
stop_daemon
check_log_clean
