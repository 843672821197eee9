#!/usr/bin/env bash
# t_put_dir_swap: put -r reads its local tree by descriptors: each
# directory is opened in the one above it with O_NOFOLLOW, and each file
# in its directory's descriptor, so that another user who swaps a
# directory of the tree for a symbolic link (in a directory others may
# write, as under /tmp) cannot have the user upload the files of the
# directory the link names.  put -r opened its files and directories by
# path names, each component looked up again, and uploaded what was
# behind the link.  strace holds mftp 3 s at the open of d/sub/f (by
# path before, in d/sub's descriptor now: -P names both) while the test
# plays the other user.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || fail "strace is needed (scripts/deps.sh)"
pw=$(rand_pw)
add_user alice "$pw"
home=$(user_home alice)
start_daemon
L=$T/local
mkdir -p "$L/d/sub" "$T/secret"
printf 'the tree\n' >"$L/d/sub/f"
printf 'a\n' >"$L/d/a"
printf 'secret\n' >"$T/secret/f"

out=$T/strace.out
: >"$out"
printf '#!/bin/sh\nexec strace -qq -f -o %q -P %q -P %q -e trace=openat \\\n    -e inject=openat:delay_enter=3000000 %q "$@"\n' \
    "$out" "$L/d/sub" "$L/d/sub/f" "$MFTP" >"$T/bin/mftp-traced"
chmod 0755 "$T/bin/mftp-traced"
MFTP=$T/bin/mftp-traced client alice "$pw" <<<"put -r $L/d" \
    >"$T/put.out" 2>"$T/put.err" &
pid=$!
BG_PIDS+=("$pid")
wait_for 30 grep -qE 'openat\(.*(/d/sub"|/d/sub/f"|, "f")' "$out" ||
    fail "mftp did not reach d/sub ($(cat "$T/put.err" "$out"))"
mv "$L/d/sub" "$L/d/sub.moved"
ln -s "$T/secret" "$L/d/sub"
chown -h nobody "$L/d/sub"
RC=0
wait_pid "$pid" 40 || RC=$?
ERR=$(cat "$T/put.err")
# The file, from the directory as put -r opened it; not the link's.
expect_eq "$RC" 0 "put -r with d/sub swapped at d/sub/f ($ERR)"
expect_same_file "$home/d/sub/f" "$L/d/sub.moved/f" "d/sub/f on the server"
expect_same_file "$home/d/a" "$L/d/a" "d/a"
ok "put -r: a directory swapped for a link while it is read is not gone through"
