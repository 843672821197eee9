#!/usr/bin/env bash
# t_race_fs: two sessions of one user race RENAME, REMOVE, MKDIR and
# RMDIR on the same names, each sending a pipelined batch before reading
# any reply: files renamed over each other from both sides (each rename
# frees what it replaces, priced and checked again under the accounting
# lock), a directory made, emptied and renamed while the other session
# renames the file into and out of it.  Every request gets one reply,
# the daemon's log shows no crash, and after each round the accounting
# file equals a recount of the home.  Three rounds.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

REPEAT=40

pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 10M
start_daemon
home=$(user_home alice)
owner="$(user_uid alice):$(user_gid alice)"

raw_open alice "$pw"
A=$RAW_FD
RAW_FD=
raw_open alice "$pw"
B=$RAW_FD

# One turn of each session's batch, sent REPEAT times.
a1=$(hex_rename x y)$(hex_rename y x)$(hex_rename x d/x)
a1+=$(hex_rename d/x x)$(hex_path_req 16 d/z)
b1=$(hex_rename y x)$(hex_mkdir d/q 493)$(hex_rename d e)
b1+=$(hex_path_req 17 e/q)$(hex_rename e d)

for round in 1 2 3; do
	find "$home" -mindepth 1 -delete
	head -c 1000 /dev/urandom >"$home/x"
	head -c 5000 /dev/urandom >"$home/y"
	mkdir "$home/d"
	head -c 700 /dev/urandom >"$home/d/z"
	chown -R "$owner" "$home"
	quota_reset alice

	a='' b=''
	for ((i = 0; i < REPEAT; i++)); do
		a+=$a1 b+=$b1
	done
	RAW_FD=$A
	raw_send "$a"
	RAW_FD=$B
	raw_send "$b"
	raw_replies "$A" $((5 * REPEAT)) "round $round: session A"
	raw_replies "$B" $((5 * REPEAT)) "round $round: session B"
	expect_quota_exact alice "round $round"
	ok "round $round: $((10 * REPEAT)) raced requests, accounting exact"
done

RAW_FD=$A
raw_close
RAW_FD=$B
raw_close
daemon_alive || fail "mftpd died"
check_log_clean
