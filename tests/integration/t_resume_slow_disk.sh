#!/usr/bin/env bash
# t_resume_slow_disk: a resumed transfer whose kept part takes the
# client longer to read back than the server's idle_timeout still
# completes, in both directions.  The client reads the kept part (the
# download's LOCAL.part, or the local source up to the server's
# offset) to hash it whole (PROTOCOL.md §5.5, §5.6); on a slow disk,
# or for a large part, that takes minutes in which nothing moved on the
# connection, and the server, waiting for the client to read a GET's
# data or to send a PUT's, ended the session ("timed out") every time:
# such a transfer could never be resumed.  Here idle_timeout is 5 s and
# strace holds each of the client's reads of a file for 0.1 s, so that
# reading back 24 MiB or more takes over 9 s.  The client says it is
# there at least every second (a PWD between two 2 MiB slices of its
# reads, 0.8 s each here): 5 s leave room for a busy machine, where 3 s
# did not (a run of the suite with ten jobs timed a put out).  strace
# stops mftp only at those reads (--seccomp-bpf), not at every call.
# shellcheck source-path=SCRIPTDIR source=lib.sh
IDLE_TIMEOUT=5
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || fail "strace is needed (scripts/deps.sh)"
CLIENT_TIMEOUT=120
W=$T/work
# 64 MiB or more: the size from which mftp looks at the server's
# partial before a PUT (client/xfer.c, XFER_KEPT_PUT_MIN).
SIZE=$((72 * 1048576))
CUT=$((24 * 1048576))

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
home=$(user_home alice)
case $home in "$T"/?*) ;; *) fail "alice's home $home is not under $T" ;; esac
start_daemon
mkdir -p "$W"
head -c "$SIZE" /dev/urandom >"$W/orig" || fail "cannot make the file"
cp "$W/orig" "$home/big"
chown "$uid:$(user_gid alice)" "$home/big"
cp "$W/orig" "$W/up"

# cut CMDS FILE: run mftp with CMDS, SIGKILLed once FILE has CUT bytes.
cut() {
	"$MFTP" -P "$PORT" --password-fd 3 "alice@$HOST" 3<<<"$pw" \
	    <<<"$1" >/dev/null 2>&1 &
	CPID=$!
	BG_PIDS+=("$CPID")
	kill -STOP "$CPID" 2>/dev/null
	run_slices "$2" "$CUT" || fail "$1: did not reach $CUT bytes"
	kill -KILL "$CPID" 2>/dev/null
	wait "$CPID" 2>/dev/null
	wait_for 20 _no_sessions || fail "the killed client's session lingers"
}

# slow_disk CMDS: mftp running CMDS, each of its pread64 held 0.1 s.
slow_disk() {
	RC=0
	timeout -k 5 "$CLIENT_TIMEOUT" strace -qq -f --seccomp-bpf \
	    -o /dev/null -e trace=pread64 \
	    -e inject=pread64:delay_enter=100000 \
	    "$MFTP_BIN" -o UserKnownHostsFile="$KNOWN_HOSTS" \
	    -o StrictHostKeyChecking=yes -P "$PORT" --password-fd 3 \
	    "alice@$HOST" 3<<<"$pw" <<<"$1" >"$T/client.out" \
	    2>"$T/client.err" || RC=$?
	OUT=$(cat "$T/client.out")
	ERR=$(cat "$T/client.err")
	_last_client="slow disk: $1"
}

last_transfer() { # OP PATH
	grep -F "transfer user=alice " "$DAEMON_LOG" |
		grep -F " op=$1 path=$2 " | tail -n 1
}

cut "get big $W/got" "$W/got.part"
kept=$(fsize "$W/got.part")
note "the get kept $kept bytes"
slow_disk "get big $W/got"
expect_rc 0 "a get resumed from a part slow to read back ($ERR)"
expect_same_file "$W/got" "$W/orig" "the resumed download"
expect_match "$OUT" 'got: .*, resumed at .*, verified$' "the get's line"
expect_contains "$(last_transfer get big)" "result=ok" "the server's line"
ok "a get whose kept part takes longer than idle_timeout to read resumes"

cut "put $W/up up" "$home/.up.mftp-part"
note "the put kept $(fsize "$home/.up.mftp-part") bytes"
slow_disk "put $W/up up"
expect_rc 0 "a put resumed from a source slow to read back ($ERR)"
expect_same_file "$home/up" "$W/orig" "the resumed upload"
expect_match "$OUT" 'up: .*, resumed at .*, verified$' "the put's line"
expect_contains "$(last_transfer put up)" "result=ok" "the server's line"
ok "a put whose kept part takes longer than idle_timeout to read resumes"

daemon_alive || fail "mftpd died"
check_log_clean
