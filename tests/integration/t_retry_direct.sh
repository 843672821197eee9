#!/usr/bin/env bash
# t_retry_direct: --retry never runs a download again whose data already
# went into a descriptor, a device or a FIFO, which is written as the
# data comes and cannot be resumed: a new try would write the file again
# after what the first left there.  get big /dev/stdout cut in the
# middle, and an mget whose first file went to standard output (a link
# to /dev/stdout) before the second was cut, end with exit 3 and say
# why; standard output holds each file's bytes once, as far as they
# came, never a second copy.
#
# The client is slowed down as in t_resume (lib_retry.sh).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_retry.sh
. "$(dirname "$0")/lib_retry.sh"

head -c $((BIG_MB * 1048576)) /dev/urandom >"$home/big" ||
	fail "cannot make a $BIG_MB MiB file"
head -c 5000 /dev/urandom >"$home/a"
chown "$uid:$(user_gid alice)" "$home/big" "$home/a"

# expect_prefix FILE OF WHAT: FILE is the start of OF, and shorter.
expect_prefix() {
	local n
	n=$(fsize "$1")
	((n < $(fsize "$2"))) || fail "$3: $n bytes, as many as the whole file"
	cmp -s -n "$n" "$1" "$2" || fail "$3: not the start of the file"
}

# ------------------------------------------ get into standard output
slow_client "get big /dev/stdout" --retry 2
run_slices "$T/slow.out" "$CUT" || fail "the get did not reach $CUT bytes"
kill_serving get
expect_rc 3 "get big /dev/stdout with --retry, cut"
expect_not_contains "$ERR" "reconnecting" "mftp after data went to stdout"
expect_contains "$ERR" "not retried" "what mftp says"
expect_contains "$ERR" "/dev/stdout" "the reason names where the data went"
expect_prefix "$T/slow.out" "$home/big" "standard output"
ok "a cut get into standard output is not run again with --retry"

# ------------------- mget: the first file went to stdout, the second cut
mkdir -p "$W/m"
ln -s /dev/stdout "$W/m/a"
slow_client "lcd $W/m
mget a big" --retry 2
run_slices "$W/m/big.part" "$CUT" || fail "the mget did not reach $CUT bytes"
kill_serving get
expect_rc 3 "mget with a file into stdout, cut later, with --retry"
expect_not_contains "$ERR" "reconnecting" "mftp after data went to stdout"
expect_contains "$ERR" "not retried" "what mftp says"
expect_same_file "$T/slow.out" "$home/a" "standard output after the mget"
[ -s "$W/m/big.part" ] || fail "the cut file's part is gone"
ok "an mget that wrote into standard output is not run again with --retry"
