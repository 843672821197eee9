#!/usr/bin/env bash
# t_hash_paced: where the checksum cache cannot be written (here: a file
# its owner CHMODed to 0444, on which the serving process, as the user,
# may not set the attribute; a file system without user xattrs is the
# same), every HASH and every GET of the file reads it whole to hash it.
# For a user with a rate, the bytes so read that are not sent count
# against the rate as if sent: HASH of 1 MiB at 256 KiB/s takes some
# 4 s, and so does GET from the last byte; GET from the start costs its
# sending alone, not twice as long.  Before, HASH and GET from the end
# answered at once, so a user limited to 1 MiB/s could make the server
# read 1 GiB a request.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

pw=$(rand_pw)
add_user alice "$pw" --rate 256K
home=$(user_home alice)
case $home in
"$T"/?*) ;;
*) fail "alice's home $home is not under $T" ;;
esac
start_daemon
SIZE=1048576
head -c "$SIZE" /dev/urandom >"$T/f"
cp "$T/f" "$home/f"
chown "$(user_uid alice):$(user_gid alice)" "$home/f"
touch -d '-1 hour' "$home/f"
quota_reset alice

# has_cache: the file holds a cached checksum.
has_cache() {
	python3 - "$home/f" <<'PY'
import os, sys
sys.exit(0 if any(a.startswith("user.mftp.") for a in os.listxattr(sys.argv[1])) else 1)
PY
}

RAW_FEATURES=2
raw_open alice "$pw"
raw_req "$(hex_chmod f $((8#444)))" 0 "CHMOD f 0444"
! has_cache || fail "a cached checksum before any HASH"

# elapsed_ms START: milliseconds since START (date +%s%N).
elapsed_ms() { echo $((($(date +%s%N) - $1) / 1000000)); }

t0=$(date +%s%N)
raw_send "$(hex_path_req 15 f)"
raw_expect 0x88 "HASH f"
hash_ms=$(elapsed_ms "$t0")
expect_eq "$(raw_hash)" "$(sha256_of "$T/f")" "HASH f's value"
! has_cache || fail "the cache was written to a 0444 file: nothing to test"
note "HASH of 1 MiB, uncached, at 256 KiB/s: $hash_ms ms"
((hash_ms >= 3000)) || fail "HASH read 1 MiB unpaced ($hash_ms ms)"

t0=$(date +%s%N)
raw_send "$(hex_get f $((SIZE - 1)))"
raw_expect 0x86 "GET f from its last byte"
raw_recv_data 1 "$T/got"
raw_expect 0x22 "GET's DATA_END"
get_ms=$(elapsed_ms "$t0")
note "GET of the last byte, uncached: $get_ms ms"
((get_ms >= 3000)) || fail "GET of one byte read 1 MiB unpaced ($get_ms ms)"
ok "the reading of an uncached checksum is paced by the user's rate"

t0=$(date +%s%N)
raw_send "$(hex_get f 0)"
raw_expect 0x86 "GET f whole"
raw_recv_data "$SIZE" "$T/got"
raw_expect 0x22 "GET's DATA_END"
get_ms=$(elapsed_ms "$t0")
expect_same_file "$T/got" "$T/f" "the file got"
note "GET of 1 MiB, uncached: $get_ms ms"
((get_ms < 7000)) || fail "GET from the start paced twice ($get_ms ms)"
ok "GET from the start: its hash read is not paced on top of its sending"
raw_close
check_log_clean
