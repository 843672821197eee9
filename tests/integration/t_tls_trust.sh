#!/usr/bin/env bash
# t_tls_trust: how the client decides to trust a server's key, as ssh
# does.  Batch mode never asks: an unknown key fails (nothing pinned)
# unless -o StrictHostKeyChecking=accept-new, which pins it; the first
# interactive connection asks (under tmux) and "yes" pins, "no" refuses; a
# key that differs from its pin is a hard failure naming the line; a relay
# in the middle presenting another key gets no password; a certificate
# that chains to a trusted CA and names the host is accepted without a
# pin; -v tells the TLS version, suite and the key's fingerprint.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon
command -v openssl >/dev/null || fail "openssl(1) is needed (scripts/deps.sh)"
command -v tmux >/dev/null || fail "tmux is needed (scripts/deps.sh)"

KH=$T/kh
# bare_client KNOWN_HOSTS [mftp options] <<<commands: the client itself,
# with no pins but those in KNOWN_HOSTS; sets RC, OUT, ERR.
bare_client() {
	local kh=$1
	shift
	RC=0
	timeout -k 5 "$CLIENT_TIMEOUT" "$MFTP_BIN" -P "$PORT" \
	    -o UserKnownHostsFile="$kh" --password-fd 3 "$@" "alice@$HOST" \
	    3<<<"$pw" >"$T/bare.out" 2>"$T/bare.err" || RC=$?
	OUT=$(cat "$T/bare.out")
	ERR=$(cat "$T/bare.err")
}

# ------------------------------------------------------- batch mode
rm -f "$KH"
bare_client "$KH" <<<'pwd'
expect_rc 3 "an unknown key in batch mode"
expect_contains "$ERR" "is not known ($HOST_FP)" "the refusal names the key"
expect_contains "$ERR" "batch mode does not ask" "the refusal says why"
[ ! -s "$KH" ] || fail "a refused key was pinned: $(cat "$KH")"
grep -q "login user=alice" "$DAEMON_LOG" &&
	fail "the password went out to an unverified server"
ok "batch mode: an unknown key fails, nothing is pinned or sent"

# strict_refused HOSTNAME FP WHAT: the last bare_client refused a key
# that StrictHostKeyChecking=yes may not trust, for that reason (not a
# failed handshake or any other exit 3), and no login reached the server.
strict_refused() {
	expect_rc 3 "$3"
	expect_contains "$ERR" \
	    "mftp: the key of $1 port $PORT is not known ($2) and StrictHostKeyChecking=yes; nothing was sent" \
	    "$3: the client's reason"
	expect_eq "$(grep -c 'login user=alice' "$DAEMON_LOG")" "$logins" \
	    "$3: logins the server saw"
}

logins=$(grep -c 'login user=alice' "$DAEMON_LOG")
bare_client "$KH" -o StrictHostKeyChecking=yes <<<'pwd'
strict_refused "$HOST" "$HOST_FP" "StrictHostKeyChecking=yes with an unknown key"
[ ! -s "$KH" ] || fail "StrictHostKeyChecking=yes pinned a key: $(cat "$KH")"
ok "StrictHostKeyChecking=yes refuses an unknown key, and says so"

bare_client "$KH" -o StrictHostKeyChecking=accept-new <<<'pwd'
expect_rc 0 "accept-new"
expect_eq "$(cat "$KH")" "127.0.0.1 $PORT $HOST_FP" "the pin written"
expect_eq "$(stat -c %a "$KH")" 600 "the known_hosts file's mode"
bare_client "$KH" -v <<<'pwd'
expect_rc 0 "the pinned key, checked by default"
expect_match "$ERR" "TLSv1\.3 TLS_(CHACHA20_POLY1305|AES_128_GCM)_SHA256 X25519, server key " \
    "-v names the session"
expect_contains "$ERR" "server key $HOST_FP (pinned)" "-v names the key"
ok "accept-new pins the key; later connections check it; -v tells"

# The fingerprint both ends compute (mftpd --fingerprint, the client's
# pin) is ssh's form of the certificate's public key: SHA-256 of its
# DER SubjectPublicKeyInfo, base64 without padding.  Computed here by
# openssl(1) alone.
want=$(openssl x509 -in "$T/hostkey/host.crt" -pubkey -noout |
	openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary |
	base64 | tr -d '=')
expect_eq "$HOST_FP" "SHA256:$want" "the fingerprint against openssl(1)'s"
ok "the key's fingerprint is the SHA-256 of its SubjectPublicKeyInfo"

