#!/usr/bin/env bash
# t_badframes: hostile bytes before and after login.  An oversized or zero
# length, a truncated frame, an unknown type, trailing bytes, a string
# longer than its frame, an embedded NUL and plain garbage each end that
# connection (after ERROR(BAD_FRAME) where the server can still send it),
# never a crash, a hang or a login; the master serves normally afterwards.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

LOGIN_TIMEOUT=60
pw=$(rand_pw)
add_user alice "$pw"
start_daemon

HELLO=$(hex_hello)
LOGIN=$(hex_login alice "$pw")

# probe NAME HEX [LOGGED_IN]: send HEX, wait (10 s at most) for the
# server to close; the report is in PROBE.  LOGGED_IN=1: HEX logs in first,
# so exactly one OK (the login's) is expected.
probe() {
	PROBE=$(rawpeer --expect-close 10 <<<"$2" 2>/dev/null)
	printf '%s\n' "$PROBE" >"$T/probe-$1.out"
	case $PROBE in
	*closed) ;;
	*) fail "$1: the server did not close the connection: $PROBE" ;;
	esac
	# Any ERROR it sent says BAD_FRAME, and nothing was accepted.
	expect_no_match "$PROBE" '^error [02-9]|^error 1[0-9]' "$1: error code"
	expect_eq "$(printf '%s\n' "$PROBE" | grep -c '^frame 0x80 ')" "${3:-0}" \
	    "$1: OK replies"
	daemon_alive || fail "$1: the master died"
}

# The connection must end with ERROR(BAD_FRAME) then close.
probe_error() { # NAME HEX [LOGGED_IN]
	probe "$@"
	expect_match "$PROBE" '^error 1 ' "$1: ERROR(BAD_FRAME)"
}

# probe_length NAME HEX [LOGGED_IN]: a length outside 1..65536, which
# the ERROR must name as such (a length of 0 was once said to be "over
# its limit").
probe_length() {
	probe "$@"
	expect_match "$PROBE" '^error 1 frame length 0 or over 65536$' \
	    "$1: the error's text"
}

probe_length huge-length ffffffff
probe_length huge-after-hello "$HELLO @reply ffffffff 01"
probe_length zero-length 00000000
probe_length over-limit "00010001"	# one past 64 KiB, payload never sent
probe truncated "00000010 01000000 @shut"
probe truncated-hello "${HELLO:0:30} @shut"
probe garbage "$(hex_bytes $'GET / HTTP/1.0\r\n\r\n')"
probe_error unknown-type "$(hex_frame 7f)"
probe_error reply-type "$(hex_frame 80)"
probe_error hello-trailing "$(hex_frame "${HELLO:8}00")"
probe_error hello-short "$(hex_frame "01$(hex_u32 1)")"
probe_error login-nul "$HELLO @reply $(hex_frame "02$(hex_u32 6)616c00696365$(hex_str "$pw")")"
probe_error login-long-string "$HELLO @reply $(hex_frame "02ffffff00616c696365")"
probe_error login-trailing "$HELLO @reply $(hex_frame "${LOGIN:8}00")"
ok "before login: every bad frame ends the connection, no crash"

# A request that needs a login is refused, not served.
out=$(rawpeer --hold 3 <<<"$HELLO @reply $(hex_frame 10) @reply")
expect_match "$out" '^error 4 ' "PWD before login: ERROR(NOT_LOGGED_IN)"
expect_no_match "$out" '^frame 0x83 ' "PWD before login: PATH"
# No version in common.
out=$(rawpeer --hold 3 <<<"$(hex_frame "01$(hex_u32 99)$(hex_u32 99)$(hex_u64 0)$(hex_str rawpeer)") @reply")
expect_match "$out" '^error 2 ' "HELLO for version 99: ERROR(VERSION)"
# The name with a NUL cut off is a real user; still no login.
out=$(rawpeer --hold 3 <<<"$HELLO @reply $(hex_frame "02$(hex_u32 7)616c69636500ff$(hex_str "$pw")") @reply")
expect_no_match "$out" '^frame 0x80 ' "alice\\0 logged in"
ok "before login: NOT_LOGGED_IN, VERSION"

