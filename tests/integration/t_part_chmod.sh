#!/usr/bin/env bash
# t_part_chmod: CHMOD of an upload's partial (.NAME.mftp-part), which
# belongs to the server like every name ending in .mftp-part.  A partial
# stays 0600 so that the next PUT of its source can resume it and REMOVE
# can discard it; a CHMOD that took its owner's write bit away would
# make every later PUT of NAME fail with "Permission denied" and REMOVE
# of the partial too.  So CHMOD of one is ERROR(INVALID) and changes
# nothing: of an abandoned partial (then resumed and committed, and
# another then removed) and of one an upload in another session of the
# same user is writing (which then commits).  The accounting file equals
# a recount after each step.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

SIZE=$((2600 * 1024))
HALF=$((2048 * 1024)) # two whole charge chunks (MFTP_QUOTA_CHUNK): written
# before the rest comes
RAW_FEATURES=2 # MFTP_FEAT_CHMOD_SYMLINK

pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 10M
start_daemon
home=$(user_home alice)
quota_reset alice
head -c "$SIZE" /dev/urandom >"$T/src"
hash=$(sha256_of "$T/src")

_size_is() { # FILE BYTES
	[ -f "$1" ] && [ "$(stat -c %s "$1")" = "$2" ]
}

# partial_left NAME: a PUT of NAME cut off after HALF bytes.
partial_left() {
	raw_open alice "$pw"
	raw_send "$(hex_put "$1" "$SIZE" 420 1700000000)"
	raw_expect 0x87 "PUT $1"
	raw_send_file "$T/src" 0 "$HALF"
	raw_close
	wait_for 10 _size_is "$home/.$1.mftp-part" "$HALF" ||
		fail "$1: the partial was not written"
}

# --------------------------------------------- an abandoned partial
partial_left x
raw_open alice "$pw"
B=$RAW_FD
for mode in 0 256 420 511; do
	raw_req "$(hex_chmod .x.mftp-part "$mode")" 16 \
	    "CHMOD $mode of an abandoned partial"
done
raw_req "$(hex_chmod .x.mftp-part/ 0)" 16 "CHMOD of a partial, slashed"
expect_eq "$(stat -c %a "$home/.x.mftp-part")" 600 "the partial's mode"
expect_quota_exact alice "after the CHMODs"
raw_put "$T/src" x 1700000000
expect_eq "$RAW_TYPE" 0x80 "the PUT that resumes the partial"
expect_eq "$RAW_OFFSET" "$HALF" "the offset the partial gave"
expect_same_file "$T/src" "$home/x" "the resumed upload"
expect_quota_exact alice "after the resumed upload"
partial_left y
RAW_FD=$B
raw_req "$(hex_chmod .y.mftp-part 0)" 16 "CHMOD 0 of another partial"
raw_req "$(hex_path_req 16 .y.mftp-part)" 0 "REMOVE of that partial"
[ ! -e "$home/.y.mftp-part" ] || fail "the partial was not removed"
expect_quota_exact alice "after the REMOVE"
ok "CHMOD of an abandoned partial is refused; it resumes and is removed"

# --------------------------------------------- a partial in use
raw_open alice "$pw"
A=$RAW_FD
raw_send "$(hex_put z "$SIZE" 420 1700000000)"
raw_expect 0x87 "PUT z"
raw_send_file "$T/src" 0 "$HALF"
wait_for 10 _size_is "$home/.z.mftp-part" "$HALF" ||
	fail "z: half the data was not written"
RAW_FD=$B
raw_req "$(hex_chmod .z.mftp-part 0)" 16 "CHMOD of a partial in use"
expect_eq "$(stat -c %a "$home/.z.mftp-part")" 600 "the partial's mode"
RAW_FD=$A
raw_send_file "$T/src" "$HALF" $((SIZE - HALF))
raw_send "$(hex_data_end "$hash")"
raw_expect 0x80 "the upload whose partial was CHMODed"
expect_same_file "$T/src" "$home/z" "the upload"
expect_eq "$(stat -c %a "$home/z")" 644 "the committed file's mode"
expect_quota_exact alice "after the upload"
ok "CHMOD of a partial in use is refused; the upload commits"

raw_close
RAW_FD=$B
raw_close
daemon_alive || fail "mftpd died"
check_log_clean
