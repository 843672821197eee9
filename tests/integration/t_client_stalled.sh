#!/usr/bin/env bash
# t_client_stalled: a client that stops reading or sending in the middle
# of a request (its process SIGSTOPped: its kernel still ACKs, nothing
# is read or sent) is cut off by the server after idle_timeout (2 s
# here), not twice it, and the log says why, with its address:
# "session end ... reason=stalled".  A listing whose reader stopped; a
# get whose reader stopped (its transfer line says "timed out"); a put
# whose sender stopped: its partial is kept, its lock let go and its
# reservation given back while the client is still stopped, so that
# another mftp resumes it at once, and the count stays exact.  And a
# client that never sends its second TLS handshake after a good login
# is let go at the login deadline, its slot given back (--max-sessions
# 1 here).  Before, a reply cut by the timeout was followed by a TLS close_notify that
# waited for room a whole idle_timeout more, and the session's end said
# "connection-lost".
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

IDLE_TIMEOUT=2
LOGIN_TIMEOUT=3
W=$T/work
pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 1G --max-sessions 1
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)
start_daemon
mkdir -p "$W" "$home/d"
head -c $((64 * 1048576)) /dev/urandom >"$W/big" || fail "no test file"
cp "$W/big" "$home/big"
# A listing larger than what the sockets hold (the server's send buffer,
# 4 MiB at most, and the relay's, which tlsproxy keeps small): 8 MiB.
pad=$(printf '%0150d' 0)
(cd "$home/d" && seq 1 50000 | sed "s/^/$pad/" | xargs touch) ||
	fail "cannot make the directory to list"
chown -R "$uid:$gid" "$home"
ftpuser_quota() {
	"$top_builddir/ftpuser-quota" -c "$CONF" --recount alice >/dev/null 2>&1 ||
		fail "ftpuser-quota --recount alice"
}
ftpuser_quota

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

_ended_line() { # PID: its session end line is in the log
	grep -qF "mftpd[$1]: session end " "$DAEMON_LOG"
}

# cut_off WHAT PID T0: PID (a serving process) ends within 2 s plus a
# margin of T0, and its session's end says reason=stalled.
cut_off() {
	local ms
	wait_for 10 _not_running "$2" || fail "$1: the serving process lives on"
	ms=$(($(now_ms) - $3))
	[ "$ms" -lt 3500 ] ||
		fail "$1: the stalled client's session ended after $ms ms"
	note "$1: the session ended $ms ms after the client stopped"
	wait_for 5 _ended_line "$2" || fail "$1: no session end line"
	expect_match "$(grep -F "mftpd[$2]: session end " "$DAEMON_LOG")" \
	    ' addr=127\.0\.0\.1 port [0-9]+ reason=stalled ' \
	    "$1: the session end's reason"
}

# slow_client CMDS: mftp in the background, stopped; CPID.
slow_client() {
	"$MFTP" -P "$PORT" -q --password-fd 3 "alice@$HOST" \
	    3<<<"$pw" <<<"$1" >"$T/slow.out" 2>"$T/slow.err" &
	CPID=$!
	BG_PIDS+=("$CPID")
	kill -STOP "$CPID" 2>/dev/null
}

# --------------------------------------------- a listing nobody reads
raw_open alice "$pw"
wait_serving_pid "$uid"
sp=$SERVING_PID
proxy=$(children_of "$PROXY_PID")
[ -n "$proxy" ] || fail "no tlsproxy process for the connection"
# tlsproxy (which does TLS for the raw peer) stops reading once the
# listing is under way: the server's writes wait for room.  Not before
# the request has reached the server (on a busy machine the proxy may
# not have passed it on yet): its answer has come to the test's socket.
_answer_came() {
	ss -Htn state established "( dport = :$PROXY_PORT )" |
		awk '$1 > 0 { f = 1 } END { exit !f }'
}
raw_send "$(hex_path_req 12 d)"
wait_for 10 _answer_came || fail "list: no answer came through the proxy"
kill -STOP "$proxy"
t0=$(now_ms)
cut_off "list" "$sp" "$t0"
kill -CONT "$proxy"
raw_close
ok "a listing whose reader stopped ends after idle_timeout, reason=stalled"

# ------------------------------------------------- a get nobody reads
slow_client "get big $W/got"
run_slices "$W/got.part" $((4 * 1048576)) || fail "the get did not start"
wait_serving_pid "$uid"
sp=$SERVING_PID
t0=$(now_ms)
cut_off "get" "$sp" "$t0"
expect_match "$(grep -F "mftpd[$sp]: transfer user=alice " "$DAEMON_LOG")" \
    'addr=127\.0\.0\.1 port [0-9]+ op=get path=big .*result=error .*reason="timed out"' \
    "get: the transfer line"
{ kill -KILL "$CPID" && wait "$CPID"; } 2>/dev/null
ok "a get whose reader stopped ends after idle_timeout, reason=stalled"

# ------------------------------------------------ a put that stops sending
slow_client "put $W/big up"
run_slices "$home/.up.mftp-part" $((4 * 1048576)) || fail "the put did not start"
wait_serving_pid "$uid"
sp=$SERVING_PID
t0=$(now_ms)
cut_off "put" "$sp" "$t0"
kept=$(fsize "$home/.up.mftp-part")
[ "$kept" -gt 0 ] || fail "put: the stalled upload's partial is gone"
expect_quota_exact alice "put: after the stalled upload"
# The first client is still stopped: its lock is gone all the same.
run_client alice "$pw" <<<"put $W/big up"
expect_rc 0 "put resumed while the stalled client is still there ($ERR)"
expect_same_file "$home/up" "$W/big" "the resumed put"
expect_resumed put up "put: the second put"
off=$RESUMED_AT
expect_quota_exact alice "put: after the resumed upload"
{ kill -KILL "$CPID" && wait "$CPID"; } 2>/dev/null
ok "a put whose sender stopped ends after idle_timeout; resumed at $off at once"

# ------------------------------- the second handshake never comes
# After a good login the serving process waits for the client's second
# TLS handshake until the login deadline (login_timeout, 3 s here), no
# longer, says why, and gives the session slot back.
held_proxy_up "$T/release"
spawn rawpeer_held --hold 30 \
    <<<"$(hex_hello 0) @reply $(hex_login alice "$pw") @reply" >"$T/held.out"
wait_serving_pid "$uid"
sp=$SERVING_PID
t0=$(now_ms)
wait_for 10 _not_running "$sp" || fail "handshake: the serving process lives on"
ms=$(($(now_ms) - t0))
[ "$ms" -lt 4500 ] || fail "handshake: the session ended after $ms ms"
expect_match "$(grep -F "mftpd[$sp]: " "$DAEMON_LOG")" \
    'TLS after login failed user=alice addr=127\.0\.0\.1 port [0-9]+: timed out' \
    "handshake: the line that says why"
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login after the abandoned handshake ($ERR)"
ok "a second handshake that never comes ends at the login deadline"

wait_for 10 _no_sessions || fail "sessions left: $(sessions)"
daemon_alive || fail "mftpd died"
