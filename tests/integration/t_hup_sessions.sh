#!/usr/bin/env bash
# t_hup_sessions: SIGHUP reloads the master and nothing else.  A
# habitual 'pkill -HUP mftpd' or 'killall -HUP mftpd' reaches every
# process of the service: a serving process, a monitor and its pre-auth
# worker, and the mftpd-sign helpers go on as if nothing came (they
# ignore SIGHUP), so the session held goes on, a connection in its
# handshake completes it (its worker and signer were both signalled),
# and the master's reload still works.  Each process is signalled by
# its pid: other tests' daemons may run beside this one.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user hup "$pw"
uid=$(user_uid hup)
start_daemon

# A session logged in: its serving process is the connection's monitor,
# become the user.
session_open hup "$pw"
wait_serving_pid "$uid"
serving=$SERVING_PID

# A connection in its pre-auth phase: a TLS client that connects and
# waits for a line on its input before it says ClientHello.
mkfifo "$T/go"
exec 9<>"$T/go"
spawn python3 -c '
import socket, ssl, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
print("connected", flush=True)
sys.stdin.readline()
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
t = ctx.wrap_socket(s)
print("handshake", t.version(), flush=True)
' "$PORT" <"$T/go" >"$T/tls.out" 2>"$T/tls.err"
tls=$BG_PID
wait_for 10 _has_preauth || fail "no pre-auth worker for the waiting connection"
worker=$(preauth_pids | head -n 1)
monitor=
for p in $(sessions); do
	[ "$p" != "$serving" ] && monitor=$p
done
[ -n "$monitor" ] || fail "no monitor for the waiting connection"
signers=$(signers_of "$DAEMON_PID")
[ -n "$signers" ] || fail "no mftpd-sign under the master"
note "serving $serving, monitor $monitor, worker $worker," \
    "signers ${signers//$'\n'/ }"

# shellcheck disable=SC2086
kill -HUP "$serving" "$monitor" "$worker" $signers || fail "kill -HUP"
sleep 1
for p in "$serving" "$monitor" "$worker" $signers; do
	kill -0 "$p" 2>/dev/null || fail "process $p ended on SIGHUP"
done
ok "a serving process, a monitor, a pre-auth worker and signers outlive SIGHUP"

echo go >&9
wait_pid "$tls" 20 || fail "the waiting connection's handshake: $(cat "$T/tls.err")"
expect_contains "$(cat "$T/tls.out")" "handshake TLSv1.3" \
    "the handshake after SIGHUP"
exec 9>&-
session_send pwd
session_send quit
session_close 20
expect_eq "$SESS_RC" 0 "the session after SIGHUP ($(cat "$SESS_ERR"))"
ok "the session and the handshake in progress go on"

n=$(log_count 'configuration reloaded')
kill -HUP "$DAEMON_PID" || fail "kill -HUP the master"
reloaded() { [ "$(log_count 'configuration reloaded')" -gt "$n" ]; }
wait_for 10 reloaded || fail "the master did not reload on SIGHUP"
run_client hup "$pw" <<<"pwd"
expect_rc 0 "a login after the reload ($ERR)"
expect_no_match "$(cat "$DAEMON_LOG")" 'died of signal 1 ' \
    "a process of the daemon died of SIGHUP"
ok "the master still reloads on SIGHUP"
check_log_clean
