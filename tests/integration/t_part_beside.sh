#!/usr/bin/env bash
# t_part_beside: a LOCAL.part that is not one of mftp's downloads (the
# user's notes, a browser's download, the remote x.part a get -r fetched
# before) does not stop the download of LOCAL: it goes through
# LOCAL.mftp-part, and the user's file is left as it was.  Interrupted
# there, it resumes from there, with LOCAL.part still there or since
# removed, by get and by get -c; a LOCAL.mftp-part that is not mftp's is
# left alone too; a get -r of a tree holding x and x.part works every
# time, and reget -r finds both complete.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
L=$T/local
mkdir -p "$L" "$home/tree/sub"
head -c 300000 /dev/urandom >"$home/a"
for f in tree/x tree/x.part tree/sub/y tree/sub/y.part; do
	head -c $((1000 + RANDOM)) /dev/urandom >"$home/$f"
done
chown -R "$uid:$gid" "$home"
size=$(stat -c %s "$home/a")

norename_client

# The user's own a.part: get a downloads beside it.
echo "the user's own notes, not a download" >"$L/a.part"
cp "$L/a.part" "$T/a.part.orig"
run_client alice "$pw" <<<"lcd $L
get a"
expect_rc 0 "get a beside the user's own a.part ($ERR)"
expect_same_file "$L/a" "$home/a" "a"
expect_same_file "$L/a.part" "$T/a.part.orig" "the user's a.part"
[ ! -e "$L/a.mftp-part" ] || fail "a.mftp-part left behind"
ok "beside the user's own a.part, a downloads and the a.part stays as it was"

# Interrupted beside it: the part is a.mftp-part, and the next get
# resumes it (only verifies: all of it had come); so does reget, which
# the line of an interruption gives, though get -c means a.part.
for cmd in "get a" "reget a"; do
	rm -f "$L/a"
	MFTP=$T/bin/mftp-norename run_client alice "$pw" <<<"lcd $L
get a"
	expect_rc 1 "get a whose rename fails"
	expect_same_file "$L/a.mftp-part" "$home/a" "the kept a.mftp-part"
	expect_same_file "$L/a.part" "$T/a.part.orig" "the user's a.part"
	run_client alice "$pw" <<<"lcd $L
$cmd"
	expect_rc 0 "$cmd again ($ERR)"
	expect_resumed get a "$cmd"
	expect_eq "$RESUMED_AT" "$size" "where $cmd began"
	expect_same_file "$L/a" "$home/a" "a"
	expect_same_file "$L/a.part" "$T/a.part.orig" "the user's a.part"
	[ ! -e "$L/a.mftp-part" ] || fail "a.mftp-part left behind by $cmd"
done
ok "an interrupted download beside the user's a.part resumes from a.mftp-part, by get and reget"

# The user's a.part the remote file's start (a browser's download):
# get -c resumes mftp's own a.mftp-part first, and leaves none behind.
head -c 1000 "$home/a" >"$L/a.part"
cp "$L/a.part" "$T/prefix.part"
rm -f "$L/a"
MFTP=$T/bin/mftp-norename run_client alice "$pw" <<<"lcd $L
get a"
expect_rc 1 "get a whose rename fails, beside a prefix a.part"
run_client alice "$pw" <<<"lcd $L
get -c a"
expect_rc 0 "get -c a ($ERR)"
expect_same_file "$L/a" "$home/a" "a"
[ ! -e "$L/a.mftp-part" ] || fail "a.mftp-part left behind by get -c"
expect_same_file "$L/a.part" "$T/prefix.part" "the user's a.part"
cp "$T/a.part.orig" "$L/a.part"
ok "get -c takes mftp's a.mftp-part before the user's a.part"

# The user's a.part removed meanwhile: a.mftp-part is still resumed, by
# get and by get -c, and no a.part is made.
for cmd in "get a" "get -c a"; do
	rm -f "$L/a"
	MFTP=$T/bin/mftp-norename run_client alice "$pw" <<<"lcd $L
