#!/usr/bin/env bash
# t_get_c_theirs: get -c (reget, mget -c, reget -r) takes up a .part of
# the user's that has no resume record, but never empties it.  When the
# whole does not verify, the user's bytes were not the remote file's
# start: what was received after them is cut off, the .part is left as
# it was (its mtime too), no record is left on it, and the download
# fails, saying why; the rest of a tree still comes.  Before, such a
# .part was taken for one of mftp's own: fetched again from the start
# in it ("the kept part did not match"), the user's bytes lost.  A
# .part of the user's that is the remote file's start still resumes,
# and one get -c was interrupted in carries no record: a plain get does
# not take it for one of mftp's.  One that another program still writes
# into (it grew since its bytes were hashed) is not cut back to them.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
L=$T/local
mkdir -p "$L" "$home/d"
for f in a d/x d/y d/z; do
	head -c 300000 /dev/urandom >"$home/$f"
done
chown -R "$uid:$gid" "$home"

# mine FILE: the user's own notes, not the start of any remote file,
# with an old mtime, copied to $T/orig for the check below.
mine() {
	echo "the user's own notes, not a download" >"$1"
	touch -d '2020-02-02 12:00' "$1"
	cp -p "$1" "$T/orig"
}

# kept FILE WHAT: FILE is as mine made it, and carries no resume record.
kept() {
	expect_same_file "$1" "$T/orig" "$2: the user's .part"
	expect_eq "$(stat -c %Y "$1")" "$(stat -c %Y "$T/orig")" "$2: its mtime"
	expect_eq "$(xattr_hex "$1" user.mftp.resume)" "" "$2: a resume record"
	[ ! -e "$(dirname "$1")/.$(basename "$1").key" ] ||
		fail "$2: a sidecar record"
}

for cmd in "get -c" "reget" "mget -c"; do
	rm -f "$L/a"
	mine "$L/a.part"
	run_client alice "$pw" <<<"lcd $L
$cmd a"
	expect_rc 1 "$cmd a over the user's a.part"
	kept "$L/a.part" "$cmd"
	expect_contains "$ERR" "a.part: not the start of the remote file" \
	    "$cmd: the reason"
	expect_contains "$ERR" "left as it was; get without -c downloads a beside it" \
	    "$cmd: what to do"
	expect_not_contains "$ERR" "transferring again" "$cmd: a fresh start"
	[ ! -e "$L/a" ] || fail "$cmd: a was made"
	ok "$cmd leaves the user's a.part as it was, and says why"
done

# reget -r: the user's d/y.part is kept, the rest of the tree comes.
rm -rf "${L:?}/d"
mkdir -p "$L/d"
mine "$L/d/y.part"
run_client alice "$pw" <<<"lcd $L
reget -r d"
expect_rc 1 "reget -r d over the user's d/y.part"
kept "$L/d/y.part" "reget -r"
expect_contains "$ERR" "d/y.part: not the start of the remote file" \
    "reget -r: the reason"
expect_contains "$ERR" "reget: d/y was not downloaded; the rest was" \
    "reget -r: the failure names it"
expect_same_file "$L/d/x" "$home/d/x" "reget -r: d/x"
expect_same_file "$L/d/z" "$home/d/z" "reget -r: d/z"
[ ! -e "$L/d/y" ] || fail "reget -r: d/y was made"
ok "reget -r leaves the user's d/y.part as it was, and fetches the rest"

# Interrupted, a .part get -c took up carries no record: a plain get
# still leaves it as the user's (and downloads beside it), and get -c
# goes on with it.
head -c $((32 << 20)) /dev/urandom >"$home/big"
chown "$uid:$gid" "$home/big"
head -c 1000000 "$home/big" >"$L/big.part"
# At 8 MiB/s, so that the client is stopped before the end however fast
# the machine (unpaced, 32 MiB came in one 20 ms slice).
"$top_builddir/ftpuser-mod" -c "$CONF" --rate 8M alice >/dev/null ||
	fail "ftpuser-mod --rate 8M alice"
"$MFTP" -P "$PORT" -q --password-fd 3 "alice@$HOST" 3<<<"$pw" \
    <<<"lcd $L
