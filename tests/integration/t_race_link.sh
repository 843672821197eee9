#!/usr/bin/env bash
# t_race_link: two sessions of one user race CHMOD against a name that
# keeps turning from a file into a symbolic link and back.  Session A,
# in one pipelined batch, makes a link to "victim", moves the file t
# away, renames the link to t, then undoes it all (SYMLINK, RENAME,
# REMOVE); session B meanwhile sends CHMOD t with changing modes.  CHMOD
# looks at t without following it and changes it under the accounting
# lock, where A's renames wait, so it must never reach victim through
# the link: victim keeps its mode, t ends a file with one of B's modes,
# every request gets one reply, every SYMLINK of A succeeds, some of B's
# CHMODs do, and the accounting (a link charged and given back each
# time) equals a recount after each round.  The window a CHMOD without
# that check would need (between its look and the lock) is too short to
# hit on demand, so this is a check under load, not a proof: the proof
# is the order in daemon/cmd_link.c.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

REPEAT=40
RAW_FEATURES=2 # MFTP_FEAT_CHMOD_SYMLINK

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
a1=$(hex_symlink victim l)$(hex_rename t f)$(hex_rename l t)
a1+=$(hex_rename t l)$(hex_rename f t)$(hex_path_req 16 l)
b1=$(hex_chmod t $((8#600)))$(hex_chmod t $((8#640)))
b1+=$(hex_chmod t $((8#604)))

for round in 1 2 3; do
	find "$home" -mindepth 1 -delete
	head -c 1000 /dev/urandom >"$home/victim"
	head -c 300 /dev/urandom >"$home/t"
	chmod 644 "$home/victim" "$home/t"
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
	raw_replies "$A" $((6 * REPEAT)) "round $round: session A"
	# Every sixth of A's replies answers a SYMLINK (l is always free).
	for ((i = 0; i < REPEAT; i++)); do
		[ "${RAW_REPLIES:$((6 * i)):1}" = o ] ||
			fail "round $round: SYMLINK $i was refused"
	done
	raw_replies "$B" $((3 * REPEAT)) "round $round: session B"
	[[ $RAW_REPLIES == *o* ]] || fail "round $round: no CHMOD succeeded"
	expect_eq "$(stat -c %a "$home/victim")" 644 \
	    "round $round: the link's target was never chmod-ed"
	if [ ! -f "$home/t" ] || [ -L "$home/t" ]; then
		fail "round $round: t is no file"
	fi
	[[ $(stat -c %a "$home/t") =~ ^(600|640|604|644)$ ]] ||
		fail "round $round: t has mode $(stat -c %a "$home/t")"
	[ ! -L "$home/l" ] || fail "round $round: the link was left behind"
	expect_quota_exact alice "round $round"
	ok "round $round: $((9 * REPEAT)) raced requests, no chmod through a link"
done

RAW_FD=$A
raw_close
RAW_FD=$B
raw_close
daemon_alive || fail "mftpd died"
check_log_clean