get a"
	expect_rc 1 "get a whose rename fails"
	[ -e "$L/a.mftp-part" ] || fail "no a.mftp-part kept"
	mv "$L/a.part" "$T/a.part.away"
	run_client alice "$pw" <<<"lcd $L
$cmd"
	expect_rc 0 "$cmd with a.mftp-part alone ($ERR)"
	expect_resumed get a "$cmd"
	expect_eq "$RESUMED_AT" "$size" "where $cmd began"
	expect_same_file "$L/a" "$home/a" "a after $cmd"
	[ ! -e "$L/a.mftp-part" ] || fail "a.mftp-part left behind by $cmd"
	[ ! -e "$L/a.part" ] || fail "$cmd made an a.part"
	mv "$T/a.part.away" "$L/a.part"
done
ok "a.mftp-part alone is resumed, by get and by get -c"

# get -c is asked to resume a.part whatever made it: it takes up the
# user's (smaller) file as the start, and says so when it is not.
rm -f "$L/a"
run_client alice "$pw" <<<"lcd $L
get -c a"
expect_rc 1 "get -c a over the user's a.part"
expect_contains "$ERR" "not the start of the remote file" "the reason"
expect_same_file "$L/a.part" "$T/a.part.orig" "the user's a.part"
[ ! -e "$L/a.mftp-part" ] || fail "get -c made an a.mftp-part"
ok "get -c still means a.part, and leaves it as it was"

# A file of the user's named a.mftp-part, with no a.part: not a part of
# mftp's, so the download goes through a.part, and it stays.
mv "$L/a.part" "$L/a.mftp-part"
rm -f "$L/a"
run_client alice "$pw" <<<"lcd $L
get a"
expect_rc 0 "get a beside the user's a.mftp-part ($ERR)"
expect_same_file "$L/a" "$home/a" "a"
expect_same_file "$L/a.mftp-part" "$T/a.part.orig" "the user's a.mftp-part"
[ ! -e "$L/a.part" ] || fail "a.part left behind"
# Both names the user's: the get fails, naming the second, and both
# stay as they were.
cp "$T/a.part.orig" "$L/a.part"
rm -f "$L/a"
run_client alice "$pw" <<<"lcd $L
get a"
expect_rc 1 "get a beside the user's a.part and a.mftp-part"
expect_contains "$ERR" "a.mftp-part" "the reason names the second"
expect_contains "$ERR" "not a download" "the reason"
expect_same_file "$L/a.part" "$T/a.part.orig" "the user's a.part"
expect_same_file "$L/a.mftp-part" "$T/a.part.orig" "the user's a.mftp-part"
[ ! -e "$L/a" ] || fail "a was written"
ok "a user's a.mftp-part is left alone; with both names taken, the get says so"

# A tree holding x and x.part, fetched twice: the second time the local
# x.part (the remote one, fetched the first time) is in x's way, and
# x still downloads; reget -r then finds every file complete.
for round in 1 2; do
	run_client alice "$pw" <<<"lcd $L
get -r tree"
	expect_rc 0 "get -r tree, round $round ($ERR)"
	for f in x x.part sub/y sub/y.part; do
		expect_same_file "$L/tree/$f" "$home/tree/$f" "tree/$f, round $round"
	done
	expect_eq "$(find "$L/tree" -type f | wc -l)" 4 "files in tree, round $round"
done
# A file of the user's named x.mftp-part, no record in it, says nothing
# of x either.
echo "the user's" >"$L/tree/sub/y.mftp-part"
gets=$(grep -c ' op=get ' "$DAEMON_LOG")
run_client alice "$pw" <<<"lcd $L
reget -r tree"
expect_rc 0 "reget -r tree ($ERR)"
expect_eq "$(grep -c ' op=get ' "$DAEMON_LOG")" "$gets" \
    "GETs of reget -r (every file complete)"
ok "get -r of a tree with x and x.part works twice; reget -r finds it complete"

check_log_clean
