#!/usr/bin/env bash
# t_term_hashing: a session told to end (SIGTERM: ftpuser-del, ftpuser-mod
# --lock, mftpd's stop) while it reads a large file back to hash it,
# before its reply, ends within a few seconds and logs its end, as it
# does when idle or in a transfer.  Before, the hash went on to the end
# of the file (minutes for a large one), and the tools' SIGKILL that
# follows their grace ended the session unlogged.  strace holds each of
# the serving process's reads for 0.15 s, so that the hash would last
# some 40 s however fast the machine is.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
home=$(user_home alice)
case $home in "$T"/*) ;; *) fail "home '$home' is not under $T" ;; esac
start_daemon
# root's, readable: the hash cache cannot be written on it, so the HASH
# reads it back whole.
head -c $((64 * 1048576)) /dev/zero >"$home/big"
chmod 0644 "$home/big"

_pwd_shown() { grep -q '^/' "$SESS_OUT"; }
session_open alice "$pw"
session_send pwd
wait_for 10 _pwd_shown || fail "alice's session did not log in"
wait_serving_pid "$uid"

strace_attach "$SERVING_PID" "$T/strace.out" -f -e trace=pread64 \
    -e inject=pread64:delay_enter=150000
session_send "hash --sha256 big"
_hashing() { [ "$(grep -c pread64 "$T/strace.out" 2>/dev/null)" -ge 4 ]; }
wait_for 15 _hashing || fail "the server did not start hashing big"
t0=$SECONDS
kill -TERM "$SERVING_PID"
wait_for 8 _not_running "$SERVING_PID" ||
	fail "the session still hashed 8 s after SIGTERM"
t1=$SECONDS
kill "$STRACE_PID" 2>/dev/null
wait "$STRACE_PID" 2>/dev/null
session_close 20
_one_line() { [ "$(log_count "$1")" = 1 ]; }
re="session end user=alice addr=127\.0\.0\.1 port [0-9]+ reason=terminated "
wait_for 10 _one_line "$re" ||
	fail "no 'session end user=alice ... reason=terminated' line: $(grep -E 'user=alice ' "$DAEMON_LOG" | tail -n 3)"
ok "SIGTERM while the server hashes ends the session within $((t1 - t0)) s, logged"

stop_daemon
check_log_clean
