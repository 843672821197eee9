#!/usr/bin/env bash
# t_fsops: REMOVE, RMDIR, RENAME, MKDIR and QUOTA in the raw protocol:
# what each does, its errors, the names ending in .mftp-part that belong
# to the server, the file-count limit, and a damaged or missing
# accounting file (writes refused with a clear message, logged once per
# session; reads and deletes go on).  After each step the accounting
# file equals a fresh recount of the home.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 10M --quota-files 20
start_daemon
home=$(user_home alice)
owner="$(user_uid alice):$(user_gid alice)"
quota_reset alice

# req HEX CODE WHAT: send a request; CODE is 0 for OK, else the ERROR.
req() {
	raw_send "$1"
	if [ "$2" = 0 ]; then
		raw_expect 0x80 "$3"
	else
		raw_expect_error "$2" "$3"
	fi
}

exact() { expect_quota_exact alice "$1"; }

raw_open alice "$pw"
printf 'hello\n' >"$T/hello"
raw_put "$T/hello" a 1
expect_eq "$RAW_TYPE" 0x80 "PUT a"
head -c 5000 /dev/urandom >"$T/five"
raw_put "$T/five" c 1
expect_eq "$RAW_TYPE" 0x80 "PUT c"
req "$(hex_mkdir d 493)" 0 "MKDIR d"
req "$(hex_mkdir d/sub 493)" 0 "MKDIR d/sub"
req "$(hex_mkdir e 493)" 0 "MKDIR e"
exact "after PUT and MKDIR"
ok "set up: files and directories"

# REMOVE
req "$(hex_path_req 16 a)" 0 "REMOVE a"
[ ! -e "$home/a" ] || fail "a is still there"
exact "after REMOVE"
req "$(hex_path_req 16 a)" 10 "REMOVE of a missing file"
req "$(hex_path_req 16 d)" 14 "REMOVE of a directory"
req "$(hex_path_req 16 "")" 16 "REMOVE of an empty name"
ln -s c "$home/link"
chown -h "$owner" "$home/link"
quota_reset alice
req "$(hex_path_req 16 link)" 0 "REMOVE of a symlink"
[ -f "$home/c" ] || fail "REMOVE of a link removed its target"
exact "after REMOVE of a link"
ok "REMOVE"

# RMDIR
req "$(hex_path_req 17 d)" 15 "RMDIR of a directory that is not empty"
req "$(hex_path_req 17 c)" 13 "RMDIR of a file"
req "$(hex_path_req 17 nothing)" 10 "RMDIR of a missing directory"
req "$(hex_path_req 17 d/sub)" 0 "RMDIR d/sub"
[ ! -e "$home/d/sub" ] || fail "d/sub is still there"
exact "after RMDIR"
ok "RMDIR"

# RENAME
req "$(hex_rename c c2)" 0 "RENAME to a new name"
[[ -f $home/c2 && ! -e $home/c ]] || fail "c was not renamed to c2"
exact "after RENAME"
raw_put "$T/hello" x 1
expect_eq "$RAW_TYPE" 0x80 "PUT x"
req "$(hex_rename x c2)" 0 "RENAME onto an existing file"
expect_same_file "$T/hello" "$home/c2" "the file renamed over c2"
exact "after RENAME onto a file (it is freed)"
req "$(hex_rename d d2)" 0 "RENAME of a directory"
exact "after RENAME of a directory"
req "$(hex_rename e d2/e)" 0 "RENAME of a directory into another"
req "$(hex_mkdir e 493)" 0 "MKDIR e again"
req "$(hex_rename e d2)" 15 "RENAME onto a directory that is not empty"
req "$(hex_rename c2 d2)" 14 "RENAME of a file onto a directory"
req "$(hex_rename d2/e e)" 0 "RENAME of a directory onto an empty one"
[[ -d $home/e && ! -e $home/d2/e ]] || fail "d2/e did not replace e"
exact "after RENAME onto an empty directory (it is freed)"
req "$(hex_rename missing y)" 10 "RENAME of a missing file"
req "$(hex_rename c2 "")" 16 "RENAME to an empty name"
ln "$home/c2" "$home/c3"
quota_reset alice
req "$(hex_rename c2 c3)" 0 "RENAME between two links of one file"
[[ -f $home/c2 && -f $home/c3 ]] || fail "rename(2) of two links"
exact "after RENAME between links"
req "$(hex_path_req 16 c3)" 0 "REMOVE one of two links"
exact "after REMOVE of a link"
ok "RENAME"

