#!/usr/bin/env bash
# t_digest: the whole-file checksum negotiated in HELLO.  By default a
# session uses XXH3-128 (hash prints what xxhsum -H2 prints; DATA_END and
# HASH_OK carry 16 bytes); hash --sha256 gives SHA-256 in any session;
# the client's verify setting (-o Verify=sha256, ~/.config/mftp/config)
# and the server's (verify = sha256) each make it SHA-256.  Uploads cache
# the value they verified, per algorithm; downloads use the cache of the
# session's algorithm.  Transfers and resumes (the client's .part and
# the server's partial upload) verify in both modes, across a change of
# algorithm, and an altered kept part is caught in both.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

command -v xxhsum >/dev/null || fail "xxhsum (Debian package xxhash) is needed"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon
home=$(user_home alice)
W=$T/work

head -c 3000001 /dev/urandom >"$W/big"
size=3000001
xxh() { xxhsum -H2 <"$1" | cut -c1-32; }
sha() { sha256sum <"$1" | cut -c1-64; }
# put_refused FILE NAME MTIME HASH CODE WHAT: a raw PUT of FILE as NAME
# whose DATA_END carries HASH is refused with ERROR CODE; no NAME.
put_refused() {
	local size
	size=$(stat -c %s "$1")
	raw_send "$(hex_put "$2" "$size" 420 "$3")"
	raw_expect 0x87 "PUT $2 ($6)"
	raw_send_file "$1" 0 "$size"
	raw_send "$(hex_data_end "$4")"
	raw_expect_error "$5" "$6"
	[ ! -e "$home/$2" ] || fail "$6: committed"
}
# put_get_sha256 NAME: $W/NAME up and back down in a session asking for
# SHA-256; both copies equal, and the value the put verified cached.
put_get_sha256() {
	run_client alice "$pw" -o Verify=sha256 <<<"put $W/$1 $1
get $1 $W/$1.back"
	expect_rc 0 "put and get $1 with -o Verify=sha256 ($ERR)"
	expect_same_file "$W/$1" "$home/$1" "put $1 with -o Verify=sha256"
	expect_same_file "$W/$1" "$W/$1.back" "get $1 with -o Verify=sha256"
	expect_eq "$(xattr_hex "$home/$1" user.mftp.sha256 | cut -c1-64)" \
	    "$(sha "$W/$1")" "the cached SHA-256 after a SHA-256 put of $1"
}
# last_get PATH: the offset of the server's last GET of PATH.
last_get_offset() {
	grep -F "transfer user=alice " "$DAEMON_LOG" |
		grep -F " op=get path=$1 " | tail -n 1 |
		sed -n 's/.* offset=\([^ ]*\).*/\1/p'
}

# ------------------------------------------------- the default: XXH3-128
run_client alice "$pw" -v <<<"put $W/big big"
OUT=$(grep -v '^mftp> ' <<<"$OUT") # -v echoes each batch command
expect_rc 0 "put in the default session"
expect_contains "$ERR" "checksum XXH3-128" "-v names the session's checksum"
expect_same_file "$W/big" "$home/big" "put in the default session"
# The upload cached the value it verified, in its algorithm only.
expect_eq "$(xattr_hex "$home/big" user.mftp.xxh128 | cut -c1-32)" "$(xxh "$W/big")" \
    "the cached XXH3-128 after a put"
