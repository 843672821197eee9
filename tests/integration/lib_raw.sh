# lib_raw.sh: a raw protocol client in bash, for tests that need to see
# fields rawpeer does not print (hashes, offsets) or to stop an upload at
# a chosen byte; and the accounting file in the form the raw tests
# compare.  Sourced after lib.sh.
#
# A connection is a bash descriptor on /dev/tcp to tlsproxy (lib.sh),
# which speaks TLS to mftpd: raw_open logs in and
# sets RAW_FD; a test that holds two connections saves RAW_FD and sets it
# back.  Every read is bounded by RAW_TIMEOUT seconds.
# shellcheck shell=bash disable=SC2034

# shellcheck source-path=SCRIPTDIR source=lib_quota.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib_quota.sh"

: "${RAW_TIMEOUT:=20}"
RAW_FD=
RAW_TYPE=
RAW_HEX=

# raw_send HEX: send these bytes.  A server that ends the session at a
# request (an error that closes it) may close the connection while the
# rest of the write is on its way: the write then fails with EPIPE, and
# SIGPIPE would kill the test's shell (printf is a builtin).  So the write
# ignores SIGPIPE and a cut-off write is not a failure by itself; what the
# server sent before it closed is still read next, and the reads say
# whether the session went on (raw_recv's RAW_TYPE=closed).
raw_send() {
	local LC_ALL=C bytes='' i
	# A request in bash alone; a longer one through sed: bash takes
	# time that grows with the square of the length.
	if ((${#1} <= 1024)); then
		for ((i = 0; i < ${#1}; i += 2)); do
			bytes+="\\x${1:i:2}"
		done
	else
		bytes=$(printf '%s' "$1" | sed 's/../\\x&/g')
	fi
	(
		trap '' PIPE
		printf '%b' "$bytes" >&"$RAW_FD"
	) 2>/dev/null || :
}

# raw_send_file FILE OFFSET COUNT: send COUNT bytes of FILE from OFFSET.
raw_send_file() {
	dd if="$1" bs=65536 iflag=skip_bytes,count_bytes skip="$2" \
	    count="$3" status=none >&"$RAW_FD" || fail "raw: send of $1 failed"
}

# _raw_read N: N bytes from the connection into _RAW_H, as hex (fewer at
# the end of the stream or after RAW_TIMEOUT seconds).  Up to 4 KiB in
# bash alone: a frame used to cost ten processes (timeout, dd, od, tr,
# subshells), and the raw tests read thousands; bash takes time that
# grows with the square of the length, so more goes through dd.  read
# takes one byte at a time from a socket, so nothing past the N is taken
# from what later reads want.  A bash string holds no NUL: read -d ''
# stops at one, and a string shorter than asked for, read whole, was
# ended by one.
_raw_read() {
	local LC_ALL=C want=$1 ask chunk i st
	local -a ords=()
	if ((want > 4096)); then
		_RAW_H=$(timeout "$RAW_TIMEOUT" dd bs="$want" count=1 \
		    iflag=fullblock status=none <&"$RAW_FD" |
			od -An -v -tx1 | tr -d ' \n')
		return 0
	fi
	while ((want > 0)); do
		ask=$want
		chunk=
		st=0
		IFS= read -r -d '' -n "$ask" -t "$RAW_TIMEOUT" -u "$RAW_FD" \
		    chunk || st=$?
		for ((i = 0; i < ${#chunk}; i++)); do
			ords+=("'${chunk:i:1}")
		done
		want=$((want - ${#chunk}))
		((st == 0)) || break
		if ((${#chunk} < ask)); then
			ords+=(0)
			want=$((want - 1))
		fi
	done
	_RAW_H=
	((${#ords[@]} == 0)) || printf -v _RAW_H '%02x' "${ords[@]}"
}

# raw_recv: read one frame.  RAW_TYPE is its type ("0x86"), RAW_HEX its
# fields in hex; RAW_TYPE=closed when the connection ended first.
raw_recv() {
	local len esc i
	RAW_TYPE=closed
	RAW_HEX=
	_raw_read 4
	[ "${#_RAW_H}" = 8 ] || return 1
	len=$((16#$_RAW_H))
	_raw_read "$len"
	[ "${#_RAW_H}" = $((2 * len)) ] || return 1
	RAW_TYPE=0x${_RAW_H:0:2}
	RAW_HEX=${_RAW_H:2}
	if [ "$RAW_TYPE" = 0x81 ]; then
		RAW_CODE=$((16#${RAW_HEX:0:8}))
		esc=
		for ((i = 16; i < ${#RAW_HEX}; i += 2)); do
			esc+="\\x${RAW_HEX:i:2}"
		done
		printf -v RAW_TEXT '%b' "$esc"
	fi
	return 0
}

# raw_expect TYPE WHAT: read a frame that must be of TYPE.
raw_expect() {
	raw_recv
	if [ "$RAW_TYPE" != "$1" ]; then
		if [ "$RAW_TYPE" = 0x81 ]; then
			fail "$2: expected frame $1, got ERROR $RAW_CODE: $RAW_TEXT"
		fi
		fail "$2: expected frame $1, got $RAW_TYPE"
	fi
}

# raw_expect_error CODE WHAT: read an ERROR frame with that code.
raw_expect_error() {
	raw_recv
	[ "$RAW_TYPE" = 0x81 ] || fail "$2: expected ERROR $1, got $RAW_TYPE"
	[ "$RAW_CODE" = "$1" ] ||
		fail "$2: expected ERROR $1, got ERROR $RAW_CODE: $RAW_TEXT"
}

# raw_recv_data COUNT FILE: COUNT raw bytes into FILE.
raw_recv_data() {
	timeout "$RAW_TIMEOUT" dd bs=65536 count="$1" \
	    iflag=count_bytes,fullblock status=none <&"$RAW_FD" >"$2" ||
		fail "raw: receiving $1 bytes failed"
	[ "$(stat -c %s "$2")" = "$1" ] ||
		fail "raw: got $(stat -c %s "$2") of $1 bytes"
}

# raw_u64 AT: the u64 at hex offset AT of RAW_HEX, in decimal.
raw_u64() {
	printf '%d' "0x${RAW_HEX:$1:16}"
}

# raw_hash: the hash of a DATA_END or HASH_OK frame, in hex ("" if none):
# 16 bytes (XXH3-128) or 32 (SHA-256).
raw_hash() {
	case ${RAW_HEX:0:8} in
	00000010) printf '%s' "${RAW_HEX:8:32}" ;;
	00000020) printf '%s' "${RAW_HEX:8:64}" ;;
	esac
}

# The HELLO features raw_open asks for: 0, SHA-256 checksums (what the
# raw tests compare with sha256sum), or 1, XXH3-128.  RAW_GRANTED is
# what HELLO_OK granted.
: "${RAW_FEATURES:=0}"
RAW_GRANTED=

# _raw_login USER PASS: connect (through tlsproxy), send HELLO and LOGIN,
# read HELLO_OK; sets RAW_FD and RAW_GRANTED.
_raw_login() {
	exec {RAW_FD}<>"/dev/tcp/127.0.0.1/$PROXY_PORT" ||
		fail "raw: cannot connect"
	raw_send "$(hex_hello "$RAW_FEATURES")$(hex_login "$1" "$2")"
	raw_expect 0x82 "raw: HELLO"
	RAW_GRANTED=$(raw_u64 16)
}

# raw_open USER PASS: connect and log in; sets RAW_FD.
raw_open() {
	_raw_login "$1" "$2"
	raw_expect 0x80 "raw: LOGIN"
}

# raw_login_refused USER PASSWORD CODE WHAT: a login the server refuses
# with ERROR(CODE) once the password was checked; RAW_FD is kept.
raw_login_refused() {
	local saved=$RAW_FD
	_raw_login "$1" "$2"
	raw_expect_error "$3" "$4"
	raw_close
	RAW_FD=$saved
}

raw_close() {
	[ -n "$RAW_FD" ] && exec {RAW_FD}>&-
	RAW_FD=
}

# Request frames, as hex.
hex_get() { # PATH OFFSET
	hex_frame "20$(hex_str "$1")$(hex_u64 "$2")"
}
hex_put() { # PATH SIZE MODE MTIME
	hex_frame "21$(hex_str "$1")$(hex_u64 "$2")$(hex_u32 "$3")$(hex_u64 "$4")"
}
hex_data_end() { # HASH_HEX (32 or 64 digits, or "" for none)
	hex_frame "22$(hex_u32 $((${#1} / 2)))$1"
}
hex_path_req() { # TYPE PATH: HASH 15, REMOVE 16, RMDIR 17, CWD 11, ...
	hex_frame "$1$(hex_str "$2")"
}
hex_rename() { # FROM TO
	hex_frame "18$(hex_str "$1")$(hex_str "$2")"
}
hex_mkdir() { # PATH MODE
	hex_frame "13$(hex_str "$1")$(hex_u32 "$2")"
}
# CHMOD and SYMLINK need MFTP_FEAT_CHMOD_SYMLINK (RAW_FEATURES=2).
hex_chmod() { # PATH MODE
	hex_frame "1b$(hex_str "$1")$(hex_u32 "$2")"
}
hex_symlink() { # TARGET LINKPATH
	hex_frame "1c$(hex_str "$1")$(hex_str "$2")"
}

sha256_of() { # FILE: its SHA-256 in hex
	sha256sum <"$1" | cut -c1-64
}
xxh128_of() { # FILE: its XXH3-128 in hex, as xxhsum -H2 prints it
	xxhsum -H2 <"$1" | cut -c1-32
}
hex_hash_alg() { # PATH ALG: HASH_ALG, 1 SHA-256, 2 XXH3-128
	hex_frame "1a$(hex_str "$1")$(printf '%02x' "$2")"
}
# digest_of FILE: its checksum in the algorithm the raw session uses.
digest_of() {
	if [ "$((RAW_GRANTED & 1))" = 1 ]; then
		xxh128_of "$1"
	else
		sha256_of "$1"
	fi
}

# raw_put FILE PATH MTIME: a whole PUT from offset PUT_READY gives; sets
# RAW_OFFSET; leaves the final reply in RAW_TYPE (not checked).
raw_put() {
	local size
	size=$(stat -c %s "$1")
	raw_send "$(hex_put "$2" "$size" 420 "$3")"
	raw_expect 0x87 "PUT $2"
	RAW_OFFSET=$(raw_u64 0)
	raw_send_file "$1" "$RAW_OFFSET" $((size - RAW_OFFSET))
	raw_send "$(hex_data_end "$(digest_of "$1")")"
	raw_recv
}

# ------------------------------------------------------------ quotas

quota_file() { # NAME: the accounting file's path
	echo "$T/quota/$1"
}

# quota_line BYTES FILES: an accounting file's contents (lib/quota.h).
quota_line() {
	printf 'MFTPQ1 %020d %020d\n' "$1" "$2"
}

# recount_line HOME: what a fresh recount of HOME would write.
recount_line() {
	# shellcheck disable=SC2046 # "bytes files": two words
	quota_line $(recount "$1")
}

# expect_quota_exact NAME WHAT: the accounting file equals a recount.
expect_quota_exact() {
	local home want got
	home=$(user_home "$1")
	want=$(recount_line "$home")
	got=$(cat "$(quota_file "$1")")
	expect_eq "$got" "$want" "$2: accounting file of $1 vs a recount"
}

# expect_recount_agrees NAME WHAT: the accounting file equals a recount,
# and ftpuser-quota --recount writes that same file.
expect_recount_agrees() {
	local before out
	expect_quota_exact "$1" "$2"
	before=$(cat "$(quota_file "$1")")
	# shellcheck disable=SC2154 # top_builddir: set by lib.sh
	out=$("$top_builddir/ftpuser-quota" -c "$CONF" --recount "$1" 2>&1) ||
		fail "$2: ftpuser-quota --recount: $out"
	expect_eq "$(cat "$(quota_file "$1")")" "$before" \
	    "$2: what ftpuser-quota --recount writes"
}

# raw_replies FD COUNT WHAT: read COUNT final replies on FD (which
# becomes RAW_FD), each OK or ERROR; RAW_REPLIES gets a letter a reply,
# o for OK and e for ERROR.
raw_replies() {
	local got
	RAW_FD=$1
	# One process for them all, not several a reply: the race tests
	# read hundreds.  os.read takes no byte past the last reply.
	got=$(python3 -c '
import os, select, sys
n, timeout = int(sys.argv[1]), float(sys.argv[2])
def read(k):
    b = b""
    while len(b) < k:
        if not select.select([0], [], [], timeout)[0]:
            break
        c = os.read(0, k - len(b))
        if not c:
            break
        b += c
    return b
out = ""
for i in range(n):
    head = read(4)
    body = read(int.from_bytes(head, "big")) if len(head) == 4 else b""
    if len(head) < 4 or not body or len(body) < int.from_bytes(head, "big"):
        out += "|closed"
        break
    if body[0] not in (0x80, 0x81):
        out += "|0x%02x" % body[0]
        break
    out += "o" if body[0] == 0x80 else "e"
print(out)
' "$2" "$RAW_TIMEOUT" <&"$RAW_FD") || fail "$3: the replies could not be read"
	RAW_REPLIES=${got%%|*}
	[ "$got" = "$RAW_REPLIES" ] ||
		fail "$3: reply ${#RAW_REPLIES}: ${got#*|}"
}

# raw_req HEX CODE WHAT: send a request; its reply must be OK (CODE 0)
# or an ERROR with CODE.
raw_req() {
	raw_send "$1"
	if [ "$2" = 0 ]; then
		raw_expect 0x80 "$3"
	else
		raw_expect_error "$2" "$3"
	fi
}

# quota_reset NAME: make the accounting file a recount of the home now.
quota_reset() {
	recount_line "$(user_home "$1")" >"$(quota_file "$1")"
}
