#!/usr/bin/env bash
# t_environ: the environment mftpd was started with stays in no process
# it starts.  An administrator who starts mftpd from a shell has tokens,
# OPENSSL_CONF, MALLOC_* and the like in it; a forked child holds its
# parent's environment in memory, and /proc/PID/environ shows it: the
# serving process would hand it to its user, the pre-auth worker to
# whoever breaks into it.  mftpd is started here with a marker variable
# and TZ; the marker is in no /proc/PID/environ (the master's, a
# pre-auth worker's, mftpd-auth's, mftpd-sign's, a serving process's)
# nor anywhere in the memory of the worker and the serving process,
# while the helpers get TZ, which the daemon keeps for its log's times,
# and the master still tells systemd's NOTIFY_SOCKET it is ready.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

marker=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
[ "${#marker}" = 32 ] || fail "no random marker"
marker_hex=$(printf '%s' "$marker" | od -An -tx1 | tr -d ' \n')
tz=UTC0
pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
# systemd's socket, which the master still uses, as a Type=notify unit.
notify_py='import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
with open(sys.argv[2], "ab", buffering=0) as out:
    while True:
        try:
            out.write(s.recv(4096) + b"\n")
        except socket.timeout:
            break'
spawn python3 -c "$notify_py" "$T/notify.sock" "$T/notify.out" </dev/null
wait_for 10 test -S "$T/notify.sock" || fail "no notify socket"
DAEMON_PREFIX=(env "MFTP_TEST_MARKER=$marker" "TZ=$tz"
    "NOTIFY_SOCKET=$T/notify.sock")
start_daemon
wait_for 10 grep -q '^READY=1' "$T/notify.out" ||
	fail "the master told NOTIFY_SOCKET nothing"
ok "the master tells NOTIFY_SOCKET it is ready"

# check_env PID WHAT: the marker is not in the environment of PID.
check_env() {
	local env
	env=$(tr '\0' '\n' <"/proc/$1/environ") ||
		fail "$2: cannot read /proc/$1/environ"
	case $env in
	*"$marker"*) fail "$2: /proc/$1/environ has the master's" \
	    "environment: $(cut -d= -f1 <<<"$env" | tr '\n' ' ')" ;;
	esac
}

# check_mem PID WHAT: nor in its memory.
check_mem() {
	expect_eq "$(mem_count "$1" "$marker_hex")" 0 \
	    "$2: the marker's copies in its memory"
}

# Pre-auth: a connection that says HELLO and then waits: its worker,
# its mftpd-auth and the master's spare mftpd-sign.
spawn rawpeer --hold 30 <<<"$(hex_hello 0) @reply" >"$T/preauth.out"
wait_for 10 grep -q '^frame 0x82 ' "$T/preauth.out" ||
	fail "no HELLO_OK from the pre-auth process"
wp=$(preauth_pids | head -n 1)
[ -n "$wp" ] || fail "no pre-auth worker under the master"
check_env "$wp" "pre-auth worker"
check_mem "$wp" "pre-auth worker"
ok "pre-auth worker $wp: no trace of the master's environment"
_helpers() {
	ap=$(helper_of "$MFTPD_AUTH")
	gp=$(signers_of "$DAEMON_PID" | head -n 1)
	[ -n "$ap" ] && [ -n "$gp" ]
}
wait_for 10 _helpers || fail "no mftpd-auth or no spare mftpd-sign"
for p in "$ap:mftpd-auth" "$gp:mftpd-sign"; do
	check_env "${p%%:*}" "${p#*:}"
	expect_contains "$(tr '\0' '\n' <"/proc/${p%%:*}/environ")" \
	    "TZ=$tz" "${p#*:}: its environment"
done
ok "mftpd-auth $ap, mftpd-sign $gp: TZ, not the rest"
kill_tree "$BG_PID"

session_open alice "$pw"
session_send pwd
wait_serving_pid "$uid"
sp=$SERVING_PID
check_env "$sp" "serving process"
check_mem "$sp" "serving process"
ok "serving process $sp: no trace of the master's environment"
check_env "$DAEMON_PID" "the master"
ok "the master: its environment is gone"

session_send quit
session_close 20
expect_eq "$SESS_RC" 0 "the held session ($(cat "$SESS_ERR"))"
daemon_alive || fail "mftpd died"
check_log_clean
