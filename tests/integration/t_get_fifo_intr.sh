#!/usr/bin/env bash
# t_get_fifo_intr: get into a FIFO that no program reads waits in its
# open, as a shell's redirection into it does.  Ctrl-C there (batch
# mode) ends the run with 130 and says what it waited for; before, the
# line was the bare "Interrupted system call".  The command after it
# does not run, and the FIFO is left as it was.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
head -c 300000 /dev/urandom >"$home/f"
chown "$uid:$gid" "$home/f"
mkfifo "$T/fifo"

batch_bg alice "$pw" "$T" "get f $T/fifo
pwd"
job=$JOB

# in_open: mftp waits in the FIFO's open, for a reader (the kernel's
# wait_for_partner).
in_open() {
	mftp_below "$job" && [ "$(cat "/proc/$CPID/wchan" 2>/dev/null)" = wait_for_partner ]
}
wait_for 30 in_open || fail "mftp did not come to wait in the FIFO's open"
kill -INT "$CPID"
rc=0
wait_pid "$job" 30 || rc=$?
expect_eq "$rc" 130 "the status of a batch run stopped by ^C"
ERR=$(cat "$T/b.err")
expect_contains "$ERR" \
    "fifo: interrupted while it waited to be opened (a FIFO opens only once a program reads from it)" \
    "what the line says"
expect_not_contains "$ERR" "Interrupted system call" "the bare errno text"
expect_not_contains "$(cat "$T/b.out")" "/" "the command after the ^C ran"
[ -p "$T/fifo" ] || fail "the FIFO was replaced"
ok "^C while get waits for a reader of its FIFO: 130 and a line that says so"
check_log_clean
