#!/usr/bin/env bash
# t_reget_pipelined: reget -r and mget -c ask the server for the
# checksums of the files already complete several at a time, as get -r
# sends its GETs, not one HASH and a wait for its reply per file: on a
# link of 50 ms, 10,000 small files complete cost 500 s of round trips
# where get -r fetched them all again in seconds.  Counted, not timed:
# under strace, the round trips of the whole session (a read from the
# connection after a write to it).  Before, one per file and more.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
L=$T/local
mkdir -p "$L/r" "$L/m" "$home/r"
N=60
for i in $(seq 1 $N); do
	head -c 1000 /dev/urandom >"$home/r/f$i"
done
# One larger than a slice that the client hashes at once (2 MiB), in
# the middle: it is hashed with no request in flight.
head -c $((3 << 20)) /dev/urandom >"$home/r/f20"
chown -R "$uid:$gid" "$home/r"
cp "$home/r/"* "$L/r/"
cp "$home/r/"* "$L/m/"
# One that differs, to be fetched.
printf '\x00\x01\x02\x03' |
	dd of="$L/r/f7" bs=1 seek=10 conv=notrunc status=none
cmp -s "$L/r/f7" "$home/r/f7" && fail "f7 should differ"

# gets PATH: how many GETs of PATH the server's log has.
gets() { log_count " op=get path=$1 "; }

run_traced alice "$pw" "$T/reget.trace" <<<"lcd $L
reget -r r"
expect_rc 0 "reget -r r"
expect_eq "$(gets r/f1)" 0 "GETs of r/f1, complete"
expect_eq "$(gets r/f20)" 0 "GETs of r/f20, complete and large"
expect_eq "$(gets r/f7)" 1 "GETs of r/f7, which differs"
expect_same_file "$L/r/f7" "$home/r/f7" "r/f7"
n=$(round_trips "$T/reget.trace")
[ "$n" -lt $((N / 2)) ] ||
	fail "reget -r of $N files already complete: $n round trips"
ok "reget -r asks for the checksums of $N files in $n round trips in all"

run_traced alice "$pw" "$T/mget.trace" <<<"lcd $L/m
mget -c r/f*"
expect_rc 0 "mget -c r/f*"
expect_eq "$(gets r/f1)" 0 "GETs of r/f1 by mget -c"
n=$(round_trips "$T/mget.trace")
[ "$n" -lt $((N / 2)) ] ||
	fail "mget -c of $N files already complete: $n round trips"
ok "mget -c asks for the checksums of $N files in $n round trips in all"

# A HASH refused among those in flight (a file the server cannot read)
# leaves the others in step: the files after it are still skipped, and
# its GET says why it failed, the rest done.
mkdir -p "$L/u/r"
cp "$home/r/"* "$L/u/r/"
chmod 000 "$home/r/f30"
run_client alice "$pw" <<<"lcd $L/u
reget -r r"
chmod 644 "$home/r/f30"
expect_rc 1 "reget -r r with r/f30 unreadable on the server"
expect_contains "$ERR" "r/f30" "the file refused, said"
for f in f29 f31 f60; do
	expect_eq "$(gets "r/$f")" 0 "GETs of r/$f, after a HASH refused"
	expect_same_file "$L/u/r/$f" "$home/r/$f" "u/r/$f"
done
ok "a HASH refused among those in flight: the others still skipped"
