#!/usr/bin/env bash
# t_retry_part: --retry never takes up a .part the first try refused.
# In "mget *" the user's own a.part (no resume record) is refused as
# not a download in progress; the connection is then lost in the middle
# of z (its serving process SIGKILLed, as in t_retry); --retry runs the
# mget again and resumes z, but a.part is byte-identical afterwards and
# a was never made from it.
#
# The client is slowed down as in t_retry: it runs in 20 ms slices until
# z.part passes a threshold, so it never finishes first.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BIG_MB=${MFTP_TEST_BIG_MB:-100}
CLIENT_TIMEOUT=300
W=$T/work
CUT=$((16 * 1048576))

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
home=$(user_home alice)
start_daemon

head -c 100000 /dev/urandom >"$home/a"
head -c $((BIG_MB * 1048576)) /dev/urandom >"$home/z" ||
	fail "cannot make a $BIG_MB MiB file"
chown "$uid:$(user_gid alice)" "$home/a" "$home/z"
# Smaller than a: get -c would append to it.
echo "the user's own notes, not a download" >"$W/a.part"
cp "$W/a.part" "$T/a.part.orig"

"$MFTP" -P "$PORT" --password-fd 3 --retry 2 "alice@$HOST" 3<<<"$pw" \
    <<<"lcd $W
mget *" >"$T/slow.out" 2>"$T/slow.err" &
CPID=$!
BG_PIDS+=("$CPID")
kill -STOP "$CPID" 2>/dev/null
run_slices "$W/z.part" "$CUT" || fail "the mget did not reach $CUT bytes"
sp=$(serving_pid_of "$uid")
[ -n "$sp" ] || fail "no serving process"
expect_unsent "$sp" "$((BIG_MB * 1048576))" "the serving process"
kill -KILL "$sp"
wait_for 10 _not_running "$sp" || fail "the serving process outlived SIGKILL"
kill -CONT "$CPID"
RC=0
wait_pid "$CPID" 120 || RC=$?
OUT=$(cat "$T/slow.out")
ERR=$(cat "$T/slow.err")
_last_client="mget * --retry 2"
expect_contains "$ERR" "reconnecting to resume (1 of 2)" "what mftp says"
expect_same_file "$W/a.part" "$T/a.part.orig" "the user's a.part"
[ ! -e "$W/a" ] || fail "a was made from the user's a.part"
expect_ne "$RC" 0 "the mget that refused a.part"
expect_contains "$ERR" "not a download in progress" "the refusal"
expect_same_file "$W/z" "$home/z" "z, resumed"
ok "the retried mget resumed z and left the user's a.part as it was"
check_log_clean
