#!/usr/bin/env bash
# t_putq_cut: pipelined small uploads (put -r, PUT_DATA) when the server
# ends the session mid-pipeline while mftp is writing the next request.
# The replies the server sent before it closed (OKs, and the ERROR that
# says why) are still read and shown: the account locked by the
# administrator is what the user is told, not the connection reset that
# followed, and every file the server stored is reported as verified.
# The server's account check is slowed (strace) so that its reply and
# reset come while the client sleeps in a write (strace as well).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null ||
	fail "strace is needed (scripts/deps.sh installs it)"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon
home=$(user_home alice)
uid=$(user_uid alice)
W=$T/work
mkdir "$W/d"
for i in $(seq -w 1 60); do
	head -c 3000 /dev/urandom >"$W/d/f$i"
done

# Without -q: each stored file's line is counted.
fifo=$T/session.fifo
mkfifo "$fifo" || fail "mkfifo"
exec 8<>"$fifo"
timeout -k 5 "$CLIENT_TIMEOUT" "$MFTP" -P "$PORT" --password-fd 3 \
    "alice@$HOST" 3<<<"$pw" <"$fifo" >"$T/out" 2>"$T/err" 8>&- &
cpid=$!
BG_PIDS+=("$cpid")
printf 'pwd\n' >&8
wait_serving_pid "$uid"
spid=$(serving_pid_of "$uid")
mpid=$(pgrep -P "$cpid") || fail "no mftp under timeout"
# Every write of mftp sleeps 0.1 s first; the server's look at the
# account (statx, once a request) 0.3 s.
strace -qq -o /dev/null -p "$mpid" -e trace=write \
    -e inject=write:delay_enter=100000 2>/dev/null 8>&- &
BG_PIDS+=("$!")
wait_for 10 _traced "$mpid" || fail "strace did not attach to mftp"
strace -qq -o /dev/null -p "$spid" -e trace=statx \
    -e inject=statx:delay_enter=300000 2>/dev/null 8>&- &
BG_PIDS+=("$!")
wait_for 10 _traced "$spid" || fail "strace did not attach to the server"

printf 'put -r %s d\n' "$W/d" >&8
_stored() { [ "$(find "$home/d" -type f 2>/dev/null | wc -l)" -ge 5 ]; }
wait_for 30 _stored || fail "no file stored"
chmod 0400 "$T/quota/alice"
exec 8>&-
rc=0
wait_pid "$cpid" 60 || rc=$?
[ "$rc" != 124 ] || fail "mftp did not exit"
[ "$rc" != 0 ] || fail "put -r succeeded on a locked account"
err=$(cat "$T/err")
expect_contains "$err" "the account alice was locked by the administrator" \
    "what mftp says when the server ends the session mid-pipeline"
stored=$(find "$home/d" -type f -name 'f*' | wc -l)
reported=$(grep -c ', verified$' "$T/out")
expect_eq "$reported" "$stored" "files reported verified (stored: $stored)"
ok "the server ending the session mid-pipeline: its replies are read ($stored stored)"
