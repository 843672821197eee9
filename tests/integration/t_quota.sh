#!/usr/bin/env bash
# t_quota: per-user quotas through the accounting file.  A user fills the
# byte limit exactly; one byte more is refused before any data with a
# message that gives used, limit and needed; rm, rmdir and mv free what
# they remove; an overwrite needs room for the new copy while it uploads
# and charges only the difference; the file-count limit counts files and
# directories; two users' quotas are independent; 0 means no limit; the
# client's `quota`, ftpuser-quota and ftpuser-list report the usage; a
# damaged or missing accounting file refuses every write (reads and
# deletes still work) until ftpuser-quota --recount repairs it.  Every
# scenario ends with "accounting file == a fresh recount of the home".
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_quota.sh
. "$(dirname "$0")/lib_quota.sh"

FTPUSER_QUOTA=$top_builddir/ftpuser-quota
FTPUSER_LIST=$top_builddir/ftpuser-list
W=$T/work
MiB=1048576
KiB=1024

for _p in "$FTPUSER_QUOTA" "$FTPUSER_LIST"; do
	[ -x "$_p" ] || fail "$_p is not built"
done

# ------------------------------------------------------------- helpers

expect_acct() { # NAME BYTES FILES WHAT
	expect_eq "$(acct "$1")" "$2 $3" "$4: accounting of $1"
}

mkfile() { # NAME BYTES
	head -c "$2" /dev/urandom >"$W/$1" || fail "cannot make $W/$1"
}

# No partial upload left behind for NAME in DIR.
no_partial() { # DIR NAME WHAT
	[ ! -e "$1/.$2.mftp-part" ] || fail "$3: a partial upload was kept"
}

# The message of a quota refusal: used, limit and needed, human units.
expect_quota_msg() { # WHAT
	expect_match "$ERR" '^mftp: [a-z]+: .*quota' "$1: the refusal"
	expect_match "$ERR" 'used' "$1: the message gives the usage"
	expect_match "$ERR" 'needed' "$1: the message gives what is needed"
}

# ---------------------------------------------------------------- setup

pw_a=$(rand_pw)
pw_b=$(rand_pw)
pw_c=$(rand_pw)
pw_d=$(rand_pw)
add_user alice "$pw_a" --quota-bytes 3M --quota-files 100
add_user bob "$pw_b" --quota-bytes 1M
add_user carol "$pw_c"
add_user dave "$pw_d" --quota-files 4
ha=$(user_home alice)
hd=$(user_home dave)
for n in alice bob carol dave; do
	expect_acct "$n" 0 0 "a new user"
	expect_eq "$(stat -c '%U %a' "$T/quota/$n")" "root 600" \
	    "$n's accounting file"
done
ok "ftpuser-add makes a root 0600 accounting file with zero usage"
start_daemon

# ------------------------------------------------- fill to exactly the limit

mkfile a2m $((2 * MiB))
mkfile b1m $((1 * MiB - 1000))
mkfile c1000 1000
mkfile one 1
run_client alice "$pw_a" <<EOF
put $W/a2m A
put $W/b1m B
put $W/c1000 C
EOF
expect_rc 0 "filling alice's 3 MiB exactly"
expect_acct alice $((3 * MiB)) 3 "exactly at the limit"
exact alice "exactly at the limit"
ok "3 MiB of 3 MiB: filled exactly"

# One byte more: refused before any data, nothing changes.
run_client alice "$pw_a" <<<"put $W/one D"
expect_rc 1 "one byte over the limit"
expect_quota_msg "one byte over"
expect_match "$ERR" '3(\.0)? ?M(i?B)? of 3(\.0)? ?M(i?B)?' \
    "the usage and the limit in human units"
expect_match "$ERR" '1 ?B( |$)|1 byte' "the 1 byte needed"
[ ! -e "$ha/D" ] || fail "the refused upload was stored"
no_partial "$ha" D "a refused upload"
expect_acct alice $((3 * MiB)) 3 "after the refusal"
exact alice "after the refusal"

# A large upload far over the limit is refused before its data too.
mkfile big64 $((64 * MiB))
run_client alice "$pw_a" <<<"put $W/big64 big"
expect_rc 1 "64 MiB over a full quota"
expect_quota_msg "64 MiB over"
expect_match "$ERR" '64 ?M(i?B)?' "the 64 MiB needed"
no_partial "$ha" big "a refused large upload"
exact alice "after the large refusal"
# If the server logs the refused transfer, it moved no byte.
line=$(grep 'op=put' "$DAEMON_LOG" | grep -E 'path=/?big( |$)' | tail -n 1)
[ -z "$line" ] || expect_match "$line" ' bytes=0( |$)' \
    "the server's log of the refused upload"
