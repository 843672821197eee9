#!/usr/bin/env bash
# t_reget_tree: reget -r of a tree that an interruption left partly
# fetched resumes the .part files and skips each file already complete
# (its final name there, with the remote size, and the same checksum as
# the server's HASH): it is not transferred again.  Before, every
# complete file was fetched again, whole.  A complete-size file whose
# bytes differ is fetched again and ends up right; so is one of another
# size, and one whose local name is another user's symbolic link (not
# followed, replaced as before).  Plain get -r still fetches them all;
# mget -c skips as reget -r does.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
L=$T/local
mkdir -p "$L"

# The tree r on the server.
mkdir -p "$home/r/sub"
for f in same1 sub/same2 differs shorter missing mylink otherlink; do
	head -c 300000 /dev/urandom >"$home/r/$f"
done
head -c $((4 << 20)) /dev/urandom >"$home/r/big"
chown -R "$uid:$gid" "$home/r"

# What an interrupted get -r left: complete files, one .part.
mkdir -p "$L/r/sub" "$T/elsewhere"
cp "$home/r/same1" "$L/r/same1"
cp "$home/r/sub/same2" "$L/r/sub/same2"
# Of the remote size, other bytes (the first byte changed).
cp "$home/r/differs" "$L/r/differs"
printf '\x00' | dd of="$L/r/differs" bs=1 count=1 conv=notrunc status=none
cmp -s "$L/r/differs" "$home/r/differs" && printf '\x01' |
	dd of="$L/r/differs" bs=1 count=1 conv=notrunc status=none
head -c 1000 "$home/r/shorter" >"$L/r/shorter"
head -c $((1 << 20)) "$home/r/big" >"$L/r/big.part"
# A link of the user's to an identical copy is gone through (as a
# download writes through it); another user's is not.
cp "$home/r/mylink" "$T/elsewhere/mylink"
ln -s "$T/elsewhere/mylink" "$L/r/mylink"
cp "$home/r/otherlink" "$T/elsewhere/otherlink"
ln -s "$T/elsewhere/otherlink" "$L/r/otherlink"
chown -h 4242:4242 "$L/r/otherlink"

before() { stat -c '%i %Y %y' "$1"; }
b1=$(before "$L/r/same1")
b2=$(before "$L/r/sub/same2")
bl=$(before "$T/elsewhere/mylink")

# gets PATH: how many GETs of PATH the server's log has.
gets() { log_count " op=get path=$1 "; }

# Not -q: the lines of the files skipped are on standard output.
CLIENT_LOUD=1 run_client alice "$pw" <<<"lcd $L
reget -r r"
expect_rc 0 "reget -r r"
expect_eq "$(gets r/same1)" 0 "GETs of r/same1, complete and the same"
expect_eq "$(gets r/sub/same2)" 0 "GETs of r/sub/same2, complete and the same"
expect_eq "$(gets r/mylink)" 0 "GETs of r/mylink, through the user's link"
expect_eq "$(before "$L/r/same1")" "$b1" "r/same1's inode and mtime"
expect_eq "$(before "$L/r/sub/same2")" "$b2" "r/sub/same2's inode and mtime"
expect_eq "$(before "$T/elsewhere/mylink")" "$bl" "mylink's inode and mtime"
expect_contains "$OUT" "r/same1: already complete, checksum matches" \
    "the line of a file skipped"
expect_contains "$OUT" "r/sub/same2: already complete, checksum matches" \
    "the line of a file skipped below"
ok "reget -r skips the files already complete (no GET, not rewritten)"

expect_eq "$(gets r/differs)" 1 "GETs of r/differs, of the size but other bytes"
expect_eq "$(gets r/shorter)" 1 "GETs of r/shorter"
expect_eq "$(gets r/missing)" 1 "GETs of r/missing"
expect_eq "$(gets r/otherlink)" 1 "GETs of r/otherlink, another user's link"
for f in same1 sub/same2 differs shorter missing mylink otherlink big; do
	expect_same_file "$L/r/$f" "$home/r/$f" "r/$f"
done
[ ! -L "$L/r/otherlink" ] || fail "another user's link was kept"
expect_same_file "$T/elsewhere/otherlink" "$home/r/otherlink" \
    "where another user's link led, untouched"
[ -L "$L/r/mylink" ] || fail "the user's own link was replaced"
expect_resumed get r/big "r/big.part"
[ ! -e "$L/r/big.part" ] || fail "r/big.part is still there"
ok "reget -r fetches a file that differs, resumes a .part, replaces another's link"

# Plain get -r is unchanged: it fetches (and overwrites) them all.
run_client alice "$pw" <<<"lcd $L
get -r r"
expect_rc 0 "get -r r over the complete tree"
expect_eq "$(gets r/same1)" 1 "GETs of r/same1 by get -r"
expect_same_file "$L/r/same1" "$home/r/same1" "r/same1 after get -r"
ok "get -r still fetches the files already complete"

# mget -c skips a file already complete too; plain mget fetches it.
mkdir -p "$L/m"
cp "$home/r/same1" "$L/m/same1"
run_client alice "$pw" <<<"lcd $L/m
mget -c r/same*"
expect_rc 0 "mget -c r/same* over a complete same1"
expect_eq "$(gets r/same1)" 1 "GETs of r/same1 by mget -c"
run_client alice "$pw" <<<"lcd $L/m
mget r/same*"
expect_rc 0 "mget r/same*"
expect_eq "$(gets r/same1)" 2 "GETs of r/same1 by mget"
ok "mget -c skips a file already complete, mget does not"

# A SHA-256 session compares in SHA-256: same1 skipped, a changed byte
# in differs still found.
mkdir -p "$L/s"
cp "$home/r/same1" "$L/s/same1"
cp "$home/r/differs" "$L/s/differs"
printf '\x00' | dd of="$L/s/differs" bs=1 count=1 seek=1000 conv=notrunc status=none
cmp -s "$L/s/differs" "$home/r/differs" && printf '\x01' |
	dd of="$L/s/differs" bs=1 count=1 seek=1000 conv=notrunc status=none
n1=$(gets r/same1)
nd=$(gets r/differs)
run_client alice "$pw" -o Verify=sha256 <<<"lcd $L/s
mget -c r/same1 r/differs"
expect_rc 0 "mget -c in a SHA-256 session"
expect_eq "$(gets r/same1)" "$n1" "GETs of r/same1 in a SHA-256 session"
expect_eq "$(gets r/differs)" $((nd + 1)) "GETs of r/differs in a SHA-256 session"
expect_same_file "$L/s/differs" "$home/r/differs" "differs (SHA-256)"
ok "in a SHA-256 session, the comparison is in SHA-256"
