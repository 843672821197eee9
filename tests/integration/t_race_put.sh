#!/usr/bin/env bash
# t_race_put: an upload raced by a second session of the same user that
# renames the upload's directory away and puts another directory, holding
# a 1-byte partial of the same name, in its place.  The race is run at
# each step of the upload: before the data, in the middle of it, and
# before DATA_END; once with DATA_END carrying a wrong hash (the upload is
# dropped) and once with the right one (it is committed).  The upload
# works on the directory it opened at its start: a dropped upload frees
# only its own partial, a committed one puts the verified bytes under the
# target's name in that directory, never the other session's partial,
# and after each round the accounting file equals a recount.  Then a
# partial in use is neither removed nor renamed away by the other session.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

KiB=1024
SIZE=$((2600 * KiB))
HALF=$((2048 * KiB)) # two whole charge chunks (MFTP_QUOTA_CHUNK): written
# before the rest comes
ZERO=$(printf '0%.0s' {1..64})

pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 3M
start_daemon
home=$(user_home alice)
quota_reset alice
head -c "$SIZE" /dev/urandom >"$T/src"
hash=$(sha256_of "$T/src")

req() { # HEX WHAT: a request that must be answered OK
	raw_send "$1"
	raw_expect 0x80 "$2"
}

_size_is() { # FILE BYTES
	[ -f "$1" ] && [ "$(stat -c %s "$1")" = "$2" ]
}

# swap WHAT: as session B, rename d away to e, make a new d and leave a
# 1-byte partial d/.x.mftp-part in it (a PUT whose connection is lost).
swap() {
	RAW_FD=$B
	req "$(hex_rename d e)" "$1: RENAME d e"
	req "$(hex_mkdir d 493)" "$1: MKDIR d"
	raw_open alice "$pw"
	raw_send "$(hex_put d/x 10 420 7)"
	raw_expect 0x87 "$1: the decoy's PUT"
	raw_send 41
	raw_close
	wait_for 10 _size_is "$home/d/.x.mftp-part" 1 ||
		fail "$1: the decoy partial was not written"
}

# round STEP GOOD: A uploads d/x; B swaps at STEP (before, mid, end);
# A's DATA_END carries the right hash when GOOD is 1.
round() {
	local step=$1 good=$2 what="swap $1, hash ${2/1/right}"
	what=${what/hash 0/hash wrong}
	find "$home" -mindepth 1 -delete
	quota_reset alice
	RAW_FD=$B
	req "$(hex_mkdir d 493)" "$what: MKDIR d"

	RAW_FD=$A
	raw_send "$(hex_put d/x "$SIZE" 420 1700000000)"
	raw_expect 0x87 "$what: PUT d/x"
	expect_eq "$(raw_u64 0)" 0 "$what: the offset"
	[ "$step" = before ] && swap "$what"
	RAW_FD=$A
	raw_send_file "$T/src" 0 "$HALF"
	if [ "$step" = mid ]; then
		wait_for 10 _size_is "$home/d/.x.mftp-part" "$HALF" ||
			fail "$what: half the data was not written"
		swap "$what"
	fi
	RAW_FD=$A
	raw_send_file "$T/src" "$HALF" $((SIZE - HALF))
	if [ "$step" = end ]; then
		wait_for 10 _size_is "$home/d/.x.mftp-part" "$SIZE" ||
			fail "$what: the data was not written"
		swap "$what"
	fi
	RAW_FD=$A
	if [ "$good" = 1 ]; then
		raw_send "$(hex_data_end "$hash")"
		raw_expect 0x80 "$what: the upload"
		expect_same_file "$T/src" "$home/e/x" \
		    "$what: the committed file, in the directory the upload opened"
		[ ! -e "$home/e/.x.mftp-part" ] ||
			fail "$what: the verified data stayed behind as a partial"
		[ ! -e "$home/d/x" ] ||
			fail "$what: the other session's partial was committed as d/x"
		_size_is "$home/d/.x.mftp-part" 1 ||
			fail "$what: the other session's partial was touched"
	else
		raw_send "$(hex_data_end "$ZERO")"
		raw_expect_error 20 "$what: the upload with a wrong hash"
		[ ! -e "$home/e/.x.mftp-part" ] ||
			fail "$what: the dropped upload's partial is still there"
		_size_is "$home/d/.x.mftp-part" 1 ||
			fail "$what: the other session's partial was removed"
	fi
	expect_quota_exact alice "$what"
	ok "$what"
}

raw_open alice "$pw"
A=$RAW_FD
RAW_FD=
raw_open alice "$pw"
B=$RAW_FD
for step in before mid end; do
	round "$step" 0
	round "$step" 1
done

# A partial in use: the other session can neither remove it nor move
# its directory's entry for it; moving the directory moves the upload.
find "$home" -mindepth 1 -delete
quota_reset alice
RAW_FD=$B
req "$(hex_mkdir d 493)" "MKDIR d"
RAW_FD=$A
raw_send "$(hex_put d/x "$SIZE" 420 1700000000)"
raw_expect 0x87 "PUT d/x"
raw_send_file "$T/src" 0 "$HALF"
wait_for 10 _size_is "$home/d/.x.mftp-part" "$HALF" ||
	fail "half the data was not written"
RAW_FD=$B
raw_send "$(hex_path_req 16 d/.x.mftp-part)"
raw_expect_error 22 "REMOVE of a partial in use"
raw_send "$(hex_rename d/.x.mftp-part d/y)"
raw_expect_error 16 "RENAME of a partial in use"
req "$(hex_rename d e)" "RENAME of the upload's directory"
RAW_FD=$A
raw_send_file "$T/src" "$HALF" $((SIZE - HALF))
raw_send "$(hex_data_end "$hash")"
raw_expect 0x80 "the upload whose directory moved"
expect_same_file "$T/src" "$home/e/x" "the upload, in the moved directory"
expect_quota_exact alice "after the upload whose directory moved"
ok "a partial in use is neither removed nor renamed; its directory moves"

RAW_FD=$A
raw_close
RAW_FD=$B
raw_close
daemon_alive || fail "mftpd died"
check_log_clean
