#!/usr/bin/env bash
# t_hash_pipelined: hash FILE... asks the server for the checksums of
# its files several at a time, as get -r sends its GETs and reget -r its
# HASHes, not one HASH and a wait for its reply per file.  Counted, not
# timed: under strace, the round trips of the whole session (a read
# from the connection after a write to it).  A file refused in the
# middle is said, the others still printed in order, and the command
# fails at the end.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
mkdir -p "$home/r"
N=60
names=
for i in $(seq 1 $N); do
	head -c 1000 /dev/urandom >"$home/r/f$i"
	names="$names r/f$i"
done
chown -R "$uid:$gid" "$home/r"

# expected [SKIP]: the lines sha256sum prints for the files, in order,
# without r/fSKIP.
expected() {
	local i
	for i in $(seq 1 $N); do
		[ "$i" = "${1:-}" ] && continue
		printf '%s  r/f%s\n' \
		    "$(sha256sum <"$home/r/f$i" | cut -d' ' -f1)" "$i"
	done
}

# Counted over fewer files than a window (XFER_WINDOW, 32) holds: past
# it, each reply read lets one more request go, which strace shows as a
# read after a write however little the client waited.
M=30
run_traced alice "$pw" "$T/hash.trace" <<<"hash --sha256${names%% r/f$((M + 1)) *}"
expect_rc 0 "hash of $M files"
expect_eq "$OUT" "$(expected | head -n $M)" "the checksums, in order"
n=$(round_trips "$T/hash.trace")
[ "$n" -lt $((M / 2)) ] ||
	fail "hash of $M files: $n round trips"
ok "hash asks for the checksums of $M files in $n round trips in all"

run_client alice "$pw" <<<"hash --sha256$names"
expect_rc 0 "hash of $N files"
expect_eq "$OUT" "$(expected)" "the checksums of $N files, in order"
ok "hash of $N files, more than a window: all printed, in order"

# A HASH refused among those in flight (a file the server cannot read)
# leaves the others in step: said at once, the files after it still
# printed, and the command fails naming it.
chmod 000 "$home/r/f30"
run_client alice "$pw" <<<"hash --sha256$names"
chmod 644 "$home/r/f30"
expect_rc 1 "hash with r/f30 unreadable on the server"
expect_contains "$ERR" "r/f30" "the file refused, said"
expect_eq "$OUT" "$(expected 30)" "the others' checksums, in order"
expect_contains "$ERR" "r/f30 was not hashed; the rest was" "the summary"
ok "a HASH refused among those in flight: the others still printed"
