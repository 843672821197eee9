#!/usr/bin/env bash
# t_quota_cut_term: the accounting stays exact when an upload is cut by
# the session's own end: SIGTERM to the serving process (ftpuser-del,
# ftpuser-mod --lock, mftpd's stop) or the lock mark another node's tool
# leaves on the accounting file (mode 0400), which the transport's watch
# sees within a request.  Cut mid-data (PUT at the user's rate, and
# put -r of small files, PUT_DATA, at bounded random moments), while the
# server hashes a resumed PUT's kept part (strace slows its reads),
# before DATA_END is read (the last chunk's charge held by the test
# taking the accounting lock) and while committing (strace holds the
# rename): each time the accounting file equals a recount, nothing stays
# reserved (but for a cut while the lock was held: until the next
# login), a PUT's partial is kept and the PUT run again resumes from
# it, PUT_DATA leaves none, and the upload run again completes, exact.
# Found exact in every case when written (no bug): a guard for the ways
# an upload can end since the watch and the SIGTERM handler came.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_quota.sh
. "$(dirname "$0")/lib_quota.sh"

MiB=1048576
SIZE=$((6 * MiB))
ROUNDS=${MFTP_TEST_CUT_ROUNDS:-3}
W=$T/work
mkdir -p "$W/tree" || fail "mkdir $W"

