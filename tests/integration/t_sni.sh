#!/usr/bin/env bash
# t_sni: mftp names the server it wants in the ClientHello (SNI) only
# when it was given a DNS name.  RFC 6066 forbids an address there: an
# IPv4 address, an IPv6 address, and an IPv6 address with a zone index
# (::1%1, which getaddrinfo takes and inet_pton does not) are not sent.
# The ClientHello is read from mftp's first write to its socket, under
# strace; a name given through the fakeresolv library shows that the
# check sees a server name when there is one.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || fail "strace is needed"
FAKERESOLV=$top_builddir/tests/integration/fakeresolv.so
[ -f "$FAKERESOLV" ] || fail "$FAKERESOLV is not built (make check builds it)"

pw=$(rand_pw)
add_user alice "$pw"
printf '%s\n' "$pw" >"$T/pw"
start_daemon
NAME=sni.mftp.test

# hello HOST [env...]: a session to alice@HOST under strace; sets HELLO,
# the hex of mftp's first TLS record (its ClientHello).
hello() {
	local host=$1
	shift
	rm -f "$T/st.out"
	RC=0
	env "$@" timeout -k 5 "$CLIENT_TIMEOUT" strace -f -qq -xx -s 2048 \
	    -e trace=write,sendto -o "$T/st.out" "$MFTP" -q -P "$PORT" \
	    --password-fd 3 -o StrictHostKeyChecking=accept-new \
	    "alice@$host" 3<"$T/pw" <<<"pwd" >"$T/hello.out" 2>"$T/hello.err" ||
	    RC=$?
	expect_rc 0 "a session to $host"
	expect_eq "$(cat "$T/hello.out")" "/" "the session to $host"
	# The first write that starts a TLS handshake record.
	HELLO=$(grep -m 1 -o '"\\x16\\x03\\x01[^"]*"' "$T/st.out" | tr -d '"\\x')
	[ -n "$HELLO" ] || fail "no ClientHello in mftp's writes to $host"
}
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

hello "$NAME" MFTP_TEST_RESOLVE="$NAME=127.0.0.1" LD_PRELOAD="$FAKERESOLV"
expect_contains "$HELLO" "$(hex "$NAME")" "a DNS name goes in the SNI"
ok "a name is sent as SNI"

hello 127.0.0.1
expect_not_contains "$HELLO" "$(hex 127.0.0.1)" "no SNI for an IPv4 address"
ok "an IPv4 address is not sent as SNI"

if have_ipv6; then
	hello ::1
	expect_not_contains "$HELLO" "$(hex ::1)" "no SNI for an IPv6 address"
	hello "::1%1"
	expect_not_contains "$HELLO" "$(hex ::1%1)" \
	    "no SNI for an IPv6 address with a zone"
	expect_not_contains "$HELLO" "$(hex ::1)" \
	    "no SNI for the address without its zone either"
	ok "an IPv6 address, with or without a zone, is not sent as SNI"
else
	echo "# no ::1: the IPv6 cases are skipped"
fi
check_log_clean
