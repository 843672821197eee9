#!/usr/bin/env bash
# t_rate_wait: a client never gives up on a server that is still taking
# its data.  A user limited to 64 KiB/s uploads 1 MiB with mftp's I/O
# timeout at 5 s (-o Timeout=5).  The client can hand all of it to the
# sockets at once; the server then reads it at the user's rate, for 16
# s, and says nothing until the last byte is in.  That is no silence:
# the client's queue keeps draining, acknowledged by the server, and the
# server keeps little of it unread (its receive window is clamped to the
# rate, and it reads one TLS record at a time).  Before, the client
# waited for the reply to DATA_END with its plain timeout and gave up
# ("server not responding") with the upload under way.  And a file
# larger than the client's send buffer (6 MiB at 64 KiB/s, 96 s): the
# client waits for room in it for longer than its timeout, while the
# server takes the data; that wait is no silence either (before, it gave
# up after 5 s).  -o Timeout refuses nonsense.
# The large upload takes 96 s.
CLIENT_TIMEOUT=200
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user slow "$pw" --rate 64K
start_daemon
head -c 1048576 /dev/urandom >"$T/work/f"

t0=$(date +%s)
run_client slow "$pw" -o Timeout=5 <<<"put $T/work/f f"
t1=$(date +%s)
expect_rc 0 "a 1 MiB upload at 64 KiB/s with a 5 s timeout"
expect_same_file "$T/work/f" "$(user_home slow)/f" "the upload"
[ $((t1 - t0)) -ge 10 ] ||
	fail "the upload took $((t1 - t0)) s: the rate was not applied"
ok "an upload paced by the server for $((t1 - t0)) s outlives a 5 s timeout"

add_user paced "$pw" --rate 64K
head -c $((6 * 1048576)) /dev/urandom >"$T/work/g"
t0=$(date +%s)
run_client paced "$pw" -o Timeout=5 <<<"put $T/work/g g"
t1=$(date +%s)
expect_rc 0 "a 6 MiB upload at 64 KiB/s with a 5 s timeout"
expect_same_file "$T/work/g" "$(user_home paced)/g" "the large upload"
ok "a paced upload larger than the client's send buffer outlives a 5 s timeout ($((t1 - t0)) s)"

for bad in 0 4 abc 86401 -1; do
	run_client slow "$pw" -o "Timeout=$bad" <<<"pwd"
	expect_rc 2 "-o Timeout=$bad"
	expect_contains "$ERR" "Timeout" "the refusal of -o Timeout=$bad"
done
ok "-o Timeout takes 5 to 86400 seconds"