rm -f "$W/big64"
ok "one byte or 64 MiB over: refused before any data (used, limit, needed)"

# --------------------------------------------------------- delete frees

run_client alice "$pw_a" <<<"rm C"
expect_rc 0 "rm C"
expect_acct alice $((3 * MiB - 1000)) 2 "after rm"
exact alice "after rm"
run_client alice "$pw_a" <<<"put $W/c1000 C"
expect_rc 0 "the freed room can be used again"
exact alice "after using the freed room"
run_client alice "$pw_a" <<<"rm B
rm C"
expect_rc 0 "rm B and C"
expect_acct alice $((2 * MiB)) 1 "after rm B and C"
exact alice "after rm B and C"
ok "rm frees the size and the file"

# ----------------------------------------- overwrite charges the difference

mkfile h512k $((512 * KiB))
mkfile h1536k $((1536 * KiB))
run_client alice "$pw_a" <<<"put $W/h512k A"
expect_rc 0 "overwriting 2 MiB with 512 KiB"
expect_acct alice $((512 * KiB)) 1 "after shrinking A"
exact alice "after shrinking A"
run_client alice "$pw_a" <<<"put $W/h1536k A"
expect_rc 0 "overwriting 512 KiB with 1.5 MiB"
expect_acct alice $((1536 * KiB)) 1 "after growing A"
exact alice "after growing A"
# The new copy needs room while it uploads (the old one is still there):
# 1.5 MiB used + 2 MiB new > 3 MiB, though 2 MiB alone would fit.
run_client alice "$pw_a" <<<"put $W/a2m A"
expect_rc 1 "an overwrite without room for the new copy"
expect_quota_msg "overwrite without room"
expect_same_file "$ha/A" "$W/h1536k" "A after the refused overwrite"
no_partial "$ha" A "a refused overwrite"
expect_acct alice $((1536 * KiB)) 1 "after the refused overwrite"
exact alice "after the refused overwrite"
ok "overwrite charges the difference; needs room for the new copy meanwhile"

# ------------------------------------------------ mv, mkdir, rmdir keep it

mkfile s100k $((100 * KiB))
mkfile s200k $((200 * KiB))
run_client alice "$pw_a" <<EOF
mkdir dir
mkdir dir/sub
put $W/s100k x
put $W/s200k dir/y
EOF
expect_rc 0 "mkdir and put"
expect_acct alice $((1536 * KiB + 300 * KiB + 2 * ENTRY_BYTES)) 5 \
    "after mkdir and put"
exact alice "after mkdir and put"
run_client alice "$pw_a" <<<"mv x dir/y"
expect_rc 0 "mv onto an existing file"
expect_acct alice $((1536 * KiB + 100 * KiB + 2 * ENTRY_BYTES)) 4 \
    "after mv onto y"
exact alice "after mv onto an existing file"
run_client alice "$pw_a" <<<"mv dir/y z
mv dir dir2"
expect_rc 0 "mv to new names"
exact alice "after mv to new names"
run_client alice "$pw_a" <<<"rmdir dir2/sub
rmdir dir2"
expect_rc 0 "rmdir"
expect_acct alice $((1536 * KiB + 100 * KiB)) 2 "after rmdir"
exact alice "after rmdir"
ok "mv onto a file frees it, mkdir and rmdir count 4 KiB and one file each"

# ------------------------------------------------------- file-count limit

mkfile tiny 10
run_client dave "$pw_d" <<EOF
put $W/tiny a
put $W/tiny b
mkdir d
put $W/tiny d/c
EOF
expect_rc 0 "dave: four entries of four"
expect_acct dave $((30 + ENTRY_BYTES)) 4 "at the file limit"
exact dave "at the file limit"
run_client dave "$pw_d" <<<"put $W/tiny e"
expect_rc 1 "a fifth file"
expect_match "$ERR" '^mftp: put: .*quota' "the refusal of a fifth file"
expect_match "$ERR" 'files' "the refusal names files"
no_partial "$hd" e "a refused fifth file"
run_client dave "$pw_d" <<<"mkdir f"
expect_rc 1 "a fifth entry by mkdir"
expect_match "$ERR" '^mftp: mkdir: .*quota' "the refusal of mkdir"
[ ! -e "$hd/f" ] || fail "the refused directory was made"
expect_acct dave $((30 + ENTRY_BYTES)) 4 "after the refusals"
exact dave "after the file refusals"
run_client dave "$pw_d" <<<"rm a
put $W/tiny e"
expect_rc 0 "rm frees a file for the next"
expect_acct dave $((30 + ENTRY_BYTES)) 4 "after rm and put"
exact dave "after rm and put"
ok "the file-count limit: files and directories, refused at 4 of 4"

