#!/usr/bin/env bash
# t_put_mode_refused: a PUT whose commit is refused (a directory appeared
# at its name while the data came) keeps its partial as it was made,
# 0600: the next PUT of the same source resumes it once the way is free,
# the file then gets the mode asked for (0444), and the user can remove
# the partial instead.  Before, the client's mode was given to the
# partial before the rename: a read-only partial stayed behind that no
# PUT could resume and no REMOVE could remove (both open it read-write:
# "Permission denied"), and it counted in the quota.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

pw=$(rand_pw)
add_user alice "$pw"
home=$(user_home alice)
start_daemon
SIZE=100000
MT=1700000000
head -c "$SIZE" /dev/urandom >"$T/src"
raw_open alice "$pw"
A=$RAW_FD
raw_open alice "$pw"
B=$RAW_FD

# refused_commit: A sends a whole PUT of "a", mode 0444; B makes a
# directory "a" before the DATA_END; the commit is refused.
refused_commit() {
	RAW_FD=$A
	raw_send "$(hex_put a "$SIZE" 292 "$MT")"
	raw_expect 0x87 "PUT a"
	raw_send_file "$T/src" "$(raw_u64 0)" $((SIZE - $(raw_u64 0)))
	RAW_FD=$B
	raw_req "$(hex_mkdir a 493)" 0 "MKDIR a"
	RAW_FD=$A
	raw_send "$(hex_data_end "$(digest_of "$T/src")")"
	raw_expect_error 14 "the commit over a directory"
	expect_eq "$(stat -c %a "$home/.a.mftp-part")" 600 \
	    "the refused partial's mode"
	RAW_FD=$B
	raw_req "$(hex_path_req 17 a)" 0 "RMDIR a"
}

refused_commit
RAW_FD=$A
raw_send "$(hex_put a "$SIZE" 292 "$MT")"
raw_expect 0x87 "PUT a again"
expect_eq "$(raw_u64 0)" "$SIZE" "the offset the refused partial resumes at"
raw_send "$(hex_data_end "$(digest_of "$T/src")")"
raw_expect 0x80 "the resumed commit"
expect_same_file "$home/a" "$T/src" "the resumed file"
expect_eq "$(stat -c %a "$home/a")" 444 "the committed file's mode"
[ ! -e "$home/.a.mftp-part" ] || fail "the partial stayed after the commit"
ok "a partial refused at its commit is resumed, then gets its mode"

raw_req "$(hex_path_req 16 a)" 0 "REMOVE a"
refused_commit
RAW_FD=$A
raw_req "$(hex_path_req 16 .a.mftp-part)" 0 "REMOVE of the refused partial"
[ ! -e "$home/.a.mftp-part" ] || fail "the partial was not removed"
expect_recount_agrees alice "after the partial was removed"
ok "a partial refused at its commit can be removed"
raw_close
RAW_FD=$B
raw_close
check_log_clean