expect_eq "$(xattr_hex "$home/big" user.mftp.sha256)" "" "no SHA-256 cached by an XXH3-128 put"
run_client alice "$pw" <<<"hash big"
expect_rc 0 "hash in the default session"
expect_eq "$OUT" "$(xxh "$W/big")  big" "hash prints xxhsum -H2's line"
run_client alice "$pw" <<<"hash --sha256 big
hash -s big"
expect_rc 0 "hash --sha256 in an XXH3-128 session"
expect_eq "$OUT" "$(sha "$W/big")  big
$(sha "$W/big")  big" "hash --sha256 prints sha256sum's value"
run_client alice "$pw" <<<"get big $W/got"
expect_rc 0 "get in the default session"
expect_same_file "$W/big" "$W/got" "get in the default session"
run_client alice "$pw" <<<"hash --sha512 big"
expect_rc 1 "an unknown long option"
expect_contains "$ERR" "unknown option '--sha512'" "an unknown long option"
# Names as sha256sum prints them: one with a newline escaped, its line
# starting with a backslash; sha256sum -c reads all of them back.
printf 'x\n' >"$home/"$'new\nline'
printf 'y\n' >"$home/back\\slash"
printf 'z\n' >"$home/"$'nl\\and\nback'
chown "$(user_uid alice):$(user_gid alice)" "$home/"$'new\nline' \
    "$home/back\\slash" "$home/"$'nl\\and\nback'
run_client alice "$pw" <<<"hash -s \$'new\\nline' 'back\\slash' \$'nl\\\\and\\nback'"
expect_rc 0 "hash of names with a newline and a backslash"
expect_eq "$OUT" "\\$(sha "$home/"$'new\nline')  new\\nline
$(sha "$home/back\\slash")  back\\slash
\\$(sha "$home/"$'nl\\and\nback')  nl\\\\and\\nback" "the lines, as sha256sum prints them"
(cd "$home" && sha256sum --quiet -c) <<<"$OUT" ||
	fail "sha256sum -c does not read hash's lines back: $OUT"
ok "default: XXH3-128 end to end, cached on put; hash --sha256 on demand"

# ------------------------------------------- raw: lengths and HASH_ALG
# The cache takes a value only for a file whose time stamp has settled
# (hashcache.c: 2 s); made older, the checks below do not depend on how
# fast the lines above ran.
touch -m -d '1 minute ago' "$home/big"
RAW_FEATURES=1
raw_open alice "$pw"
expect_eq "$RAW_GRANTED" 1 "HELLO_OK grants MFTP_FEAT_XXH128"
raw_send "$(hex_get big 1000)"
raw_expect 0x86 "GET in an XXH3-128 session"
raw_recv_data $((size - 1000)) "$T/got"
raw_expect 0x22 "DATA_END in an XXH3-128 session"
expect_eq "${RAW_HEX:0:8}" 00000010 "DATA_END's hash length"
expect_eq "$(raw_hash)" "$(xxh "$W/big")" "DATA_END: the whole file's XXH3-128"
raw_send "$(hex_path_req 15 big)"
raw_expect 0x88 "HASH in an XXH3-128 session"
expect_eq "$(raw_hash)" "$(xxh "$W/big")" "HASH in an XXH3-128 session"
raw_send "$(hex_hash_alg big 2)"
raw_expect 0x88 "HASH_ALG XXH3-128"
expect_eq "$(raw_hash)" "$(xxh "$W/big")" "HASH_ALG XXH3-128"
# SHA-256 last: what follows must still use the session's XXH3-128.
raw_send "$(hex_hash_alg big 1)"
raw_expect 0x88 "HASH_ALG SHA-256"
expect_eq "$(raw_hash)" "$(sha "$W/big")" "HASH_ALG SHA-256"
raw_send "$(hex_hash_alg big 7)"
raw_expect_error 16 "HASH_ALG with an unknown algorithm"
# Both caches now hold their own value.
expect_eq "$(xattr_hex "$home/big" user.mftp.sha256 | cut -c1-64)" "$(sha "$W/big")" \
    "HASH_ALG SHA-256 cached its value"
# An upload whose DATA_END has SHA-256's length in an XXH3-128 session.
head -c 5000 /dev/urandom >"$W/small"
put_refused "$W/small" small 1700000000 "$(sha "$W/small")" 16 \
    "DATA_END with SHA-256 in an XXH3-128 session"