# ---------------------------------------------- users are independent

before_a=$(acct alice)
mkfile b1mib $((1 * MiB))
run_client bob "$pw_b" <<<"put $W/b1mib f"
expect_rc 0 "bob fills his 1 MiB"
expect_acct bob $((1 * MiB)) 1 "bob full"
run_client bob "$pw_b" <<<"put $W/one g"
expect_rc 1 "bob one byte over"
expect_quota_msg "bob one byte over"
expect_eq "$(acct alice)" "$before_a" "alice's accounting after bob's uploads"
run_client alice "$pw_a" <<<"put $W/one one"
expect_rc 0 "alice still has room while bob is full"
run_client bob "$pw_b" <<<"put $W/one g"
expect_rc 1 "bob is still full after alice's upload"
exact alice "alice, beside bob"
exact bob "bob, beside alice"
mkfile c5m $((5 * MiB))
run_client carol "$pw_c" <<EOF
put $W/c5m a
put $W/c5m b
mkdir d
EOF
expect_rc 0 "carol has no limits"
expect_acct carol $((10 * MiB + ENTRY_BYTES)) 3 "carol without limits"
exact carol "carol without limits"
ok "alice's, bob's and carol's quotas are independent; 0 = no limit"

# ---------------------------------------------------- reports of usage

# alice: A (1.5 MiB) + z (100 KiB) + one (1 B) in 3 files of 100.
a_bytes=$((1536 * KiB + 100 * KiB + 1))
expect_acct alice "$a_bytes" 3 "alice before the reports"
run_client alice "$pw_a" <<<"quota"
expect_rc 0 "the client's quota command"
expect_match "$OUT" '1\.6 ?M' "quota: bytes used (1.6 MiB)"
expect_match "$OUT" '3(\.0)? ?M' "quota: the byte limit (3 MiB)"
expect_match "$OUT" '1\.4 ?M' "quota: bytes free (1.4 MiB)"
expect_match "$OUT" '(^|[^0-9])3([^0-9.]|$)' "quota: files used (3)"
expect_match "$OUT" '(^|[^0-9])100([^0-9]|$)' "quota: the file limit"
expect_match "$OUT" '(^|[^0-9])97([^0-9]|$)' "quota: files free (97)"
run_client carol "$pw_c" <<<"quota"
expect_rc 0 "quota without limits"
expect_match "$OUT" '10(\.0)? ?M' "quota: carol's 10 MiB used"
ok "the client's quota: used, limit and free"

out=$("$FTPUSER_QUOTA" -c "$CONF" alice 2>&1) ||
	fail "ftpuser-quota alice: $out"
expect_contains "$out" "bytes: 1.6 MiB used of 3.0 MiB, 1.4 MiB free ($a_bytes of $((3 * MiB)))" \
    "ftpuser-quota alice: bytes"
expect_contains "$out" "files: 3 used of 100, 97 free" \
    "ftpuser-quota alice: files"
out=$("$FTPUSER_QUOTA" -c "$CONF" carol 2>&1) ||
	fail "ftpuser-quota carol: $out"
expect_contains "$out" "bytes: 10 MiB used, no limit" "ftpuser-quota carol"
expect_contains "$out" "files: 3 used, no limit" "ftpuser-quota carol"
# Room reserved by uploads in progress (the accounting file's second
# line, as a running upload writes it) is not free: said, and taken off.
cp "$T/quota/alice" "$T/alice.acct"
printf 'MFTPR2 %020d %020d\n' $((512 * KiB)) 12345 >>"$T/quota/alice"
out=$("$FTPUSER_QUOTA" -c "$CONF" alice 2>&1) ||
	fail "ftpuser-quota alice with a reservation: $out"
expect_contains "$out" "bytes: 1.6 MiB used of 3.0 MiB, 924 KiB free ($a_bytes of $((3 * MiB))); 512 KiB reserved by uploads in progress" \
    "ftpuser-quota alice with a reservation"
cp "$T/alice.acct" "$T/quota/alice"
rc=0
out=$("$FTPUSER_QUOTA" -c "$CONF" nobody 2>&1) || rc=$?
expect_eq "$rc" 1 "ftpuser-quota of an unknown user"
expect_contains "$out" "no such user 'nobody'" "ftpuser-quota of an unknown user"
rc=0
"$FTPUSER_QUOTA" -c "$CONF" >/dev/null 2>&1 || rc=$?
expect_eq "$rc" 2 "ftpuser-quota without a name"

