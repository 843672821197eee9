#!/usr/bin/env bash
# t_fs_errors: the file-system requests say the error the file system
# gave, not another: RENAME onto a name that cannot be looked at (a
# component of 256 bytes, a directory without search permission) is that
# error, not "changed by another session"; PUT into a directory that is
# missing, not a directory or not searchable says so; MKDIR of a name that exists
# is EXISTS even with the quota full (as SYMLINK is), so that mkdir -p
# and put -r go on into directories that are there; HASH and GET of a
# socket left in the home are INVALID (not a regular file), as of a FIFO.
# LIST of a directory that can be read but not searched (made so by
# root: CHMOD keeps a directory's owner's r-x) is PERM, not an
# empty listing (mftp's get -r of it fails rather than fetching nothing
# and exiting 0).  After each step the accounting file equals a recount
# of the home.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 10M --quota-files 4
start_daemon
home=$(user_home alice)
quota_reset alice

exact() { expect_quota_exact alice "$1"; }

RAW_FEATURES=2
raw_open alice "$pw"
printf 'hello\n' >"$T/hello"
raw_put "$T/hello" a 1
expect_eq "$RAW_TYPE" 0x80 "PUT a"
raw_req "$(hex_mkdir d 493)" 0 "MKDIR d"
exact "set up"

# RENAME onto a name the file system refuses to look up.
long=$(printf 'm%.0s' {1..256})
raw_req "$(hex_rename a "$long")" 16 "RENAME onto a 256-byte name"
expect_contains "$RAW_TEXT" "File name too long" "the 256-byte name's text"
# (A directory keeps its owner's r-x through CHMOD: made so here, as
# an administrator could have.)
chmod 0 "$home/d"
raw_req "$(hex_rename a d/a)" 11 "RENAME into a directory without search permission"
expect_contains "$RAW_TEXT" "Permission denied" "the unsearchable directory's text"
chmod 755 "$home/d"
[[ -f $home/a && ! -e $home/d/a ]] || fail "a refused RENAME moved a"
exact "after the refused RENAMEs"
ok "RENAME onto a name that cannot be looked up says why"

# PUT into a directory that is not there, that is a file, or that cannot
# be searched: the error the file system gave, as RENAME says it; only a
# path that names no file (d/, ..) is "not a file name".
raw_req "$(hex_put nodir/x 6 420 1)" 10 "PUT into a missing directory"
expect_contains "$RAW_TEXT" "nodir/x: No such file or directory" \
    "PUT into a missing directory: the text"
raw_req "$(hex_put a/x 6 420 1)" 13 "PUT under a file"
expect_contains "$RAW_TEXT" "a/x: Not a directory" "PUT under a file: the text"
raw_req "$(hex_mkdir d/sub 493)" 0 "MKDIR d/sub"
chmod 0 "$home/d"
raw_req "$(hex_put d/sub/x 6 420 1)" 11 \
    "PUT below a directory without search permission"
expect_contains "$RAW_TEXT" "d/sub/x: Permission denied" \
    "PUT below an unsearchable directory: the text"
chmod 755 "$home/d"
raw_req "$(hex_path_req 17 d/sub)" 0 "RMDIR d/sub"
raw_req "$(hex_put d/ 6 420 1)" 16 "PUT of d/"
expect_contains "$RAW_TEXT" "d/: not a file name" "PUT of d/: the text"
raw_req "$(hex_put d/.. 6 420 1)" 16 "PUT of d/.."
expect_contains "$RAW_TEXT" "d/..: not a file name" "PUT of d/..: the text"
[ -z "$(find "$home" -name '*x*')" ] || fail "a refused PUT left a file"
exact "after the refused PUTs"
raw_close
# mftp says it once, with the path made printable as the server's text
# has it: not "put: a/x?y: a/x?y: Not a directory".
run_client alice "$pw" <<<"put $T/hello \$'a/x\\ny'"
expect_eq "$ERR" "mftp: put: a/x?y: Not a directory" "mftp put under a file, a control character in the name"
raw_open alice "$pw"
ok "PUT into a missing, unsearchable or non-directory says why"

