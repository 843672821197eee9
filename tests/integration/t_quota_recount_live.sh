#!/usr/bin/env bash
# t_quota_recount_live: ftpuser-quota --recount while an upload runs on
# one node, then another upload of the user reserved on the other node.
# The recount drops every reservation (ftpuser-quota(8)): the upload that
# ran through it goes on charged a chunk at a time against the limit and
# is stopped, its partial kept, when the room runs out; the upload that
# reserved its room after the recount keeps it, and completes.  Before,
# the first upload went on moving each chunk "from its reservation",
# which was the second one's: it was never checked, took the room the
# second had been promised, and the second, which had its PUT_READY, was
# refused half-way.  Two mftpd nodes on 127.0.0.1 share the users file,
# the quota and session directories and the homes; the accounting file
# equals a recount at the end and the limit holds all along.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

FTPUSER_QUOTA=$top_builddir/ftpuser-quota
[ -x "$FTPUSER_QUOTA" ] || fail "$FTPUSER_QUOTA is not built"
MiB=1048576
LIMIT=$((10 * MiB))
SIZE=$((8 * MiB))

pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 10M
home=$(user_home alice)
case $home in
"$T"/*) ;;
*) fail "the home of alice is not under $T: '$home'" ;;
esac
head -c "$SIZE" /dev/urandom >"$T/x" || fail "cannot make x"
head -c "$SIZE" /dev/urandom >"$T/y" || fail "cannot make y"

start_daemon
P1=$PROXY_PORT
start_node2 127.0.0.1 "$(pick_port)"
node2_proxy_up 127.0.0.1
P2=$PROXY2_PORT
note "node 1 on port $PORT, node 2 on port $NODE2_PORT"

# The limit, sampled in the background until $T/stop: the usage and the
# reservations together never pass it.  Both from one read of the file
# (two reads could pair a usage with a reservation made after a free).
watch_limit() {
	local i snap re='^MFTPQ1 ([0-9]{20}) [0-9]{20}'$'\n''MFTPR2 ([0-9]{20}) '
	for ((i = 0; i < 3000; i++)); do
		[ -e "$T/stop" ] && return 0
		snap=$(cat "$(quota_file alice)" 2>/dev/null)
		if [[ $snap =~ $re ]] &&
			((10#${BASH_REMATCH[1]} + 10#${BASH_REMATCH[2]} > LIMIT)); then
			echo "$snap" >>"$T/over"
		fi
		sleep 0.02
	done
}
watch_limit &
WATCH_PID=$!
BG_PIDS+=("$WATCH_PID")

_charged() { # BYTES: the usage the accounting file says
	[ "$(acct alice | cut -d' ' -f1)" = "$1" ]
}

# X, on node 1: 8 MiB announced (all of it reserved), 2 MiB sent.
PROXY_PORT=$P1
raw_open alice "$pw"
X=$RAW_FD
raw_send "$(hex_put x "$SIZE" 420 1700000000)"
raw_expect 0x87 "PUT x on node 1"
raw_send_file "$T/x" 0 $((2 * MiB))
wait_for 10 _charged $((2 * MiB)) || fail "the first 2 MiB of x were not charged"
expect_eq "$(acct_reserved alice)" $((6 * MiB)) "reserved while x runs"

tool "$FTPUSER_QUOTA" --recount alice
expect_eq "$RC" 0 "ftpuser-quota --recount during the upload ($ERR)"
expect_eq "$(acct alice)" "$((2 * MiB)) 1" "the recount: x's partial"
expect_eq "$(acct_reserved alice)" 0 "reserved after the recount"

# Y, on node 2: its 8 MiB fit beside x's 2 MiB, and are reserved.
PROXY_PORT=$P2
RAW_FD=
raw_open alice "$pw"
Y=$RAW_FD
raw_send "$(hex_put y "$SIZE" 420 1700000000)"
raw_expect 0x87 "PUT y on node 2, after the recount"
expect_eq "$(acct_reserved alice)" "$SIZE" "reserved by y"

# X goes on: no room is left for it; it is stopped, its partial kept.
RAW_FD=$X
raw_send_file "$T/x" $((2 * MiB)) $((SIZE - 2 * MiB))
raw_send "$(hex_data_end "$(digest_of "$T/x")")"
raw_expect_error 18 "the rest of x, the room being y's"
expect_match "$RAW_TEXT" '^quota exceeded: 10 MiB of 10 MiB used \(8(\.0)? MiB of it reserved by uploads in progress\), 6(\.0)? MiB more needed$' \
    "why x was stopped"
expect_eq "$(fsize "$home/.x.mftp-part")" $((2 * MiB)) "x's partial"
[ ! -e "$home/x" ] || fail "x was stored"
expect_eq "$(acct_reserved alice)" "$SIZE" "y's reservation, after x"

# Y completes: the room it was promised is still its own.
RAW_FD=$Y
raw_send_file "$T/y" 0 "$SIZE"
raw_send "$(hex_data_end "$(digest_of "$T/y")")"
raw_expect 0x80 "the upload of y, reserved after the recount"
expect_same_file "$T/y" "$home/y" "y"
expect_eq "$(acct_reserved alice)" 0 "reserved at the end"
exact alice "after both uploads"
ok "an upload reserved after a recount keeps its room; the one the" \
    "recount ran through is stopped when the room runs out"

# Nothing of x is lost: with y gone it resumes, on node 2, and verifies.
raw_req "$(hex_path_req 16 y)" 0 "REMOVE y"
raw_send "$(hex_put x "$SIZE" 420 1700000000)"
raw_expect 0x87 "PUT x again, on node 2"
expect_eq "$(raw_u64 0)" $((2 * MiB)) "the resume offset of x"
raw_send_file "$T/x" $((2 * MiB)) $((SIZE - 2 * MiB))
raw_send "$(hex_data_end "$(digest_of "$T/x")")"
raw_expect 0x80 "the resumed upload of x"
expect_same_file "$T/x" "$home/x" "x"
exact alice "after the resume"
raw_close
RAW_FD=$X
raw_close

: >"$T/stop"
wait_pid "$WATCH_PID" 10 || fail "the watch of the limit did not end"
[ ! -e "$T/over" ] || fail "the limit was passed: $(head -n 3 "$T/over")"
ok "x resumed whole; the limit held all along"
check_log_clean
if grep -Eq "$CRASH_RE" "$DAEMON2_LOG"; then
	grep -E "$CRASH_RE" "$DAEMON2_LOG" | head -n 10 >&2
	fail "the second node's log shows a crash"
fi
