#!/usr/bin/env bash
# t_rate_wait: a client never gives up on a server that is still taking
# its data.  A user limited to 16 KiB/s uploads 256 KiB with mftp's I/O
# timeout at 3 s (-o Timeout=3).  The client can hand all of it to the
# sockets at once; the server then reads it at the user's rate, for 16
# s, and says nothing until the last byte is in.  That is no silence:
# the client's queue keeps draining, acknowledged by the server, and the
# server keeps little of it unread in its own buffer (its receive buffer
# is sized to the rate, and it reads one TLS record at a time).  Before, the client waited for the reply to
# DATA_END with its plain timeout and gave up ("server not responding")
# with the upload under way.  A server that stops reading for good is
# still given up on (-o Timeout), and -o Timeout refuses nonsense.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user slow "$pw" --rate 16K
start_daemon
head -c 262144 /dev/urandom >"$T/work/f"

t0=$(date +%s)
run_client slow "$pw" -o Timeout=3 <<<"put $T/work/f f"
t1=$(date +%s)
expect_rc 0 "a 256 KiB upload at 16 KiB/s with a 3 s timeout"
expect_same_file "$T/work/f" "$(user_home slow)/f" "the upload"
[ $((t1 - t0)) -ge 10 ] ||
	fail "the upload took $((t1 - t0)) s: the rate was not applied"
ok "an upload paced by the server for $((t1 - t0)) s outlives a 3 s timeout"

for bad in 0 abc 86401 -1; do
	run_client slow "$pw" -o "Timeout=$bad" <<<"pwd"
	expect_rc 2 "-o Timeout=$bad"
	expect_contains "$ERR" "Timeout" "the refusal of -o Timeout=$bad"
done
ok "-o Timeout takes 1 to 86400 seconds"
