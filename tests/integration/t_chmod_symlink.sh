#!/usr/bin/env bash
# t_chmod_symlink: CHMOD, SYMLINK and READLINK as the server answers them
# on the wire.  CHMOD sets the permission bits (seen with stat in the
# home), refuses setuid/setgid/sticky bits, a missing path and a link
# (whose target keeps its mode).  SYMLINK makes a link holding any
# string (a dangling one too), charged 4 KiB and one file before it is
# made, refused past the quota with the standard message and nothing
# made; REMOVE gives it back; after each step the accounting file equals
# a recount and ftpuser-quota --recount writes the same.  READLINK says
# what a link holds; a path ending in '/' is no link's name for either.
# A session that did not ask for the feature bit in
# HELLO gets ERROR(INVALID) and goes on.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

FTPUSER_QUOTA=$top_builddir/ftpuser-quota
[ -x "$FTPUSER_QUOTA" ] || fail "$FTPUSER_QUOTA is not built"
FEAT_CHMOD_SYMLINK=2

pw=$(rand_pw)
# Room for the file below and exactly two links or directories.
add_user alice "$pw" --quota-bytes $((100 + 2 * ENTRY_BYTES))
start_daemon
home=$(user_home alice)
owner="$(user_uid alice):$(user_gid alice)"

head -c 100 /dev/urandom >"$home/f"
mkdir "$home/d"
chmod 644 "$home/f"
chmod 755 "$home/d"
chown -R "$owner" "$home"
quota_reset alice

exact_both() { expect_recount_agrees alice "$1"; }

req() { raw_req "$@"; }
# raw_readlink PATH: READLINK's PATH reply, decoded.
raw_readlink() {
	raw_send "$(hex_path_req 1d "$1")"
	raw_expect 0x83 "READLINK $1"
	printf '%b' "$(printf '%s' "${RAW_HEX:8}" | sed 's/../\\x&/g')"
}

# ---------------------------------------------------- not negotiated
RAW_FEATURES=0
raw_open alice "$pw"
expect_eq $((RAW_GRANTED & FEAT_CHMOD_SYMLINK)) 0 "the bit unasked, ungranted"
req "$(hex_chmod f 384)" 16 "CHMOD without the feature bit"
expect_contains "$RAW_TEXT" "not negotiated" "the refusal says why"
req "$(hex_symlink f l0)" 16 "SYMLINK without the feature bit"
raw_send "$(hex_frame 10)"
raw_expect 0x83 "PWD after the refusals: the session goes on"
raw_close
expect_eq "$(stat -c %a "$home/f")" 644 "the refused CHMOD changed nothing"
if [ -e "$home/l0" ] || [ -L "$home/l0" ]; then
	fail "the refused SYMLINK made a link"
fi
ok "without the feature bit CHMOD and SYMLINK are refused, the session goes on"

RAW_FEATURES=$FEAT_CHMOD_SYMLINK
raw_open alice "$pw"
expect_eq $((RAW_GRANTED & FEAT_CHMOD_SYMLINK)) $FEAT_CHMOD_SYMLINK \
    "HELLO_OK grants MFTP_FEAT_CHMOD_SYMLINK"

# --------------------------------------------------------------- CHMOD
req "$(hex_chmod f $((8#600)))" 0 "CHMOD f 0600"
expect_eq "$(stat -c %a "$home/f")" 600 "f's mode after CHMOD 0600"
req "$(hex_chmod d/ $((8#700)))" 0 "CHMOD d/ 0700"
expect_eq "$(stat -c %a "$home/d")" 700 "a directory's mode after CHMOD"
req "$(hex_chmod /f 0)" 0 "CHMOD /f 0 (no umask applied)"
expect_eq "$(stat -c %a "$home/f")" 0 "f's mode after CHMOD 0"
req "$(hex_chmod f $((8#640)))" 0 "CHMOD back from 0: no read right needed"
expect_eq "$(stat -c %a "$home/f")" 640 "f's mode after CHMOD 0640"
for m in 4755 2755 1777 6644; do
	req "$(hex_chmod f $((8#$m)))" 11 "CHMOD f $m"
	expect_contains "$RAW_TEXT" "setuid, setgid and sticky bits are not allowed" \
	    "CHMOD $m: the refusal's reason"
