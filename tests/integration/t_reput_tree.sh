#!/usr/bin/env bash
# t_reput_tree: reput -r of a tree that an interruption left partly
# uploaded skips each file already complete on the server (a regular
# file of the local size, and the same checksum as the server's HASH):
# it is not sent again, and the remote copy is left as it was.  Before,
# every file was sent again, whole.  A file of the size whose bytes
# differ is sent and ends up right; so is one of another size, one
# missing, and one whose remote name is a directory fails alone; so is
# a complete one with a partial of the server's beside it.  Plain put -r
# still sends them all; put -rc and put -ra skip as reput -r does, and
# mput -c (not mput) as well.  reput DIR says to use reput -r or -rT,
# put -c DIR put -rc.  A put -r the quota stops names the command that
# sends the rest.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
L=$T/local

# The tree r here.
mkdir -p "$L/r/sub"
for f in same1 sub/same2 differs shorter missing isdir; do
	head -c 300000 /dev/urandom >"$L/r/$f"
done
head -c $((4 << 20)) /dev/urandom >"$L/r/big"
: >"$L/r/empty"

# What an interrupted put -r left on the server: complete files.
mkdir -p "$home/r/sub" "$home/r/isdir"
for f in same1 sub/same2 big empty; do
	cp "$L/r/$f" "$home/r/$f"
done
# Of the local size, other bytes (the first byte changed).
cp "$L/r/differs" "$home/r/differs"
printf '\x00' | dd of="$home/r/differs" bs=1 count=1 conv=notrunc status=none
cmp -s "$L/r/differs" "$home/r/differs" && printf '\x01' |
	dd of="$home/r/differs" bs=1 count=1 conv=notrunc status=none
head -c 1000 "$L/r/shorter" >"$home/r/shorter"
chown -R "$uid:$gid" "$home/r"
tool "$top_builddir/ftpuser-quota" --recount alice
expect_rc 0 "the recount after the copy"

before() { stat -c '%i %Y %y' "$1"; }
b1=$(before "$home/r/same1")
b2=$(before "$home/r/sub/same2")
bb=$(before "$home/r/big")

# puts PATH: how many uploads of PATH (as the client named it, from its
# working directory) the server's log has.
puts() { log_count " op=put path=$1 "; }

# Not -q: the lines of the files skipped are on standard output.
CLIENT_LOUD=1 run_client alice "$pw" <<<"lcd $L
reput -r r"
expect_rc 1 "reput -r r with a directory in the way of r/isdir"
for f in same1 sub/same2 big empty; do
	expect_eq "$(puts "r/$f")" 0 "uploads of r/$f, complete and the same"
	expect_contains "$OUT" "r/$f: already complete, checksum matches" \
	    "the line of r/$f, skipped"
done
expect_eq "$(before "$home/r/same1")" "$b1" "r/same1's inode and mtime"
expect_eq "$(before "$home/r/sub/same2")" "$b2" "r/sub/same2's inode and mtime"
expect_eq "$(before "$home/r/big")" "$bb" "r/big's inode and mtime"
ok "reput -r skips the files already complete on the server (no PUT, not rewritten)"

for f in differs shorter missing; do
	expect_eq "$(puts "r/$f")" 1 "uploads of r/$f"
done
for f in same1 sub/same2 big empty differs shorter missing; do
	expect_same_file "$home/r/$f" "$L/r/$f" "r/$f"
done
[ -d "$home/r/isdir" ] || fail "the directory r/isdir was replaced"
expect_contains "$ERR" "r/isdir" "the failure names r/isdir"
expect_not_contains "$OUT" "differs: already complete" "r/differs said complete"
ok "reput -r sends a file of other bytes, another size, a missing one; one fails alone"

# Plain put -r is unchanged: it sends them all again.
rmdir "$home/r/isdir"
run_client alice "$pw" <<<"lcd $L
put -r r"
expect_rc 0 "put -r r over the complete tree"
expect_eq "$(puts r/same1)" 1 "uploads of r/same1 by put -r"
expect_eq "$(puts r/big)" 1 "uploads of r/big by put -r"
ok "put -r still sends the files already complete"

# put -rc and put -ra are reput -r: nothing sent now.
for o in -rc -ra; do
	run_client alice "$pw" <<<"lcd $L
put $o r"
	expect_rc 0 "put $o r over the complete tree"
	expect_eq "$(puts r/same1)" 1 "uploads of r/same1 by put $o"
	expect_eq "$(puts r/sub/same2)" 1 "uploads of r/sub/same2 by put $o"
done
ok "put -rc and put -ra skip the files already complete"