# ------------------------------------------------ the first question
# A session under tmux, as a person at a terminal sees it.
tmux_ask() { # ANSWER: start mftp in tmux, answer its question
	# A server of its own each time: one being stopped may still hold
	# the previous socket.
	local sock=$T/tmux.$1.sock
	rm -f "$KH"
	printf '%s\n' "$pw" >"$T/pw"
	tmux -S "$sock" new-session -d -x 200 -y 50 \
	    "$(printf '%q ' "$MFTP_BIN" -P "$PORT" -o UserKnownHostsFile="$KH" \
		--password-fd 3 "alice@$HOST") 3<$T/pw 2>&1; echo EXIT=\$?; sleep 30"
	# The tmux server is stopped by the EXIT trap if the test fails.
	BG_PIDS+=("$(tmux -S "$sock" display-message -p '#{pid}')")
	wait_for 10 _screen_has "$sock" "(yes/no/[fingerprint])?" ||
		fail "no question on the screen: $(tmux -S "$sock" capture-pane -p)"
	SCREEN=$(tmux -S "$sock" capture-pane -p)
	tmux -S "$sock" send-keys "$1" Enter
	wait_for 10 _screen_has "$sock" "$2" ||
		fail "after '$1': $(tmux -S "$sock" capture-pane -p)"
	if [ "$1" = yes ]; then
		tmux -S "$sock" send-keys "quit" Enter
		wait_for 10 _screen_has "$sock" "EXIT=0" ||
			fail "the session did not end: $(tmux -S "$sock" capture-pane -p)"
	fi
	tmux -S "$sock" kill-server 2>/dev/null
}
_screen_has() { # SOCK TEXT
	tmux -S "$1" capture-pane -p | grep -qF -- "$2"
}
tmux_ask yes "mftp>"
expect_contains "$SCREEN" "The authenticity of host '$HOST ($HOST)' port $PORT can't be established." \
    "the question names host, address and port"
expect_contains "$SCREEN" "Its key fingerprint is $HOST_FP." \
    "the question shows the fingerprint"
expect_eq "$(cat "$KH")" "127.0.0.1 $PORT $HOST_FP" "the pin after 'yes'"
tmux_ask no "EXIT=3"
[ ! -s "$KH" ] || fail "'no' pinned the key"
ok "the first interactive connection asks; yes pins, no refuses"

# --------------------------------------------------- a changed key
echo "127.0.0.1 $PORT $HOST_FP" >"$KH"
{
	echo "# a comment"
	echo "127.0.0.1 $PORT SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
} >"$KH.changed"
n=$(grep -c . "$KH.changed")
bare_client "$KH.changed" -o StrictHostKeyChecking=accept-new <<<'pwd'
expect_rc 3 "a key that differs from its pin"
expect_contains "$ERR" "has CHANGED" "the failure says the key changed"
expect_contains "$ERR" "line $n of $KH.changed pins SHA256:AAAA" \
    "the failure names the line and the old key"
expect_contains "$ERR" "the server presents $HOST_FP" \
    "the failure names the new key"
expect_contains "$ERR" "remove line $n of $KH.changed" \
    "the failure says what to do"
ok "a changed key is a hard failure that names the line"

# The port as the pin has it, however it was typed: 0PORT is PORT.
cp "$KH.changed" "$KH.zero"
bare_client "$KH.zero" -o StrictHostKeyChecking=accept-new -P "0$PORT" \
    <<<'pwd'
expect_rc 3 "a changed key, its port typed with a leading zero"
expect_contains "$ERR" "the key of $HOST port $PORT has CHANGED" \
    "the failure names the port as a number"
cmp -s "$KH.changed" "$KH.zero" || fail "a pin was added: $(cat "$KH.zero")"
ok "a port typed another way is the same port for the pins"

# ------------------------------------------- the known_hosts file
# A file whose last line has no newline (edited by hand): a new pin
# goes on a line of its own, and the old one still holds.
printf '%s' "localhost $PORT SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" \
    >"$KH.nonl"
bare_client "$KH.nonl" -o StrictHostKeyChecking=accept-new <<<'pwd'
expect_rc 0 "accept-new into a file without a final newline"
expect_eq "$(cat "$KH.nonl")" \
    "localhost $PORT SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
127.0.0.1 $PORT $HOST_FP" "the file after the new pin"
HOST=localhost bare_client "$KH.nonl" -o StrictHostKeyChecking=accept-new \
    <<<'pwd'
expect_rc 3 "the older pin, after the new one went in"
expect_contains "$ERR" "has CHANGED" "the older pin still counts"
ok "a pin added to a file without a final newline keeps both"

# ssh's throw-away form: nothing is read, nothing kept.
for i in 1 2; do
	bare_client /dev/null -o StrictHostKeyChecking=accept-new <<<'pwd'
	expect_rc 0 "UserKnownHostsFile=/dev/null with accept-new ($i)"