get -c big" >"$T/slow.out" 2>"$T/slow.err" &
CPID=$!
BG_PIDS+=("$CPID")
kill -STOP "$CPID"
run_slices "$L/big.part" 4000000 || fail "get -c big did not reach 4 MB"
kill -KILL "$CPID"
wait "$CPID" 2>/dev/null
"$top_builddir/ftpuser-mod" -c "$CONF" --rate 0 alice >/dev/null ||
	fail "ftpuser-mod --rate 0 alice"
expect_eq "$(xattr_hex "$L/big.part" user.mftp.resume)" "" \
    "the record of an interrupted get -c"
[ ! -e "$L/.big.part.key" ] || fail "a sidecar record of an interrupted get -c"
cp "$L/big.part" "$T/big.part.kept"
run_client alice "$pw" <<<"lcd $L
get big"
expect_rc 0 "get big beside the interrupted big.part ($ERR)"
expect_same_file "$L/big" "$home/big" "big, by get"
expect_match "$(cat "$DAEMON_LOG")" \
    "op=get path=big bytes=$((32 << 20)) offset=0 size=$((32 << 20)) result=ok" \
    "get big, whole from the start"
expect_same_file "$L/big.part" "$T/big.part.kept" "big.part after get big"
rm "$L/big"
run_client alice "$pw" <<<"lcd $L
get -c big"
expect_rc 0 "get -c big over the interrupted big.part ($ERR)"
expect_resumed get big "get -c big"
expect_same_file "$L/big" "$home/big" "big"
[ ! -e "$L/big.part" ] || fail "big.part left behind by get -c"
ok "an interrupted get -c leaves no record: only get -c goes on with it"

# A .part another program still writes into (a browser's download
# going on) is not cut back: strace holds each of mftp's reads of it
# while its kept bytes are hashed, and the other program adds to it.
command -v strace >/dev/null || fail "strace is needed (scripts/deps.sh)"
rm -f "$L/big"
head -c $((4 << 20)) "$home/big" >"$L/big.part"
RC=0
timeout -k 5 "$CLIENT_TIMEOUT" strace -qq -f -o /dev/null \
    -e trace=pread64 -e inject=pread64:delay_enter=300000 \
    "$MFTP_BIN" -o UserKnownHostsFile="$KNOWN_HOSTS" \
    -o StrictHostKeyChecking=yes -P "$PORT" -q --password-fd 3 \
    "alice@$HOST" 3<<<"$pw" <<<"lcd $L
get -c big" >"$T/held.out" 2>"$T/held.err" &
held=$!
BG_PIDS+=("$held")
# Once the client has the part open, its bytes are being read back (16
# reads of 256 KiB, 0.3 s each): the line comes in the middle of that.
part=$(realpath "$L/big.part")
_part_open() { [ -n "$(find /proc/[0-9]*/fd -lname "$part" -print -quit 2>/dev/null)" ]; }
wait_for 30 _part_open || fail "the client never opened big.part"
echo "what the other program added" >>"$L/big.part"
cp "$L/big.part" "$T/grown"
wait_pid "$held" "$CLIENT_TIMEOUT" || RC=$?
ERR=$(cat "$T/held.err")
expect_eq "$RC" 1 "get -c big while another program adds to big.part ($ERR)"
expect_contains "$ERR" "big.part: it changed while the download waited" \
    "the reason"
expect_same_file "$L/big.part" "$T/grown" "the big.part another program wrote"
[ ! -e "$L/big" ] || fail "big was made from a part another program writes"
rm -f "$L/big.part"
ok "a .part another program writes into is not cut back"

# Moved away, the same get works; a .part of the user's that is the
# remote file's start resumes from it.
mv "$L/a.part" "$L/notes"
head -c 100000 "$home/a" >"$L/a.part"
run_client alice "$pw" <<<"lcd $L
get -c a"
expect_rc 0 "get -c a over the start of a ($ERR)"
expect_same_file "$L/a" "$home/a" "a"
expect_match "$(cat "$DAEMON_LOG")" 'op=get path=a bytes=200000 offset=100000 ' \
    "the get resumed at the user's bytes"
ok "a .part of the user's that is the file's start resumes"
