#!/usr/bin/env bash
# t_part_own: a download never writes over a local file it did not make.
# LOCAL.part is mftp's only when it carries mftp's resume record: a
# user's own file of that name is left as it was, and the download goes
# beside it (t_part_beside says more); a get -r of a directory holding
# both x and x.part fetches both whole; a file named like the record's sidecar is not
# removed unless it is one; a local name that is the user's symbolic
# link is written through, and the link stays a link (another user's is
# not followed); a link to one of mftp's descriptors (as /dev/stdout is)
# is written into it, after what ">>" kept; a name too long to take
# ".part" downloads through a shorter part name; a download that cannot
# be renamed into place keeps its resumable part (writable, whatever the
# remote mode, and no record is left on a read-only file); get -c takes up an
# empty part, and leaves one larger than the remote file; a sidecar
# record names its part by inode, and never takes the place of a file of
# that name that is not one; another user's part (record and all)
# in a sticky directory is not written into, nor a FIFO waited on; the
# line about a download to standard output goes to standard error.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)
start_daemon
L=$T/local
mkdir -p "$L" "$home/d"
head -c 300000 /dev/urandom >"$home/a"
for i in 1 2 3 4 5 6 7 8; do
	head -c 5000 /dev/urandom >"$home/d/x$i"
	head -c 7000 /dev/urandom >"$home/d/x$i.part"
done
chown -R "$uid:$gid" "$home"

# A user's own a.part: a plain get must not truncate it.
echo "the user's own notes, not a download" >"$L/a.part"
cp "$L/a.part" "$T/a.part.orig"
run_client alice "$pw" <<<"lcd $L
get a"
expect_rc 0 "get a beside the user's own a.part ($ERR)"
expect_same_file "$L/a.part" "$T/a.part.orig" "the user's a.part"
expect_same_file "$L/a" "$home/a" "a"
ok "a user's own a.part is left as it was, and a downloads beside it"
mv "$L/a.part" "$L/notes"

# get -r of a directory with x and x.part, in whatever order the server
# lists them: every x.part fetched is the remote x.part, whole.
run_client alice "$pw" <<<"lcd $L
get -r d"
for i in 1 2 3 4 5 6 7 8; do
	expect_same_file "$L/d/x$i.part" "$home/d/x$i.part" "d/x$i.part"
	expect_same_file "$L/d/x$i" "$home/d/x$i" "d/x$i"
done
expect_rc 0 "get -r d ($ERR)"
ok "get -r of x and x.part: both are fetched whole"

# A file named like the record's sidecar, but not one, stays.
rm -f "$L/a"
echo "not a resume record" >"$L/.a.part.key"
run_client alice "$pw" <<<"lcd $L
get a"
expect_rc 0 "get a beside a .a.part.key of the user's ($ERR)"
expect_eq "$(cat "$L/.a.part.key")" "not a resume record" "the user's .a.part.key"
ok "a file named like a sidecar but not one is kept"

# A symbolic link as the local name: written through, the link stays.
# /dev/stdout is one (to /proc/self/fd/1): a link of the same kind here.
echo old >"$L/target"
ln -s target "$L/link"
run_client alice "$pw" <<<"lcd $L
get a link"
expect_rc 0 "get a link ($ERR)"
[ -L "$L/link" ] || fail "the link was replaced by a file"
expect_same_file "$L/target" "$home/a" "the link's target"
# A link to one of mftp's descriptors is written into that descriptor,
# where it stands: after what ">>" keeps.
ln -s /proc/self/fd/1 "$L/stdout"
echo "a line already in the log" >"$L/out"
RC=0
client alice "$pw" >>"$L/out" 2>"$T/stdout.err" <<<"lcd $L
get a stdout" || RC=$?
expect_eq "$RC" 0 "get a stdout ($(cat "$T/stdout.err"))"
[ -L "$L/stdout" ] || fail "the link to /proc/self/fd/1 was replaced by a file"
{ echo "a line already in the log"; cat "$home/a"; } >"$T/want"
expect_same_file "$L/out" "$T/want" "standard output after >>"
# A link to nothing yet: the file is made where it points.
ln -s made-here "$L/dangling"
run_client alice "$pw" <<<"lcd $L
get a dangling"
expect_rc 0 "get a dangling ($ERR)"
[ -L "$L/dangling" ] || fail "the dangling link was replaced by a file"
expect_same_file "$L/made-here" "$home/a" "the dangling link's target"
# Another user's link is not followed: it could aim at anything of ours.
echo "not to be written" >"$L/theirs-target"
ln -s theirs-target "$L/theirs"
chown -h nobody "$L/theirs"
run_client alice "$pw" <<<"lcd $L
get a theirs"
expect_rc 0 "get a theirs ($ERR)"
expect_eq "$(cat "$L/theirs-target")" "not to be written" \
    "the target of another user's link"
