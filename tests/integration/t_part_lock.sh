#!/usr/bin/env bash
# t_part_lock: two mftp processes never write one LOCAL.part.  While
# client A downloads a into out (slowed by the user's --rate), client B
# aiming at the same out.part, by whatever command (get of another
# remote file, get -c, reget of the same file, mget, get -r, with
# --retry), is refused with "another mftp is downloading into
# out.part" and leaves the part as it is; A's out is then A's file.
# No run here may exit 0 with a file that differs from its source.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw" --rate 256K
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)
start_daemon
mkdir -p "$T/l/dd" "$home/dd"
L=$T/l/dd
# a lasts 16 s at 256 KiB/s: the six refused runs of B below, each a
# login, fit in it on a busy machine too (with 2 MiB, 8 s, logins of
# more than a second each would not have).
head -c $((4 * 1048576)) /dev/urandom >"$home/a"
head -c $((8 * 1048576)) /dev/urandom >"$home/b"
cp "$home/b" "$home/out"
cp "$home/b" "$home/dd/out"
chown -R "$uid:$gid" "$home"

# honest RC LOCAL SOURCE WHAT: a run that exited 0 left LOCAL equal to
# SOURCE.
honest() {
	if [ "$1" = 0 ]; then
		cmp -s -- "$2" "$3" ||
			fail "$4 exited 0, but $2 differs from $3"
	fi
}

# Client A, in the background: get a out.
"$MFTP" -P "$PORT" -q --password-fd 3 "alice@$HOST" 3<<<"$pw" \
    <<<"lcd $L
get a out" >"$T/a.out" 2>"$T/a.err" &
APID=$!
BG_PIDS+=("$APID")
_started() { [ "$(fsize "$L/out.part")" -ge 262144 ]; }
wait_for 20 _started || fail "client A did not start writing out.part"

# refused WHAT [mftp options] <<<commands: B, while A still runs.
refused() {
	local what=$1
	shift
	kill -0 "$APID" 2>/dev/null ||
		fail "client A ended before '$what'; the test needs a larger a"
	run_client alice "$pw" "$@"
	expect_ne "$RC" 0 "$what beside A's download"
	expect_contains "$ERR" "another mftp is downloading into" "$what"
	expect_contains "$ERR" "out.part" "$what: the part named"
	[ -d "$L/out" ] && fail "$what: out became a directory"
	ok "$what is refused while A downloads into out.part"
}

refused "get b out" <<<"lcd $L
get b out"
honest "$RC" "$L/out" "$home/b" "get b out"
refused "get -c b out" <<<"lcd $L
get -c b out"
honest "$RC" "$L/out" "$home/b" "get -c b out"
refused "reget a out" <<<"lcd $L
reget a out"
honest "$RC" "$L/out" "$home/a" "reget a out"
refused "mget ou*" <<<"lcd $L
mget ou*"
honest "$RC" "$L/out" "$home/out" "mget ou*"
refused "get -r dd" <<<"lcd $T/l
get -r dd"
honest "$RC" "$L/out" "$home/dd/out" "get -r dd"
refused "get -c b out with --retry 2" --retry 2 <<<"lcd $L
get -c b out"
honest "$RC" "$L/out" "$home/b" "get -c b out with --retry 2"

RC=0
wait_pid "$APID" 60 || RC=$?
[ "$RC" = 124 ] && fail "client A did not finish"
if [ "$RC" = 0 ]; then
	expect_same_file "$L/out" "$home/a" "A's out"
	ok "A's download is a, verified and whole"
else
	note "client A failed: $(cat "$T/a.err")"
fi
honest "$RC" "$L/out" "$home/a" "client A"

# Once A is done the lock has gone with it: B's get works (unpaced:
# at 256 KiB/s, b's 8 MiB took 32 s).
tool "$top_builddir/ftpuser-mod" --rate 0 alice
expect_eq "$RC" 0 "ftpuser-mod --rate 0 alice ($ERR)"
run_client alice "$pw" <<<"lcd $L
get b out"
expect_rc 0 "get b out after A ended ($ERR)"
expect_same_file "$L/out" "$home/b" "out after B"
[ ! -e "$L/out.part" ] || fail "out.part left after B"
ok "after A, the same get b out downloads"
check_log_clean
