#!/usr/bin/env bash
# t_put_hashcache_part: a partial never carries a cached checksum into
# the file it becomes.  The server caches a checksum (user.mftp.xxh128,
# user.mftp.sha256) only on a file it committed, and removes any such
# attribute from a partial it opens for an upload.
#  - A PUT in an XXH3-128 session whose commit is refused (a directory
#    appeared at the name), then a PUT_DATA of other bytes of the same
#    size from a SHA-256 session, which rewrites that partial and
#    commits it: HASH in the first session gives the new content's
#    XXH3-128, even when the file's size and time are those the refused
#    commit saw (time stamps of one second, or the same tick; here set
#    back with touch).  Before, the refused commit had cached its
#    checksum on the partial, the PUT_DATA replaced only the SHA-256
#    one, and HASH answered the old content's checksum.
#  - A refused commit leaves no cached checksum on its partial.
#  - Checksum attributes found on a partial (an older server's, or one a
#    HASH of the partial cached) are gone once a PUT opened it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

command -v xxhsum >/dev/null || fail "xxhsum is needed (scripts/deps.sh)"
pw=$(rand_pw)
add_user alice "$pw"
home=$(user_home alice)
start_daemon
# The size from which the server caches checksums (1 MiB), which is
# also the most a PUT_DATA may carry.
SZ=1048576
head -c "$SZ" /dev/urandom >"$T/old"
head -c "$SZ" /dev/urandom >"$T/new"
MT=1700000000

# cached FILE: the checksum attributes FILE has, by name.
cached() {
	python3 -c 'import os, sys
print(" ".join(sorted(n for n in os.listxattr(sys.argv[1])
                      if n in ("user.mftp.sha256", "user.mftp.xxh128"))))' "$1"
}

RAW_FEATURES=1 raw_open alice "$pw" # XXH3-128
X=$RAW_FD
RAW_FEATURES=4 raw_open alice "$pw" # SHA-256, PUT_DATA
Y=$RAW_FD
RAW_FEATURES=0 raw_open alice "$pw"
Z=$RAW_FD

# refused_put NAME: X's PUT of "old" as NAME, refused at its commit: Z
# makes a directory NAME before the DATA_END.
refused_put() {
	RAW_FD=$X
	raw_send "$(hex_put "$1" "$SZ" 420 "$MT")"
	raw_expect 0x87 "PUT $1"
	raw_send_file "$T/old" 0 "$SZ"
	RAW_FD=$Z
	raw_req "$(hex_mkdir "$1" 493)" 0 "MKDIR $1"
	RAW_FD=$X
	raw_send "$(hex_data_end "$(xxh128_of "$T/old")")"
	raw_expect_error 14 "the commit of $1 over a directory"
}

refused_put a
seen=$(stat -c %.9Y "$home/.a.mftp-part")
RAW_FD=$Z
raw_req "$(hex_path_req 17 a)" 0 "RMDIR a"

# Y's PUT_DATA of "new" as a rewrites that partial and commits it.
RAW_FD=$Y
raw_send "$(hex_frame "23$(hex_str a)$(hex_u64 "$SZ")$(hex_u32 420)$(hex_u64 "$MT")")"
raw_send_file "$T/new" 0 "$SZ"
raw_send "$(hex_data_end "$(sha256_of "$T/new")")"
raw_expect 0x80 "PUT_DATA a"
expect_same_file "$home/a" "$T/new" "a after the PUT_DATA"
# Its time as the refused commit saw it: the same tick, for the cache.
touch -m -d "@$seen" "$home/a"
RAW_FD=$X
raw_send "$(hex_path_req 15 a)"
raw_expect 0x88 "HASH a"
expect_eq "$(raw_hash)" "$(xxh128_of "$T/new")" "HASH a in the XXH3-128 session"
ok "HASH gives the committed content's checksum, not the refused one's"

# A refused commit caches nothing on its partial.
refused_put b
expect_eq "$(cached "$home/.b.mftp-part")" "" "checksums cached on b's partial"
ok "a refused commit leaves no cached checksum on its partial"

# Attributes found on a partial go when a PUT opens it, resumed or not.
RAW_FD=$Z
raw_req "$(hex_path_req 17 b)" 0 "RMDIR b"
for key in same other; do
	mt=$MT
	[ "$key" = other ] && mt=$((MT + 1))
	python3 -c 'import os, sys
for n in ("user.mftp.sha256", "user.mftp.xxh128"):
    os.setxattr(sys.argv[1], n, os.urandom(52 if n.endswith("sha256") else 36))' \
	    "$home/.b.mftp-part" || fail "cannot mark the partial"
	expect_eq "$(cached "$home/.b.mftp-part")" \
	    "user.mftp.sha256 user.mftp.xxh128" "the planted checksums"
	RAW_FD=$X
	raw_send "$(hex_put b "$SZ" 420 "$mt")"
	raw_expect 0x87 "PUT b ($key key)"
	expect_eq "$(cached "$home/.b.mftp-part")" "" \
	    "checksums on the partial a PUT opened ($key key)"
	off=$(raw_u64 0)
	raw_send_file "$T/old" "$off" $((SZ - off))
	# No checksum in the DATA_END: refused, the partial is kept.
	raw_send "$(hex_data_end "")"
	raw_expect_error 16 "the DATA_END of b without a checksum ($key key)"
done
ok "cached checksums on a partial are removed when a PUT opens it"
for fd in "$X" "$Y" "$Z"; do
	RAW_FD=$fd
	raw_close
done
check_log_clean