[ ! -L "$L/theirs" ] || fail "another user's link was kept and written through"
ok "links: ours written through, to descriptors in place, others' not followed"

# Names of 246 to 255 bytes: NAME.part (or its sidecar) would be longer
# than a name may be, so the part has a shorter name of its own; the
# download works, and leaves nothing beside the file.
mkdir "$home/long" "$L/long"
for n in 246 250 255; do
	name=$(printf 'n%.0s' $(seq "$n"))
	head -c 70000 /dev/urandom >"$home/long/$name"
done
chown -R "$uid:$gid" "$home/long"
run_client alice "$pw" <<<"lcd $L/long
cd long
mget *"
expect_rc 0 "mget of names of 246, 250 and 255 bytes ($ERR)"
for n in 246 250 255; do
	name=$(printf 'n%.0s' $(seq "$n"))
	expect_same_file "$L/long/$name" "$home/long/$name" "the $n-byte name"
done
expect_eq "$(find "$L/long" -mindepth 1 | wc -l)" 3 "files left beside them"
ok "names of 246, 250 and 255 bytes download, with nothing left beside them"

# A download whose last step fails (its rename into place, made to fail
# by strace) keeps its .part and the record: once the way is clear, the
# next get only verifies what it has.  (A directory where the file is
# to go, which this once used, now fails the get before its GET:
# t_get_no_dir.)
head -c 100000 /dev/urandom >"$home/m"
chown "$uid:$gid" "$home/m"
norename_client
MFTP=$T/bin/mftp-norename run_client alice "$pw" <<<"lcd $L
mget m"
expect_rc 1 "mget m whose rename fails"
expect_contains "$ERR" "Permission denied" "the reason"
expect_same_file "$L/m.part" "$home/m" "the kept m.part"
[ ! -e "$L/m" ] || fail "m is there though its rename failed"
run_client alice "$pw" <<<"lcd $L
mget m"
expect_rc 0 "mget m again ($ERR)"
expect_same_file "$L/m" "$home/m" "m"
expect_match "$(cat "$DAEMON_LOG")" \
    'op=get path=m bytes=0 offset=100000 size=100000 result=ok' \
    "the second get: nothing sent again"
[ ! -e "$L/m.part" ] || fail "m.part left behind"
ok "a download that cannot be put in place keeps its part, and resumes"