# PUT_DATA's bytes follow it unasked: before login (granted in HELLO or
# not) they cannot be told from requests, so the connection ends rather
# than reading a file's content as the next frame (here, a LOGIN).
n=$(($(hex_login alice "$pw" | wc -c) / 2))
for feat in 4 0; do
	out=$(rawpeer --expect-close 10 <<<"$(hex_hello $feat) @reply \
$(hex_frame "23$(hex_str x)$(hex_u64 "$n")$(hex_u32 420)$(hex_u64 0)") \
$(hex_login alice "$pw") @reply @reply")
	expect_match "$out" '^error 1 ' "PUT_DATA before login (features $feat)"
	expect_no_match "$out" '^frame 0x80 ' \
	    "PUT_DATA before login (features $feat): its data logged in"
	expect_match "$out" '^closed$' "PUT_DATA before login: the connection"
done
ok "before login: PUT_DATA ends the connection"

# The same after a real login (frames built with alice's password).
out=$(rawpeer --hold 5 <<<"$HELLO @reply $LOGIN @reply $(hex_frame 10) @reply")
expect_match "$out" '^frame 0x80 1$' "raw login"
expect_match "$out" '^frame 0x83 ' "PWD after a raw login"
probe_error after-login-unknown "$HELLO @reply $LOGIN @reply $(hex_frame 7f)" 1
probe_length after-login-huge "$HELLO @reply $LOGIN @reply ffffffff" 1
probe_length after-login-zero "$HELLO @reply $LOGIN @reply 00000000" 1
probe after-login-truncated "$HELLO @reply $LOGIN @reply 00000020 11 @shut" 1
probe_error after-login-trailing "$HELLO @reply $LOGIN @reply $(hex_frame 1000)" 1
probe_error after-login-long-path "$HELLO @reply $LOGIN @reply $(hex_frame "11ffffff00")" 1
probe_error after-login-nul-path "$HELLO @reply $LOGIN @reply $(hex_frame "11$(hex_u32 3)610062")" 1
probe_error after-login-reply-type "$HELLO @reply $LOGIN @reply $(hex_frame 81)" 1
ok "after login: every bad frame ends the connection, no crash"

# Pipelined: HELLO and LOGIN may go at once; then PWD after the reply.
out=$(rawpeer --hold 5 <<<"$HELLO $LOGIN @reply @reply $(hex_frame 10) @reply")
expect_eq "$(printf '%s\n' "$out" | grep '^frame' | cut -d' ' -f2 | tr '\n' ' ')" \
    "0x82 0x80 0x83 " "replies to pipelined HELLO, LOGIN, then PWD"
ok "HELLO and LOGIN pipelined"

# Nothing may follow LOGIN before its reply (protocol 2: such bytes would
# belong to neither TLS session): a clear error, not a corrupted stream.
out=$(rawpeer --expect-close 10 <<<"$HELLO $LOGIN $(hex_frame 10) @reply @reply")
expect_match "$out" '^frame 0x82 ' "HELLO_OK before the error"
expect_match "$out" '^error 1 nothing may follow LOGIN until its reply' \
    "a request pipelined behind LOGIN"
expect_no_match "$out" '^frame 0x80 ' "no login for such a client"
expect_match "$out" '^closed$' "the connection after that error"
grep -q 'request after LOGIN before its reply' "$DAEMON_LOG" ||
	fail "no log line for the request behind LOGIN"
ok "a request behind LOGIN gets a clear error"

# Nothing hangs: every one of those sessions has ended.
wait_for 15 _no_sessions || fail "sessions still running: $(sessions)"
wait_for 10 _no_zombies || fail "zombie children of the master"
run_client alice "$pw" <<<'pwd'
expect_rc 0 "a normal login after all that"
daemon_alive || fail "mftpd died"
check_log_clean
ok "the master still serves, its log shows no crash"
