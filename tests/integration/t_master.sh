#!/usr/bin/env bash
# t_master: the master outlives its children.  A serving process killed
# with SIGKILL costs only its own session: the master reaps it, leaves no
# zombie, gives its slot back and serves the next login and transfer.
# max_sessions_per_ip refuses one connection too many with a clear "busy"
# (client exit 3), and frees the slots when those sessions end.  SIGTERM
# stops the master.  max_sessions counts sessions from every address.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

MAX_SESSIONS_PER_IP=2
LOGIN_TIMEOUT=60
W=$T/work

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
home=$(user_home alice)
start_daemon
head -c 100000 /dev/urandom >"$W/data"

# Twice, so that a slot not given back would show in the limit below.
for round in 1 2; do
	session_open alice "$pw"
	session_send pwd
	wait_serving_pid "$uid"
	note "round $round: killing serving process $SERVING_PID"
	kill -KILL "$SERVING_PID"
	wait_for 10 _not_running "$SERVING_PID" ||
		fail "the killed serving process is still there"
	# The client finds its connection gone at its next command.
	session_send pwd
	session_close 20
	expect_eq "$SESS_RC" 3 "the client whose server was killed"
	daemon_alive || fail "the master died with its child"
	wait_for 10 _no_zombies ||
		fail "zombie children of the master: $(zombies_of "$DAEMON_PID")"
	wait_for 10 _no_sessions || fail "sessions left: $(sessions)"

	run_client alice "$pw" <<EOF
put $W/data data$round
get data$round $W/data$round.back
EOF
	expect_rc 0 "login and transfer after the kill"
	expect_same_file "$W/data$round.back" "$W/data" "transfer after the kill"
	expect_same_file "$home/data$round" "$W/data" "stored after the kill"
done
ok "a killed session costs nothing else; reaped, no zombie"

# Two sessions from 127.0.0.1 fill the per-address limit.
spawn rawpeer --hold 60 <<<"$(hex_hello) @reply" >"$T/hold1.out"
hold1=$BG_PID
spawn rawpeer --hold 60 <<<"$(hex_hello) @reply" >"$T/hold2.out"
hold2=$BG_PID
_two_sessions() {
	[ "$(count_sessions)" -eq 2 ] &&
		grep -q '^frame 0x82' "$T/hold1.out" &&
		grep -q '^frame 0x82' "$T/hold2.out"
}
wait_for 10 _two_sessions ||
	fail "two held connections: $(count_sessions) sessions"

run_client alice "$pw" <<<'pwd'
expect_rc 3 "a third session from the same address"
expect_match "$ERR" '[Bb]usy|[Tt]oo many' "the reason given to the third"
out=$(rawpeer --expect-close 10 <<<"$(hex_hello) @reply")
expect_match "$out" '^error 5 ' "ERROR(BUSY) on the wire"
expect_match "$out" '^closed$' "the refused connection is closed"
[ "$(count_sessions)" -le 2 ] || fail "more than 2 sessions from one address"
ok "max_sessions_per_ip = 2: the third is refused as busy"

kill_tree "$hold1"
kill_tree "$hold2"
wait_for 10 _no_sessions || fail "sessions left after the holders left"
run_client alice "$pw" <<<'pwd'
expect_rc 0 "a login after the held sessions ended"
wait_for 10 _no_zombies || fail "zombie children of the master"
ok "the slots come back when the sessions end"

check_log_clean
stop_daemon
[ "$DAEMON_RC" != 137 ] || fail "mftpd did not stop on SIGTERM"
ok "SIGTERM stops the master (exit $DAEMON_RC)"

# max_sessions counts every address: two sessions (from ::1 and
# 127.0.0.1 where the host has IPv6) fill a server of two, though each
# address is far from its own limit.  Both log in: a connection that
# has not would give its place to the third after 2 s (t_preauth_full).
MAX_SESSIONS=2
MAX_SESSIONS_PER_IP=10
start_daemon
other=$HOST
have_ipv6 && other=::1
# Through a TLS relay of its own to that other address.
spawn "$TLSPROXY" "$other" "$PORT" >"$T/proxy2.port" </dev/null
wait_for 10 test -s "$T/proxy2.port" || fail "second tlsproxy did not start"
login="$(hex_hello) @reply $(hex_login alice "$pw") @reply"
spawn "$RAWPEER" 127.0.0.1 "$(head -n 1 "$T/proxy2.port")" --hold 60 \
    <<<"$login" >"$T/hold1.out"
hold1=$BG_PID
spawn rawpeer --hold 60 <<<"$login" >"$T/hold2.out"
hold2=$BG_PID
_two_logged_in() {
	_two_sessions && grep -q '^frame 0x80 ' "$T/hold1.out" &&
		grep -q '^frame 0x80 ' "$T/hold2.out"
}
wait_for 10 _two_logged_in ||
	fail "two held connections: $(count_sessions) sessions"
run_client alice "$pw" <<<'pwd'
expect_rc 3 "a third session on a server of two"
expect_contains "$ERR" "too many sessions on this server" \
    "the reason given to the third"
kill_tree "$hold1"
kill_tree "$hold2"
wait_for 10 _no_sessions || fail "sessions left after the holders left"
run_client alice "$pw" <<<'pwd'
expect_rc 0 "a login once the server has room again"
ok "max_sessions = 2: the third is refused, whatever its address"