raw_put "$W/small" small 1700000000
expect_eq "$RAW_TYPE" 0x80 "the same PUT with its XXH3-128"
expect_same_file "$W/small" "$home/small" "PUT with XXH3-128"
# No checksum is cached on a file under 1 MiB, committed or hashed: its
# attribute could take a disk block of its own, which no quota counts,
# and hashing it again costs less than a millisecond.
raw_send "$(hex_hash_alg small 1)"
raw_expect 0x88 "HASH_ALG SHA-256 of a small file"
expect_eq "$(raw_hash)" "$(sha "$W/small")" "HASH_ALG SHA-256 of a small file"
for a in xxh128 sha256; do
	expect_eq "$(xattr_hex "$home/small" "user.mftp.$a")" "" \
	    "user.mftp.$a cached on a file under 1 MiB"
done
raw_close
ok "raw: 16-byte checksums, HASH_ALG, the other length refused"

# ----------------- the cache of the session's algorithm serves downloads
# A value planted in the cache is what hash and a download give: proof
# that a download takes it from the cache, not from the data.
touch -d '-1 hour' "$home/big"
run_client alice "$pw" <<<"hash big"
expect_eq "${OUT%% *}" "$(xxh "$home/big")" "hash of the settled file"
cached=$(printf '5a%.0s' {1..16})
plant_hash "$home/big" xxh128 "$cached"
run_client alice "$pw" <<<"hash big"
expect_eq "${OUT%% *}" "$cached" "XXH3-128 answered from its cache"
raw_open alice "$pw"
raw_send "$(hex_get big 0)"
raw_expect 0x86 "GET with the cache fooled"
raw_recv_data "$size" "$T/got"
raw_expect 0x22 "DATA_END with the cache fooled"
expect_eq "$(raw_hash)" "$cached" "GET's DATA_END from the XXH3-128 cache"
raw_close
touch "$home/big"
run_client alice "$pw" <<<"hash big"
expect_eq "${OUT%% *}" "$(xxh "$home/big")" "XXH3-128 after touch"
cp "$home/big" "$W/big"
ok "downloads take the session's algorithm's value from its cache"

# ------------------------------- the client asks for SHA-256: -o, config
run_client alice "$pw" -o Verify=sha256 -v <<<"hash big"
OUT=$(grep -v '^mftp> ' <<<"$OUT") # -v echoes each batch command
expect_rc 0 "hash with -o Verify=sha256"
expect_contains "$ERR" "checksum SHA-256" "-v with -o Verify=sha256"
expect_eq "$OUT" "$(sha "$W/big")  big" "hash with -o Verify=sha256"
mkdir -p "$T/chome/.config/mftp"
printf '# mine\nverify = sha256\n' >"$T/chome/.config/mftp/config"
HOME=$T/chome run_client alice "$pw" <<<"hash big"
expect_rc 0 "hash with verify = sha256 in the config file"
expect_eq "$OUT" "$(sha "$W/big")  big" "hash with verify = sha256 in the config file"
HOME=$T/chome run_client alice "$pw" -o Verify=xxh128 <<<"hash big"
expect_eq "$OUT" "$(xxh "$W/big")  big" "-o Verify overrides the config file"
printf 'verify = md5\n' >"$T/chome/.config/mftp/config"
HOME=$T/chome run_client alice "$pw" <<<"hash big"
expect_rc 2 "a bad config file"
expect_contains "$ERR" "config:1: verify: 'md5' is not xxh128 or sha256" \
    "a bad config file"
run_client alice "$pw" -o Verify=md5 <<<"hash big"
expect_rc 2 "-o Verify=md5"
head -c 2000000 /dev/urandom >"$W/up"
put_get_sha256 up
expect_eq "$(xattr_hex "$home/up" user.mftp.xxh128)" "" "no XXH3-128 cached by a SHA-256 put"
ok "the client's verify setting (-o, config file) gives SHA-256"

