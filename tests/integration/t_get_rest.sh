#!/usr/bin/env bash
# t_get_rest: get -r, reget -r and mget go on past a file that fails on
# its own (the server refuses it: permission denied; its local name is
# a directory), fetch the rest, and then fail, naming it, so that a
# script (status 1) does not take the partial download for a whole
# one, as put -r and mput do with a file removed meanwhile.  They
# stopped at the first such file: the files after it were not fetched,
# but for those whose GETs were already in flight (up to 32).  A symbolic link on the server is skipped by policy: a note,
# status 0.  A full local disk still stops the command at once: no GET
# goes after those already in flight.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
L=$T/local
mkdir -p "$L"

# The tree d: a b c01..c40 e sub/s, listed in that order, b early: the
# GETs of the files from c31 on were not yet sent when b was refused.
CS=$(seq -f 'c%02g' 1 40)
mkdir -p "$home/d/sub"
for f in a b $CS e sub/s; do
	printf '%s\n' "$f" >"$home/d/$f"
done
chown -R "$uid:$gid" "$home/d"
# Unreadable for alice, whose serving process opens it.
chmod 000 "$home/d/b"

# check_rest DIR WHAT: a c01..c40 e sub/s fetched into DIR, b not.
check_rest() {
	local f
	for f in a $CS e sub/s; do
		expect_same_file "$1/$f" "$home/d/$f" "$2: $f"
	done
	[ ! -e "$1/b" ] || fail "$2: b was saved"
	[ ! -e "$1/b.part" ] || fail "$2: a b.part was left"
}

for cmd in "get -r" "reget -r"; do
	rm -rf "${L:?}/d"
	run_client alice "$pw" <<<"lcd $L
$cmd d"
	expect_rc 1 "$cmd d with d/b unreadable"
	check_rest "$L/d" "$cmd"
	expect_match "$ERR" "^mftp: ${cmd%% *}: d/b: .*[Pp]ermission denied" \
	    "the refusal is said at once, naming d/b"
	expect_contains "$ERR" \
	    "mftp: ${cmd%% *}: d/b was not downloaded; the rest was" \
	    "the failure names the file and says the rest came"
	ok "$cmd goes on past a file the server refuses, then fails"
done

# mget: the same, for the files a pattern matched.
rm -rf "${L:?}/m"
mkdir -p "$L/m"
run_client alice "$pw" <<<"lcd $L/m
mget d/*"
expect_rc 1 "mget d/* with d/b unreadable"
expect_contains "$ERR" "mftp: mget: d/b was not downloaded; the rest was" \
    "mget's failure names the file"
for f in a $CS e; do
	expect_same_file "$L/m/$f" "$home/d/$f" "mget: $f"
done
[ ! -e "$L/m/b" ] || fail "mget: b was saved"
ok "mget goes on past a file the server refuses, then fails"

# A local failure of one file: a directory where c40 goes.  Two
# failures are counted, the first named.
rm -rf "${L:?}/d"
mkdir -p "$L/d/c40"
run_client alice "$pw" <<<"lcd $L
get -r d"
expect_rc 1 "get -r d with d/b unreadable and d/c a local directory"
expect_contains "$ERR" "d/c40: Is a directory" "the local failure names d/c40"
expect_contains "$ERR" \
    "mftp: get: 2 files or directories were not downloaded (the first: d/b); the rest was" \
    "the failure counts them"
for f in a c39 e sub/s; do
	expect_same_file "$L/d/$f" "$home/d/$f" "get -r: $f"
done
[ -d "$L/d/c40" ] || fail "the directory in c40's way is gone"
ok "get -r goes on past a file whose local name is a directory"

# A directory fails on its own too, and what is below it is left out:
# one whose listing the server refuses (made, empty), one whose local
# name is a file.
chmod 000 "$home/d/sub"
rm -rf "${L:?}/d"
run_client alice "$pw" <<<"lcd $L
get -r d"
chmod 0755 "$home/d/sub"
expect_rc 1 "get -r d with d/b and d/sub unreadable"
expect_match "$ERR" "^mftp: get: d/sub: .*[Pp]ermission denied" "the refusal of d/sub"
expect_contains "$ERR" \
    "mftp: get: 2 files or directories were not downloaded (the first: d/sub)" \
    "the failure counts them"
for f in a $CS e; do
	expect_same_file "$L/d/$f" "$home/d/$f" "get -r: $f"
done
ok "get -r goes on past a directory the server does not list"
rm -rf "${L:?}/d"
mkdir -p "$L/d"
printf 'mine\n' >"$L/d/sub"
run_client alice "$pw" <<<"lcd $L
get -r d"
expect_rc 1 "get -r d with a local file d/sub"
expect_contains "$ERR" "d/sub: Not a directory" "the local failure names d/sub"
expect_contains "$ERR" \
    "mftp: get: 2 files or directories were not downloaded (the first: d/sub)" \
    "the failure counts them"
for f in a $CS e; do
	expect_same_file "$L/d/$f" "$home/d/$f" "get -r: $f"
done
expect_eq "$(cat "$L/d/sub")" mine "the local file d/sub"
ok "get -r goes on past a directory whose local name is a file"

# With "-" in front, the script's next command runs, as after any
# failure; the batch run's status is then 0.
rm -rf "${L:?}/d"
run_client alice "$pw" <<<"lcd $L
-get -r d
lls $L/d"
expect_rc 0 "-get -r d, then lls"
expect_contains "$ERR" "mftp: get: d/b was not downloaded" "the failure, with -"
expect_contains "$OUT" "sub" "the command after -get -r ran"
ok "-get -r with a file refused goes on to the next command"

# Policy skips fail nothing: readable b, a symbolic link on the server.
chmod 0644 "$home/d/b"
ln -s a "$home/d/link"
chown -h "$uid:$gid" "$home/d/link"
rm -rf "${L:?}/d"
run_client alice "$pw" <<<"lcd $L
get -r d"
expect_rc 0 "get -r of a tree with a symbolic link"
expect_contains "$ERR" "skipping d/link: symbolic link, not followed" \
    "the note names the link"
expect_not_contains "$ERR" "not downloaded" "no failure for the link"
expect_same_file "$L/d/b" "$home/d/b" "b"
ok "get -r skips a symbolic link with a note and succeeds"

# A full disk stops at once: of 60 files of 100 KiB, about 10 fit in
# 1 MiB; at most the 32 GETs in flight when it filled are answered, and
# none is sent after.
mkdir -p "$home/n"
for i in $(seq -w 1 60); do
	head -c 102400 /dev/urandom >"$home/n/f$i"
done
chown -R "$uid:$gid" "$home/n"
S=$T/small
mkdir -p "$S"
if ! mount -t tmpfs -o size=1m,mode=0755 none "$S" 2>"$T/mount.err"; then
	note "tmpfs cannot be mounted here: $(cat "$T/mount.err"); no disk-full check"
	exit 0
fi
CLEANUP_MOUNTS+=("$S")
run_client alice "$pw" <<<"lcd $S
get -r n"
expect_rc 1 "get -r onto a full file system"
expect_contains "$ERR" "No space left on device" "the reason"
expect_not_contains "$ERR" "not downloaded" "no summary: it stopped"
expect_eq "$(log_count ' op=get path=n/f60 ')" 0 \
    "GETs sent after the disk was full"
ok "get -r stops at once when the local disk is full"
umount "$S" || fail "umount $S"
