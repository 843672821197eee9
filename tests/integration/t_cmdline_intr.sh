#!/usr/bin/env bash
# t_cmdline_intr: a transfer named on mftp's command line and stopped by
# Ctrl-C (SIGINT) says what resumes it from the shell: the same mftp
# command again, which then finishes it, verified.  It used to name the
# session's command (reget FILE, reput FILE), which the shell the user
# is back at does not know.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
# Paced while cut (rate_of), so that SIGINT comes in the middle.
add_user alice "$pw" --rate 256K
home=$(user_home alice)
start_daemon
W=$T/work
mkdir -p "$W"
head -c $((6 * 1048576)) /dev/urandom >"$home/big"
chown "$(user_uid alice):$(user_gid alice)" "$home/big"
head -c $((6 * 1048576)) /dev/urandom >"$W/up"
printf '%s\n' "$pw" >"$T/pw"

# rate_of RATE: alice's rate for the sessions that start from now on:
# 256K for a cut, none (0) for the run that finishes the transfer.
rate_of() {
	tool "$top_builddir/ftpuser-mod" --rate "$1" alice
	expect_eq "$RC" 0 "ftpuser-mod --rate $1 ($ERR)"
}

# cut WHAT GROWS ARGS...: mftp ARGS in $W, SIGINT once the file GROWS
# passes 256 KiB; its stderr in $T/cut.err, its status in CRC.  At
# 256 KiB/s the transfer has 23 s left then: a busy machine that holds
# the look at the file up for seconds still cuts it in the middle (at
# 1 MiB/s and 1 MiB, 5 s were left).
cut() {
	local what=$1 grows=$2 mpid
	shift 2
	rate_of 256K
	(cd "$W" && exec "$MFTP" -P "$PORT" --password-fd 3 "$@" \
	    3<"$T/pw" </dev/null >/dev/null 2>"$T/cut.err") &
	mpid=$!
	BG_PIDS+=("$mpid")
	_grown() { [ "$(fsize "$grows")" -gt 262144 ]; }
	wait_for 20 _grown || fail "$what: $grows did not grow"
	kill -INT "$mpid"
	CRC=0
	wait_pid "$mpid" 20 || CRC=$?
}

cut "get" "$W/big.part" "alice@$HOST:big"
expect_eq "$CRC" 130 "the status of a command-line get stopped by Ctrl-C"
expect_match "$(cat "$T/cut.err")" \
    '^mftp: get: big: interrupted at [0-9.]+ [KM]iB of 6\.0 MiB; the same mftp command again resumes it$' \
    "what a command-line get stopped by Ctrl-C says"
run_client_at() { # ARGS...: mftp ARGS in $W, not quiet, unpaced
	rate_of 0
	RC=0
	(cd "$W" && "$MFTP" -P "$PORT" --password-fd 3 "$@" 3<"$T/pw" \
	    </dev/null >"$T/again.out" 2>"$T/again.err") || RC=$?
}
run_client_at "alice@$HOST:big"
expect_eq "$RC" 0 "the same command again ($(cat "$T/again.err"))"
expect_same_file "$W/big" "$home/big" "the file it finished"
expect_contains "$(cat "$T/again.out" "$T/again.err")" "resumed at" \
    "the same command again resumed the download"
ok "a command-line get stopped by Ctrl-C names the same command, which resumes it"

cut "put" "$home/.up.mftp-part" "$W/up" "alice@$HOST:"
expect_eq "$CRC" 130 "the status of a command-line put stopped by Ctrl-C"
expect_match "$(cat "$T/cut.err")" \
    '^mftp: put: up: interrupted after [0-9.]+ [KM]iB of 6\.0 MiB sent; the same mftp command again resumes it$' \
    "what a command-line put stopped by Ctrl-C says"
run_client_at "$W/up" "alice@$HOST:"
expect_eq "$RC" 0 "the same command again ($(cat "$T/again.err"))"
expect_same_file "$home/up" "$W/up" "the file it finished"
expect_contains "$(cat "$T/again.out" "$T/again.err")" "resumed at" \
    "the same command again resumed the upload"
ok "a command-line put stopped by Ctrl-C names the same command, which resumes it"
check_log_clean
