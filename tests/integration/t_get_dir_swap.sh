#!/usr/bin/env bash
# t_get_dir_swap: get -r makes each local directory and goes on into it
# by its descriptor (mkdirat, then openat with O_NOFOLLOW relative to
# the directory above), and saves each file in its directory's
# descriptor, not by path names looked up again: another user who swaps
# a directory of the tree for a symbolic link (in a directory others may
# write, as under /tmp) gets nothing written through the link, whether
# the swap comes right after the directory was made or while a file is
# being saved into it.  mftp went by path names, and the files went into
# the directory the link named.  strace holds mftp 3 s at the chosen
# system call (by path before, relative to a descriptor now: -P names
# both) while the test plays the other user.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || fail "strace is needed (scripts/deps.sh)"
pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)
start_daemon
L=$T/local
mkdir -p "$home/d/sub"
head -c 3000 /dev/urandom >"$home/d/a"
head -c 3000 /dev/urandom >"$home/d/sub/f"
chown -R "$uid:$gid" "$home"

# swapped_get SYSCALLS INJECT ERE PATH...: get -r d $L with mftp held
# 3 s (INJECT: delay_enter or delay_exit) in the first of SYSCALLS on
# one of the PATHs whose strace line matches ERE; meanwhile d/sub is
# moved to d/sub.moved and nobody's link to elsewhere takes its place.
# Sets RC and ERR.
swapped_get() {
	local sc=$1 inj=$2 ere=$3 out=$T/strace.out p pargs=()
	shift 3
	for p in "$@"; do pargs+=(-P "$p"); done
	rm -rf "$L"
	mkdir -p "$L/elsewhere"
	: >"$out"
	printf '#!/bin/sh\nexec strace -qq -f -o %q %s -e trace=%s \\\n    -e inject=%s:%s=3000000 %q "$@"\n' \
	    "$out" "$(printf '%q ' "${pargs[@]}")" "$sc" "$sc" "$inj" "$MFTP" \
	    >"$T/bin/mftp-traced"
	chmod 0755 "$T/bin/mftp-traced"
	MFTP=$T/bin/mftp-traced client alice "$pw" <<<"get -r d $L" \
	    >"$T/get.out" 2>"$T/get.err" &
	local pid=$!
	BG_PIDS+=("$pid")
	wait_for 30 grep -qE "$ere" "$out" ||
	    fail "mftp did not reach $sc ($(cat "$T/get.err" "$out"))"
	mv "$L/d/sub" "$L/d/sub.moved"
	ln -s ../elsewhere "$L/d/sub"
	chown -h nobody "$L/d/sub"
	RC=0
	wait_pid "$pid" 40 || RC=$?
	ERR=$(cat "$T/get.err")
	expect_eq "$(find "$L/elsewhere" -mindepth 1 | wc -l)" 0 \
	    "files written through the link planted at $sc ($ERR)"
	[ -L "$L/d/sub" ] || fail "the planted link was removed ($sc)"
}

# Right after d/sub was made: refused, or into what mftp made.
swapped_get mkdir,mkdirat delay_exit 'mkdir(at)?\(.*(/d/sub"|"sub")' \
    "$L/d" "$L/d/sub"
if [ "$RC" = 0 ]; then
	expect_same_file "$L/d/sub.moved/f" "$home/d/sub/f" \
	    "d/sub/f, in the directory mftp made"
else
	expect_eq "$RC" 1 "get -r's status ($ERR)"
	expect_contains "$ERR" "d/sub" "the reason names the link"
	expect_contains "$ERR" "another user's" "the reason"
fi
ok "get -r: a directory swapped for a link after its mkdir is not gone through"

# While d/sub/f.part is made: it goes where d/sub was opened.
swapped_get openat delay_enter 'f\.part"' "$L/d/sub" "$L/d/sub/f.part"
expect_eq "$RC" 0 "get -r with d/sub swapped at f.part ($ERR)"
expect_same_file "$L/d/a" "$home/d/a" "d/a"
expect_same_file "$L/d/sub.moved/f" "$home/d/sub/f" \
    "d/sub/f, in the directory mftp opened"
ok "get -r: a directory swapped for a link while a file is saved in it is not gone through"