done
expect_eq "$(stat -c %a "$home/f")" 640 "the refused modes changed nothing"
req "$(hex_chmod missing $((8#644)))" 10 "CHMOD of a missing path"
expect_match "$RAW_TEXT" '^missing: No such file or directory$' \
    "CHMOD of a missing path: the message"
req "$(hex_chmod . $((8#755)))" 16 "CHMOD ."
expect_eq "$RAW_TEXT" ".: names no entry of a directory (not ., .. or /)" \
    "CHMOD .: the message"
ok "CHMOD sets permission bits; setuid/setgid/sticky and missing paths refused"

# ------------------------------------------------------------- SYMLINK
req "$(hex_symlink f l1)" 0 "SYMLINK f l1"
[ -L "$home/l1" ] || fail "SYMLINK made no link"
expect_eq "$(readlink "$home/l1")" f "what the link holds"
expect_eq "$(stat -c %u:%g "$home/l1")" "$owner" "the link's owner"
expect_eq "$(acct alice)" "$((100 + 2 * ENTRY_BYTES)) 3" \
    "a link's charge: 4 KiB and one file"
exact_both "after SYMLINK"
expect_eq "$(raw_readlink l1)" f "READLINK l1"
req "$(hex_path_req 1d f)" 16 "READLINK of a file"
expect_contains "$RAW_TEXT" "not a symbolic link" "READLINK f: the message"

# A link is not chmod-ed through: its target keeps its mode.
req "$(hex_chmod l1 $((8#777)))" 16 "CHMOD of a link"
expect_contains "$RAW_TEXT" "is a symbolic link" "CHMOD l1: the message"
expect_eq "$(stat -c %a "$home/f")" 640 "the link's target is untouched"

req "$(hex_symlink f l1)" 12 "SYMLINK onto an existing name"
req "$(hex_symlink f .x.mftp-part)" 16 "SYMLINK named like a partial upload"
long=$(printf 'a%.0s' {1..4096})
req "$(hex_symlink "$long" llong)" 16 "SYMLINK with a 4096-byte target"
req "$(hex_symlink f "")" 16 "SYMLINK with an empty name"
req "$(hex_symlink "" l2)" 16 "SYMLINK with an empty target"
# A path that ends in '/' names a directory (PROTOCOL.md §5.3): READLINK
# of one looks at what the link leads to, not at the link.
req "$(hex_path_req 1d l1/)" 13 "READLINK l1/ (l1 leads to a file)"
req "$(hex_path_req 1d d/)" 16 "READLINK d/"

# The quota is full now (100 + 2 x 4 KiB): the next link is refused
# before it is made, with the usual message.
req "$(hex_symlink "no/such/target" dang)" 18 "SYMLINK past the byte limit"
expect_match "$RAW_TEXT" '^quota exceeded: .* used, 4(\.0)? KiB more needed$' \
    "the refusal's message"
[ ! -L "$home/dang" ] || fail "the refused SYMLINK made the link"
exact_both "after the refused SYMLINK"

req "$(hex_path_req 16 l1)" 0 "REMOVE of the link"
[ -e "$home/f" ] || fail "REMOVE of the link removed its target"
expect_eq "$(acct alice)" "$((100 + ENTRY_BYTES)) 2" "REMOVE gives the link back"
exact_both "after REMOVE of a link"

# Any string, dangling too; it resolves inside the home.
req "$(hex_symlink "no/such/target" dang)" 0 "SYMLINK dangling, once room is back"
expect_eq "$(raw_readlink dang)" "no/such/target" "READLINK of a dangling link"
req "$(hex_path_req 16 dang)" 0 "REMOVE of the dangling link"
exact_both "after the dangling link came and went"
# Nor is such a path a name for a new link (room for one is there).
req "$(hex_symlink f l2/)" 16 "SYMLINK named with a trailing slash"
if [ -e "$home/l2" ] || [ -L "$home/l2" ]; then
	fail "SYMLINK f l2/ made a link l2"
fi
raw_close
ok "SYMLINK charged 4 KiB and one file, refused past the quota, given back by REMOVE"

daemon_alive || fail "mftpd died"
check_log_clean
