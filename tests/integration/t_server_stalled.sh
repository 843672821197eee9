#!/usr/bin/env bash
# t_server_stalled: a server that stops answering (its serving process
# SIGSTOPped: the kernel still takes what mftp sends, nothing comes back)
# is given up by mftp after its I/O timeout (-o Timeout=5), not twice it:
# after login between requests (exit 3, "server not responding (timed
# out)"), mid-get (the part kept, and resumed by the next get) and
# mid-put (the server's partial resumed by the next put); at a terminal
# it says so and logs in again (t_idle_relogin).  The server, let go on, says in the cut
# get's transfer line that the connection was lost, and how (it said
# "input/output error").  Before, every request whose bytes the server's
# kernel acknowledged after the wait began was waited for a second
# Timeout: 10 s for -o Timeout=5, 240 s by default.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_tmux.sh
. "$(dirname "$0")/lib_tmux.sh"

W=$T/work
TMO=5
pw=$(rand_pw)
add_user alice "$pw" --rate 2M
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)
start_daemon
mkdir -p "$W"
head -c $((16 * 1048576)) /dev/urandom >"$W/big" || fail "no test file"
cp "$W/big" "$home/big"
chown "$uid:$gid" "$home/big"

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# stop_server: SIGSTOP alice's serving process; SP is its pid.
stop_server() {
	wait_serving_pid "$uid"
	SP=$SERVING_PID
	kill -STOP "$SP" || fail "cannot stop $SP"
}

# go_on_server: let SP run again, and wait until it has ended (its
# client gone, it keeps what it had and lets go of it).
go_on_server() {
	kill -CONT "$SP"
	wait_for 10 _not_running "$SP" || fail "the serving process $SP lives on"
}

# gave_up WHAT MS: mftp took about TMO s (its last sign of the server may
# have come a moment before the stop), and less than twice it, which the
# second wait took: a second under that tells them apart, and leaves
# room for the lag of the test's own look (a terminal's screen read
# every 0.1 s by a tmux process, seconds late on a loaded machine).
gave_up() {
	[ "$2" -ge $((TMO * 1000 - 1000)) ] ||
		fail "$1: gave up after $2 ms, before the $TMO s timeout"
	[ "$2" -lt $((2 * TMO * 1000 - 1000)) ] ||
		fail "$1: gave up only after $2 ms (-o Timeout=$TMO)"
	note "$1: gave up after $2 ms"
}

_at_least() { # FILE BYTES
	[ "$(fsize "$1")" -ge "$2" ]
}

# bg_client CMDS: batch mftp in the background, CPID.
bg_client() {
	timeout -k 5 60 "$MFTP" -P "$PORT" -q -o Timeout=$TMO \
	    --password-fd 3 "alice@$HOST" 3<<<"$pw" <<<"$1" \
	    >"$T/bg.out" 2>"$T/bg.err" &
	CPID=$!
	BG_PIDS+=("$CPID")
}

# ------------------------------------------- between requests, batch
session_open alice "$pw" -o Timeout=$TMO
session_send pwd
wait_for 10 _at_least "$SESS_OUT" 1 || fail "no pwd reply"
stop_server
t0=$(now_ms)
session_send pwd
session_close 30
gave_up "pwd" "$(($(now_ms) - t0))"
expect_eq "$SESS_RC" 3 "pwd to a stopped server: exit status"
expect_contains "$(cat "$SESS_ERR")" "pwd: server not responding (timed out)" \
    "pwd to a stopped server: the message"
go_on_server
ok "a request to a stopped server is given up after the timeout, exit 3"

# ------------------------------------------------------------- mid-get
bg_client "get big $W/got"
wait_for 20 _at_least "$W/got.part" 1048576 ||
	fail "the get did not start"
stop_server
t0=$(now_ms)
rc=0
wait_pid "$CPID" 30 || rc=$?
gave_up "get" "$(($(now_ms) - t0))"
expect_eq "$rc" 3 "get from a stopped server: exit status"
expect_contains "$(cat "$T/bg.err")" "get: server not responding (timed out)" \
    "get from a stopped server: the message"
[ ! -e "$W/got" ] || fail "a cut get left its final name"
kept=$(fsize "$W/got.part")
[ "$kept" -gt 0 ] || fail "a cut get kept no part"
go_on_server
# The server, let go on, finds its client gone: said as such, not as an
# input/output error, which reads as the disk's.
line=$(grep -F "mftpd[$SP]: transfer user=alice " "$DAEMON_LOG")
expect_match "$line" ' op=get path=big .*result=error .*reason="connection (closed|lost: [A-Za-z ]+)"' \
    "get: the server's transfer line for the client that gave up"
run_client alice "$pw" <<<"get big $W/got"
expect_rc 0 "get after the cut one ($ERR)"
expect_same_file "$W/got" "$W/big" "the resumed get"
expect_resumed get big "the second get"
off=$RESUMED_AT
ok "a get from a stopped server keeps its part ($kept bytes), resumed at $off"

# ------------------------------------------------------------- mid-put
bg_client "put $W/big up"
wait_for 20 _at_least "$home/.up.mftp-part" 1048576 ||
	fail "the put did not start"
stop_server
t0=$(now_ms)
rc=0
wait_pid "$CPID" 30 || rc=$?
gave_up "put" "$(($(now_ms) - t0))"
expect_eq "$rc" 3 "put to a stopped server: exit status"
expect_contains "$(cat "$T/bg.err")" "put: server not responding (timed out)" \
    "put to a stopped server: the message"
go_on_server
[ ! -e "$home/up" ] || fail "a cut put made the final name"
kept=$(fsize "$home/.up.mftp-part")
[ "$kept" -gt 0 ] || fail "a cut put kept no partial"
run_client alice "$pw" <<<"put $W/big up"
expect_rc 0 "put after the cut one ($ERR)"
expect_same_file "$home/up" "$W/big" "the resumed put"
expect_resumed put up "the second put"
off=$RESUMED_AT
ok "a put to a stopped server keeps its partial ($kept bytes), resumed at $off"

# ------------------------------------------------- at a terminal
printf '%s\n' "$pw" >"$T/pw"
sock=$T/tmux.sock
tmux_start "$sock" \
    "$(printf '%q ' "$MFTP" -P "$PORT" -o Timeout=$TMO --password-fd 3 \
	"alice@$HOST") 3<$T/pw 2>&1; echo EXIT=\$?; sleep 30"
wait_for 10 tmux_has "$sock" "mftp>" ||
	fail "no prompt: $(tmux_screen "$sock")"
stop_server
tmux -S "$sock" send-keys "pwd" Enter
t0=$(now_ms)
wait_for 15 tmux_has "$sock" "server not responding (timed out)" ||
	fail "no message at the terminal: $(tmux_screen "$sock")"
gave_up "pwd at a terminal" "$(($(now_ms) - t0))"
# At the prompt the session is logged in again (the master still
# answers), and the command not run again; quit then ends it, status 0.
wait_for 15 tmux_has "$sock" "pwd was not run again" ||
	fail "no new login after the timeout: $(tmux_screen "$sock")"
tmux -S "$sock" send-keys "quit" Enter
wait_for 10 tmux_has "$sock" "EXIT=0" ||
	fail "quit after the new login: $(tmux_screen "$sock")"
go_on_server
tmux -S "$sock" kill-server 2>/dev/null
ok "at a terminal the session is given up after the timeout, saying why, and logged in again"

wait_for 10 _no_sessions || fail "sessions left: $(sessions)"
daemon_alive || fail "mftpd died"
