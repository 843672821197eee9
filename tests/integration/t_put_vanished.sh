#!/usr/bin/env bash
# t_put_vanished: put -r skips, with a note, a file removed after the
# walk read its directory: between the readdir and the lstat of the
# walk, or between the walk and the upload's open, as lls leaves out
# such a file; the rest of the tree is uploaded, and then put -r fails,
# naming what was not sent, so that a script (status 1) does not take
# the partial upload for a whole one, as rsync's status 24 says.  It
# first failed with "No such file or directory" and uploaded nothing
# more, then succeeded (status 0) with only the note.  A subdirectory
# removed before the walk opens it is skipped too, and not made on the
# server; mput skips a file removed after its glob, and fails at the
# end the same way.  Symbolic links are skipped by policy, with a note,
# and fail nothing, as get -r does with the server's.
# strace holds mftp in the syscall on the file's name (delay_enter, as
# -P selects it: by its path, or by d's descriptor, which put -r reads
# the tree in; each call in d is held) while the test removes the file.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || fail "strace is needed (scripts/deps.sh)"
pw=$(rand_pw)
add_user alice "$pw"
home=$(user_home alice)
start_daemon
L=$T/local

# traced_put SYSCALL NAME [COMMAND]: COMMAND (put -r $L/d) with mftp
# held 3 s in SYSCALL on $L/d/NAME, NAME removed meanwhile; RC, ERR.
# The removal must come within the hold, which the test's own processes
# (a grep every 0.1 s, then rm) can miss on a machine busy enough: the
# held call then finds NAME (strace shows it succeed, not fail with
# ENOENT), and the run says nothing of what mftp does when it does not.
# That run is made again (3 tries); one whose held call failed is
# judged.
traced_put() {
	local try
	for try in 1 2 3; do
		_traced_put_once "$@"
		_held_call_failed "$1" "$2" && return 0
		note "try $try: $2 was removed only after mftp's $1 of it; again"
	done
	fail "$2 was never removed within mftp's $1 of it (3 tries)"
}

# _call_re NAME: the ERE of a traced call on NAME in d, by its path or
# by d's descriptor.
_call_re() {
	printf '(%s"|, "%s")' "$L/d/$1" "$1"
}

# _held_call_failed SYSCALL NAME: the first call on NAME in the trace
# (its result on its line, or on the "resumed" line of its process)
# failed with ENOENT.
_held_call_failed() {
	local line
	line=$(awk -v re="$(_call_re "$2")" '
		!found && $0 ~ re { found = 1; pid = $1
			if ($0 !~ /<unfinished/) { print; exit } ; next }
		found && $1 == pid && /resumed>/ { print; exit }' "$T/strace.$1")
	[[ $line == *"= -1 ENOENT"* ]]
}

_traced_put_once() {
	local sc=$1 name=$2 cmd=${3:-put -r $L/d} out=$T/strace.$1
	rm -rf "$L" "$home/d" "$home/a" "$home/b" "$home/sub"
	mkdir -p "$L/d/sub"
	printf 'a\n' >"$L/d/a"
	printf 'b\n' >"$L/d/b"
	printf 'c\n' >"$L/d/sub/c"
	: >"$out"
	printf '#!/bin/sh\nexec strace -qq -f -o %q -P %q -P %q -e trace=%s \\\n    -e inject=%s:delay_enter=3000000 %q "$@"\n' \
	    "$out" "$L/d/$name" "$L/d" "$sc" "$sc" "$MFTP" >"$T/bin/mftp-traced"
	chmod 0755 "$T/bin/mftp-traced"
	MFTP=$T/bin/mftp-traced client alice "$pw" <<<"lcd $L
$cmd" >"$T/put.out" 2>"$T/put.err" &
	local pid=$!
	BG_PIDS+=("$pid")
	wait_for 40 grep -qE "$(_call_re "$name")" "$out" ||
	    fail "mftp did not reach $sc of d/$name ($(cat "$T/put.err"))"
	rm -r "${L:?}/d/$name"
	RC=0
	wait_pid "$pid" 60 || RC=$?
	ERR=$(cat "$T/put.err")
}

for sc in newfstatat openat; do
	traced_put "$sc" b
	expect_eq "$RC" 1 "put -r with d/b removed at its $sc ($ERR)"
	expect_contains "$ERR" "skipping $L/d/b" "the note names the file"
	expect_contains "$ERR" "no longer there" "the note says why"
	expect_contains "$ERR" "mftp: put: $L/d/b was removed before it could be sent" \
	    "the failure names the file"
	expect_contains "$ERR" "the rest was sent" "the failure says the rest went"
	expect_same_file "$home/d/a" "$L/d/a" "d/a ($sc)"
	expect_same_file "$home/d/sub/c" "$L/d/sub/c" "d/sub/c ($sc)"
	[ ! -e "$home/d/b" ] || fail "d/b was uploaded ($sc)"
	ok "put -r skips a file removed before its $sc, sends the rest, fails"
done

traced_put openat sub
expect_eq "$RC" 1 "put -r with d/sub removed before it was read ($ERR)"
expect_contains "$ERR" "skipping $L/d/sub" "the note names the directory"
expect_contains "$ERR" "mftp: put: $L/d/sub was removed before it could be sent" \
    "the failure names the directory"
expect_same_file "$home/d/a" "$L/d/a" "d/a"
expect_same_file "$home/d/b" "$L/d/b" "d/b"
[ ! -e "$home/d/sub" ] || fail "d/sub was made on the server"
ok "put -r skips a directory removed before it was read, and fails"

# mput: a file removed after the glob read its directory.
traced_put newfstatat b "mput $L/d/*"
expect_eq "$RC" 1 "mput with d/b removed after the glob ($ERR)"
expect_contains "$ERR" "skipping $L/d/b" "the note names the file"
expect_contains "$ERR" "mftp: mput: $L/d/b was removed before it could be sent" \
    "the failure names the file"
expect_same_file "$home/a" "$L/d/a" "a"
[ ! -e "$home/b" ] || fail "b was uploaded"
ok "mput skips a file removed after the glob matched it, and fails"

# With "-" in front, the script's next command runs, as after any
# failure.
traced_put openat b "-put -r $L/d
lls $L/d"
expect_eq "$RC" 0 "-put -r with d/b removed ($ERR)"
expect_contains "$ERR" "mftp: put: $L/d/b was removed" "the failure, with -"
expect_contains "$(cat "$T/put.out")" "sub" "the command after -put -r ran"
ok "-put -r with a file removed goes on to the next command"

# A symbolic link in the tree is skipped by policy: a note, status 0.
rm -rf "$L" "$home/d"
mkdir -p "$L/d"
printf 'a\n' >"$L/d/a"
ln -s a "$L/d/link"
run_client alice "$pw" <<<"put -r $L/d"
expect_rc 0 "put -r of a tree with a symbolic link ($ERR)"
expect_contains "$ERR" "skipping $L/d/link: symbolic link, not followed" \
    "the note names the link"
expect_same_file "$home/d/a" "$L/d/a" "d/a"
ok "put -r skips a symbolic link with a note and succeeds, as get -r"