pw=$(rand_pw)
add_user alice "$pw" --rate 1M --quota-bytes 256M --quota-files 2000
uid=$(user_uid alice)
home=$(user_home alice)
case $home in
"$T"/*) ;;
*) fail "alice's home '$home' is not under $T" ;;
esac
start_daemon

head -c "$SIZE" /dev/urandom >"$W/big" || fail "cannot make big"
for ((i = 0; i < 120; i++)); do
	head -c $((RANDOM * 4 + 1)) /dev/urandom >"$W/tree/f$i" ||
		fail "cannot make f$i"
done

FTPUSER_QUOTA=$top_builddir/ftpuser-quota
FTPUSER_MOD=$top_builddir/ftpuser-mod
# rate_of RATE: alice's rate for the sessions that start from now on:
# 1M while a transfer is to be cut in the middle, none (0) for the runs
# that finish it, which need no pace.
rate_of() {
	tool "$FTPUSER_MOD" --rate "$1" alice
	expect_eq "$RC" 0 "ftpuser-mod --rate $1 ($ERR)"
}
# What this test removed by hand, the accounting forgets too.
recount_now() {
	"$FTPUSER_QUOTA" -c "$CONF" --recount alice >/dev/null ||
		fail "ftpuser-quota --recount"
}

_at_least() { [ "$(fsize "$1")" -ge "$2" ]; }
_no_session() { [ -z "$(serving_pids_of "$uid")" ]; }

# no_session_left: the session of the last run_client has ended, so that
# the serving process wait_serving_pid finds next is the new one's.  A
# session's process outlives its client by a moment; found then, it
# would take the cut meant for the new one, whose upload would go on.
no_session_left() {
	wait_for 15 _no_session || fail "alice's last session did not end"
}

# start_put [RATE]: a fresh upload of big, at alice's RATE (1 MB/s by
# default), in the background (cpid; its output in $T/cut.out and
# $T/cut.err) once it is served.
start_put() {
	rm -f "$home/big" "$home/.big.mftp-part"
	recount_now
	rate_of "${1:-1M}"
	no_session_left
	client alice "$pw" <<<"put $W/big big" >"$T/cut.out" 2>"$T/cut.err" &
	cpid=$!
	BG_PIDS+=("$cpid")
	wait_serving_pid "$uid"
}

# cut HOW: end the session now, by SIGTERM or by the lock mark.
cut() {
	case $1 in
	term)
		kill -TERM "$SERVING_PID" 2>/dev/null ;;
	mark)
		chmod 0400 "$T/quota/alice" ;;
	esac
}

# settled WHAT [RESERVED]: the session gone, the mark undone, nothing
# reserved (or at most RESERVED bytes), the accounting exact.
settled() {
	local held
	wait_for 15 _no_session ||
		fail "$1: the session went on after the cut"
	chmod 0600 "$T/quota/alice"
	held=$(acct_reserved alice)
	((held <= ${2:-0})) || fail "$1: $held bytes still reserved"
	exact alice "$1"
}

for ((round = 1; round <= ROUNDS; round++)); do
	for how in term mark; do
		# ---------------------------------------- PUT, mid-data
		# At 256 KiB/s, cut after 256 to 768 KiB: 21 s at least
		# before the upload would end, so that a look at the
		# partial that a busy machine holds up for seconds does
		# not come after it (at 1 MiB/s, cut after 1 to 3 MiB,
		# a CI run's did).
		start_put 256K
		wait_for 20 _at_least "$home/.big.mftp-part" \
		    $((MiB / 4 + RANDOM % (MiB / 2))) ||
			fail "the PUT did not start"
		cut "$how"
		wait_pid "$cpid" 20 && fail "put ($how): the client succeeded"
		settled "PUT cut mid-data ($how)"
		[ -f "$home/.big.mftp-part" ] ||
			fail "PUT cut mid-data ($how): the partial was not kept"
		kept=$(fsize "$home/.big.mftp-part")
		rate_of 0
		run_client alice "$pw" <<<"put $W/big big"
		expect_rc 0 "PUT run again after the cut ($how): $ERR"
		expect_same_file "$home/big" "$W/big" "resumed ($how)"
		grep -q "op=put path=big bytes=[0-9]* offset=$kept " \
		    "$DAEMON_LOG" || fail "the PUT run again did not resume at $kept"
		exact alice "after the resumed PUT ($how)"

		# ------------------------------ put -r (PUT_DATA), mid-tree
		rm -rf "${home:?}/tree"
		recount_now
		rate_of 1M
		no_session_left
		client alice "$pw" <<<"put -r $W/tree" >/dev/null 2>&1 &
		cpid=$!
		BG_PIDS+=("$cpid")
		wait_serving_pid "$uid"
		n=$((5 + RANDOM % 60))
		_stored() {
			[ "$(find "$home/tree" -type f 2>/dev/null |
			    wc -l)" -ge "$1" ] || ! kill -0 "$cpid" 2>/dev/null
		}
		wait_for 30 _stored "$n" || fail "put -r did not start"
		cut "$how"
		wait_pid "$cpid" 30
		settled "put -r cut after $n files ($how)"
		# PUT_DATA (mftp: files of 64 KiB or less) leaves no
		# partial; a PUT's is kept for the run below to resume.
		for f in "$home"/tree/.*.mftp-part; do
			[ -e "$f" ] || continue
			b=${f##*/.}
			b=${b%.mftp-part}
			(($(fsize "$W/tree/$b") > 65536)) ||
				fail "put -r cut ($how): PUT_DATA left $f"
		done
		rate_of 0
		run_client alice "$pw" <<<"put -r $W/tree"
		expect_rc 0 "put -r run again ($how): $ERR"
		diff -r "$W/tree" "$home/tree" >/dev/null ||
			fail "put -r run again ($how): the trees differ"
		exact alice "after put -r run again ($how)"
	done
