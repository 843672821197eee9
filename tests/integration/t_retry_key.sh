#!/usr/bin/env bash
# t_retry_key: a reconnect (--retry) logs in again only to the key the
# first connection checked.  With no pin kept (UserKnownHostsFile=
# /dev/null) and StrictHostKeyChecking=accept-new, the first connection
# accepts the server's key; a get cut in the middle then resumes on the
# same key, and the password never goes to a server that answers the
# reconnect with another key (here the same daemon, reloaded with a new
# pair: as an attacker in the middle would look): the client refuses it,
# names both keys, and exits 3.  Another key that a CA vouches for is
# taken, as it would be by a new connection.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_retry.sh
. "$(dirname "$0")/lib_retry.sh"

command -v openssl >/dev/null || fail "openssl(1) is needed (scripts/deps.sh)"
head -c $((BIG_MB * 1048576)) /dev/urandom >"$home/big" ||
	fail "cannot make a $BIG_MB MiB file"
chown "$uid:$(user_gid alice)" "$home/big"

# unpinned_get: the slow client's get of big, trusting whatever key
# the first connection meets and pinning nothing.
unpinned_get() {
	rm -f "$W/got" "$W/got.part"
	slow_client "get big $W/got" --retry 1 \
	    -o UserKnownHostsFile=/dev/null \
	    -o StrictHostKeyChecking=accept-new
	run_slices "$W/got.part" "$CUT" ||
		fail "the get did not reach $CUT bytes"
}

# ------------------------------------------------ the same key: resumed
unpinned_get
kill_serving get
expect_rc 0 "a get without a pin, resumed on the same key"
expect_contains "$ERR" "reconnecting to resume (1 of 1)" "what mftp says"
expect_same_file "$W/got" "$home/big" "the resumed download"
ok "without a pin, a cut get resumes on the key of its first connection"

# ------------------------------------------------ another key: refused
unpinned_get
mkdir -p "$T/other"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj /CN=localhost -days 2 -keyout "$T/other/key" \
    -out "$T/other/crt" 2>/dev/null || fail "openssl cannot make a key pair"
chmod 600 "$T/other/key"
other_fp=SHA256:$(openssl x509 -in "$T/other/crt" -pubkey -noout |
	openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary |
	base64 | tr -d '=')
mv "$T/other/key" "$T/hostkey/host.key"
mv "$T/other/crt" "$T/hostkey/host.crt"
n=$(grep -c 'configuration reloaded' "$DAEMON_LOG")
kill -HUP "$DAEMON_PID" || fail "kill -HUP"
_reloaded() {
	[ "$(grep -c 'configuration reloaded' "$DAEMON_LOG")" -gt "$n" ]
}
wait_for 10 _reloaded || fail "no reload after SIGHUP"
logins=$(grep -c 'login user=alice' "$DAEMON_LOG")
kill_serving get
expect_rc 3 "a reconnect that meets another key"
expect_contains "$ERR" "reconnecting to resume (1 of 1)" "what mftp says"
expect_contains "$ERR" \
    "the key of $HOST port $PORT is not the one the first connection checked ($HOST_FP): it presents $other_fp, which no pin and no CA vouches for; nothing was sent" \
    "the client's reason"
expect_eq "$(grep -c 'login user=alice' "$DAEMON_LOG")" "$logins" \
    "logins the server saw after the key changed"
ok "a reconnect to another key sends no password"

# ------------------------------ CA mode: another key the CA vouches for
# The rule is the policy's alone: a key that a CA vouches for (or a pin)
# is as good on a reconnect as at the first connection, so a node
# behind a balancer with its own CA-issued key, or a renewed
# certificate with a new key, still resumes.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/ca.key" -out "$T/ca.crt" -subj "/CN=mftp test CA" \
    -days 2 2>/dev/null || fail "openssl req (CA)"
printf 'subjectAltName=IP:127.0.0.1\n' >"$T/ext"
for i in 1 2; do
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/ca$i.key" -out "$T/ca$i.csr" -subj "/CN=$HOST" \
	    2>/dev/null || fail "openssl req (host $i)"
	openssl x509 -req -in "$T/ca$i.csr" -CA "$T/ca.crt" \
	    -CAkey "$T/ca.key" -CAcreateserial -days 2 -extfile "$T/ext" \
	    -out "$T/ca$i.crt" 2>/dev/null || fail "openssl x509 -req ($i)"
	cat "$T/ca$i.crt" "$T/ca.crt" >"$T/ca$i.chain"
	chmod 600 "$T/ca$i.key"
done
# reload_pair N: the daemon reloaded with CA-issued pair N.
reload_pair() {
	cp "$T/ca$1.key" "$T/hostkey/host.key"
	cp "$T/ca$1.chain" "$T/hostkey/host.crt"
	n=$(grep -c 'configuration reloaded' "$DAEMON_LOG")
	kill -HUP "$DAEMON_PID" || fail "kill -HUP"
	wait_for 10 _reloaded || fail "no reload after SIGHUP"
}
reload_pair 1
rm -f "$W/got" "$W/got.part"
SSL_CERT_FILE=$T/ca.crt slow_client "get big $W/got" --retry 1 \
    -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes
run_slices "$W/got.part" "$CUT" || fail "the get did not reach $CUT bytes"
reload_pair 2
kill_serving get
expect_rc 0 "a reconnect to another key that the CA vouches for"
expect_same_file "$W/got" "$home/big" "the download resumed on it"
ok "a reconnect takes another key that a CA vouches for"

check_log_clean
