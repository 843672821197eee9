#!/usr/bin/env bash
# t_timeouts: with login_timeout = 2 a connection that does not log in is
# closed by the server in bounded time, whether it is silent, stops inside
# a frame, sends one a byte at a time (told why, and logged) or keeps
# sending requests that need a login, and a right password whose check
# outlasts the deadline serves no session; with idle_timeout =
# 2 an idle logged-in session is closed (the client's next command fails
# with exit 3), and so is one whose request (or an upload's DATA_END)
# comes a byte at a time, while
# a session that keeps talking is not.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

LOGIN_TIMEOUT=2
IDLE_TIMEOUT=2
pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
start_daemon

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# deadline_probe NAME HEX: the server must close between 1.5 and 10 s.
deadline_probe() {
	local t0 t1 out
	t0=$(now_ms)
	out=$(rawpeer --expect-close 15 <<<"$2")
	t1=$(now_ms)
	printf '%s\n' "$out" >"$T/probe-$1.out"
	expect_match "$out" '^closed$' "$1: the server did not close"
	[ $((t1 - t0)) -ge 1500 ] ||
		fail "$1: closed after $((t1 - t0)) ms, before the 2 s deadline"
	[ $((t1 - t0)) -le 10000 ] ||
		fail "$1: closed only after $((t1 - t0)) ms"
	# If it said why, it said TIMEOUT (or NOT_LOGGED_IN to a request).
	expect_no_match "$out" '^error ([0-35789]|[1-9][0-9])' "$1: the error code"
	note "$1: closed after $((t1 - t0)) ms"
}

deadline_probe silent ""
deadline_probe hello-then-silent "$(hex_hello) @reply"
deadline_probe inside-a-frame "00000020 01"
# A deadline, not a per-read timeout: talking does not extend it.
deadline_probe chatty "$(hex_hello) @reply
    $(for _ in 1 2 3 4 5 6 7 8; do printf '@sleep 700 %s ' "$(hex_frame 10)"; done)"
# A frame a byte at a time, each within the deadline's time left: the
# worker itself ends it at the deadline, says why and logs it (not only
# the monitor's backstop, 2 s later and silent).
n=$(log_count 'login timeout addr=')
deadline_probe trickled "$(hex_hello) @reply 00000020 $(
	for _ in $(seq 1 14); do printf '@sleep 400 01 '; done)"
expect_match "$(cat "$T/probe-trickled.out")" '^error 6 ' \
    "trickled: the worker's ERROR(TIMEOUT)"
expect_eq "$(log_count 'login timeout addr=')" "$((n + 1))" \
    "login timeout lines for the trickled frame"
ok "login_timeout = 2: connections that do not log in are closed"

# A right password whose verdict the monitor is still checking when the
# login deadline passes: the worker tells the client "login timed out"
# and ends, so no login is logged and no session is served.  The check
# (a child of the monitor that runs mftpd as root) is stopped until the
# deadline has passed.
exec {RAW_FD}<>"/dev/tcp/127.0.0.1/$PROXY_PORT" || fail "cannot connect"
raw_send "$(hex_hello 0)"
raw_expect 0x82 "late verdict: HELLO"
_checker() {
	local m p
	for m in $(sessions); do
		for p in $(children_of "$m"); do
			_runs "$p" "$MFTPD" && [ "$(proc_uid "$p")" = 0 ] &&
				echo "$p" && return 0
		done
	done
	return 0
}
_has_checker() { [ -n "$(_checker)" ]; }
wait_for 10 _has_checker || fail "late verdict: no verdict check running"
checker=$(_checker)
kill -STOP "$checker"
logins=$(log_count "login user=alice ")
raw_send "$(hex_login alice "$pw")"
raw_expect_error 6 "late verdict: the worker's ERROR(TIMEOUT)"
expect_eq "$RAW_TEXT" "login timed out" "late verdict: the message"
kill -CONT "$checker"
raw_close
wait_for 10 _no_sessions || fail "late verdict: the connection's monitor lives on"
expect_eq "$(log_count "login user=alice ")" "$logins" \
    "late verdict: login lines after the client was told it timed out"
expect_eq "$(serving_pids_of "$uid")" "" "late verdict: serving processes"
expect_eq "$(log_count "login of user=alice .* abandoned: ")" 1 \
    "late verdict: the abandoned login's line"
ok "a verdict still checked at the login deadline serves no session"
wait_for 10 _no_sessions || fail "pre-auth sessions left: $(sessions)"

# An idle logged-in session is closed by the server.
session_open alice "$pw"
session_send pwd
wait_serving_pid "$uid"
sp=$SERVING_PID
wait_for 8 _not_running "$sp" ||
	fail "the idle serving process $sp is still there after 8 s"
sleep 1
session_send pwd
session_close 20
expect_eq "$SESS_RC" 3 "a command on a session closed for idleness"
ok "idle_timeout = 2: an idle session is closed, the client exits 3"

# A request sent a byte at a time, each byte within the idle timeout:
# the whole request must come within one, or the session ends.
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"
raw_open alice "$pw"
wait_serving_pid "$uid"
sp=$SERVING_PID
raw_send 00000020
(
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		sleep 1
		raw_send 01
	done
) &
trickle=$!
BG_PIDS+=("$trickle")
t0=$(now_ms)
wait_for 6 _not_running "$sp" ||
	fail "a request trickling one byte a second held its session past 6 s"
note "the trickled request's session ended after $(($(now_ms) - t0)) ms"
kill "$trickle" 2>/dev/null
wait "$trickle" 2>/dev/null
raw_close
ok "idle_timeout = 2: a request must arrive whole within it"

# The DATA_END after an upload's bytes likewise: sent a byte at a time,
# it must not hold the upload (its partial's lock, its reservation).
raw_open alice "$pw"
wait_serving_pid "$uid"
sp=$SERVING_PID
head -c 1000 /dev/urandom >"$T/up"
raw_send "$(hex_put up 1000 420 1700000000)"
raw_expect 0x87 "PUT up"
raw_send_file "$T/up" 0 1000
end=$(hex_data_end "$(digest_of "$T/up")")
(
	for ((i = 0; i < ${#end}; i += 2)); do
		sleep 1
		raw_send "${end:i:2}"
	done
) &
trickle=$!
BG_PIDS+=("$trickle")
wait_for 6 _not_running "$sp" ||
	fail "a DATA_END trickling one byte a second held its upload past 6 s"
kill "$trickle" 2>/dev/null
wait "$trickle" 2>/dev/null
raw_close
ok "idle_timeout = 2: an upload's DATA_END must arrive whole within it"

# A session that keeps talking more often than every 2 s stays.
session_open alice "$pw"
for _ in 1 2 3 4 5; do
	session_send pwd
	sleep 1
done
session_send quit
session_close 20
expect_eq "$SESS_RC" 0 "a session active every second for 5 s ($(cat "$SESS_ERR"))"
expect_eq "$(grep -cE '/"?$' "$SESS_OUT")" 5 "pwd replies in the active session"
ok "an active session is not cut"

wait_for 10 _no_zombies || fail "zombie children of the master"
daemon_alive || fail "mftpd died"
check_log_clean
