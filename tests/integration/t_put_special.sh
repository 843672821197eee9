#!/usr/bin/env bash
# t_put_special: put of something that is not a regular file (a FIFO,
# a device) is refused without opening it.  It was opened first
# (O_NONBLOCK) and refused after: opening a FIFO for reading releases a
# writer waiting on it, whose data then went nowhere when mftp closed
# it; opening a device can act (a tape rewinds, a watchdog starts).
# Now the FIFO's writer still waits, and its data reaches the reader
# that comes next.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon
L=$T/local
mkdir -p "$L"
mkfifo "$L/fifo"
# A writer that waits for a reader of the FIFO (bounded: 20 s).
# shellcheck disable=SC2016 # $1 is the inner shell's
timeout 20 sh -c 'echo "a line of the writer" >"$1"' sh "$L/fifo" &
writer=$!
BG_PIDS+=("$writer")
sleep 0.5
run_client alice "$pw" <<<"lcd $L
put fifo"
expect_rc 1 "put fifo"
expect_contains "$ERR" "not a regular file" "the reason"
kill -0 "$writer" 2>/dev/null ||
    fail "the FIFO's writer was released (and its data lost) by put"
got=$(timeout 5 cat "$L/fifo") || true
expect_eq "$got" "a line of the writer" "what the FIFO's next reader gets"
wait_pid "$writer" 10 || fail "the writer did not end"
ok "put of a FIFO is refused without opening it: its writer keeps its data"
