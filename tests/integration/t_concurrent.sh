#!/usr/bin/env bash
# t_concurrent: 20 sessions of two users, all logged in at the same time,
# then each puts and gets its own 2 MiB file at once; every file comes back
# byte-identical and is stored under the right owner.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

N=20
MAX_SESSIONS=100
MAX_SESSIONS_PER_IP=100
LOGIN_TIMEOUT=60
CLIENT_TIMEOUT=120
W=$T/work

pw_a=$(rand_pw)
pw_b=$(rand_pw)
add_user alice "$pw_a"
add_user bob "$pw_b"
start_daemon

declare -a user pass fds pids
for ((i = 0; i < N; i++)); do
	if ((i % 2)); then
		user[i]=bob pass[i]=$pw_b
	else
		user[i]=alice pass[i]=$pw_a
	fi
	head -c 2097152 /dev/urandom >"$W/f$i"
	mkfifo "$T/fifo$i"
	exec {fd}<>"$T/fifo$i"
	fds[i]=$fd
done

# Each client reads its commands from its own FIFO; close the other
# FIFOs' descriptors in it, or it would hold their writing ends open.
for ((i = 0; i < N; i++)); do
	(
		for f in "${fds[@]}"; do
			exec {f}>&-
		done
		client "${user[i]}" "${pass[i]}" <"$T/fifo$i" \
		    >"$T/out$i" 2>"$T/err$i"
	) &
	pids[i]=$!
	BG_PIDS+=("$!")
done

# All 20 logged in at once: 20 serving processes, 10 of each user.
_all_in() {
	[ "$(serving_pids_of "$(user_uid alice)" | wc -l)" -eq $((N / 2)) ] &&
		[ "$(serving_pids_of "$(user_uid bob)" | wc -l)" -eq $((N / 2)) ]
}
for ((i = 0; i < N; i++)); do
	printf 'pwd\n' >&"${fds[i]}"
done
wait_for 30 _all_in ||
	fail "not all $N sessions logged in: $(count_sessions) sessions"
ok "$N sessions logged in at the same time"

# Now every one of them transfers at once.
for ((i = 0; i < N; i++)); do
	printf 'put %s f%s\nget f%s %s\nquit\n' "$W/f$i" "$i" "$i" \
	    "$W/f$i.back" >&"${fds[i]}"
done
for ((i = 0; i < N; i++)); do
	fd=${fds[i]}
	exec {fd}>&-
done
for ((i = 0; i < N; i++)); do
	rc=0
	wait_pid "${pids[i]}" 180 || rc=$?
	[ "$rc" = 0 ] || fail "client $i (${user[i]}) exit $rc: $(cat "$T/err$i")"
done
for ((i = 0; i < N; i++)); do
	home=$(user_home "${user[i]}")
	expect_same_file "$W/f$i.back" "$W/f$i" "session $i round trip"
	expect_same_file "$home/f$i" "$W/f$i" "session $i stored file"
	expect_eq "$(stat -c %u "$home/f$i")" "$(user_uid "${user[i]}")" \
	    "owner of f$i"
done
ok "$N concurrent transfers byte-identical"

wait_for 10 _no_sessions || fail "sessions left after all clients quit"
wait_for 10 _no_zombies || fail "zombie children of the master"
daemon_alive || fail "mftpd died"
check_log_clean