# Names ending in .mftp-part are the server's.
: >"$home/.f.mftp-part"
chown "$owner" "$home/.f.mftp-part"
quota_reset alice
req "$(hex_mkdir y.mftp-part 493)" 16 "MKDIR of a .mftp-part name"
req "$(hex_mkdir y.mftp-part/ 493)" 16 "MKDIR of a .mftp-part name with /"
req "$(hex_rename .f.mftp-part g)" 16 "RENAME of a partial"
req "$(hex_rename c2 d2/z.mftp-part)" 16 "RENAME onto a .mftp-part name"
[[ -f $home/.f.mftp-part && -f $home/c2 ]] || fail "a refused request changed something"
exact "after the refused requests"
ok "names ending in .mftp-part refused"
# An abandoned partial (no upload holds it) may be discarded.
req "$(hex_path_req 16 .f.mftp-part)" 0 "REMOVE of an abandoned partial"
[ ! -e "$home/.f.mftp-part" ] || fail "the abandoned partial is still there"
exact "after discarding a partial"
ok "an abandoned partial can be removed"

# QUOTA: usage from the accounting file, limits from the user database.
read -r _ want_bytes want_files <<<"$(recount_line "$home")"
raw_send "$(hex_frame 19)"
raw_expect 0x89 "QUOTA"
expect_eq "$(raw_u64 0)" $((10#$want_bytes)) "QUOTA bytes used"
expect_eq "$(raw_u64 16)" $((10 * 1024 * 1024)) "QUOTA byte limit"
expect_eq "$(raw_u64 32)" $((10#$want_files)) "QUOTA files used"
expect_eq "$(raw_u64 48)" 20 "QUOTA file limit"
ok "QUOTA"

# The byte limit: an upload that would pass it is refused up front.
raw_send "$(hex_put c2 12000000 420 1)"
raw_expect_error 18 "PUT past the byte limit"
expect_match "$RAW_TEXT" '^quota exceeded: [0-9.]+ ([KMG]i)?B of 10 MiB used, 11 MiB more needed$' \
    "the byte-limit message"
[ ! -e "$home/.c2.mftp-part" ] || fail "a refused PUT left a partial"
exact "after PUT refused for bytes"
ok "the byte limit"

# The file-count limit: MKDIR and a new upload are refused at it.
n=$((10#$want_files))
while [ "$n" -lt 20 ]; do
	req "$(hex_mkdir "m$n" 493)" 0 "MKDIR m$n (file $((n + 1)) of 20)"
	n=$((n + 1))
done
req "$(hex_mkdir over 493)" 18 "MKDIR past the file limit"
expect_contains "$RAW_TEXT" "quota exceeded: 20 of 20 files used, 1 more needed" \
    "the file-limit message"
raw_send "$(hex_put new 5 420 1)"
raw_expect_error 18 "PUT of a new file past the file limit"
req "$(hex_path_req 17 m19)" 0 "RMDIR m19"
req "$(hex_mkdir over 493)" 0 "MKDIR once a file was freed"
exact "at the file limit"
raw_close
ok "the file-count limit"

# A damaged accounting file: writes refused, reads and deletes work.
wait_for 10 _no_sessions || fail "the session did not end"
log_lines=$(wc -l <"$DAEMON_LOG")
printf 'garbage\n' >"$(quota_file alice)"
raw_open alice "$pw"
raw_send "$(hex_frame 19)"
raw_expect_error 18 "QUOTA with a damaged file"
expect_contains "$RAW_TEXT" "accounting file is damaged; ask the administrator to run ftpuser-quota --recount" \
    "the damaged-file message"
req "$(hex_mkdir z 493)" 18 "MKDIR with a damaged file"
raw_send "$(hex_put c2 5 420 1)"
raw_expect_error 18 "PUT with a damaged file"
req "$(hex_rename c2 c4)" 18 "RENAME with a damaged file"
raw_send "$(hex_get c2 0)"
raw_expect 0x86 "GET with a damaged file"
raw_recv_data "$(raw_u64 0)" "$T/got"
raw_expect 0x22 "GET with a damaged file"
req "$(hex_path_req 17 over)" 0 "RMDIR with a damaged file"
req "$(hex_path_req 16 c2)" 0 "REMOVE with a damaged file"
expect_eq "$(cat "$(quota_file alice)")" garbage "the damaged file, untouched"
raw_close
wait_for 10 _no_sessions || fail "the session did not end"
expect_eq "$(tail -n +$((log_lines + 1)) "$DAEMON_LOG" | grep -c 'writes refused until')" 1 \
    "log lines about the damaged file in one session"
ok "damaged accounting file: writes refused, logged once; reads, deletes work"

# A missing one: the same, in the words of ftpuser-quota.
rm -f "$(quota_file alice)"
raw_open alice "$pw"
req "$(hex_mkdir z 493)" 18 "MKDIR without an accounting file"
expect_contains "$RAW_TEXT" "there is no accounting file" "the message"
raw_send "$(hex_frame 19)"
raw_expect_error 18 "QUOTA without an accounting file"
req "$(hex_path_req 17 m18)" 0 "RMDIR without an accounting file"
raw_close
expect_match "$(cat "$DAEMON_LOG")" 'accounting file .*/alice of user=alice: writes refused' \
    "the missing file is logged"

# Repaired (as a recount would): writes work again.
quota_reset alice
raw_open alice "$pw"
req "$(hex_mkdir z 493)" 0 "MKDIR after the repair"
# Damaged while the session runs: found by the next write, logged once.
log_lines=$(wc -l <"$DAEMON_LOG")
printf 'MFTPQ1 0\n' >"$(quota_file alice)"
req "$(hex_mkdir z2 493)" 18 "MKDIR after the file was damaged"
raw_send "$(hex_put z3 5 420 1)"
raw_expect_error 18 "PUT after the file was damaged"
# And repaired while it runs: the next write goes through.
quota_reset alice
req "$(hex_mkdir z2 493)" 0 "MKDIR after a repair in the session"
raw_close
expect_eq "$(tail -n +$((log_lines + 1)) "$DAEMON_LOG" | grep -c 'writes refused until')" 1 \
    "log lines about a file damaged during a session"
wait_for 10 _no_sessions || fail "the session did not end"
exact "at the end"
check_log_clean
ok "missing accounting file; repaired"

# An empty name is INVALID "empty name" in every request that names an
# entry (LIST, STAT and CWD give it a meaning: here), not a lookup of "".
RAW_FEATURES=2
raw_open alice "$pw"
for r in "GET:$(hex_get "" 0)" "HASH:$(hex_path_req 15 "")" \
    "HASH_ALG:$(hex_hash_alg "" 1)" "READLINK:$(hex_path_req 1d "")" \
    "REMOVE:$(hex_path_req 16 "")" "RMDIR:$(hex_path_req 17 "")" \
    "MKDIR:$(hex_mkdir "" 493)" "CHMOD:$(hex_chmod "" 420)" \
    "PUT:$(hex_put "" 5 420 1)"; do
	req "${r#*:}" 16 "${r%%:*} of an empty name"
	expect_eq "$RAW_TEXT" "empty name" "${r%%:*} of an empty name: the text"
done
raw_close
ok "an empty name is INVALID in every request that names an entry"

# RENAME's errors name the paths as the request gave them, not their last
# components ("sub: Invalid argument" said nothing of where).
add_user bob "$pw" --quota-bytes 10M
raw_open bob "$pw"
req "$(hex_mkdir n1 493)" 0 "MKDIR n1"
req "$(hex_mkdir n1/in 493)" 0 "MKDIR n1/in"
req "$(hex_mkdir n1/in/x 493)" 0 "MKDIR n1/in/x"
req "$(hex_mkdir n2 493)" 0 "MKDIR n2"
req "$(hex_rename n1/nothere y)" 10 "RENAME of a missing entry"
expect_eq "$RAW_TEXT" "n1/nothere: No such file or directory" \
    "RENAME of a missing entry: the text"
req "$(hex_rename n1 n1/in/sub)" 16 "RENAME of a directory into itself"
expect_eq "$RAW_TEXT" "n1/in/sub: n1 cannot be moved into itself" \
    "RENAME of a directory into itself: the text"
req "$(hex_rename n2 n1/in)" 15 "RENAME onto a directory that is not empty"
expect_eq "$RAW_TEXT" "n1/in: Directory not empty" \
    "RENAME onto a directory that is not empty: the text"
raw_close
expect_quota_exact bob "after the refused RENAMEs"
ok "RENAME's errors name the paths of the request"

# A path that ends in '/' names a directory, as in rename(2) and
# unlink(2): REMOVE "f/" of a file, or of a link to a directory, removes
# nothing (NOT_DIR), and RENAME and CHMOD do not act on a non-directory
# through such a path; mftp's rm -r of a link to a directory, given as
# "ln2/", removes neither the link nor what the directory holds.
bhome=$(user_home bob)
raw_open bob "$pw"
raw_put "$T/hello" f 1
expect_eq "$RAW_TYPE" 0x80 "PUT f"
req "$(hex_symlink n2 ln2)" 0 "SYMLINK ln2 -> n2"
req "$(hex_path_req 16 f/)" 13 "REMOVE f/ of a file"
expect_eq "$RAW_TEXT" "f/: Not a directory" "REMOVE f/: the text"
req "$(hex_path_req 16 ln2/)" 13 "REMOVE ln2/ of a link to a directory"
req "$(hex_rename f/ g)" 13 "RENAME f/ of a file"
req "$(hex_rename f g/)" 13 "RENAME of a file to g/"
expect_eq "$RAW_TEXT" "f: not a directory, which a name that ends in '/' (g/) must be" \
    "RENAME f g/: the text"
req "$(hex_rename f/ g)" 13 "RENAME f/ of a file"
expect_eq "$RAW_TEXT" "f/: Not a directory" "RENAME f/ g: the text"
req "$(hex_rename ln2/ g)" 13 "RENAME ln2/ of a link to a directory"
req "$(hex_chmod f/ 384)" 13 "CHMOD f/ of a file"
raw_put "$T/hello" n2/keep 1
expect_eq "$RAW_TYPE" 0x80 "PUT n2/keep"
raw_close
# mftp's rm -r takes ln2/ for a link (READLINK) and removes nothing.
run_client bob "$pw" <<<"rm -r ln2/"
expect_ne "$RC" 0 "mftp rm -r ln2/: the exit status"
[[ -f $bhome/f && -L $bhome/ln2 && -f $bhome/n2/keep && ! -e $bhome/g ]] ||
	fail "a request on NAME/ acted on a non-directory: $(ls -laR "$bhome")"
expect_eq "$(stat -c %a "$bhome/f")" 644 "the mode of f after CHMOD f/"
raw_open bob "$pw"
req "$(hex_path_req 16 n2/keep)" 0 "REMOVE n2/keep"
req "$(hex_rename n2/ n3/)" 0 "RENAME n2/ n3/ of a directory"
req "$(hex_chmod n3/ 448)" 0 "CHMOD n3/ of a directory"
req "$(hex_path_req 17 n3/)" 0 "RMDIR n3/"
raw_close
expect_quota_exact bob "after the requests on NAME/"
ok "a path ending in / acts on a directory only"
