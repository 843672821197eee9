#!/usr/bin/env bash
# t_part_own: a download never writes over a local file it did not make.
# LOCAL.part is mftp's only when it carries mftp's resume record: a
# user's own file of that name is left as it was, and the get says why
# and fails; a get -r of a directory holding both x and x.part keeps the
# x.part it fetched; a file named like the record's sidecar is not
# removed unless it is one; a local name that is a symbolic link (as
# /dev/stdout is) is written through, and the link stays a link.
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
expect_rc 1 "get a beside the user's own a.part"
expect_same_file "$L/a.part" "$T/a.part.orig" "the user's a.part"
expect_contains "$ERR" "a.part" "the reason names the file"
expect_contains "$ERR" "not a download" "the reason"
[ ! -e "$L/a" ] || fail "a was written through someone else's a.part"
ok "a user's own a.part is left as it was, and the get says why"

# Moved away, the same get works.
mv "$L/a.part" "$L/notes"
run_client alice "$pw" <<<"lcd $L
get a"
expect_rc 0 "get a once a.part is gone ($ERR)"
expect_same_file "$L/a" "$home/a" "a"
ok "with a.part moved away, a downloads"

# get -r of a directory with x and x.part, in whatever order the server
# lists them: every x.part fetched is the remote x.part, whole.
run_client alice "$pw" <<<"lcd $L
get -r d"
for i in 1 2 3 4 5 6 7 8; do
	expect_same_file "$L/d/x$i.part" "$home/d/x$i.part" "d/x$i.part"
	if [ -e "$L/d/x$i" ]; then
		expect_same_file "$L/d/x$i" "$home/d/x$i" "d/x$i"
	fi
done
if [ "$RC" != 0 ]; then
	expect_rc 1 "get -r d"
	expect_contains "$ERR" "not a download" "the reason get -r stopped"
fi
ok "get -r of x and x.part: every x.part fetched is kept whole (exit $RC)"

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
ln -s /proc/self/fd/1 "$L/stdout"
RC=0
client alice "$pw" >"$L/out" 2>"$T/stdout.err" <<<"lcd $L
get a stdout" || RC=$?
expect_eq "$RC" 0 "get a stdout ($(cat "$T/stdout.err"))"
[ -L "$L/stdout" ] || fail "the link to /proc/self/fd/1 was replaced by a file"
expect_same_file "$L/out" "$home/a" "what reached standard output"
ok "a local name that is a link is written through; the link stays"