# MKDIR of a name that exists, with the file quota full: EXISTS, as
# SYMLINK says it, not "quota exceeded" (mftp's put -r and mkdir -p take
# EXISTS as "there already").
raw_req "$(hex_mkdir e 493)" 0 "MKDIR e"
raw_req "$(hex_mkdir f 493)" 0 "MKDIR f (the 4th of 4 files)"
raw_req "$(hex_mkdir g 493)" 18 "MKDIR past the file limit"
raw_req "$(hex_mkdir d 493)" 12 "MKDIR of an existing directory, the quota full"
raw_req "$(hex_mkdir a 493)" 12 "MKDIR of an existing file, the quota full"
raw_req "$(hex_mkdir d/ 493)" 12 "MKDIR d/, the quota full"
raw_req "$(hex_symlink x d)" 12 "SYMLINK onto an existing name, the quota full"
exact "after MKDIR of existing names"
raw_close

# What mftp does with it: put -r of a directory that is there.
mkdir -p "$T/up/d"
run_client alice "$pw" <<<"put -r $T/up/d"
expect_rc 0 "mftp put -r of an existing directory, the quota full"
exact "after mftp put -r"
ok "MKDIR of an existing name is EXISTS, the quota full or not"

# A socket someone left in the home: not a regular file, like a FIFO.
add_user bob "$pw" --quota-bytes 10M
bhome=$(user_home bob)
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
    "$bhome/sock"
mkfifo "$bhome/fifo"
chown -h "$(user_uid bob):$(user_gid bob)" "$bhome/sock" "$bhome/fifo"
quota_reset bob
raw_open bob "$pw"
for f in sock fifo; do
	raw_req "$(hex_path_req 15 $f)" 16 "HASH of a $f"
	expect_contains "$RAW_TEXT" "not a regular file" "HASH of a $f: the text"
	raw_req "$(hex_hash_alg $f 1)" 16 "HASH_ALG of a $f"
	raw_req "$(hex_get $f 0)" 16 "GET of a $f"
	expect_contains "$RAW_TEXT" "not a regular file" "GET of a $f: the text"
done
mkdir "$bhome/dir"
chown "$(user_uid bob):$(user_gid bob)" "$bhome/dir"
raw_req "$(hex_path_req 15 dir)" 14 "HASH of a directory"
expect_contains "$RAW_TEXT" "dir: is a directory" "HASH of a directory: the text"
raw_req "$(hex_get dir 0)" 14 "GET of a directory"
expect_contains "$RAW_TEXT" "dir: is a directory" "GET of a directory: the text"
raw_close
run_client bob "$pw" <<<"hash dir"
expect_rc 1 "mftp hash of a directory"
expect_eq "$ERR" "mftp: hash: dir: is a directory" "what mftp hash says of it"
ok "HASH and GET of a socket or a FIFO: not a regular file; of a directory: is a directory"

# A directory that can be read but not searched: its names are there but
# none can be looked at.  LIST says so, rather than listing it empty.
add_user carol "$pw" --quota-bytes 10M
printf 'x\n' >"$T/x"
run_client carol "$pw" <<EOF
mkdir d
put $T/x d/one
put $T/x d/two
EOF
expect_rc 0 "carol: a directory of two files"
# Mode 0644 as an administrator could set it (CHMOD keeps a directory's
# owner's r-x).
chome=$(user_home carol)
[[ -n $chome && $chome == "$T"/* ]] || fail "carol's home $chome is not in $T"
chmod 644 "$chome/d"
raw_open carol "$pw"
raw_req "$(hex_path_req 12 d)" 11 "LIST of a directory without search permission"
expect_contains "$RAW_TEXT" "d: Permission denied" \
    "LIST of an unsearchable directory: the text"
raw_close
mkdir "$T/dl"
run_client carol "$pw" <<EOF
lcd $T/dl
get -r d
EOF
expect_ne "$RC" 0 "mftp get -r of an unsearchable directory: the exit status"
expect_contains "$ERR" "Permission denied" \
    "mftp get -r of an unsearchable directory: the message"
ok "LIST of a directory without search permission is PERM, not empty"
