#!/usr/bin/env bash
# t_hashcache_stale: a file rewritten on the server after its checksum
# was cached, its size and modification time then put back (cp -p of a
# copy of the same size and time, touch -r, rsync --inplace -t), is
# hashed again, not given the old value.  Before, the cache was keyed
# to size and modification time only: every later get of the file
# failed "checksum mismatch" (a resumed one too, after its retry from
# the start), and hash answered the old content's checksum, for as long
# as nothing changed the time.  The change time, which no user can put
# back, now tells the rewrite.  The same holds for each algorithm, and
# a value cached for one is not lost when the other is cached.
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
W=$T/work
SIZE=$((4 * 1048576))
head -c "$SIZE" /dev/urandom >"$home/f"
chown "$(user_uid alice):$(user_gid alice)" "$home/f"
# Settled (hashcache.c): a value read from it may be cached.
touch -d '-1 hour' "$home/f"
touch -r "$home/f" "$T/stamp"


# Both algorithms' values cached, the second without losing the first.
run_client alice "$pw" <<<"get f $W/f1
hash --sha256 f"
expect_rc 0 "get and hash of f"
expect_same_file "$home/f" "$W/f1" "the first get"
xxh_old=$(xattr_hex "$home/f" user.mftp.xxh128)
sha_old=$(xattr_hex "$home/f" user.mftp.sha256)
[ -n "$xxh_old" ] || fail "no XXH3-128 cached by the get"
[ -n "$sha_old" ] || fail "no SHA-256 cached by hash --sha256"
run_client alice "$pw" <<<"hash f"
expect_rc 0 "hash of f"
expect_eq "$(xattr_hex "$home/f" user.mftp.xxh128)" "$xxh_old" \
    "the XXH3-128 value after SHA-256's was cached"
ok "both algorithms' values are cached and kept"

# Rewritten in place, the same size, the time put back; past the tenth of
# a second after the caching within which the file's change time may
# still move (HASHCACHE_CTIME_SLACK_NS).
sleep 0.5
head -c "$SIZE" /dev/urandom >"$T/new"
dd if="$T/new" of="$home/f" conv=notrunc status=none
touch -r "$T/stamp" "$home/f"
expect_eq "$(stat -c %s.%y "$home/f")" "$(stat -c %s.%y "$T/stamp" |
	sed "s/^[0-9]*/$SIZE/")" "size and time put back"
want_xxh=$(xxhsum -H2 <"$T/new" | cut -c1-32)
want_sha=$(sha256sum <"$T/new" | cut -c1-64)

run_client alice "$pw" <<<"get f $W/f2
hash f
hash --sha256 f"
expect_rc 0 "get of the rewritten file ($ERR)"
expect_same_file "$T/new" "$W/f2" "get of the rewritten file"
expect_contains "$OUT" "$want_xxh  f" "XXH3-128 of the rewritten file"
expect_contains "$OUT" "$want_sha  f" "SHA-256 of the rewritten file"
ok "a file rewritten with its size and time put back is hashed again"
check_log_clean
