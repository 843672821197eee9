#!/usr/bin/env bash
# t_preauth_full: connections that never log in cannot keep users out.
# With max_sessions = 3, three TCP connections from 127.0.0.2 that send
# nothing fill the server.  A login from 127.0.0.1 in their first 2 s is
# refused as busy (when this machine is quick enough to try it then); one
# after that takes the place of the oldest, which the master closes and
# logs, and the other two stay.  A logged-in session is never closed for
# a newcomer: with the server full of sessions 2 s old, the next login is
# refused and the three go on.
# shellcheck source-path=SCRIPTDIR source=lib.sh
MAX_SESSIONS=3
MAX_SESSIONS_PER_IP=3
LOGIN_TIMEOUT=60
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon

# Three idle connections from 127.0.0.2, held for 40 s at most; a line
# "connected" once all are, then "closed I" for each the server closes.
spawn python3 - "$HOST" "$PORT" 3 >"$T/idle.out" <<'EOF'
import select, socket, sys, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
socks = []
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.2", 0))
    s.connect((host, port))
    socks.append(s)
print("connected", flush=True)
open_ = set(range(n))
end = time.monotonic() + 40
while open_ and time.monotonic() < end:
    r, _, _ = select.select([socks[i] for i in open_], [], [], 0.2)
    for s in r:
        i = socks.index(s)
        if not s.recv(4096):
            print("closed", i, flush=True)
            open_.discard(i)
EOF
idle=$BG_PID
_three() {
	grep -q '^connected' "$T/idle.out" && [ "$(count_sessions)" = 3 ]
}
wait_for 10 _three || fail "three idle connections: $(count_sessions) sessions"
t0=$(date +%s%N)

run_client alice "$pw" <<<'pwd'
if (($(date +%s%N) - t0 < 1500000000)); then
	expect_rc 3 "a login while the idle connections are young"
	expect_contains "$ERR" "too many sessions on this server" "the reason"
	ok "a login into a full server in its first 2 s is refused as busy"
else
	note "this machine took 1.5 s or more to try; the refusal is not checked"
fi

# Past 2 s: the oldest idle connection gives its place.
while (($(date +%s%N) - t0 < 2200000000)); do sleep 0.1; done
run_client alice "$pw" <<<'pwd'
expect_rc 0 "a login into a server full of idle connections ($ERR)"
expect_eq "$OUT" "/" "the login's pwd"
wait_for 10 grep -q '^closed' "$T/idle.out" ||
	fail "no idle connection was closed: $(cat "$T/idle.out")"
expect_eq "$(grep -c '^closed' "$T/idle.out")" 1 "idle connections closed"
expect_match "$(cat "$DAEMON_LOG")" \
    'closed addr=127\.0\.0\.2 port [0-9]+ pid=[0-9]+: not logged in after [0-9]+ ms, and the server is full \(max_sessions\): its place goes to a new connection' \
    "the master's line"
ok "past 2 s, the oldest connection that did not log in makes room; the rest stay"

kill_tree "$idle"
wait_for 10 _no_sessions || fail "sessions left: $(sessions)"

# Three logged-in sessions, 2 s old: none is closed for a fourth.
login="$(hex_hello) @reply $(hex_login alice "$pw") @reply"
for i in 1 2 3; do
	spawn rawpeer --hold 40 <<<"$login" >"$T/held$i.out"
	eval "held$i=\$BG_PID"
done
_logged_in() {
	[ "$(count_sessions)" = 3 ] &&
		grep -q '^frame 0x80 ' "$T/held1.out" &&
		grep -q '^frame 0x80 ' "$T/held2.out" &&
		grep -q '^frame 0x80 ' "$T/held3.out"
}
wait_for 10 _logged_in || fail "three logged-in sessions: $(count_sessions)"
sleep 2.2
run_client alice "$pw" <<<'pwd'
expect_rc 3 "a fourth login into a server full of sessions"
expect_contains "$ERR" "too many sessions on this server" "the reason"
expect_eq "$(count_sessions)" 3 "the sessions after the fourth was refused"
expect_eq "$(grep -c 'closed addr=' "$DAEMON_LOG")" 1 \
    "connections the master closed (the idle one above)"
# shellcheck disable=SC2154
for p in "$held1" "$held2" "$held3"; do
	[ -d "/proc/$p" ] || fail "a held session's peer ended"
done
ok "a logged-in session is never closed for a newcomer"

check_log_clean
