#!/usr/bin/env bash
# t_tls_suites: mftpd times both AEADs at its start and serves the
# faster one's suite first (lib/tls_suites.c).  The log says which and
# by what rates; a session negotiates it; a client that offers the other
# suite first gets the measured one in both handshakes' contexts (the
# pre-auth worker's, checked with openssl s_client, and the serving
# process's, through mftp -v), before and after a reload; a client that
# offers only the other suite is still served, and mftp -o Ciphers (or
# ciphers in its config file) makes a session use the suite named.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || fail "openssl(1) is needed (scripts/deps.sh)"
pw=$(rand_pw)
add_user alice "$pw"
start_daemon

AES=TLS_AES_128_GCM_SHA256
CHACHA=TLS_CHACHA20_POLY1305_SHA256
line=$(grep -Eo 'TLS: TLS_[A-Z0-9_]+ first \(measured: AES-128-GCM [0-9.]+ GB/s, ChaCha20-Poly1305 [0-9.]+ GB/s\)' \
    "$DAEMON_LOG") || fail "no log line with the measured suite order"
first=$(sed -E 's/^TLS: ([A-Z0-9_]+) first.*/\1/' <<<"$line")
aes=$(sed -E 's/.*AES-128-GCM ([0-9.]+) GB.*/\1/' <<<"$line")
chacha=$(sed -E 's/.*ChaCha20-Poly1305 ([0-9.]+) GB.*/\1/' <<<"$line")
# Rounded to 0.1 GB/s in the line: only a clear difference is checked.
want=$(awk -v a="$aes" -v c="$chacha" -v A=$AES -v C=$CHACHA \
    'BEGIN { print (a > c + 0.1 ? A : (c > a + 0.1 ? C : "")) }')
[ -z "$want" ] || [ "$first" = "$want" ] ||
	fail "the log puts $first first at AES $aes, ChaCha $chacha GB/s"
other=$([ "$first" = "$AES" ] && echo $CHACHA || echo $AES)
ok "the log says $first first, by its measured rates ($line)"

# s_client SUITES: the suite the pre-auth worker's handshake agrees on.
preauth_suite() {
	(sleep 1) | timeout 10 openssl s_client -tls1_3 -ciphersuites "$1" \
	    -connect "127.0.0.1:$PORT" >"$T/s_client.out" 2>&1
	sed -nE 's/.*Cipher is ([A-Z0-9_]+).*/\1/p' "$T/s_client.out" | head -n 1
}
# The suite of a whole mftp session (the serving process's handshake).
session_suite() {
	run_client alice "$pw" -v <<<'pwd'
	expect_rc 0 "mftp -v"
	grep -Eo 'TLSv1\.3 TLS_[A-Z0-9_]+' <<<"$ERR" | cut -d' ' -f2
}

check_order() { # WHEN
	local got
	got=$(preauth_suite "$other:$first")
	[ "$got" = "$first" ] ||
		fail "$1: a client offering $other first got '$got' from the pre-auth worker"
	got=$(preauth_suite "$other")
	[ "$got" = "$other" ] ||
		fail "$1: a client offering only $other got '$got'"
	got=$(session_suite)
	[ "$got" = "$first" ] || fail "$1: the session negotiated '$got'"
	ok "$1: $first from a client that prefers $other, $other to one with nothing else, $first in a session"
}
check_order "at start"

n=$(grep -c 'configuration reloaded' "$DAEMON_LOG")
kill -HUP "$DAEMON_PID" || fail "kill -HUP"
_reloaded() { [ "$(grep -c 'configuration reloaded' "$DAEMON_LOG")" -gt "$n" ]; }
wait_for 10 _reloaded || fail "no reload after SIGHUP"
check_order "after a reload"

# mftp -o Ciphers: the suite the user names, also the one the server
# would not take first; a bad list is a usage error before connecting.
session_suite_with() { # CIPHERS
	run_client alice "$pw" -v -o "Ciphers=$1" <<<'pwd'
	expect_rc 0 "mftp -v -o Ciphers=$1"
	grep -Eo 'TLSv1\.3 TLS_[A-Z0-9_]+' <<<"$ERR" | cut -d' ' -f2
}
name_of() { [ "$1" = "$AES" ] && echo aes128-gcm || echo chacha20-poly1305; }
got=$(session_suite_with "$(name_of "$other")")
[ "$got" = "$other" ] || fail "-o Ciphers=$(name_of "$other"): the session negotiated '$got'"
got=$(session_suite_with "$(name_of "$first")")
[ "$got" = "$first" ] || fail "-o Ciphers=$(name_of "$first"): the session negotiated '$got'"
got=$(session_suite_with "$(name_of "$other"),$(name_of "$first")")
[ "$got" = "$first" ] || fail "-o Ciphers with both: the session negotiated '$got'"
run_client alice "$pw" -o Ciphers=aes256-gcm <<<'pwd'
expect_rc 2 "mftp -o Ciphers=aes256-gcm"
expect_contains "$ERR" "-o Ciphers=aes256-gcm: use chacha20-poly1305, aes128-gcm or both" \
    "the refusal of an unknown suite"
ok "-o Ciphers: $other alone gets $other, $first alone $first, both the server's $first; an unknown one is refused"

# ciphers in ~/.config/mftp/config: the same, and -o Ciphers over it.
mkdir -p "$T/chome/.config/mftp"
printf 'ciphers = %s\n' "$(name_of "$other")" >"$T/chome/.config/mftp/config"
HOME=$T/chome run_client alice "$pw" -v <<<'pwd'
expect_rc 0 "mftp with ciphers in its config file"
expect_contains "$ERR" "TLSv1.3 $other " "the suite of ciphers = $(name_of "$other")"
HOME=$T/chome run_client alice "$pw" -v -o "Ciphers=$(name_of "$first")" <<<'pwd'
expect_contains "$ERR" "TLSv1.3 $first " "-o Ciphers over the config file"
printf 'ciphers = aes256-gcm\n' >"$T/chome/.config/mftp/config"
HOME=$T/chome run_client alice "$pw" <<<'pwd'
expect_rc 2 "a config file with an unknown suite"
expect_contains "$ERR" "config:1: ciphers: 'aes256-gcm' is not chacha20-poly1305, aes128-gcm or both" \
    "the config file's error"
ok "ciphers in the config file: $other; -o Ciphers overrides it; a bad one is an error"
check_log_clean
