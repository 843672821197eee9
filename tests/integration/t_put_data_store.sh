#!/usr/bin/env bash
# t_put_data_store: a small file's upload (PUT_DATA) onto a free name is
# charged, written and put in its place under one hold of the accounting
# lock, once its checksum is known; making its partial is the only other
# hold (before, the charge with the write and the commit were two, and a
# shared hold looked at the room first).
#  - mput of new files with the serving process under strace: for each
#    file, two exclusive holds of the accounting file's lock, and the
#    lock is not let go between the data's write and the rename; the
#    files verify and the accounting equals a recount.
#  - mput onto names that exist: each old file replaced and freed, as by
#    any upload (the charge with the write, then the commit).
#  - The name taken by another session after the server looked at it,
#    before its hold (strace keeps the serving process at the lock):
#    under the lock the name is seen taken, the charge is written back,
#    and the data replaces that file as any upload's would; nothing is
#    left of the partial, and the accounting equals a recount.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

W=$T/work
pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 100M --quota-files 1000
uid=$(user_uid alice)
home=$(user_home alice)
start_daemon
mkdir -p "$W/src" "$W/src2"
N=5
for ((i = 0; i < N; i++)); do
	head -c $((3000 + RANDOM % 2000)) /dev/urandom >"$W/src/f$i"
	head -c $((1000 + RANDOM % 6000)) /dev/urandom >"$W/src2/f$i"
done

# holds_per_file TRACE FD: for each rename in an strace of the serving
# process, "HOLDS kept|released": the exclusive holds of the accounting
# file (descriptor FD) since the last rename, and whether its lock was
# let go between the last write of data (a pwrite to another
# descriptor) and the rename.
holds_per_file() {
	awk -v fd="$2" '
	index($0, "fcntl(" fd ", F_OFD_SETLK, {l_type=F_WRLCK") { holds++ }
	index($0, "fcntl(" fd ", F_OFD_SETLK, {l_type=F_UNLCK") {
		if (wrote) released = 1
	}
	/pwrite64\(/ && index($0, "pwrite64(" fd ",") == 0 {
		wrote = 1
		released = 0
	}
	/renameat\(/ {
		print holds, released ? "released" : "kept"
		holds = 0
		wrote = 0
		released = 0
	}' "$1"
}
# The accounting file's descriptor: the one read as "MFTPQ1 ...".
acct_fd() {
	sed -n 's/.*pread64(\([0-9][0-9]*\), "MFTPQ1.*/\1/p' "$1" | head -n 1
}

# ------------------------------------------------- new names: one hold
session_open alice "$pw"
session_send pwd
wait_serving_pid "$uid"
strace_attach "$SERVING_PID" "$T/new.out" \
    -e trace=fcntl,pread64,pwrite64,renameat
session_send "lcd $W/src"
session_send "mput *"
session_close 30
wait "$STRACE_PID" 2>/dev/null
[ "$SESS_RC" = 0 ] || fail "mput of new files failed: $(cat "$SESS_ERR")"
for ((i = 0; i < N; i++)); do
	expect_same_file "$home/f$i" "$W/src/f$i" "f$i"
done
expect_quota_exact alice "after mput of new files"
afd=$(acct_fd "$T/new.out")
[ -n "$afd" ] || fail "the accounting file was not read: $(head -c 2000 "$T/new.out")"
got=$(holds_per_file "$T/new.out" "$afd" | sort | uniq -c | awk '{ print $1, $2, $3 }')
expect_eq "$got" "$N 2 kept" \
    "per file: holds of the accounting lock, and the lock from write to rename"
# Nor is the room looked at (a shared hold) before the partial is made:
# the bytes are checked as they are charged.
expect_eq "$(grep -c "fcntl($afd, F_OFD_SETLK, {l_type=F_RDLCK" "$T/new.out")" 0 \
    "shared holds of the accounting lock in the mput"
ok "a new small file takes the accounting lock twice: its partial, then its charge, data and rename"

# ------------------------------------------------- names that exist
used_before=$(acct alice)
run_client alice "$pw" <<<"lcd $W/src2
mput *"
expect_rc 0 "mput onto the names that exist ($ERR)"
for ((i = 0; i < N; i++)); do
	expect_same_file "$home/f$i" "$W/src2/f$i" "f$i replaced"
done
expect_quota_exact alice "after mput onto the names that exist"
[ "$(acct alice)" != "$used_before" ] || fail "the accounting did not change"
ok "small files replace those of their names, the old ones freed"

# ------------------------------------- the name taken before the hold
# For one PUT_DATA the serving process's fcntl calls are: the partial's
# making (lock, unlock), the partial's own lock, then the store's hold:
# the fourth is held back by strace while another session puts a file
# under the name.
FEAT_PUT_DATA=4
head -c 5000 /dev/urandom >"$W/mine"
head -c 9000 /dev/urandom >"$W/theirs"
size=$(stat -c %s "$W/mine")
RAW_FEATURES=$FEAT_PUT_DATA raw_open alice "$pw"
(((RAW_GRANTED & FEAT_PUT_DATA) != 0)) || fail "PUT_DATA was not granted"
wait_serving_pid "$uid"
# strace without the connection: it must end when the test closes it.
strace_attach "$SERVING_PID" "$T/taken.out" \
    -e trace=fcntl,pread64,pwrite64,renameat \
    -e inject=fcntl:delay_enter=6000000:when=4 {RAW_FD}>&-
raw_send "$(hex_frame "23$(hex_str taken)$(hex_u64 "$size")$(hex_u32 420)$(hex_u64 1700000000)")$(od -An -v -tx1 "$W/mine" | tr -d ' \n')$(hex_data_end "$(sha256sum "$W/mine" | cut -c1-64)")"
wait_for 10 test -e "$home/.taken.mftp-part" ||
	fail "the PUT_DATA made no partial"
run_client alice "$pw" <<<"put $W/theirs t.tmp
rename t.tmp taken"
expect_rc 0 "the other session's put and rename ($ERR)"
[ -e "$home/.taken.mftp-part" ] ||
	fail "the PUT_DATA was stored before the other session took its name"
raw_expect 0x80 "PUT_DATA whose name was taken meanwhile"
raw_close
wait_for 10 _no_sessions || fail "the sessions did not end"
wait "$STRACE_PID" 2>/dev/null
expect_same_file "$home/taken" "$W/mine" "the name taken meanwhile"
[ ! -e "$home/.taken.mftp-part" ] || fail "the partial was left"
[ ! -e "$home/t.tmp" ] || fail "the other session's file is still under its first name"
expect_quota_exact alice "after the PUT_DATA whose name was taken"
afd=$(acct_fd "$T/taken.out")
got=$(holds_per_file "$T/taken.out" "$afd")
# Its partial, the store that found the name taken, the charge with the
# write, the commit.
expect_eq "$got" "4 released" "the holds of the PUT_DATA whose name was taken"
ok "a name taken before the hold: the data replaces that file, the count exact"

daemon_alive || fail "mftpd died"
check_log_clean