# --------------------------- the client's .part resumed, in both modes
for mode in xxh128 sha256; do
	rm -f "$W/got" "$W/got.part"
	head -c 1000000 "$W/big" >"$W/got.part"
	run_client alice "$pw" -o Verify=$mode <<<"get -c big $W/got"
	expect_rc 0 "get -c ($mode)"
	expect_same_file "$W/big" "$W/got" "the resumed download ($mode)"
	expect_eq "$(last_get_offset big)" 1000000 "the resumed get's offset ($mode)"
	# An altered kept part of mftp's (it has a resume record): caught,
	# fetched again from the start.
	rm -f "$W/got"
	head -c 1000000 "$W/big" >"$W/got.part"
	printf 'XXXX' | dd of="$W/got.part" bs=1 seek=4096 conv=notrunc status=none
	printf '%s %s' "$size" "$(stat -c %Y "$home/big")" >"$W/.got.part.key"
	run_client alice "$pw" -o Verify=$mode <<<"get -c big $W/got"
	expect_rc 0 "get -c over an altered .part ($mode)"
	expect_contains "$ERR" "the kept part did not match; transferring again" \
	    "an altered .part ($mode)"
	expect_same_file "$W/big" "$W/got" "fetched again ($mode)"
	expect_eq "$(last_get_offset big)" 0 "the second get's offset ($mode)"
	# Without a record it is the user's: caught, and left as it was.
	rm -f "$W/got"
	head -c 1000000 "$W/big" >"$W/got.part"
	printf 'XXXX' | dd of="$W/got.part" bs=1 seek=4096 conv=notrunc status=none
	cp "$W/got.part" "$T/altered"
	run_client alice "$pw" -o Verify=$mode <<<"get -c big $W/got"
	expect_rc 1 "get -c over an altered .part of the user's ($mode)"
	expect_contains "$ERR" "not the start of the remote file" \
	    "an altered .part of the user's ($mode)"
	expect_same_file "$W/got.part" "$T/altered" "the user's .part ($mode)"
	rm -f "$W/got.part"
done
ok "a local .part resumes and is verified whole in both modes"

# ------------- the server's partial upload: resumed across algorithms
half=1500000
cp "$W/big" "$W/src"
part=$home/.doc.mftp-part
for from in 0 1; do
	to=$((1 - from))
	# Half the data in a session of one algorithm...
	RAW_FEATURES=$from
	raw_open alice "$pw"
	raw_send "$(hex_put doc "$size" 420 $((1700000000 + from)))"
	raw_expect 0x87 "PUT doc (features $from)"
	expect_eq "$(raw_u64 0)" 0 "first PUT's offset"
	raw_send_file "$W/src" 0 "$half"
	raw_close
	wait_for 10 _no_sessions || fail "the session did not end"
	# ...the rest in one of the other: verified whole in the second.
	RAW_FEATURES=$to
	raw_open alice "$pw"
	expect_eq "$RAW_GRANTED" "$to" "granted features"
	raw_put "$W/src" doc $((1700000000 + from))
	expect_eq "$RAW_OFFSET" "$half" "resumed PUT's offset ($from to $to)"
	expect_eq "$RAW_TYPE" 0x80 "resumed PUT ($from to $to)"
	raw_close
	expect_same_file "$W/src" "$home/doc" "the resumed upload ($from to $to)"
	[ ! -e "$part" ] || fail "the partial outlived its commit"
done
# An altered kept part is caught in both modes.
for f in 0 1; do
	RAW_FEATURES=$f
	cp "$home/doc" "$T/old"
	raw_open alice "$pw"
	raw_send "$(hex_put doc "$size" 420 $((1700000100 + f)))"
	raw_expect 0x87 "PUT doc to be altered"
	raw_send_file "$W/src" 0 "$half"
	raw_close
	wait_for 10 _no_sessions || fail "the session did not end"
	flip_byte "$part" 1000
	cmp -s -n "$half" "$part" "$W/src" &&
		fail "the partial was not altered ($f)"
	raw_open alice "$pw"
	raw_send "$(hex_put doc "$size" 420 $((1700000100 + f)))"
	raw_expect 0x87 "PUT over an altered partial"
	expect_eq "$(raw_u64 0)" "$half" "PUT over an altered partial: offset"
	raw_send_file "$W/src" "$half" $((size - half))
	raw_send "$(hex_data_end "$(digest_of "$W/src")")"
	raw_expect_error 20 "PUT over an altered partial (features $f)"
	raw_close
	expect_same_file "$T/old" "$home/doc" "target after an altered resume ($f)"
	[ ! -e "$part" ] || fail "the altered partial was kept ($f)"
