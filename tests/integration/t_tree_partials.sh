#!/usr/bin/env bash
# t_tree_partials: get -r leaves out the server's partial uploads
# (.NAME.mftp-part: data still coming, perhaps from another session,
# never a file of the user's), and put -r leaves out local files whose
# names end in .mftp-part (mftp's own parts, or such a partial fetched
# before), which the server would refuse the name of, and their resume
# records (.NAME.mftp-part.key, where extended attributes fail).  Each is said,
# and the rest goes, with exit status 0.  Before, get -r fetched the
# partial as a file, "verified", and a put -r of that copy then failed.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
L=$T/local
mkdir -p "$L" "$home/rt/sub"
head -c 5000 /dev/urandom >"$home/rt/a"
head -c 6000 /dev/urandom >"$home/rt/sub/b"
# A partial upload of rt/sub/c, as an interrupted put leaves it.
head -c 7000 /dev/urandom >"$home/rt/sub/.c.mftp-part"
chown -R "$uid:$gid" "$home"

run_client alice "$pw" <<<"lcd $L
get -r rt"
expect_rc 0 "get -r rt ($ERR)"
expect_same_file "$L/rt/a" "$home/rt/a" "rt/a"
expect_same_file "$L/rt/sub/b" "$home/rt/sub/b" "rt/sub/b"
[ ! -e "$L/rt/sub/.c.mftp-part" ] || fail "the server's partial was fetched"
expect_contains "$ERR" "skipping rt/sub/.c.mftp-part: a partial transfer" \
    "what get -r says of it"
ok "get -r leaves the server's partial upload out, and says so"

# A local tree with one of mftp's parts in it, and such a name fetched
# before (by hand here).
head -c 4000 /dev/urandom >"$L/rt/d.mftp-part"
head -c 4000 /dev/urandom >"$L/rt/sub/.e.mftp-part"
printf '4000 1 2' >"$L/rt/.d.mftp-part.key"
run_client alice "$pw" <<<"lcd $L
put -r rt copy"
expect_rc 0 "put -r rt copy ($ERR)"
expect_same_file "$home/copy/a" "$L/rt/a" "copy/a"
expect_same_file "$home/copy/sub/b" "$L/rt/sub/b" "copy/sub/b"
expect_eq "$(find "$home/copy" -name '*.mftp-part*' | wc -l)" 0 \
    "names ending in .mftp-part or .mftp-part.key sent"
expect_contains "$ERR" "skipping rt/d.mftp-part: a partial transfer" \
    "what put -r says of one"
ok "put -r leaves local names ending in .mftp-part out, and says so"

check_log_clean
