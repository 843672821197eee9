#!/usr/bin/env bash
# t_multi_names: mget and mput never bring two different files to one
# name.  "mget x/f y/f" would save both as f, the second over the first
# (and over the user's own f); "mput a/f b/f" likewise on the server.
# Such a command fails before anything moves, naming both, and nothing
# the user had changes.  The same file named twice ("mget f f*") comes
# once, and the command succeeds.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

W=$T/work
pw=$(rand_pw)
add_user alice "$pw"
home=$(user_home alice)
owner="$(user_uid alice):$(user_gid alice)"
start_daemon

mkdir -p "$home/x" "$home/y" "$home/dx/d" "$home/dy/d" "$home/ex"
echo "x's f" >"$home/x/f"
echo "y's f" >"$home/y/f"
echo "dx's d/a" >"$home/dx/d/a"
echo "dy's d/a" >"$home/dy/d/a"
echo "ex's d, a file" >"$home/ex/d"
echo "the only g" >"$home/g"
chown -R "$owner" "$home"

mkdir -p "$W/mine"
echo "the user's own f" >"$W/mine/f"
cp "$W/mine/f" "$T/f.orig"

run_client alice "$pw" <<<"lcd $W/mine
mget x/f y/f"
expect_rc 1 "mget x/f y/f"
expect_contains "$ERR" "x/f and y/f would both be saved as f" "the reason"
expect_same_file "$W/mine/f" "$T/f.orig" "the user's f"
# shellcheck disable=SC2012 # the names are plain
expect_eq "$(ls -A "$W/mine" | tr '\n' ' ')" "f " "what the directory holds"
ok "mget of two files to one name fails before anything moves"

run_client alice "$pw" <<<"lcd $W/mine
mget -r dx/d dy/d"
expect_rc 1 "mget -r dx/d dy/d"
expect_contains "$ERR" "dx/d and dy/d would both be saved as d" "the reason"
[ ! -e "$W/mine/d" ] || fail "mget -r made d"
run_client alice "$pw" <<<"lcd $W/mine
mget -r dx/* ex/*"
expect_rc 1 "mget -r of a directory and a file of one name"
expect_contains "$ERR" "dx/d and ex/d would both be saved as d" "the reason"
[ ! -e "$W/mine/d" ] || fail "mget -r made d"
ok "mget -r of two directories, or a directory and a file, to one name fails"

mkdir -p "$W/one"
run_client alice "$pw" <<<"lcd $W/one
mget g g* ./g"
expect_rc 0 "mget g g* (one file twice)"
expect_same_file "$W/one/g" "$home/g" "g"
expect_not_contains "$ERR" "another mftp" "what mftp said"
ok "one file named twice comes once"

# The other way round.
mkdir -p "$W/up/a" "$W/up/b" "$W/up/da/d" "$W/up/db/d"
echo "a's f" >"$W/up/a/f"
echo "b's f" >"$W/up/b/f"
echo "da" >"$W/up/da/d/s"
echo "db" >"$W/up/db/d/s"
mkdir -p "$home/up"
echo "alice's f on the server" >"$home/up/f"
chown -R "$owner" "$home/up"
cp "$home/up/f" "$T/rf.orig"
run_client alice "$pw" <<<"lcd $W/up
cd up
mput a/f b/f"
expect_rc 1 "mput a/f b/f"
expect_contains "$ERR" "a/f and b/f would both be saved as f" "the reason"
expect_same_file "$home/up/f" "$T/rf.orig" "alice's f on the server"
run_client alice "$pw" <<<"lcd $W/up
cd up
mput -r da/d db/d"
expect_rc 1 "mput -r da/d db/d"
expect_contains "$ERR" "da/d and db/d would both be saved as d" "the reason"
[ ! -e "$home/up/d" ] || fail "mput -r made d"
run_client alice "$pw" <<<"lcd $W/up
cd up
mput a/f a/*"
expect_rc 0 "mput a/f a/* (one file twice)"
expect_same_file "$home/up/f" "$W/up/a/f" "f"
ok "mput of two files to one name fails before anything moves"

# What mget skips is named by its path, with the reason: a link is a
# link, not "not a regular file", as get -r and mput say.
mkdir -p "$home/lk" "$W/lk"
echo "lk's f" >"$home/lk/f"
ln -s f "$home/lk/flink"
chown -R -h "$owner" "$home/lk"
run_client alice "$pw" <<<"lcd $W/lk
mget lk/f*"
expect_rc 0 "mget lk/f* with a link among the matches"
expect_contains "$ERR" "mftp: skipping lk/flink: symbolic link, not followed" \
    "mget's note on a link"
[ ! -e "$W/lk/flink" ] || fail "mget fetched the link"
expect_same_file "$W/lk/f" "$home/lk/f" "mget lk/f*: f"
ok "mget names a link it skips by its path, as a link"

daemon_alive || fail "mftpd died"
check_log_clean