# mput -c skips a file already complete, and sends the one that
# differs; plain mput sends both.  (In r, the log's paths are r's.)
printf 'x' | dd of="$home/r/differs" bs=1 count=1 conv=notrunc status=none
run_client alice "$pw" <<<"lcd $L/r
cd r
mput -c same1 differs"
expect_rc 0 "mput -c same1 differs"
expect_eq "$(puts same1)" 0 "uploads of same1 by mput -c"
expect_eq "$(puts differs)" 1 "uploads of differs by mput -c"
expect_same_file "$home/r/differs" "$L/r/differs" "r/differs after mput -c"
run_client alice "$pw" <<<"lcd $L/r
cd r
mput same1"
expect_rc 0 "mput same1"
expect_eq "$(puts same1)" 1 "uploads of same1 by mput"
ok "mput -c skips a file already complete, mput does not"

# A SHA-256 session compares in SHA-256: same1 skipped, a changed byte
# in differs still found.
printf 'y' | dd of="$home/r/differs" bs=1 count=1 seek=1000 conv=notrunc status=none
n1=$(puts same1)
nd=$(puts differs)
run_client alice "$pw" -o Verify=sha256 <<<"lcd $L/r
cd r
mput -c same1 differs"
expect_rc 0 "mput -c in a SHA-256 session"
expect_eq "$(puts same1)" "$n1" "uploads of same1 in a SHA-256 session"
expect_eq "$(puts differs)" $((nd + 1)) "uploads of differs in a SHA-256 session"
expect_same_file "$home/r/differs" "$L/r/differs" "r/differs (SHA-256)"
ok "in a SHA-256 session, the comparison is in SHA-256"
# A complete remote file with a partial of the server's beside it (an
# upload of it cut off before) is sent, not skipped: the upload takes
# the partial up or replaces it, which would otherwise stay, counted in
# the quota.
mkdir -p "$home/q"
cp "$L/r/same1" "$home/q/same1"
head -c 1000 "$L/r/same1" >"$home/q/.same1.mftp-part"
chown -R "$uid:$gid" "$home/q"
tool "$top_builddir/ftpuser-quota" --recount alice
expect_rc 0 "the recount after the copy to q"
run_client alice "$pw" <<<"lcd $L/r
reput -r . q"
expect_rc 0 "reput -r . q with a partial beside q/same1"
expect_eq "$(puts q/same1)" 1 "uploads of q/same1, a partial beside it"
[ ! -e "$home/q/.same1.mftp-part" ] || fail "the partial beside q/same1 stayed"
expect_same_file "$home/q/same1" "$L/r/same1" "q/same1"
expect_eq "$(puts q/sub/same2)" 1 "uploads of q/sub/same2, not there before"
ok "a complete file with the server's partial beside it is sent, the partial gone"

# reput of a directory names reput -r, not put -r (which sends all).
run_client alice "$pw" <<<"reput $L/r"
expect_rc 1 "reput DIR"
expect_contains "$ERR" \
    "r: is a directory (use reput -r, or reput -rT to go on in REMOTE itself)" \
    "what reput DIR says"
run_client alice "$pw" <<<"put -c $L/r"
expect_rc 1 "put -c DIR"
expect_contains "$ERR" "r: is a directory (use put -rc)" "what put -c DIR says"
ok "reput DIR points to reput -r and -rT, put -c DIR to put -rc"

# A put -r the quota stops says that the file refused and the rest were
# not sent, and the command that sends them; once the quota is raised,
# that command sends them in place and skips what had arrived.
pwb=$(rand_pw)
add_user bob "$pwb" --quota-bytes 5M
mkdir -p "$L/qt/sub"
echo a >"$L/qt/a"
head -c $((8 << 20)) /dev/urandom >"$L/qt/sub/big"
run_client bob "$pwb" <<<"lcd $L
put -r qt dest"
expect_rc 1 "put -r qt dest over the quota"
expect_contains "$ERR" \
    "dest/sub/big: quota exceeded" "the refusal"
expect_contains "$ERR" \
    "; it and the rest were not sent: reput -rT qt dest sends them once there is room" \
    "what the refusal adds"
tool "$top_builddir/ftpuser-mod" --quota-bytes 50M bob
expect_rc 0 "raising bob's quota"
run_client bob "$pwb" <<<"lcd $L
reput -rT qt dest"
expect_rc 0 "the command given, once there is room"
bhome=$(user_home bob)
expect_same_file "$bhome/dest/sub/big" "$L/qt/sub/big" "dest/sub/big"
expect_same_file "$bhome/dest/a" "$L/qt/a" "dest/a"
[ ! -e "$bhome/dest/qt" ] || fail "the command given went inside dest"
ok "a put -r stopped by the quota names reput -rT, which then sends the rest"
check_log_clean
