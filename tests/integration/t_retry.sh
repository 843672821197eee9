#!/usr/bin/env bash
# t_retry: mftp --retry N in batch mode.  A get whose serving process is
# SIGKILLed in the middle reconnects, logs in again and resumes (the
# server logs offset > 0), the file is byte-identical and verified, and
# the script goes on to its next command; the same for a reput
# (-o Retry), which takes no -c.  A get and a put named on the command
# line (mftp host:path LOCAL, mftp FILE host:path) resume the same way.
# When the server is gone for good, the client gives up after N attempts
# with exit 3; without --retry it does not try at all.
#
# The client is slowed down as in t_resume (lib_retry.sh).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_retry.sh
. "$(dirname "$0")/lib_retry.sh"

head -c $((BIG_MB * 1048576)) /dev/urandom >"$W/big" ||
	fail "cannot make a $BIG_MB MiB file"
cp "$W/big" "$home/big"
chown "$uid:$(user_gid alice)" "$home/big"

# ------------------------------------------------------ get, resumed
slow_client "get big $W/got
pwd" --retry 2
run_slices "$W/got.part" "$CUT" || fail "the get did not reach $CUT bytes"
kill_serving get
expect_rc 0 "the get with --retry whose server was killed"
expect_contains "$ERR" "reconnecting to resume (1 of 2)" "what mftp says"
expect_same_file "$W/got" "$W/big" "the resumed download"
expect_match "$OUT" 'resumed at .*verified$' "the transfer line"
expect_match "$OUT" '^/$' \
    "the command after the resumed one"
expect_resumed get big "the get"
ok "a get cut by a killed server resumes with --retry (at $RESUMED_AT)"

# ------------------------------------------------------ put, resumed
slow_client "reput $W/big up" -o Retry=1
run_slices "$home/.up.mftp-part" "$CUT" ||
	fail "the put did not reach $CUT bytes"
kill_serving put
expect_rc 0 "the reput with -o Retry=1 whose server was killed"
expect_contains "$ERR" "reconnecting to resume (1 of 1)" "what mftp says"
expect_same_file "$home/up" "$W/big" "the resumed upload"
expect_resumed put up "the put"
ok "a reput cut by a killed server resumes with -o Retry=1 (at $RESUMED_AT)"

# ------------------------------------- on the command line, resumed
slow_mftp --retry 1 "alice@$HOST:big" "$W/cl" </dev/null
run_slices "$W/cl.part" "$CUT" || fail "the get did not reach $CUT bytes"
kill_serving get
expect_rc 0 "mftp --retry 1 host:big LOCAL whose server was killed"
expect_contains "$ERR" "reconnecting to resume (1 of 1)" "what mftp says"
expect_same_file "$W/cl" "$W/big" "the resumed download"
expect_resumed get big "the command line's get"
ok "a get on the command line resumes with --retry (at $RESUMED_AT)"

slow_mftp -o Retry=2 "$W/big" "alice@$HOST:up2" </dev/null
run_slices "$home/.up2.mftp-part" "$CUT" ||
	fail "the put did not reach $CUT bytes"
kill_serving put
expect_rc 0 "mftp -o Retry=2 FILE host:up2 whose server was killed"
expect_contains "$ERR" "reconnecting to resume (1 of 2)" "what mftp says"
expect_same_file "$home/up2" "$W/big" "the resumed upload"
expect_resumed put up2 "the command line's put"
ok "a put on the command line resumes with -o Retry (at $RESUMED_AT)"

# ------------------------------------------------- no retry, no server
rm -f "$W/got" "$W/got.part"
slow_client "get big $W/got"
run_slices "$W/got.part" "$CUT" || fail "the get did not reach $CUT bytes"
kill_serving get
expect_rc 3 "a get without --retry whose server was killed"
expect_not_contains "$ERR" "reconnecting" "mftp without --retry"
rm -f "$W/got" "$W/got.part"
slow_client "get big $W/got" --retry 2
run_slices "$W/got.part" "$CUT" || fail "the get did not reach $CUT bytes"
# The whole server goes: the master first (its listening sockets with
# it), so no reconnect can succeed.
sp=$(serving_pid_of "$uid")
[ -n "$sp" ] || fail "no serving process"
expect_unsent "$sp" "$((BIG_MB * 1048576))" "the serving process"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
kill -KILL "$sp"
wait_for 10 _not_running "$sp" || fail "the serving process outlived SIGKILL"
kill -CONT "$CPID"
RC=0
wait_pid "$CPID" 120 || RC=$?
ERR=$(cat "$T/slow.err")
expect_rc 3 "a get with --retry 2 and no server left"
expect_contains "$ERR" "reconnecting to resume (2 of 2)" "the last attempt"
expect_contains "$ERR" "cannot connect again" "why it gave up"
expect_not_contains "$ERR" "(3 of 2)" "attempts past the count"
[ -s "$W/got.part" ] || fail "the .part is gone after giving up"
ok "without --retry no attempt; with --retry N, N attempts, then exit 3"
check_log_clean
