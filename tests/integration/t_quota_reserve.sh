#!/usr/bin/env bash
# t_quota_reserve: concurrent uploads of one user that together need more
# than the free room.  Four sessions each start a PUT of 4 MiB into a
# free 10 MiB before any of them sends data: exactly two get PUT_READY
# (each reserves what it announced), the other two are refused at once
# with the used/limit/needed message, and leave no partial; the two
# complete and the accounting equals a recount.  Three rounds, then the
# same with four mftp clients started at once.  Then a serving process
# killed in the middle of an upload: its reservation stays in the
# accounting file (the user is refused more, never less) while another
# session of the user runs, the usage is never below the real one, and
# the user's next login alone, or ftpuser-quota --recount, drops it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

FTPUSER_QUOTA=$top_builddir/ftpuser-quota
[ -x "$FTPUSER_QUOTA" ] || fail "$FTPUSER_QUOTA is not built"
MiB=1048576
SIZE=$((4 * MiB))
N=4
LOGIN_TIMEOUT=60
CLIENT_TIMEOUT=120

pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 10M
start_daemon
home=$(user_home alice)
uid=$(user_uid alice)
for ((i = 1; i <= N; i++)); do
	head -c "$SIZE" /dev/urandom >"$T/f$i" || fail "cannot make f$i"
	hash[i]=$(sha256_of "$T/f$i")
done

empty_home() { # WHAT
	find "$home" -mindepth 1 -delete
	quota_reset alice
	expect_eq "$(acct alice)" "0 0" "$1: the empty home"
}

# The raw protocol: all four PUTs answered before any data is sent.
declare -a fd=()
for ((i = 1; i <= N; i++)); do
	RAW_FD=
	raw_open alice "$pw"
	fd[i]=$RAW_FD
done
for round in 1 2 3; do
	empty_home "round $round"
	ready=()
	refused=0
	for ((i = 1; i <= N; i++)); do
		RAW_FD=${fd[i]}
		raw_send "$(hex_put "f$i" "$SIZE" 420 1700000000)"
		raw_recv
		case $RAW_TYPE in
		0x87)
			expect_eq "$(raw_u64 0)" 0 "round $round: PUT f$i: offset"
			ready+=("$i")
			;;
		0x81)
			expect_eq "$RAW_CODE" 18 "round $round: PUT f$i refused"
			expect_match "$RAW_TEXT" \
			    '^quota exceeded: 8(\.0)? MiB of 10 MiB used \(8(\.0)? MiB of it reserved by uploads in progress\), 4(\.0)? MiB more needed$' \
			    "round $round: the refusal of f$i"
			[ ! -e "$home/.f$i.mftp-part" ] ||
				fail "round $round: the refused f$i left a partial"
			refused=$((refused + 1))
			;;
		*) fail "round $round: PUT f$i: reply $RAW_TYPE" ;;
		esac
	done
	expect_eq "${#ready[@]} $refused" "2 2" \
	    "round $round: uploads ready and refused before any data"
	expect_eq "$(acct_reserved alice)" $((2 * SIZE)) \
	    "round $round: reserved while the two run"
	for i in "${ready[@]}"; do
		RAW_FD=${fd[i]}
		raw_send_file "$T/f$i" 0 "$SIZE"
		raw_send "$(hex_data_end "${hash[i]}")"
		raw_expect 0x80 "round $round: the upload of f$i"
		expect_same_file "$T/f$i" "$home/f$i" "round $round: f$i"
	done
	expect_eq "$(acct_reserved alice)" 0 "round $round: reserved at the end"
	expect_quota_exact alice "round $round"
	ok "round $round: 2 of 4 uploads of 4 MiB into 10 MiB ready and done," \
	    "2 refused before any data"
done
for ((i = 1; i <= N; i++)); do
	RAW_FD=${fd[i]}
	raw_close
done
wait_for 10 _no_sessions || fail "the raw sessions did not end"

# The same with four clients started at once.
empty_home "clients"
declare -a pids=()
for ((i = 1; i <= N; i++)); do
	client alice "$pw" <<<"put $T/f$i f$i" >"$T/out$i" 2>"$T/err$i" &
	pids[i]=$!
	BG_PIDS+=("$!")