done
# ------------- a resumed PUT, cut while the server hashes its kept part
# strace holds each of the serving process's reads for 0.3 s: the kept
# part (over 2 MiB) takes seconds to hash, before PUT_READY.
for how in term mark; do
	start_put
	wait_for 20 _at_least "$home/.big.mftp-part" $((2 * MiB + 1)) ||
		fail "the PUT did not start"
	kill -TERM "$SERVING_PID"
	wait_pid "$cpid" 20
	settled "the first PUT ($how)"
	kept=$(fsize "$home/.big.mftp-part")
	session_open alice "$pw"
	session_send pwd
	wait_serving_pid "$uid"
	strace_attach "$SERVING_PID" "$T/strace.out" -f -e trace=pread64 \
	    -e inject=pread64:delay_enter=300000
	session_send "put $W/big big"
	sleep 1
	expect_eq "$(fsize "$home/.big.mftp-part")" "$kept" \
	    "the kept part before PUT_READY ($how)"
	cut "$how"
	session_close 30
	kill "$STRACE_PID" 2>/dev/null
	wait "$STRACE_PID" 2>/dev/null
	settled "a resumed PUT cut while its kept part is hashed ($how)"
	expect_eq "$(fsize "$home/.big.mftp-part")" "$kept" \
	    "the partial after the cut in the hash ($how)"
	rate_of 0
	run_client alice "$pw" <<<"put $W/big big"
	expect_rc 0 "PUT run again after the cut in the hash ($how): $ERR"
	expect_same_file "$home/big" "$W/big" "resumed after the hash ($how)"
	exact alice "after the PUT resumed once more ($how)"
done
ok "a resumed PUT cut while its kept part is hashed: exact, resumable"

# --------- cut at DATA_END and while committing: the accounting lock
# arm_lock and fire_lock (lib_quota.sh) hold the accounting file's lock
# for 3 s, taken as the last chunk comes; the serving process waits for
# it to charge that chunk, and the cut comes meanwhile.  Or strace holds
# the commit's rename.
for at in data-end commit; do
	for how in term mark; do
		start_put
		if [ "$at" = data-end ]; then
			# The last chunk is on its way (1 s at 1 MB/s): its
			# charge waits for the lock, and DATA_END is read
			# after the cut.
			arm_lock alice 3
			wait_for 20 _at_least "$home/.big.mftp-part" \
			    $((SIZE - MiB)) || fail "the PUT did not get far"
			fire_lock
		else
			# The commit's rename is held 3 s, after DATA_END.
			strace_attach "$SERVING_PID" "$T/strace.out" \
			    -e trace=renameat,renameat2 \
			    -e inject=renameat,renameat2:delay_enter=3000000
			wait_for 20 _at_least "$home/.big.mftp-part" "$SIZE" ||
				fail "the PUT did not get to its end"
		fi
		sleep 1
		cut "$how"
		crc=0
		wait_pid "$cpid" 20 || crc=$?
		# Cut while it waited for the lock, the session ends without
		# it: the last chunk is not written, and the reservation it
		# could not give back stays, as a killed session's would,
		# until the next login of the user finds it alone (below).
		if [ "$at" = data-end ]; then
			wait_pid "$LOCK_PID" 10
			settled "PUT cut at $at ($how)" "$MiB"
		else
			settled "PUT cut at $at ($how)"
		fi
		if [ -e "$home/big" ]; then
			note "cut at $at ($how): the PUT was committed"
			# Stored: the client was told so; only what came
			# after (its QUIT) may have met the session's end.
			[ "$crc" = 0 ] || ! grep -qv '^mftp: quit: ' "$T/cut.err" ||
				fail "cut at $at ($how): the stored PUT was said to fail: $(cat "$T/cut.err")"
			expect_same_file "$home/big" "$W/big" "committed ($at, $how)"
			[ ! -e "$home/.big.mftp-part" ] ||
				fail "cut at $at ($how): a partial beside the file"
		else
			[ -e "$home/.big.mftp-part" ] ||
				fail "cut at $at ($how): neither file nor partial"
			note "cut at $at ($how): $(fsize "$home/.big.mftp-part") kept"
		fi
		rate_of 0
		run_client alice "$pw" <<<"put $W/big big"
		expect_rc 0 "PUT run again after the cut at $at ($how): $ERR"
		expect_same_file "$home/big" "$W/big" "after the cut at $at ($how)"
		expect_eq "$(acct_reserved alice)" 0 \
		    "the bytes reserved after the PUT run again ($at, $how)"
		exact alice "after the PUT run again ($at, $how)"
	done
done
ok "PUT cut at DATA_END and while committing: exact, resumable"

ok "$ROUNDS rounds of PUT and put -r cut by SIGTERM and the lock mark: exact"

check_log_clean
