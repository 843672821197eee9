#!/usr/bin/env bash
# t_load: a bounded load of LOAD_N (200) clients at once, each logging in
# (TLS, yescrypt) and doing mixed work: an upload, a listing, a pause that
# keeps the sessions side by side, a download checked byte for byte, a
# removal.  Every client succeeds; afterwards no session and no zombie
# is left, the master holds as many descriptors as before the load, and
# the accounting file equals a recount.  Bounded: LOAD_N clients, each
# within CLIENT_TIMEOUT, all within LOAD_SECONDS.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_quota.sh
. "$(dirname "$0")/lib_quota.sh"

LOAD_N=${MFTP_TEST_LOAD_N:-200}
LOAD_SECONDS=180
MAX_SESSIONS=$((LOAD_N + 10))
MAX_SESSIONS_PER_IP=$((LOAD_N + 10))
LOGIN_TIMEOUT=120
CLIENT_TIMEOUT=150
W=$T/work
pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 1G --quota-files 10000
start_daemon

fds() { ls "/proc/$DAEMON_PID/fd" | wc -l; }
# A first session settles what the master keeps open for good (the log).
run_client alice "$pw" <<<'pwd'
expect_rc 0 "a first session"
wait_for 10 _no_sessions || fail "the first session did not end"
base=$(fds)

for i in 0 1 2 3; do
	head -c $((1000 + i * 70000)) /dev/urandom >"$W/small.$i"
done
pids=()
start=$SECONDS
for ((i = 0; i < LOAD_N; i++)); do
	timeout -k 5 "$CLIENT_TIMEOUT" "$MFTP" -q -P "$PORT" --password-fd 3 \
	    "alice@$HOST" 3<<<"$pw" >"$W/out.$i" 2>&1 <<EOF &
put $W/small.$((i % 4)) f$i
ls
!sleep 2
get f$i $W/back.$i
rm f$i
EOF
	pids+=("$!")
done
peak=0
while [ $((SECONDS - start)) -lt "$LOAD_SECONDS" ]; do
	n=$(count_sessions)
	((n > peak)) && peak=$n
	alive=0
	for p in "${pids[@]}"; do
		kill -0 "$p" 2>/dev/null && alive=$((alive + 1))
	done
	[ "$alive" = 0 ] && break
	sleep 0.2
done
failed=0
for i in "${!pids[@]}"; do
	rc=0
	wait_pid "${pids[$i]}" 5 || rc=$?
	if [ "$rc" != 0 ]; then
		failed=$((failed + 1))
		[ "$failed" -le 3 ] && note "client $i: exit $rc: $(head -c 300 "$W/out.$i")"
		continue
	fi
	cmp -s "$W/back.$i" "$W/small.$((i % 4))" ||
		fail "client $i: the file came back different"
done
[ "$failed" = 0 ] || fail "$failed of $LOAD_N clients failed"
note "$LOAD_N clients in $((SECONDS - start)) s, at most $peak sessions at once"
ok "$LOAD_N concurrent clients: every one succeeded"

wait_for 20 _no_sessions || fail "sessions left: $(count_sessions)"
wait_for 10 _no_zombies || fail "zombie children of the master"
expect_eq "$(fds)" "$base" "the master's descriptors after the load"
exact alice "after the load"
daemon_alive || fail "mftpd died"
check_log_clean
ok "no session, no zombie, no descriptor left; the accounting is exact"