done
ok "partial uploads resume across algorithms; an altered one is caught in both"

# ------------------- SHA-256 in the hashing thread: large transfers
# Over the pipe's 1 MiB threshold a SHA-256 transfer hashes in a second
# thread on both sides (lib/hash_pipe.c), through its two buffers: ~80
# chunks here.  Up and down verify and the server caches the value; an
# upload whose data was altered on the way (one byte, DATA_END of the
# original) is refused, and a download whose data no longer matches the
# server's SHA-256 is caught by the client and not kept.
huge=20000003
head -c "$huge" /dev/urandom >"$W/huge"
put_get_sha256 huge
cp "$W/huge" "$W/huge.bad"
flip_byte "$W/huge.bad" 12345679
cmp -s "$W/huge" "$W/huge.bad" && fail "the altered copy is not altered"
RAW_FEATURES=0
raw_open alice "$pw"
expect_eq "$RAW_GRANTED" 0 "a SHA-256 raw session"
put_refused "$W/huge.bad" huge2 1700000300 "$(sha "$W/huge")" 20 \
    "a large SHA-256 upload altered on the way"
# The same bytes with their own value: the refusal was the data's.
raw_put "$W/huge.bad" huge3 1700000301
expect_eq "$RAW_TYPE" 0x80 "the altered bytes with their own SHA-256"
expect_same_file "$W/huge.bad" "$home/huge3" "the altered bytes, stored"
raw_close
# The server's cached value is not its file's (planted: the altered
# copy's).
touch -d '-1 hour' "$home/huge"
run_client alice "$pw" -o Verify=sha256 <<<"hash huge"
expect_eq "${OUT%% *}" "$(sha "$W/huge")" "SHA-256 of the settled file"
plant_hash "$home/huge" sha256 "$(sha "$W/huge.bad")"
rm -f "$W/huge.got"
run_client alice "$pw" -o Verify=sha256 <<<"get huge $W/huge.got"
expect_rc 1 "a large SHA-256 get of altered data"
expect_contains "$ERR" "checksum mismatch" "a large SHA-256 get of altered data"
[ ! -e "$W/huge.got" ] && [ ! -e "$W/huge.got.part" ] ||
	fail "the altered download was kept"
rm -f "$home/huge" "$home/huge3"
ok "SHA-256 in the hashing thread: 20 MB up and down; altered data caught both ways"

# ------------------------------------------- the server's verify = sha256
stop_daemon
DAEMON_EXTRA_CONF="verify = sha256"
start_daemon
RAW_FEATURES=1
raw_open alice "$pw"
expect_eq "$RAW_GRANTED" 0 "verify = sha256: MFTP_FEAT_XXH128 not granted"
raw_send "$(hex_path_req 15 big)"
raw_expect 0x88 "HASH under verify = sha256"
expect_eq "$(raw_hash)" "$(sha "$W/big")" "HASH under verify = sha256"
raw_close
run_client alice "$pw" -v <<<"hash big"
OUT=$(grep -v '^mftp> ' <<<"$OUT") # -v echoes each batch command
expect_rc 0 "hash under verify = sha256"
expect_contains "$ERR" "checksum SHA-256" "-v under verify = sha256"
expect_eq "$OUT" "$(sha "$W/big")  big" "hash under verify = sha256"
head -c 1234567 /dev/urandom >"$W/up2"
run_client alice "$pw" <<<"put $W/up2 up2
get up2 $W/up2.back"
expect_rc 0 "put and get under verify = sha256"
expect_same_file "$W/up2" "$home/up2" "put under verify = sha256"
expect_same_file "$W/up2" "$W/up2.back" "get under verify = sha256"
expect_eq "$(xattr_hex "$home/up2" user.mftp.sha256 | cut -c1-64)" "$(sha "$W/up2")" \
    "the cached SHA-256 under verify = sha256"
ok "the server's verify = sha256: every session SHA-256"
