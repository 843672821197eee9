#!/usr/bin/env bash
# t_quota_crash: the serving process killed with SIGKILL in the middle of
# an upload (stopped first, so that it dies at whatever point it had
# reached: between a charge and its write, or inside either).  The
# accounting file is then never below the real usage of the home (the kept
# partial upload included) and above it by at most one charge chunk
# (MFTP_QUOTA_CHUNK, 1 MiB) and one file; ftpuser-quota --recount makes
# it exact.  Three kills at growing points of one 200 MiB upload, which
# then resumes to the end; the last time without a recount in between.
# Then the administrator's recount run again and again while an upload
# is on its way (its data sent in slices, the recount between them): each
# chunk is charged and written under one hold of the lock the recount
# takes, so the accounting is never below the real usage, during the
# upload or after it, and equals a recount at the end.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_quota.sh
. "$(dirname "$0")/lib_quota.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

FTPUSER_QUOTA=$top_builddir/ftpuser-quota
W=$T/work
MiB=1048576
CHUNK=$((1024 * 1024))
BIG_MB=${MFTP_TEST_BIG_MB:-200}
LOGIN_TIMEOUT=60
CLIENT_TIMEOUT=600

[ -x "$FTPUSER_QUOTA" ] || fail "$FTPUSER_QUOTA is not built"

# within NAME WHAT: real <= accounting <= real + one chunk (bytes), and
# real <= accounting <= real + 1 (files).
within() {
	local a r ab af rb rf
	a=$(acct "$1")
	r=$(recount "$(user_home "$1")")
	ab=${a% *} af=${a#* } rb=${r% *} rf=${r#* }
	note "$2: accounting $a, real $r (bytes files)"
	((ab >= rb)) || fail "$2: accounting $ab bytes < real $rb: below usage"
	((ab <= rb + CHUNK)) ||
		fail "$2: accounting $ab bytes > real $rb + one chunk"
	((af >= rf)) || fail "$2: accounting $af files < real $rf"
	((af <= rf + 1)) || fail "$2: accounting $af files > real $rf + 1"
}

recount_now() { # WHAT
	local out
	out=$("$FTPUSER_QUOTA" -c "$CONF" --recount alice 2>&1) ||
		fail "$1: ftpuser-quota --recount: $out"
	exact alice "$1: after ftpuser-quota --recount"
}

pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 1G --quota-files 1000
uid=$(user_uid alice)
home=$(user_home alice)
part=$home/.big.mftp-part
start_daemon
head -c $((BIG_MB * MiB)) /dev/urandom >"$W/big" ||
	fail "cannot make a $BIG_MB MiB file"
# A file already there, so that the home is not only the upload.
head -c 12345 /dev/urandom >"$W/small"
run_client alice "$pw" <<<"put $W/small small"
expect_rc 0 "the first upload"
exact alice "before the kills"

# Kill points: 10%, 30% and 60% of the upload.
kill_no=0
for pct in 10 30 60; do
	kill_no=$((kill_no + 1))
	what="kill $kill_no (at $pct%)"
	at=$((BIG_MB * MiB * pct / 100))

	session_open alice "$pw"
	session_send pwd
	wait_serving_pid "$uid"
	sp=$SERVING_PID
	session_send "put $W/big big"

	# Poll without sleeping: the upload moves fast on loopback.
	end=$((SECONDS + 120))
	while :; do
		size=$(stat -c %s "$part" 2>/dev/null) && ((size >= at)) &&
			break
		[ ! -e "$home/big" ] ||
			fail "$what: the upload ended before the kill point"
		_not_running "$SESS_PID" &&
			fail "$what: the client ended: $(cat "$SESS_ERR")"
		[ "$SECONDS" -lt "$end" ] ||
			fail "$what: the partial upload never reached $at bytes"
	done
	kill -STOP "$sp"
	kill -KILL "$sp"
	wait_for 10 _not_running "$sp" ||
		fail "$what: the killed serving process is still there"
	note "$what: serving process $sp killed at partial size $size"
	session_close 30
	expect_ne "$SESS_RC" 0 "$what: the client whose server was killed"
	daemon_alive || fail "$what: the master died"

	[ ! -e "$home/big" ] || fail "$what: the target appeared"
	[ -f "$part" ] || fail "$what: the partial upload was not kept"
	within alice "$what"
	if [ "$kill_no" -lt 3 ]; then
		recount_now "$what"
	fi
done

# The last kill was not recounted: the upload resumes and ends with the
# accounting still within one chunk; the recount makes it exact.
run_client alice "$pw" <<<"put $W/big big"
expect_rc 0 "the upload after three kills"
expect_same_file "$home/big" "$W/big" "the upload after three kills"
[ ! -e "$part" ] || fail "the partial upload is left after the end"
within alice "after the resumed upload, not recounted"
recount_now "at the end"
ok "SIGKILL at $BIG_MB MiB x 10/30/60%: accounting >= usage, within one" \
    "chunk; the recount makes it exact"

# not_below NAME WHAT: accounting >= real usage.  The home is counted
# first: an upload only adds after charging, so the accounting read after
# it is at least what was counted.
not_below() {
	local r a
	r=$(recount "$(user_home "$1")")
	a=$(acct "$1")
	((${a% *} >= ${r% *})) ||
		fail "$2: accounting ${a% *} bytes < real ${r% *}: below usage"
	((${a#* } >= ${r#* })) ||
		fail "$2: accounting ${a#* } files < real ${r#* }"
}

# Recounts during an upload: the data goes in slices of odd sizes (so the
# server is often between a chunk's start and its end), and after each
# slice the administrator recounts.
_race_has() { # BYTES: the partial holds at least that many
	local size
	size=$(stat -c %s "$home/.race.mftp-part" 2>/dev/null) &&
		((size >= $1))
}
race=$W/race
race_size=$((16 * MiB + 12345))
head -c "$race_size" /dev/urandom >"$race" || fail "cannot make $race"
slices=(100000 300000 700000 1200000 45000)
raw_open alice "$pw"
raw_send "$(hex_put race "$race_size" 420 1700000000)"
raw_expect 0x87 "PUT during recounts"
expect_eq "$(raw_u64 0)" 0 "PUT during recounts: offset"
off=0
n_recounts=0
while ((off < race_size)); do
	n=${slices[n_recounts % ${#slices[@]}]}
	((n <= race_size - off)) || n=$((race_size - off))
	raw_send_file "$race" "$off" "$n"
	off=$((off + n))
	# The whole chunks sent are written: what a recount before them
	# did not see must have been charged all the same.
	wait_for 10 _race_has $((off / CHUNK * CHUNK)) ||
		fail "the upload during recounts stopped at $off bytes sent"
	not_below alice "$off bytes sent, after $n_recounts recounts"
	out=$("$FTPUSER_QUOTA" -c "$CONF" --recount alice 2>&1) ||
		fail "recount $n_recounts during the upload: $out"
	n_recounts=$((n_recounts + 1))
done
raw_send "$(hex_data_end "$(sha256_of "$race")")"
raw_expect 0x80 "PUT during recounts"
raw_close
wait_for 10 _no_sessions || fail "the session did not end"
expect_same_file "$home/race" "$race" "the upload during recounts"
not_below alice "after the upload during $n_recounts recounts"
exact alice "after the upload during $n_recounts recounts, not recounted"
recount_now "after the upload during recounts"
ok "$n_recounts recounts during an upload: accounting never below the" \
    "usage, exact at the end"

wait_for 10 _no_zombies || fail "zombie children of the master"
daemon_alive || fail "mftpd died"
check_log_clean
