#!/usr/bin/env bash
# t_get_fd_limit: get -r and mget resume many kept parts under a low
# limit of open files (ulimit -n 16).  Each GET in flight holds its
# .part open and locked from its plan to its data; with 32 GETs in
# flight the plans of the later ones ran out of descriptors, and every
# such file failed with "Too many open files" (exit 1) although the
# files before it were about to give theirs back.  Now a plan that finds
# no descriptor waits for the GETs in flight, and fewer are kept open at
# once; every file resumes (offset > 0 in the server's log) and
# verifies.  A .part kept for a download is never replaced by the
# failure either way.  get -r of a tree of many directories, which it
# holds open while their files come, goes as well.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
home=$(user_home alice)
start_daemon
N=50
SIZE=20000
KEPT=5000
MTIME=1700000000
mkdir -p "$home/d"
for i in $(seq 1 "$N"); do
	head -c "$SIZE" /dev/urandom >"$home/d/f$i"
	touch -d "@$MTIME" "$home/d/f$i"
done
chown -R "$uid:$(user_gid alice)" "$home/d"

# parts DIR: a kept part of each file in DIR, with its resume record in
# a sidecar (mftp(1): where extended attributes are not supported).
parts() {
	local i
	mkdir -p "$1"
	for i in $(seq 1 "$N"); do
		head -c "$KEPT" "$home/d/f$i" >"$1/f$i.part"
		printf '%s %s' "$SIZE" "$MTIME" >"$1/.f$i.part.key"
	done
}

# limited CMDS: the client with at most 16 open files.
limited() {
	_last_client="alice (ulimit -n 16)"
	RC=0
	(
		ulimit -n 16 || exit 99
		client alice "$pw" <<<"$1"
	) >"$T/client.out" 2>"$T/client.err" || RC=$?
	OUT=$(cat "$T/client.out")
	ERR=$(cat "$T/client.err")
}

# check DIR WHAT: every file there, whole, and none left a part.
check() {
	local i
	for i in $(seq 1 "$N"); do
		expect_same_file "$1/f$i" "$home/d/f$i" "$2: f$i"
		[ ! -e "$1/f$i.part" ] || fail "$2: f$i.part is left"
	done
}

L=$T/dl
parts "$L/d"
limited "lcd $L
get -r d"
expect_rc 0 "get -r of $N kept parts with 16 open files"
expect_not_contains "$ERR" "Too many open files" "get -r: the errors"
check "$L/d" "get -r"
expect_eq "$(grep -c "op=get path=d/f[0-9]* bytes=$((SIZE - KEPT)) offset=$KEPT " \
    "$DAEMON_LOG")" "$N" "downloads resumed at $KEPT by get -r"
ok "get -r resumes $N kept parts with 16 open files"

M=$T/mget
parts "$M"
limited "lcd $M
mget d/*"
expect_rc 0 "mget of $N kept parts with 16 open files"
expect_not_contains "$ERR" "Too many open files" "mget: the errors"
check "$M" "mget"
expect_eq "$(grep -c "op=get path=d/f[0-9]* bytes=$((SIZE - KEPT)) offset=$KEPT " \
    "$DAEMON_LOG")" "$((2 * N))" "downloads resumed at $KEPT by get -r and mget"
ok "mget resumes $N kept parts with 16 open files"

# get -r holds the directories of the files it downloads open (it saves
# each file in its directory's descriptor): a tree of 40 directories,
# a file in each, goes with 16 open files all the same.
for i in $(seq 1 40); do
	mkdir -p "$home/t/s$i"
	printf '%s\n' "$i" >"$home/t/s$i/f"
done
chown -R "$uid:$(user_gid alice)" "$home/t"
limited "lcd $L
get -r t"
expect_rc 0 "get -r of 40 directories with 16 open files ($ERR)"
expect_not_contains "$ERR" "Too many open files" "get -r t: the errors"
for i in $(seq 1 40); do
	expect_same_file "$L/t/s$i/f" "$home/t/s$i/f" "get -r t: s$i/f"
done
ok "get -r of 40 directories with 16 open files"
check_log_clean
