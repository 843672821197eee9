#!/usr/bin/env bash
# t_integrity: SHA-256 end to end, spoken in the raw protocol.  A GET's
# DATA_END carries the hash of the whole file (also from an offset, and
# fresh after root changed the file behind the cache's back, its time
# put back or not); HASH says the same; a PUT whose DATA_END hash is
# wrong is refused with ERROR HASH and leaves the target as it was; one
# without a hash is refused too.
# Every transfer is logged; the accounting file ends equal to a recount.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon
home=$(user_home alice)
owner="$(user_uid alice):$(user_gid alice)"

# A file put there by root, old enough for its hash to be cached.
head -c 3000001 /dev/urandom >"$home/big"
chown "$owner" "$home/big"
touch -d '-1 hour' "$home/big"
: >"$home/empty"
chown "$owner" "$home/empty"
mkdir "$home/dir"
chown "$owner" "$home/dir"
quota_reset alice

# get_check PATH OFFSET WHAT: a raw GET; the bytes and DATA_END's hash
# must match the file on the server.
get_check() {
	local f=$home/$1 size
	size=$(stat -c %s "$f")
	raw_send "$(hex_get "$1" "$2")"
	raw_expect 0x86 "$3: FILE"
	expect_eq "$(raw_u64 0)" "$size" "$3: FILE size"
	expect_eq "$(raw_u64 16)" "$2" "$3: FILE offset"
	raw_recv_data $((size - $2)) "$T/got"
	raw_expect 0x22 "$3: DATA_END"
	expect_eq "$(raw_hash)" "$(sha256_of "$f")" "$3: DATA_END hash"
	tail -c +$(($2 + 1)) "$f" >"$T/want"
	cmp -s "$T/got" "$T/want" || fail "$3: the bytes differ"
}

raw_open alice "$pw"
get_check big 0 "GET, hash computed"
get_check big 0 "GET again, hash from the cache"
# A change that puts size and mtime back is seen all the same: its
# change time is past the cached value's (t_hashcache_stale), once the
# tenth of a second after the caching has gone.
sleep 0.2
touch -r "$home/big" "$T/stamp"
flip_byte "$home/big" 7
touch -r "$T/stamp" "$home/big"
raw_send "$(hex_path_req 15 big)"
raw_expect 0x88 "HASH after a rewrite that put the time back"
expect_eq "$(raw_hash)" "$(sha256_of "$home/big")" \
    "HASH after a rewrite that put the time back"
# Proof that a value comes from the cache: one planted in the attribute,
# for the file's size and mtime, with a change time far ahead (planting
# it changes the file's), is what HASH answers.
planted=$(printf '5a%.0s' {1..32})
plant_hash "$home/big" sha256 "$planted"
raw_send "$(hex_path_req 15 big)"
raw_expect 0x88 "HASH of a planted value"
expect_eq "$(raw_hash)" "$planted" "HASH answered from the cache"
touch "$home/big"
raw_send "$(hex_path_req 15 big)"
raw_expect 0x88 "HASH after touch"
expect_eq "$(raw_hash)" "$(sha256_of "$home/big")" "HASH after touch"
touch -d '-1 hour' "$home/big"
get_check big 1234567 "GET from an offset: the whole file's hash"
get_check big 3000001 "GET from the end"
get_check empty 0 "GET of an empty file"
ok "GET: DATA_END carries the SHA-256 of the whole file"

# Root rewrites the file in place: same size, new bytes, new mtime.
head -c 3000001 /dev/urandom >"$T/new"
dd if="$T/new" of="$home/big" conv=notrunc status=none
get_check big 0 "GET after an in-place rewrite"
# Same bytes but one, same size, the old mtime a second later.
flip_byte "$home/big" 100
touch -d '-1 hour' "$home/big"
get_check big 10 "GET after a one-byte change"
# A longer file.
printf 'tail' >>"$home/big"
get_check big 0 "GET after an append"
quota_reset alice
ok "the cached hash follows size and mtime"

# HASH: the same value, without the data.
raw_send "$(hex_path_req 15 big)"
raw_expect 0x88 "HASH big"
expect_eq "$(raw_hash)" "$(sha256_of "$home/big")" "HASH big"
raw_send "$(hex_path_req 15 empty)"
raw_expect 0x88 "HASH empty"
expect_eq "$(raw_hash)" "$(sha256sum </dev/null | cut -c1-64)" "HASH empty"
raw_send "$(hex_path_req 15 missing)"
raw_expect_error 10 "HASH of a missing file"
raw_send "$(hex_path_req 15 dir)"
raw_expect_error 14 "HASH of a directory"
raw_send "$(hex_get dir 0)"
raw_expect_error 14 "GET of a directory"
raw_send "$(hex_get big 99999999)"
raw_expect_error 16 "GET past the end"
ok "HASH; GET and HASH errors"