# The same for a user, not root, and a file of mode 0444: the kept part
# stays writable (the mode is given once the file is in place), so the
# next get takes it up; and the resume record goes from every file that
# lands (a read-only file would refuse its removal).
head -c 100000 /dev/urandom >"$home/ro"
cp "$home/ro" "$home/ro2"
chown "$uid:$gid" "$home/ro" "$home/ro2"
chmod 0444 "$home/ro" "$home/ro2"
U=$T/as-nobody
mkdir -p "$U"
chown -R 65534:65534 "$U"
# nobody_get COMMANDS [MFTP]: mftp as nobody (umask 022); sets RC, ERR.
nobody_get() {
	RC=0
	(umask 022 && HOME=$U setpriv --reuid=65534 --regid=65534 --clear-groups \
	    timeout -k 5 "$CLIENT_TIMEOUT" "${2:-$MFTP}" -P "$PORT" -q \
	    --password-fd 3 "alice@$HOST" 3<<<"$pw" <<<"lcd $U
$1" >"$T/nobody.out" 2>"$T/nobody.err") || RC=$?
	ERR=$(cat "$T/nobody.err")
}
command -v setpriv >/dev/null || fail "setpriv(1) (util-linux) is needed"
nobody_get "mget ro" "$T/bin/mftp-norename"
expect_rc 1 "mget ro whose rename fails, as nobody"
expect_contains "$ERR" "Permission denied" "the reason"
expect_eq "$(stat -c %a "$U/ro.part")" 600 "the kept part's mode"
nobody_get "mget ro"
expect_rc 0 "mget ro again, as nobody ($ERR)"
expect_same_file "$U/ro" "$home/ro" "ro"
expect_eq "$(stat -c %a "$U/ro")" 444 "ro's mode"
[ ! -e "$U/ro.part" ] || fail "ro.part left behind"
nobody_get "get ro2"
expect_rc 0 "get ro2, as nobody ($ERR)"
for f in ro ro2; do
	expect_eq "$(python3 -c 'import os, sys; print(os.listxattr(sys.argv[1]))' \
	    "$U/$f")" "[]" "the extended attributes of $f"
done
ok "as a user: a read-only file's kept part resumes; no record is left on it"

# get -c: an empty part of no record is taken up (nothing in it to
# keep); one larger than the remote file cannot be its start, and is
# left as it is.
rm -f "$L/a"
: >"$L/a.part"
run_client alice "$pw" <<<"lcd $L
get -c a"
expect_rc 0 "get -c a over an empty a.part ($ERR)"
expect_same_file "$L/a" "$home/a" "a after get -c"
head -c 400000 /dev/urandom >"$L/a.part"
cp "$L/a.part" "$T/big.part"
rm -f "$L/a"
run_client alice "$pw" <<<"lcd $L
get -c a"
expect_rc 1 "get -c a over a larger a.part"
expect_contains "$ERR" "it is larger" "the reason"
expect_same_file "$L/a.part" "$T/big.part" "the larger a.part"
ok "get -c: an empty part is taken up, a larger one is left and the reason given"

# A sidecar names its part by inode: one left behind does not make a
# user's later file of the part's name look like mftp's.  (The size and
# mtime are the remote file's; inode 1 is no regular file's.)
rm -f "$L/a" "$L/a.part"
echo "the user's own, made after a sidecar was left" >"$L/a.part"
cp "$L/a.part" "$T/a.part.orig"
printf '%s %s 1' "$(stat -c %s "$home/a")" "$(stat -c %Y "$home/a")" \
    >"$L/.a.part.key"
run_client alice "$pw" <<<"lcd $L
get a"
expect_rc 0 "get a beside a sidecar that names another part ($ERR)"
expect_same_file "$L/a.part" "$T/a.part.orig" "the user's a.part"
expect_same_file "$L/a" "$home/a" "a"
rm -f "$L/a.part" "$L/.a.part.key"
ok "a sidecar left behind does not claim a user's file"

# Where extended attributes fail (ramfs has none), the sidecar is
# written with the part's inode, and the part resumes by it.
R=$T/ram
mkdir -p "$R"
if mount -t ramfs none "$R" 2>"$T/mount.err"; then
	# Unmounted however the test ends, or $T could not be removed.
	CLEANUP_MOUNTS+=("$R")
	MFTP=$T/bin/mftp-norename run_client alice "$pw" <<<"lcd $R
mget m"
	expect_rc 1 "mget m whose rename fails, on ramfs"
	[ -f "$R/.m.part.key" ] || fail "no sidecar on ramfs"
	ino=$(cut -d ' ' -f 3 <"$R/.m.part.key")
	expect_eq "$ino" "$(stat -c %i "$R/m.part")" "the inode in the sidecar"
	run_client alice "$pw" <<<"lcd $R
mget m"
	expect_rc 0 "mget m again, on ramfs ($ERR)"
	expect_same_file "$R/m" "$home/m" "m on ramfs"
	[ ! -e "$R/.m.part.key" ] || fail "the sidecar is left on ramfs"
	expect_eq "$(grep -c 'op=get path=m bytes=0 offset=100000 size=100000 result=ok' \
	    "$DAEMON_LOG")" 2 "gets of m that sent nothing again"
	ok "on a file system without xattrs the sidecar names its part, which resumes"

	# Another mftp may make a new m.part, with its own sidecar, between
	# this one's rename and the removal of its record: that record
	# names the new part, and stays.  strace holds the rename's return
	# for 3 s; the other mftp's part and record are made by hand then.
	command -v strace >/dev/null || fail "strace is needed (scripts/deps.sh)"
	rm -f "$R/m"
	RC=0
	strace -f -qq -o /dev/null -e trace=rename,renameat,renameat2 \
	    -e inject=rename,renameat,renameat2:delay_exit=3000000 \
	    "$MFTP" -P "$PORT" -q --password-fd 3 "alice@$HOST" 3<<<"$pw" \
	    <<<"lcd $R
get m" >"$T/held.out" 2>"$T/held.err" &
	held=$!
	BG_PIDS+=("$held")
	wait_for 20 test -f "$R/m" || fail "the held get did not rename m.part"
	echo "another mftp's part" >"$R/m.part"
	printf '100000 %s %s' "$(stat -c %Y "$home/m")" \
	    "$(stat -c %i "$R/m.part")" >"$R/.m.part.key"
	cp "$R/.m.part.key" "$T/other.key"
	wait_pid "$held" 60 || RC=$?
	expect_eq "$RC" 0 "the held get ($(cat "$T/held.err"))"
	expect_same_file "$R/m" "$home/m" "m, from the held get"
	[ -e "$R/.m.part.key" ] || fail "the other part's record was removed"
	expect_same_file "$R/.m.part.key" "$T/other.key" "the other part's record"
	rm -f "$R/m.part" "$R/.m.part.key"
	ok "a record naming another mftp's part is not this download's to remove"

	# A file of the user's named like the sidecar, but not a record, is
	# not written over by the record, nor removed with it.
	echo "the user's own notes, not a record" >"$R/.a.part.key"
	cp "$R/.a.part.key" "$T/notes.orig"
	run_client alice "$pw" <<<"lcd $R
get a"
	expect_rc 0 "get a beside the user's .a.part.key, on ramfs ($ERR)"
	expect_same_file "$R/a" "$home/a" "a on ramfs"
	[ -e "$R/.a.part.key" ] || fail "the user's .a.part.key was removed"
	expect_same_file "$R/.a.part.key" "$T/notes.orig" "the user's .a.part.key"
	rm -f "$R/a" "$R/.a.part.key"
	ok "on ramfs, a file named like a sidecar but not one is kept"
else
	note "SKIP part: ramfs cannot be mounted here ($(cat "$T/mount.err")): the sidecar's write is not checked"
fi

# Without -q: the line about a download into standard output goes to
# standard error, not into the data.
RC=0
"$MFTP" -P "$PORT" --password-fd 3 "alice@$HOST" 3<<<"$pw" >"$L/out2" \
    2>"$T/out2.err" <<<"lcd $L
get a stdout" || RC=$?
expect_eq "$RC" 0 "get a stdout without -q ($(cat "$T/out2.err"))"
expect_same_file "$L/out2" "$home/a" "standard output without -q"
expect_contains "$(cat "$T/out2.err")" "verified" "the line, on standard error"
# Another user's link to standard output is no way to it.
ln -s /proc/self/fd/1 "$L/theirs-fd"
chown -h nobody "$L/theirs-fd"
RC=0
client alice "$pw" >"$L/out3" 2>"$T/out3.err" <<<"lcd $L
get a theirs-fd" || RC=$?
expect_eq "$RC" 0 "get a theirs-fd ($(cat "$T/out3.err"))"
[ ! -s "$L/out3" ] || fail "the data went through another user's link to standard output"
expect_same_file "$L/theirs-fd" "$home/a" "theirs-fd, now a file of ours"
ok "standard output: the data alone; another user's link to it not followed"

# In a sticky directory, another user's a.part, even with a resume
# record, is not written into (it would have the download): the
# download goes beside it, and with a.mftp-part another user's too, it
# fails.
S=$L/sticky
mkdir -p "$S" && chmod 1777 "$S"
for p in a.part a.mftp-part; do
	: >"$S/$p"
	chown nobody "$S/$p" && chmod 666 "$S/$p"
	python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.mftp.resume", b"1 1")' \
	    "$S/$p" 2>/dev/null || printf '1 1' >"$S/.$p.key"
done
mv "$S/a.mftp-part" "$T/theirs.mftp-part"
run_client alice "$pw" <<<"lcd $S
get a"
expect_rc 0 "get a beside another user's a.part in a sticky directory ($ERR)"
expect_same_file "$S/a" "$home/a" "a"
[ ! -s "$S/a.part" ] || fail "another user's a.part received the download"
rm -f "$S/a"
mv "$T/theirs.mftp-part" "$S/a.mftp-part"
run_client alice "$pw" <<<"lcd $S
get a"
expect_rc 1 "get a beside another user's a.part and a.mftp-part"
expect_contains "$ERR" "not a file of the user's own" "the reason"
[ ! -s "$S/a.part" ] || fail "another user's a.part received the download"
[ ! -s "$S/a.mftp-part" ] || fail "another user's a.mftp-part received the download"
# A FIFO where a sidecar would be is not waited on.
touch "$L/b.part"
mkfifo "$L/.b.part.key"
CLIENT_TIMEOUT=20 run_client alice "$pw" <<<"lcd $L
get a b"
expect_rc 0 "get a b beside a FIFO named like b's sidecar ($ERR)"
expect_same_file "$L/b" "$home/a" "b"
[ -p "$L/.b.part.key" ] || fail "the FIFO named like b's sidecar was replaced"
# get -c with a directory named like the part.
mkdir "$L/c.part"
run_client alice "$pw" <<<"lcd $L
get -c a c"
expect_rc 1 "get -c a c beside a directory c.part"
expect_contains "$ERR" "not a file is there" "the reason"
ok "others' parts, FIFOs and directories where parts would be: left alone, reasons given"
