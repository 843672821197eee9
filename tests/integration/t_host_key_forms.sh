#!/usr/bin/env bash
# t_host_key_forms: a host certificate whose public key is written with
# its EC point compressed (RFC 5480 allows it; openssl makes one from a
# key saved with "-ec_conv_form compressed") is the same key as the
# private one: mftpd starts with the pair, its signers sign with it,
# and a login works.  The signers compare the key with the certificate
# the master loaded by a fingerprint of the key, which must not depend
# on the form the certificate happens to write the point in.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || fail "openssl(1) is needed (scripts/deps.sh)"
dir=$T/hostkey
openssl ecparam -name prime256v1 -genkey -noout -out "$T/plain.key" \
    2>/dev/null || fail "openssl cannot make a key"
openssl pkey -in "$T/plain.key" -ec_conv_form compressed \
    -out "$dir/host.key" 2>/dev/null || fail "openssl pkey"
openssl req -x509 -new -key "$dir/host.key" -subj /CN=localhost -days 2 \
    -out "$dir/host.crt" 2>/dev/null || fail "openssl req"
chmod 600 "$dir/host.key"
openssl x509 -in "$dir/host.crt" -noout -text |
	grep -A1 'pub:' | tail -n 1 | grep -Eq '^ *0[23]:' ||
	fail "openssl wrote the certificate's point uncompressed"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login with a compressed point in the certificate"
expect_contains "$OUT" "/" "pwd"
expect_no_match "$(cat "$DAEMON_LOG")" 'no longer matches|not the key' \
    "the log"
ok "a certificate with a compressed EC point serves logins"

stop_daemon
check_log_clean
