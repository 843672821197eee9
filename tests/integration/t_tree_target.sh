#!/usr/bin/env bash
# t_tree_target: -T (as cp -T) makes the destination the file or tree
# itself, never a directory to put it in: put -rT src ex and get -rT ex
# got fill the existing ex and got, where put -r and get -r go inside
# them (ex/src, got/ex).  put -T and get -T of a file onto a directory
# fail, naming it, and change nothing.  A destination that ends with a
# slash is a directory to put into, never the tree itself.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
L=$T/local
mkdir -p "$L/src/sub" "$L/got" "$L/got2" "$home/ex" "$home/d"
echo a >"$L/src/a"
echo s >"$L/src/sub/s"
echo f >"$L/f"
chown -R "$uid:$gid" "$home"

run_client alice "$pw" <<<"lcd $L
put -rT src ex
put -r src ex"
expect_rc 0 "put -rT src ex, then put -r src ex"
expect_same_file "$home/ex/a" "$L/src/a" "ex/a (put -rT)"
expect_same_file "$home/ex/sub/s" "$L/src/sub/s" "ex/sub/s (put -rT)"
expect_same_file "$home/ex/src/a" "$L/src/a" "ex/src/a (put -r)"
ok "put -rT fills an existing REMOTE; put -r goes inside it"

run_client alice "$pw" <<<"lcd $L
get -rT ex/src got
get -r ex/src got2"
expect_rc 0 "get -rT ex/src got, then get -r ex/src got2"
expect_same_file "$L/got/a" "$L/src/a" "got/a (get -rT)"
expect_same_file "$L/got/sub/s" "$L/src/sub/s" "got/sub/s (get -rT)"
expect_same_file "$L/got2/src/a" "$L/src/a" "got2/src/a (get -r)"
[ ! -e "$L/got/src" ] || fail "get -rT went inside got"
ok "get -rT fills an existing LOCAL; get -r goes inside it"

run_client alice "$pw" <<<"put -T $L/f d"
expect_rc 1 "put -T f onto a remote directory"
expect_contains "$ERR" "d: is a directory" "what put -T onto a directory says"
{ [ -d "$home/d" ] && [ -z "$(ls -A "$home/d")" ]; } || fail "d changed"
run_client alice "$pw" <<<"get -T ex/a $L/got2"
expect_rc 1 "get -T a file onto a local directory"
expect_contains "$ERR" "got2: Is a directory" "what get -T onto a directory says"
expect_eq "$(ls -A "$L/got2")" "src" "what got2 holds"
ok "put -T and get -T of a file onto a directory fail, naming it"

# A destination that ends with a slash is one to put into, as for cp:
# put -r src new/ and get -r ex/src new/ with new missing fail rather
# than make new the tree (so mftp -r d1 d2 host:new no longer made new
# d1 itself and put d2 inside it); with new there, they go inside it.
run_client alice "$pw" <<<"lcd $L
put -r src new/"
expect_rc 1 "put -r src new/, new missing"
[ ! -e "$home/new" ] || fail "put -r src new/ made new"
run_client alice "$pw" <<<"lcd $L
get -r ex/src new/"
expect_rc 1 "get -r ex/src new/, new missing"
[ ! -e "$L/new" ] || fail "get -r ex/src new/ made new"
mkdir "$home/new" "$L/new"
chown "$uid:$gid" "$home/new"
run_client alice "$pw" <<<"lcd $L
put -r src new/
get -r ex/src new/"
expect_rc 0 "put -r src new/ and get -r ex/src new/, new there"
expect_same_file "$home/new/src/a" "$L/src/a" "new/src/a on the server"
expect_same_file "$L/new/src/a" "$L/src/a" "new/src/a here"
ok "a destination ending in a slash is a directory to put into, never the tree"
# help says what -r skips in a resume, and what -T does.
run_client alice "$pw" <<<"help reget
help reput"
expect_rc 0 "help reget, help reput"
flat=$(tr -s ' \n' ' ' <<<"$OUT") # as one line: help wraps its text
expect_contains "$flat" "files already complete here are not fetched again; -r: a whole directory; -T: LOCAL" \
    "help reget"
expect_contains "$flat" "files already complete on the server are not sent again; -r: a whole directory; -T: REMOTE" \
    "help reput"
ok "help reget and help reput say what they skip and what -r and -T do"
check_log_clean
