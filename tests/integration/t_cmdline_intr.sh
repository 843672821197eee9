#!/usr/bin/env bash
# t_cmdline_intr: a transfer named on mftp's command line and stopped by
# Ctrl-C (SIGINT) says what resumes it from the shell: the same mftp
# command again, which then finishes it, verified.  It used to name the
# session's command (reget FILE, reput FILE), which the shell the user
# is back at does not know.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
# Paced, so that SIGINT comes in the middle.
add_user alice "$pw" --rate 1M
home=$(user_home alice)
start_daemon
W=$T/work
mkdir -p "$W"
head -c $((6 * 1048576)) /dev/urandom >"$home/big"
chown "$(user_uid alice):$(user_gid alice)" "$home/big"
head -c $((6 * 1048576)) /dev/urandom >"$W/up"
printf '%s\n' "$pw" >"$T/pw"

# cut WHAT GROWS ARGS...: mftp ARGS in $W, SIGINT once the file GROWS
# passes 1 MiB; its stderr in $T/cut.err, its status in CRC.
cut() {
	local what=$1 grows=$2 mpid
	shift 2
	(cd "$W" && exec "$MFTP" -P "$PORT" --password-fd 3 "$@" \
	    3<"$T/pw" </dev/null >/dev/null 2>"$T/cut.err") &
	mpid=$!
	BG_PIDS+=("$mpid")
	_grown() { [ "$(fsize "$grows")" -gt 1048576 ]; }
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
run_client_at() { # ARGS...: mftp ARGS in $W, not quiet
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
