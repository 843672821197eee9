#!/usr/bin/env bash
# t_del_deep: ftpuser-del --remove-home removes a home however deep its
# tree.  A user can nest directories a thousand deep (one mkdir at a
# time, each in the last); the removal used to hold a descriptor for
# every level, so past the tool's limit of open files (1024 by default;
# 64 here, with a tree 200 deep) it stopped with "Too many open files",
# left the home, and exited 1.  Now it holds one directory open at a
# time, as the recount does, and the home is gone; the recount of the
# same tree, under the same limit, counts every level.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_quota.sh
. "$(dirname "$0")/lib_quota.sh"

DEPTH=200
add_user bob "$(rand_pw)"
home=$(user_home bob)
case $home in
"$T"/home/?*) ;;
*) fail "bob's home $home is not under $T/home" ;;
esac
(
	cd "$home" || exit 1
	for ((i = 0; i < DEPTH; i++)); do
		mkdir d && : >d/f && cd d || exit 1
	done
) || fail "cannot make the tree in $home"
chown -R "$(user_uid bob):$(user_gid bob)" "$home"

RC=0
(
	ulimit -n 64
	exec "$top_builddir/ftpuser-quota" -c "$CONF" --recount bob
) >"$T/tool.out" 2>"$T/tool.err" || RC=$?
expect_eq "$RC" 0 "ftpuser-quota --recount of a deep home ($(cat "$T/tool.err"))"
expect_eq "$(acct bob)" "$((DEPTH * 4096)) $((2 * DEPTH))" \
    "the recount of a tree $DEPTH deep"
ok "a recount counts a home deeper than its open files allow"

RC=0
(
	ulimit -n 64
	exec "$top_builddir/ftpuser-del" -c "$CONF" --remove-home bob
) >"$T/tool.out" 2>"$T/tool.err" || RC=$?
ERR=$(cat "$T/tool.err")
expect_eq "$RC" 0 "ftpuser-del --remove-home of a deep home ($(head -c 600 <<<"$ERR"))"
expect_eq "$ERR" "" "what ftpuser-del says on stderr"
[ ! -e "$home" ] || fail "the home $home is still there"
has_user bob && fail "bob is still in the users file"
ok "ftpuser-del --remove-home removes a home deeper than its open files allow"
