#!/usr/bin/env bash
# t_tls_bad: bad input before and during the first TLS handshake, sent
# straight to mftpd (no relay): bytes that are not TLS, a truncated and an
# oversized ClientHello, a stall in the middle of the handshake, a client
# that offers only TLS 1.2, and a protocol-1 (plaintext) client.  Each is
# dropped (the stall at the login deadline) with a log line; nothing
# hangs, nothing crashes, no session is left.  Also: the server sends no
# session ticket (so no resumption and no 0-RTT), and says at start which
# download path (kTLS or SSL_write) it uses.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

LOGIN_TIMEOUT=3
pw=$(rand_pw)
add_user alice "$pw"
start_daemon

command -v openssl >/dev/null || fail "openssl(1) is needed (scripts/deps.sh)"

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# direct_probe NAME HEX: raw bytes to the daemon; it must close within
# the deadline, having sent no mftp frame.
direct_probe() {
	local out
	out=$(rawpeer_direct --expect-close 10 <<<"$2") ||
		fail "$1: the server did not close the connection"
	printf '%s\n' "$out" >"$T/probe-$1.out"
	expect_match "$out" '^closed$' "$1: closed"
	expect_no_match "$out" '^frame ' "$1: no mftp frame in clear"
}

direct_probe http "474554202f20485454502f312e310d0a0d0a"
grep -q 'not TLS from addr=127.0.0.1 .*(first byte 0x47)' "$DAEMON_LOG" ||
	fail "no log line for bytes that are not TLS"
ok "bytes that are not TLS: dropped, logged"

# A ClientHello record announcing 200 bytes, 4 of them sent, then EOF.
direct_probe truncated "16030100c8 010000c4 @shut"
# A record longer than TLS allows (2^14 + 256 for a plaintext record).
direct_probe oversized "1603014800 $(printf '01%.0s' $(seq 64)) @sleep 200"
# A handshake message that claims 16 MB.
direct_probe huge-message "1603010010 01ffffff $(printf '00%.0s' $(seq 12)) @sleep 200"
[ "$(grep -c 'TLS handshake failed addr=127.0.0.1' "$DAEMON_LOG")" -ge 2 ] ||
	fail "no log line for the malformed ClientHellos"
ok "truncated and oversized ClientHellos: dropped, logged"

# A stall inside the ClientHello: dropped at the login deadline (3 s).
t0=$(now_ms)
direct_probe stall "16030100c8 0100"
t1=$(now_ms)
[ $((t1 - t0)) -ge 2500 ] || fail "stall: dropped after $((t1 - t0)) ms"
[ $((t1 - t0)) -le 8000 ] || fail "stall: dropped only after $((t1 - t0)) ms"
grep -q 'login timeout addr=127.0.0.1 .*TLS handshake not finished' \
    "$DAEMON_LOG" || fail "no log line for the stalled handshake"
ok "a stalled handshake is dropped at the login deadline ($((t1 - t0)) ms)"

# TLS 1.2 and older are refused in the handshake: the server answers
# with a protocol_version alert (70), not a closed port or a silent
# close, logs that very refusal, and goes on serving.
TLS12_RE='TLS handshake failed addr=127\.0\.0\.1 port [0-9]+: .*unsupported protocol'
_tls12_logged() { [ "$(grep -Ec -- "$TLS12_RE" "$DAEMON_LOG")" -gt "$1" ]; }
before=$(grep -Ec -- "$TLS12_RE" "$DAEMON_LOG")
if timeout 10 openssl s_client -tls1_2 -connect "127.0.0.1:$PORT" \
    </dev/null >"$T/tls12.out" 2>&1; then
	fail "a TLS 1.2 client completed a handshake: $(head -c 500 "$T/tls12.out")"
fi
expect_match "$(cat "$T/tls12.out")" 'alert protocol version.*SSL alert number 70' \
    "the server's answer to a TLS 1.2 ClientHello"
wait_for 5 _tls12_logged "$before" ||
	fail "no new log line for the TLS 1.2 client (want /$TLS12_RE/)"
run_client alice "$pw" <<<'pwd'
expect_rc 0 "a normal login after the TLS 1.2 client"
ok "a TLS 1.2-only client is refused with a protocol_version alert, logged; the daemon serves on"

# TLS 1.3 with the same tool: it works, and no ticket ever arrives.
(sleep 2) | timeout 10 openssl s_client -tls1_3 -msg \
    -connect "127.0.0.1:$PORT" >"$T/tls13.out" 2>&1
grep -q 'TLSv1.3' "$T/tls13.out" || fail "openssl s_client -tls1_3 failed"
grep -q 'Verify return code' "$T/tls13.out" ||
	fail "s_client did not finish the handshake"
if grep -q -i 'NewSessionTicket\|Session-ID-ctx.*TLS session ticket' \
    "$T/tls13.out" || grep -q 'TLS session ticket:' "$T/tls13.out"; then
	fail "the server sent a session ticket"
fi
ok "TLS 1.3 only, and no session ticket (no resumption, no 0-RTT)"

# A protocol-1 client (frames in clear) is told to upgrade.
out=$(rawpeer_direct --expect-close 10 <<<"$(hex_frame "01$(hex_u32 1)$(hex_u32 1)$(hex_u64 0)$(hex_str old)") @reply")
expect_match "$out" '^error 2 this server requires mftp protocol 2 \(TLS\); upgrade the client$' \
    "the answer to a protocol-1 HELLO"
expect_match "$out" '^closed$' "the protocol-1 connection"
grep -q 'protocol-1 (plaintext) client refused addr=127.0.0.1' "$DAEMON_LOG" ||
	fail "no log line for the protocol-1 client"
ok "a protocol-1 client gets one clear error"

grep -q 'TLS: .*downloads use' "$DAEMON_LOG" ||
	fail "the start did not say which download path TLS uses"
ok "the log says which download path is used"

wait_for 10 _no_sessions || fail "sessions left: $(sessions)"
wait_for 10 _no_zombies || fail "zombie children of the master"
run_client alice "$pw" <<<'pwd'
expect_rc 0 "a normal login after all that"
check_log_clean
ok "the master still serves, its log shows no crash"
