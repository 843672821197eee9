#!/usr/bin/env bash
# t_get_dir_links: get -r and mget -r make their directories, or add to
# existing ones, without going through a symbolic link of another
# user's: one planted where a directory of the tree goes (in a directory
# others may write, as under /tmp) could aim the download at any
# directory of the user's.  The user's (or root's) own link to a
# directory is gone through, as for a file.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)
start_daemon
L=$T/local
mkdir -p "$L/elsewhere" "$home/d/sub" "$home/e"
head -c 3000 /dev/urandom >"$home/d/sub/f"
head -c 3000 /dev/urandom >"$home/e/g"
chown -R "$uid:$gid" "$home"

# Another user's link where a subdirectory of the tree goes.
mkdir -p "$L/d"
ln -s ../elsewhere "$L/d/sub"
chown -h nobody "$L/d/sub"
run_client alice "$pw" <<<"lcd $L
get -r d"
expect_rc 1 "get -r d with another user's link at d/sub"
expect_contains "$ERR" "d/sub" "the reason names the link"
expect_contains "$ERR" "another user's" "the reason"
expect_eq "$(find "$L/elsewhere" -mindepth 1 | wc -l)" 0 \
    "files written through another user's link"
[ -L "$L/d/sub" ] || fail "the link was removed"
ok "get -r: another user's link at a subdirectory is not gone through"

# ... and where the tree's top goes, for get -r and mget -r alike.
ln -s elsewhere "$L/e"
chown -h nobody "$L/e"
for cmd in "get -r e" "mget -r e"; do
	run_client alice "$pw" <<<"lcd $L
$cmd"
	expect_rc 1 "$cmd with another user's link at e"
	expect_contains "$ERR" "another user's" "the reason"
	expect_eq "$(find "$L/elsewhere" -mindepth 1 | wc -l)" 0 \
	    "files written through another user's link ($cmd)"
done
ok "get -r, mget -r: another user's link at the top is not gone through"

# The user's own link to a directory is gone through.
rm "$L/d/sub" "$L/e"
ln -s ../elsewhere "$L/d/sub"
run_client alice "$pw" <<<"lcd $L
get -r d"
expect_rc 0 "get -r d with the user's own link at d/sub ($ERR)"
expect_same_file "$L/elsewhere/f" "$home/d/sub/f" "f, through the link"
[ -L "$L/d/sub" ] || fail "the user's link was replaced"
ok "get -r: the user's own link to a directory is gone through"

# The user's own link that leads to another user's link (a name under
# /tmp the user's link points at, planted by someone else) goes no
# further: that link is refused as if it stood there itself, at any
# step of a chain, and nothing is written where it points.
rm "$L/d/sub" "$L/elsewhere/f"
ln -s elsewhere "$L/plant"
chown -h nobody "$L/plant"
ln -s ../plant "$L/d/sub"
for cmd in "get -r d" "mget -r d"; do
	run_client alice "$pw" <<<"lcd $L
$cmd"
	expect_rc 1 "$cmd with the user's link at d/sub to another user's link"
	expect_contains "$ERR" "another user's" "the reason ($cmd)"
	expect_contains "$ERR" "d/sub" "the reason names the way ($cmd)"
	expect_eq "$(find "$L/elsewhere" -mindepth 1 | wc -l)" 0 \
	    "files written through another user's link behind the user's ($cmd)"
done
# A chain of the user's own links is gone through to its end.
rm "$L/plant"
ln -s elsewhere "$L/plant"
run_client alice "$pw" <<<"lcd $L
get -r d"
expect_rc 0 "get -r d through two links of the user's ($ERR)"
expect_same_file "$L/elsewhere/f" "$home/d/sub/f" "f, through two links"
ok "get -r: another user's link behind the user's own is not gone through"

# The user's own link as the top, named with a directory part (get -r
# REMOTE DIR, where DIR/BASE is the link): a relative one leads beside
# itself, not to that name in the working directory.
mkdir -p "$L/in/there" "$L/there"
ln -s there "$L/in/e"
run_client alice "$pw" <<<"lcd $L
get -r e in"
expect_rc 0 "get -r e in, in/e the user's link to there ($ERR)"
expect_same_file "$L/in/there/g" "$home/e/g" "g, through in/e"
expect_eq "$(find "$L/there" -mindepth 1 | wc -l)" 0 \
    "files written into the working directory's there"
ok "get -r: the user's relative link at the top leads beside itself"
