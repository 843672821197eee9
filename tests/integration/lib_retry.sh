# lib_retry.sh: a client cut in the middle of a big file, for the --retry
# tests; sourced after lib.sh.  It adds the user alice (pw, uid, home)
# and starts the daemon; BIG_MB is the big file's size, CUT how much of
# it moves before the cut.
#
# The client is slowed down as in t_resume: it runs in 20 ms slices
# (run_slices) until the data moved passes a threshold, so it never
# finishes first.
# shellcheck shell=bash disable=SC2034

BIG_MB=${MFTP_TEST_BIG_MB:-100}
CLIENT_TIMEOUT=300
W=$T/work
CUT=$((16 * 1048576))

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
home=$(user_home alice)
start_daemon

# slow_mftp ARGS...: alice's mftp with ARGS in the background, stopped;
# CPID.  Its standard input is this function's.
slow_mftp() {
	"$MFTP" -P "$PORT" --password-fd 3 "$@" 3<<<"$pw" \
	    >"$T/slow.out" 2>"$T/slow.err" &
	CPID=$!
	BG_PIDS+=("$CPID")
	kill -STOP "$CPID" 2>/dev/null
}

# slow_client CMDS [mftp options]: slow_mftp of a session that runs CMDS.
slow_client() {
	local cmds=$1
	shift
	slow_mftp "$@" "alice@$HOST" <<<"$cmds"
}

# kill_serving get|put: SIGKILL alice's serving process while the
# sender (it for a get, the client for a put) still has part of the file
# to send, then let the client go; RC, OUT, ERR.
kill_serving() {
	local sp
	sp=$(serving_pid_of "$uid")
	[ -n "$sp" ] || fail "no serving process"
	if [ "$1" = get ]; then
		expect_unsent "$sp" "$((BIG_MB * 1048576))" "the serving process"
	else
		expect_unsent "$CPID" "$((BIG_MB * 1048576))" "the client"
	fi
	kill -KILL "$sp"
	wait_for 10 _not_running "$sp" || fail "the serving process outlived SIGKILL"
	kill -CONT "$CPID"
	RC=0
	wait_pid "$CPID" 120 || RC=$?
	OUT=$(cat "$T/slow.out")
	ERR=$(cat "$T/slow.err")
	_last_client="slow client"
}
