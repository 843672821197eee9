#!/usr/bin/env bash
# t_quota_crash: the serving process killed with SIGKILL in the middle of
# an upload (stopped first, so that it dies at whatever point it had
# reached: between a charge and its write, or inside either).  The
# accounting file is then never below the real usage of the home (the kept
# partial upload included) and above it by at most one charge chunk
# (MFTP_QUOTA_CHUNK, 1 MiB) and one file; ftpuser-quota --recount makes it
# exact.  Three kills at growing points of one 200 MiB upload, which then
# resumes to the end; the last time without a recount in between.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_quota.sh
. "$(dirname "$0")/lib_quota.sh"

FTPUSER_QUOTA=$top_builddir/ftpuser-quota
W=$T/work
MiB=1048576
CHUNK=$MiB
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

wait_for 10 _no_zombies || fail "zombie children of the master"
daemon_alive || fail "mftpd died"
check_log_clean
