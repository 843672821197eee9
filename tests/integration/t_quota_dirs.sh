#!/usr/bin/env bash
# t_quota_dirs: a byte quota alone bounds the disk a user can fill.
# Directories and symbolic links count for 4 KiB each (and one file), so
# a user with a 1 MiB byte quota and no file limit gets 256 MKDIRs, and
# the next is refused with the used/limit/needed message; the home
# itself counts for nothing.  RMDIR, REMOVE of a link and a directory
# renamed over an empty one give the 4 KiB back.  mftp's mkdir -p past
# the limit names the directory refused.  After each step the
# accounting file equals the test's recount and ftpuser-quota --recount
# writes the same.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

FTPUSER_QUOTA=$top_builddir/ftpuser-quota
[ -x "$FTPUSER_QUOTA" ] || fail "$FTPUSER_QUOTA is not built"
LIMIT=$((1024 * 1024))
FIT=$((LIMIT / ENTRY_BYTES))
# Long names: what a directory takes on disk grows with its entries'
# names, never what it is charged.
LONG=$(printf 'n%.0s' {1..200})

pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 1M
start_daemon
home=$(user_home alice)
owner="$(user_uid alice):$(user_gid alice)"

exact() { expect_recount_agrees alice "$1"; }
req() { raw_req "$@"; }

"$FTPUSER_QUOTA" -c "$CONF" --recount alice >/dev/null ||
	fail "the recount of the empty home"
expect_eq "$(cat "$(quota_file alice)")" "$(quota_line 0 0)" \
    "the empty home counts for nothing"
ok "the home itself is not charged"

raw_open alice "$pw"
req "$(hex_mkdir d 493)" 0 "MKDIR d"
expect_eq "$(acct alice)" "$ENTRY_BYTES 1" "a directory's charge"
exact "after one MKDIR"

# Up to the limit, in one pipelined batch (d is the first of FIT).
batch=
for ((i = 1; i < FIT; i++)); do
	batch+=$(hex_mkdir "d/$LONG$i" 493)
done
raw_send "$batch"
raw_replies "$RAW_FD" $((FIT - 1)) "the MKDIRs up to the limit"
ok_all=$(printf 'o%.0s' $(seq 1 $((FIT - 1))))
[ "$RAW_REPLIES" = "$ok_all" ] ||
	fail "MKDIR $((${#RAW_REPLIES%%e*} + 1)) of $FIT was refused"
expect_eq "$(acct alice)" "$LIMIT $FIT" "the quota used by $FIT directories"
req "$(hex_mkdir "d/${LONG}over" 493)" 18 "MKDIR past the byte limit"
expect_match "$RAW_TEXT" \
    '^quota exceeded: 1(\.0)? MiB of 1(\.0)? MiB used, 4(\.0)? KiB more needed$' \
    "the refusal's message"
[ ! -e "$home/d/${LONG}over" ] || fail "the refused MKDIR made the directory"
raw_send "$(hex_put f 1 420 1)"
raw_expect_error 18 "PUT with the quota filled by directories"
exact "at the limit"
ok "$FIT directories fill a 1 MiB quota; the next MKDIR is refused"

# Given back: RMDIR, a link removed, a directory renamed over another.
req "$(hex_path_req 17 "d/${LONG}1")" 0 "RMDIR"
expect_eq "$(acct alice)" "$((LIMIT - ENTRY_BYTES)) $((FIT - 1))" \
    "the usage after RMDIR"
exact "after RMDIR"
ln -s d "$home/link"
chown -h "$owner" "$home/link"
quota_reset alice
expect_eq "$(acct alice)" "$LIMIT $FIT" "a symbolic link's charge"
exact "with a symbolic link"
req "$(hex_mkdir x 493)" 18 "MKDIR with the quota filled by a link"
req "$(hex_path_req 16 link)" 0 "REMOVE of the link"
exact "after REMOVE of a link"
req "$(hex_mkdir x 493)" 0 "MKDIR once the link is gone"
req "$(hex_rename x "d/${LONG}2")" 0 "RENAME of a directory over an empty one"
expect_eq "$(acct alice)" "$((LIMIT - ENTRY_BYTES)) $((FIT - 1))" \
    "the usage after a directory replaced one"
exact "after RENAME over a directory"
raw_close
ok "RMDIR, REMOVE of a link and RENAME over a directory give 4 KiB back"

# mftp's mkdir -p makes what fits and names the directory that did not:
# one more entry fits, so p is made and p/q refused.
run_client alice "$pw" <<<"mkdir -p p/q/r"
expect_rc 1 "mkdir -p past the quota"
expect_match "$ERR" \
    '^mftp: mkdir: p/q: quota exceeded: 1(\.0)? MiB of 1(\.0)? MiB used, 4(\.0)? KiB more needed$' \
    "what mkdir -p says"
[[ -d $home/p && ! -e $home/p/q ]] ||
	fail "mkdir -p past the quota: $(ls -la "$home/p" 2>&1)"
exact "after mkdir -p past the quota"
ok "mkdir -p past the quota names the directory refused"

daemon_alive || fail "mftpd died"
check_log_clean