# A PUT with the right hash replaces the target; its hash is cached.
head -c 2500000 /dev/urandom >"$T/src"
raw_put "$T/src" big 1700000000
expect_eq "$RAW_TYPE" 0x80 "PUT with the right hash"
expect_same_file "$T/src" "$home/big" "PUT with the right hash"
get_check big 0 "GET of what was put"
raw_send "$(hex_path_req 15 big)"
raw_expect 0x88 "HASH of what was put"
expect_eq "$(raw_hash)" "$(sha256_of "$T/src")" "HASH of what was put"
expect_quota_exact alice "after PUT"
ok "PUT verified and committed"

# A wrong hash: ERROR HASH, the target untouched, the partial gone.
cp "$home/big" "$T/before"
head -c 1500000 /dev/urandom >"$T/other"
size=$(stat -c %s "$T/other")
raw_send "$(hex_put big "$size" 420 1700000001)"
raw_expect 0x87 "PUT with a wrong hash"
expect_eq "$(raw_u64 0)" 0 "PUT_READY offset of a new upload"
raw_send_file "$T/other" 0 "$size"
raw_send "$(hex_data_end "$(sha256_of "$T/src")")"
raw_expect_error 20 "PUT with a wrong hash"
expect_contains "$RAW_TEXT" "checksum mismatch" "ERROR HASH text"
expect_same_file "$T/before" "$home/big" "target after a wrong hash"
[ ! -e "$home/.big.mftp-part" ] || fail "the mismatched partial was kept"
expect_quota_exact alice "after a mismatch"
ok "PUT with a wrong hash: ERROR HASH, target intact"

# No hash at all: refused; the data is kept and a PUT with one commits.
raw_send "$(hex_put big "$size" 420 1700000002)"
raw_expect 0x87 "PUT without a hash"
raw_send_file "$T/other" 0 "$size"
raw_send "$(hex_data_end "")"
raw_expect_error 16 "PUT without a hash"
expect_same_file "$T/before" "$home/big" "target after a PUT without hash"
raw_put "$T/other" big 1700000002
expect_eq "$RAW_TYPE" 0x80 "the same PUT with its hash"
expect_eq "$RAW_OFFSET" "$size" "it resumed at the end of the kept data"
expect_same_file "$T/other" "$home/big" "PUT committed after resuming"
expect_quota_exact alice "after the resumed PUT"
ok "PUT without a hash refused, its data kept for the next PUT"

# An empty file both ways.
: >"$T/zero"
raw_put "$T/zero" zero 0
expect_eq "$RAW_TYPE" 0x80 "PUT of an empty file"
get_check zero 0 "GET of an uploaded empty file"
# An odd name stays one token on one log line.
raw_put "$T/zero" $'odd name\nfake "line"' 0
expect_eq "$RAW_TYPE" 0x80 "PUT of an odd name"
raw_close

# The log has one line per transfer, failures included.
wait_for 10 _no_sessions || fail "the session did not end"
expect_match "$(cat "$DAEMON_LOG")" \
    'transfer user=alice addr=127\.0\.0\.1 port [0-9]+ op=get path=big bytes=3000001 offset=0 size=3000001 result=ok ms=[0-9]+$' \
    "log line of a GET"
expect_match "$(cat "$DAEMON_LOG")" \
    'transfer user=alice .* op=put path=big bytes=1500000 offset=0 size=1500000 result=error ms=[0-9]+ reason="checksum mismatch' \
    "log line of a mismatched PUT"
expect_match "$(cat "$DAEMON_LOG")" \
    'transfer user=alice .* op=get path=dir bytes=0 .* result=error' \
    "log line of a failed GET"
expect_match "$(cat "$DAEMON_LOG")" \
    'op=put path=odd\\040name\\012fake\\040\\042line\\042 bytes=0 ' \
    "log line of an odd name"
expect_no_match "$(cat "$DAEMON_LOG")" '^fake' "a log line forged by a name"
expect_quota_exact alice "at the end"
check_log_clean
ok "transfers logged; accounting exact"