done
won=0
lost=0
for ((i = 1; i <= N; i++)); do
	rc=0
	wait_pid "${pids[i]}" "$CLIENT_TIMEOUT" || rc=$?
	case $rc in
	0)
		won=$((won + 1))
		expect_same_file "$T/f$i" "$home/f$i" "clients: f$i"
		;;
	1)
		lost=$((lost + 1))
		expect_match "$(cat "$T/err$i")" '^mftp: put: .*quota exceeded' \
		    "clients: the refusal of f$i"
		[ ! -e "$home/f$i" ] && [ ! -e "$home/.f$i.mftp-part" ] ||
			fail "clients: the refused f$i left a file"
		;;
	*) fail "clients: mftp $i exit $rc: $(cat "$T/err$i")" ;;
	esac
done
expect_eq "$won $lost" "2 2" "clients: uploads done and refused"
expect_quota_exact alice "clients"
ok "four clients at once: 2 uploads done, 2 refused, accounting exact"

# A serving process killed in the middle of an upload, while another
# session of the user runs (here, or on another node: it holds a session
# slot all the same).
empty_home "kill"
raw_open alice "$pw"
other_fd=$RAW_FD
wait_serving_pid "$uid"
other_pid=$SERVING_PID
RAW_FD=
raw_open alice "$pw"
_second() { serving_pids_of "$uid" | grep -vx "$other_pid" | head -n 1; }
_has_second() { [ -n "$(_second)" ]; }
wait_for 10 _has_second || fail "no second serving process"
SERVING_PID=$(_second)
raw_send "$(hex_put big $((8 * MiB)) 420 1700000000)"
raw_expect 0x87 "the upload to be killed"
raw_send_file "$T/f1" 0 "$MiB"
_part_is() { [ "$(stat -c %s "$home/.big.mftp-part" 2>/dev/null)" = "$MiB" ]; }
wait_for 10 _part_is || fail "the first MiB was not written"
kill -KILL "$SERVING_PID"
_second_gone() { [ -z "$(_second)" ]; }
wait_for 10 _second_gone || fail "the killed session is still there"
raw_close
read -r real_bytes real_files <<<"$(recount "$home")"
read -r got_bytes got_files <<<"$(acct alice)"
expect_eq "$got_bytes $got_files" "$real_bytes $real_files" \
    "after the kill: the usage (what was written is counted)"
expect_eq "$(acct_reserved alice)" $((7 * MiB)) \
    "after the kill: the reservation of the rest stays"
# A login while the other session runs cannot tell the dead upload's
# reservation from one of that session's: it stays, and counts.
raw_open alice "$pw"
raw_send "$(hex_put other $((3 * MiB)) 420 1)"
raw_expect_error 18 "a PUT that needs room the killed upload still holds"
raw_close
expect_eq "$(acct_reserved alice)" $((7 * MiB)) \
    "a login beside another session: the reservation stays"
RAW_FD=$other_fd
raw_close
wait_for 10 _no_sessions || fail "the sessions did not end"
# The user's only session: no upload of a running session can hold a
# reservation, and the login drops what dead ones left.
raw_open alice "$pw"
raw_send "$(hex_put other $((3 * MiB)) 420 1)"
raw_expect 0x87 "a PUT once the login dropped the dead upload's reservation"
expect_eq "$(acct_reserved alice)" $((3 * MiB)) \
    "reserved: this upload's alone"
head -c $((3 * MiB)) "$T/f2" >"$T/g3"
raw_send_file "$T/g3" 0 $((3 * MiB))
raw_send "$(hex_data_end "$(sha256_of "$T/g3")")"
raw_expect 0x80 "the upload after the stale reservation went"
raw_close
expect_eq "$(acct_reserved alice)" 0 "reserved at the end"
expect_quota_exact alice "after the login alone"
# A recount does the same at any time.
raw_open alice "$pw"
raw_send "$(hex_put big2 $((4 * MiB)) 420 1700000000)"
raw_expect 0x87 "a second upload to be killed"
wait_serving_pid "$uid"
kill -KILL "$SERVING_PID"
wait_for 10 _no_sessions || fail "the second killed session is still listed"
raw_close
expect_eq "$(acct_reserved alice)" $((4 * MiB)) "after the second kill"
out=$("$FTPUSER_QUOTA" -c "$CONF" --recount alice 2>&1) ||
	fail "ftpuser-quota --recount: $out"
expect_eq "$(acct_reserved alice)" 0 "after the recount: reserved"
expect_quota_exact alice "after the recount"
ok "killed mid-upload: usage exact; the reservation kept while another" \
    "session runs, dropped by the user's next lone login or a recount"

daemon_alive || fail "mftpd died"
check_log_clean
