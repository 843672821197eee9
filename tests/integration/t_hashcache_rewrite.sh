#!/usr/bin/env bash
# t_hashcache_rewrite: a file rewritten in place while the server reads
# it to hash it, its modification time then put back (cp -p, rsync -c
# --inplace, touch -r do that), is not given a cached checksum.  Its size
# and time after the read are those before, but what was read is half
# the old content and half the new: a value cached from it would be
# believed for as long as size and time stay (hashcache.c), and every
# later download would fail its check ("checksum mismatch") and every
# HASH answer it.  strace holds each of the serving process's reads for
# 0.15 s, so that the rewrite falls inside the HASH's read.  Before, the
# value was cached (only size and modification time were compared), and
# the next get of the file failed.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v xxhsum >/dev/null || fail "xxhsum is needed (scripts/deps.sh)"
pw=$(rand_pw)
add_user alice "$pw"
home=$(user_home alice)
case $home in
"$T"/?*) ;;
*) fail "alice's home $home is not under $T" ;;
esac
start_daemon
SIZE=$((12 * 1048576))
head -c "$SIZE" /dev/urandom >"$home/big"
chown "$(user_uid alice):$(user_gid alice)" "$home/big"
# Settled (hashcache.c): a value read from it may be cached.
touch -d '-1 hour' "$home/big"
touch -r "$home/big" "$T/stamp"

_reads_at_least() { # N: the slowed reads so far
	[ "$(grep -c 'pread64(' "$T/strace.out" 2>/dev/null)" -ge "$1" ]
}

session_open alice "$pw" -o Timeout=30
session_send pwd
wait_serving_pid "$(user_uid alice)"
strace_attach "$SERVING_PID" "$T/strace.out" -f -e trace=pread64 \
    -e inject=pread64:delay_enter=150000
session_send "hash big"
wait_for 20 _reads_at_least 4 || fail "the server did not start reading big"
# The start was read already: rewrite it, and put the time back.
printf 'rewritten' | dd of="$home/big" bs=1 conv=notrunc status=none
touch -r "$T/stamp" "$home/big"
expect_eq "$(stat -c %s.%Y "$home/big")" "$(stat -c %s.%Y "$T/stamp" |
	sed "s/^[0-9]*/$SIZE/")" "size and time put back"
session_close 90
kill "$STRACE_PID" 2>/dev/null
wait "$STRACE_PID" 2>/dev/null
[ "$SESS_RC" = 0 ] ||
	fail "the hash session failed (exit $SESS_RC): $(cat "$SESS_ERR")"

want=$(xxhsum -H2 <"$home/big" | cut -c1-32)
cached=$(xattr_hex "$home/big" user.mftp.xxh128)
[ -z "$cached" ] || expect_eq "${cached:0:32}" "$want" \
    "the cached XXH3-128 of a file rewritten while it was hashed"
run_client alice "$pw" <<<"get big $T/got
hash big"
expect_rc 0 "get of the rewritten file ($ERR)"
expect_same_file "$home/big" "$T/got" "get of the rewritten file"
expect_contains "$OUT" "$want  big" "hash of the rewritten file"
ok "a file rewritten while it was hashed, its time put back, keeps no stale checksum"
check_log_clean
