#!/usr/bin/env bash
# t_put_ready_intr: Ctrl-C while mftp waits for the answer to a PUT
# (the server checking the part it keeps, or slow) says which file and
# what now, as Ctrl-C during the data does: "NAME: interrupted before
# its data was sent; reput SRC NAME resumes it"; before, only
# "interrupted".  The serving process is stopped while ^C comes, so the
# wait is caught whatever the machine's speed; the command it gives
# then uploads the file, verified.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_tmux.sh
. "$(dirname "$0")/lib_tmux.sh"

pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
W=$T/work
mkdir -p "$W"
# Larger than a PUT_DATA's (1 MiB): a PUT, then its PUT_READY.
head -c $((8 * 1048576)) /dev/urandom >"$W/big"

sock=$T/tmux.sock
tmux_mftp "$sock" "$W" alice "$pw"
wait_serving_pid "$uid"
kill -STOP "$SERVING_PID"
# The server's socket has unread bytes once the PUT is out: mftp then
# waits for its answer from the stopped process.
_put_waiting() {
	ss -tnH state established "( sport = :$PORT )" |
		awk '$1 > 0 { f = 1 } END { exit !f }'
}
tmux_type "$sock" "put big"
wait_for 10 _put_waiting || fail "the PUT did not reach the server: $(ss -tn)"
tmux -S "$sock" send-keys C-c
wait_for 20 tmux_has "$sock" \
	"mftp: put: big: interrupted before its data was sent; reput big resumes it" ||
	fail "Ctrl-C while the PUT's answer is awaited: $(tmux_screen "$sock")"
kill -CONT "$SERVING_PID"
[ ! -e "$home/big" ] || fail "big was stored"
ok "Ctrl-C while a PUT's answer is awaited names the file and the command"

tmux_type "$sock" "reput big"
wait_for 30 tmux_has "$sock" "verified" ||
	fail "reput after the interrupt: $(tmux_screen "$sock")"
expect_same_file "$home/big" "$W/big" "the upload after reput"
tmux_type "$sock" "quit"
wait_for 15 tmux_has "$sock" "EXIT=0" || fail "quit: $(tmux_screen "$sock")"
ok "the command it gives uploads the file"