done
expect_eq "$(stat -c %t:%T /dev/null)" "1:3" "/dev/null, afterwards"
logins=$(grep -c 'login user=alice' "$DAEMON_LOG")
bare_client /dev/null -o StrictHostKeyChecking=yes <<<'pwd'
strict_refused "$HOST" "$HOST_FP" "UserKnownHostsFile=/dev/null, strict"
mkfifo "$T/kh.fifo"
bare_client "$T/kh.fifo" -o StrictHostKeyChecking=accept-new <<<'pwd'
expect_rc 3 "a FIFO as the known_hosts file"
expect_contains "$ERR" "kh.fifo: not a known_hosts file" "the refusal"
ok "UserKnownHostsFile=/dev/null reads as empty and keeps nothing"

# -------------------------------------- a relay with another key
# The daemon stops; a TLS server with another key takes its port (an
# attacker in the middle).  The client, with the real pin, must refuse
# before anything is sent inside TLS.
stop_daemon
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/mitm.key" -out "$T/mitm.crt" -subj "/CN=$HOST" -days 2 \
    2>/dev/null || fail "openssl req"
(sleep 20 | exec openssl s_server -accept "$PORT" -naccept 1 \
    -key "$T/mitm.key" -cert "$T/mitm.crt" -tls1_3 \
    >"$T/mitm.out" 2>&1) &
mitm=$!
BG_PIDS+=("$mitm")
wait_for 10 port_listening "$PORT" || fail "the relay did not listen"
bare_client "$KH" <<<'pwd'
expect_rc 3 "a relay with another key"
expect_contains "$ERR" "has CHANGED" "the client's reason"
kill_tree "$mitm"
wait "$mitm" 2>/dev/null
grep -qF -- "$pw" "$T/mitm.out" && fail "the relay received the password"
grep -q "CONNECTION ESTABLISHED\|Shared ciphers\|ACCEPT" "$T/mitm.out" ||
	fail "the relay saw no connection: $(head -c 400 "$T/mitm.out")"
ok "a relay presenting another key gets no password"

# -------------------------------------------------------- CA mode
# A CA of the test's own, a certificate for 127.0.0.1 from it, and the
# client told to trust that CA (as the system's trust store would).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/ca.key" -out "$T/ca.crt" -subj "/CN=mftp test CA" \
    -days 2 2>/dev/null || fail "openssl req (CA)"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/hostkey/ca-host.key" -out "$T/ca-host.csr" \
    -subj "/CN=$HOST" 2>/dev/null || fail "openssl req (host)"
printf 'subjectAltName=IP:127.0.0.1\n' >"$T/ext"
openssl x509 -req -in "$T/ca-host.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" \
    -CAcreateserial -days 2 -extfile "$T/ext" -out "$T/ca-host.crt" \
    2>/dev/null || fail "openssl x509 -req"
cat "$T/ca-host.crt" "$T/ca.crt" >"$T/hostkey/fullchain.pem"
chmod 600 "$T/hostkey/ca-host.key"
sed -i -e "s|^host_cert = .*|host_cert = $T/hostkey/fullchain.pem|" \
    -e "s|^host_key = .*|host_key = $T/hostkey/ca-host.key|" "$CONF"
"$MFTPD" -f -e -c "$CONF" 2>>"$DAEMON_LOG" &
DAEMON_PID=$!
_wait_daemon_up || fail "mftpd with the CA-issued certificate did not start"
rm -f "$KH"
SSL_CERT_FILE=$T/ca.crt bare_client "$KH" -v -o StrictHostKeyChecking=yes \
    <<<'pwd'
expect_rc 0 "a CA-issued certificate for the host"
expect_contains "$ERR" "(CA-verified)" "-v says how the key was vouched for"
[ ! -s "$KH" ] || fail "CA mode pinned the key"
# Its key's fingerprint, computed by openssl(1) as above.
ca_fp=SHA256:$(openssl x509 -in "$T/ca-host.crt" -pubkey -noout |
	openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary |
	base64 | tr -d '=')
logins=$(grep -c 'login user=alice' "$DAEMON_LOG")
bare_client "$KH" -o StrictHostKeyChecking=yes <<<'pwd'
strict_refused "$HOST" "$ca_fp" "the same certificate without that CA trusted"
# The certificate names 127.0.0.1, not "localhost": not for that name.
HOST=localhost SSL_CERT_FILE=$T/ca.crt bare_client "$KH" \
    -o StrictHostKeyChecking=yes <<<'pwd'
strict_refused localhost "$ca_fp" "a CA-issued certificate for another name"
ok "CA mode: a chain to a trusted CA naming the host needs no pin"

check_log_clean
