#!/usr/bin/env bash
# t_put_rest: put -r and mput go on past a file the server refuses on
# its own (a directory in the way of its name, a directory it may not
# write in, a file another session is uploading: LOCKED), send the
# rest, and then fail, naming it, as get -r does: "d/b was not
# uploaded; the rest was", status 1.  They stopped at the first such
# refusal: nothing was queued after it.  A file sent by PUT (larger
# than PUT_DATA takes) is refused the same way.  What concerns the
# whole session still stops at once: the user's quota exceeded.  A
# local file that cannot be read is left out too.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

pw=$(rand_pw)
add_user alice "$pw"
add_user bob "$pw" --quota-bytes 1M
home=$(user_home alice)
uid=$(user_uid alice)
gid=$(user_gid alice)
bhome=$(user_home bob)
case $home in
"$T"/*) ;;
*) fail "alice's home $home is not under $T" ;;
esac
case $bhome in
"$T"/*) ;;
*) fail "bob's home $bhome is not under $T" ;;
esac
start_daemon
L=$T/local

# The tree d: a b c01..c40 big e sub/s; b early, so that most of the
# files come after it.  big goes by PUT, the others by PUT_DATA.
CS=$(seq -f 'c%02g' 1 40)
mkdir -p "$L/d/sub"
for f in a b $CS e sub/s; do
	printf '%s\n' "$f" >"$L/d/$f"
done
head -c 300000 /dev/urandom >"$L/d/big"

# server_tree: d on the server, with a directory where b goes.
server_tree() {
	rm -rf "${home:?}/d" "${home:?}/b"
	mkdir -p "$home/d/b/x"
	chown -R "$uid:$gid" "$home/d"
}

# check_rest DIR WHAT [SKIP...]: the files of d but b (and SKIP) in DIR.
check_rest() {
	local dir=$1 what=$2 f
	shift 2
	for f in a $CS big e sub/s; do
		case " $* " in *" $f "*) continue ;; esac
		expect_same_file "$dir/$f" "$L/d/$f" "$what: $f"
	done
	case " $* " in
	*" b "*) ;;
	*) [ -d "$dir/b/x" ] || fail "$what: the directory b was replaced" ;;
	esac
}

server_tree
run_client alice "$pw" <<<"put -r $L/d"
expect_rc 1 "put -r with a directory where d/b goes"
check_rest "$home/d" "put -r"
expect_match "$ERR" "^mftp: put: d/b: " "the refusal is said at once, naming d/b"
expect_contains "$ERR" "mftp: put: $L/d/b was not uploaded; the rest was" \
    "the failure names the file and says the rest went"
ok "put -r goes on past a file the server refuses, then fails"

# Also one by PUT, and a directory the server may not write in.
server_tree
mkdir -p "$home/d/big" "$home/d/sub"
chown "$uid:$gid" "$home/d/big" "$home/d/sub"
chmod 555 "$home/d/sub"
run_client alice "$pw" <<<"put -r $L/d"
chmod 755 "$home/d/sub"
expect_rc 1 "put -r with d/b and d/big directories, d/sub read-only"
check_rest "$home/d" "put -r, three refused" big sub/s
[ ! -e "$home/d/sub/s" ] || fail "d/sub/s was stored"
expect_match "$ERR" "^mftp: put: d/big: " "the refusal of the PUT, said"
expect_match "$ERR" "^mftp: put: d/sub/s: .*[Pp]ermission denied" \
    "the refusal in a read-only directory, said"
expect_contains "$ERR" \
    "mftp: put: 3 files or directories were not uploaded (the first: $L/d/b); the rest was" \
    "the failure counts them"
ok "put -r goes on past refusals of PUT and PUT_DATA alike"

# A file another session is uploading: LOCKED.
server_tree
raw_open alice "$pw"
raw_send "$(hex_put d/c05 1000 420 1700000000)"
raw_expect 0x87 "the other session's PUT of d/c05"
run_client alice "$pw" <<<"put -r $L/d"
raw_close
expect_rc 1 "put -r with d/c05 being uploaded by another session"
check_rest "$home/d" "put -r, c05 locked" c05
expect_match "$ERR" "^mftp: put: d/c05: .*another session is uploading" \
    "the LOCKED refusal, said"
expect_contains "$ERR" "2 files or directories were not uploaded" \
    "b and c05 counted"
ok "put -r goes on past a file another session is uploading"

# mput: the same, in the remote working directory.
rm -rf "${home:?}/m"
mkdir -p "$home/m/b/x"
chown -R "$uid:$gid" "$home/m"
run_client alice "$pw" <<<"cd m
mput $L/d/*"
expect_rc 1 "mput with a directory where b goes"
for f in a $CS big e; do
	expect_same_file "$home/m/$f" "$L/d/$f" "mput: $f"
done
expect_contains "$ERR" "mftp: mput: $L/d/b was not uploaded; the rest was" \
    "mput's failure names the file"
ok "mput goes on past a file the server refuses, then fails"

# A local file that cannot be read (the client without the capabilities
# that read any file, as in t_put_data) is left out the same way.
server_tree
rmdir "$home/d/b/x" "$home/d/b"
mkdir -p "$T/nocap"
printf '#!/bin/sh\nexec setpriv --inh-caps=-dac_override,-dac_read_search --bounding-set=-dac_override,-dac_read_search %q "$@"\n' \
    "$MFTP" >"$T/nocap/mftp"
chmod +x "$T/nocap/mftp"
chmod 000 "$L/d/c03"
MFTP=$T/nocap/mftp run_client alice "$pw" <<<"put -r $L/d"
chmod 644 "$L/d/c03"
expect_rc 1 "put -r with d/c03 unreadable here"
expect_same_file "$home/d/b" "$L/d/b" "d/b, no longer in the way"
check_rest "$home/d" "put -r, c03 unreadable" b c03
[ ! -e "$home/d/c03" ] || fail "d/c03 was stored"
expect_contains "$ERR" "$L/d/c03: Permission denied" "the local failure, said"
expect_contains "$ERR" "mftp: put: $L/d/c03 was not uploaded; the rest was" \
    "the failure names it"
ok "put -r goes on past a local file it cannot read"

# And past a local directory it cannot open: said, counted, left out with
# all below it (not made on the server); the rest still goes.  put -r
# stopped before it sent anything.
server_tree
rmdir "$home/d/b/x" "$home/d/b"
mkdir -p "$L/d/shut/deep"
printf 'deep\n' >"$L/d/shut/deep/f"
chmod 000 "$L/d/shut"
MFTP=$T/nocap/mftp run_client alice "$pw" <<<"put -r $L/d"
chmod 755 "$L/d/shut"
expect_rc 1 "put -r with d/shut unreadable here"
expect_same_file "$home/d/b" "$L/d/b" "d/b, sent past the unreadable directory"
check_rest "$home/d" "put -r, shut unreadable" b shut
[ ! -e "$home/d/shut" ] || fail "d/shut was made on the server"
expect_contains "$ERR" "$L/d/shut: Permission denied" "the local failure, said"
expect_contains "$ERR" "mftp: put: $L/d/shut was not uploaded; the rest was" \
    "the failure names it"
rm -rf "$L/d/shut"
ok "put -r goes on past a local directory it cannot open"

# A subdirectory the server refuses on its own (a file of its name in
# the way, MKDIR in a directory of mode 555) is said, counted, and left
# out with all below it; the other subdirectories still go.  put -r
# stopped at the first: nothing after it was made or sent.
mkdir -p "$L/t/a1" "$L/t/p/q" "$L/t/ro/deep/er" "$L/t/z9/y"
for f in top a1/f p/f p/q/f ro/deep/f ro/deep/er/f z9/f z9/y/f; do
	printf '%s\n' "$f" >"$L/t/$f"
done
rm -rf "${home:?}/t"
mkdir -p "$home/t/ro"
printf 'in the way\n' >"$home/t/p"
chown -R "$uid:$gid" "$home/t"
chmod 555 "$home/t/ro"
run_client alice "$pw" <<<"put -r $L/t"
chmod 755 "$home/t/ro"
expect_rc 1 "put -r with t/p a file and t/ro read-only on the server"
for f in top a1/f z9/f z9/y/f; do
	expect_same_file "$home/t/$f" "$L/t/$f" "put -r, refused subdirectories: $f"
done
expect_eq "$(cat "$home/t/p")" "in the way" "the file in the way, left as it was"
[ ! -e "$home/t/ro/deep" ] || fail "t/ro/deep was made"
expect_match "$ERR" "^mftp: put: t/p: .*not a directory" "the file in the way, said"
expect_match "$ERR" "^mftp: put: t/ro/deep: .*[Pp]ermission denied" \
    "the refusal in a read-only directory, said"
expect_not_contains "$ERR" "t/p/q" "what is below t/p, left out unsaid"
expect_not_contains "$ERR" "t/ro/deep/" "what is below t/ro/deep, left out unsaid"
expect_contains "$ERR" \
    "mftp: put: 2 files or directories were not uploaded (the first: " \
    "the failure counts them"
ok "put -r goes on past subdirectories the server refuses, then fails"

# MKDIR past the quota of files stops at once.
add_user carol "$pw" --quota-files 3
chome=$(user_home carol)
case $chome in
"$T"/*) ;;
*) fail "carol's home $chome is not under $T" ;;
esac
mkdir -p "$L/n/d1" "$L/n/d2" "$L/n/d3" "$L/n/d4" "$L/n/d5"
run_client carol "$pw" <<<"put -r $L/n"
expect_rc 1 "put -r past carol's quota of files"
expect_not_contains "$ERR" "was not uploaded" "no summary for the quota"
expect_eq "$(grep -c 'quota exceeded' <<<"$ERR")" 1 \
    "the quota's refusal said once (the command stops at it)"
expect_eq "$(find "$chome/n" -mindepth 1 -type d | wc -l)" 2 \
    "directories made within the quota"
ok "put -r still stops at the quota of files on MKDIR"

# The quota exceeded concerns every file: the command stops there.
mkdir -p "$L/q"
for i in 1 2 3 4 5 6; do
	head -c 300000 /dev/urandom >"$L/q/f$i"
done
run_client bob "$pw" <<<"put -r $L/q"
expect_rc 1 "put -r over bob's quota"
expect_not_contains "$ERR" "was not uploaded" "no summary for the quota"
expect_eq "$(grep -c 'quota exceeded' <<<"$ERR")" 1 \
    "refusals of the quota said (the command stops at the first)"
expect_eq "$(find "$bhome/q" -type f | wc -l)" 3 "files stored within the quota"
ok "put -r still stops at the quota"

# REMOTE a file: the command fails at once, naming it, before any file is
# tried (it said "Not a directory" of each, then "the rest was").
printf 'kept\n' >"$home/afile"
chown "$uid:$gid" "$home/afile"
run_client alice "$pw" <<<"put -r $L/d afile"
expect_rc 1 "put -r onto a remote file"
expect_eq "$ERR" "mftp: put: afile: exists on the server and is not a directory" \
    "what put -r onto a remote file says"
expect_eq "$(cat "$home/afile")" "kept" "the remote file"
ok "put -r onto a remote file fails at once, naming it"

# A read-only remote file is replaced as any other (mftp(1), PROTOCOL.md:
# the rename does it), and the new one has the local file's mode.
printf 'old\n' >"$home/ro"
chmod 0444 "$home/ro"
chown "$uid:$gid" "$home/ro"
printf 'new\n' >"$L/ro"
chmod 0640 "$L/ro"
run_client alice "$pw" <<<"put $L/ro ro"
expect_rc 0 "put over a read-only remote file ($ERR)"
expect_eq "$(cat "$home/ro")" "new" "the remote file, replaced"
expect_eq "$(stat -c %a "$home/ro")" 640 "its mode, the local file's"
ok "put replaces a read-only remote file, with the local mode"