list=$("$FTPUSER_LIST" -c "$CONF") || fail "ftpuser-list: $list"
expect_match "$list" '^NAME +UID +GID +HOME ' "ftpuser-list's header"
# Columns are two or more blanks apart; a size has one inside.
row() { awk -F '  +' -v n="$1" '$1 == n { print $5, $6 }' <<<"$list"; }
expect_eq "$(row alice)" "1.6 MiB/3.0 MiB 3/100" "ftpuser-list: alice"
expect_eq "$(row bob)" "1.0 MiB/1.0 MiB 1/-" "ftpuser-list: bob"
expect_eq "$(row carol)" "10 MiB/- 3/-" "ftpuser-list: carol"
expect_eq "$(row dave)" "4.0 KiB/- 4/4" "ftpuser-list: dave (a directory: 4 KiB)"
expect_eq "$(awk '$1 == "alice" { print $2, $3, $4 }' <<<"$list")" \
    "$(user_uid alice) $(user_gid alice) $ha" "ftpuser-list: alice's ids"
list=$("$FTPUSER_LIST" -c "$CONF" -H) || fail "ftpuser-list -H"
expect_eq "$(wc -l <<<"$list")" 4 "ftpuser-list -H: one line a user"
expect_no_match "$list" '^NAME' "ftpuser-list -H: no header"
ok "ftpuser-quota and ftpuser-list show used/limit in human units"

# ------------------------------------- a damaged accounting file, repaired

printf 'garbage\n' >"$T/quota/alice"
run_client alice "$pw_a" <<<"put $W/one two"
expect_rc 1 "put with a damaged accounting file"
expect_match "$ERR" '^mftp: put: .*accounting file is damaged' \
    "the refusal for a damaged accounting file"
expect_contains "$ERR" "ftpuser-quota --recount" "what to do about it"
[ ! -e "$ha/two" ] || fail "an upload was stored with a damaged file"
no_partial "$ha" two "an upload refused for a damaged file"
run_client alice "$pw_a" <<<"mkdir newdir"
expect_rc 1 "mkdir with a damaged accounting file"
expect_match "$ERR" 'damaged' "mkdir's refusal"
grep -Eq 'damaged|corrupt' "$DAEMON_LOG" ||
	fail "the daemon did not log the damaged accounting file"
# Reads and deletes still work, and do not touch the damaged file.
run_client alice "$pw_a" <<EOF
ls
get one $W/one.back
rm one
EOF
expect_rc 0 "ls, get and rm with a damaged accounting file"
expect_same_file "$W/one.back" "$W/one" "get with a damaged accounting file"
expect_eq "$(cat "$T/quota/alice")" garbage "the damaged file after rm"
rc=0
out=$("$FTPUSER_QUOTA" -c "$CONF" alice 2>&1) || rc=$?
expect_eq "$rc" 1 "ftpuser-quota of a damaged file"
expect_contains "$out" "damaged" "ftpuser-quota of a damaged file"
expect_eq "$("$FTPUSER_LIST" -c "$CONF" -H |
	awk -F '  +' '$1 == "alice" { print $5, $6 }')" \
    "damaged/3.0 MiB damaged/100" \
    "ftpuser-list of a damaged file"
out=$("$FTPUSER_QUOTA" -c "$CONF" --recount alice 2>&1) ||
	fail "ftpuser-quota --recount alice: $out"
expect_contains "$out" "was damaged" "the recount's report"
expect_eq "$(stat -c '%U %a' "$T/quota/alice")" "root 600" \
    "the repaired accounting file"
exact alice "after the recount of a damaged file"
run_client alice "$pw_a" <<<"put $W/one two"
expect_rc 0 "put after the repair"
exact alice "after the repair and a put"
ok "a damaged accounting file refuses writes; --recount repairs it"

# An empty file is damaged, not "nothing used".
: >"$T/quota/alice"
run_client alice "$pw_a" <<<"put $W/one three"
expect_rc 1 "put with an empty accounting file"
expect_match "$ERR" 'damaged' "the refusal for an empty accounting file"
# Missing: refused alike; --recount makes it.
rm -f "$T/quota/alice"
run_client alice "$pw_a" <<<"put $W/one three"
expect_rc 1 "put without an accounting file"
expect_match "$ERR" 'accounting file' "the refusal without accounting file"
out=$("$FTPUSER_QUOTA" -c "$CONF" --recount --all 2>&1) ||
	fail "ftpuser-quota --recount --all: $out"
expect_contains "$out" "alice: " "--recount --all names alice"
expect_contains "$out" "was missing" "--recount --all: alice's was missing"
for n in alice bob carol dave; do
	exact "$n" "after --recount --all"
done
run_client alice "$pw_a" <<<"put $W/one three"
expect_rc 0 "put after the accounting file was made again"
exact alice "at the end"
ok "empty or missing: refused; --recount --all makes every file exact"

daemon_alive || fail "mftpd died"
check_log_clean
