#!/usr/bin/env bash
# t_tree: put -r and get -r of a tree with nested and empty directories
# and odd names (spaces, quotes, unicode, leading dashes, shell
# characters) give back the same tree, empty directories included; local
# symbolic links are skipped with a note, not followed; an existing
# directory named as the destination receives the tree inside it, while
# without a destination a second copy merges into the first; a thousand
# small files go through the pipelined get -r; mget and mput with globs.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

CLIENT_TIMEOUT=300
W=$T/work

pw=$(rand_pw)
add_user alice "$pw"
home=$(user_home alice)
start_daemon

# A tree with everything awkward in it.
src=$W/tree
mkdir -p "$src/a/b/c" "$src/empty" "$src/a/empty too" "$src/-dash dir" \
    "$src/ünïcødé/日本" "$src/deep/1/2/3/4/5/6/7/8"
printf 'one\n' >"$src/a/one.txt"
printf 'spaces\n' >"$src/a/b/with  two spaces"
head -c 100000 /dev/urandom >"$src/a/b/c/random.bin"
: >"$src/a/b/c/empty file"
printf 'dash\n' >"$src/-dash dir/-x"
printf 'dash\n' >"$src/--double"
printf 'quote\n' >"$src/it's \"quoted\""
printf 'shell\n' >"$src/\$HOME & *?[x]; (y) {z}"
printf 'uni\n' >"$src/ünïcødé/日本/ファイル.txt"
printf 'deep\n' >"$src/deep/1/2/3/4/5/6/7/8/leaf"
chmod 0750 "$src/a/b"
ln -s /etc/passwd "$src/a/link-to-file"
ln -s ../empty "$src/a/link-to-dir"

# listing DIR: every path below it with its type, links left out, sorted.
listing() {
	(cd "$1" && find . ! -type l -printf '%y %p\n' | LC_ALL=C sort)
}

# same_tree A B WHAT: the same entries and the same contents.
same_tree() {
	expect_eq "$(listing "$2")" "$(listing "$1")" "$3: the entries"
	diff -r --no-dereference "$1" "$2" >"$T/diff.out" 2>&1 ||
		if grep -v '^Only in .*: link-to-' "$T/diff.out" | grep -q .; then
			cat "$T/diff.out" >&2
			fail "$3: the contents differ"
		fi
}

run_client alice "$pw" <<<"put -r $src"
expect_rc 0 "put -r of the tree"
expect_match "$ERR" "skipping .*link-to-file.*symbolic link" \
    "the note for a link to a file"
expect_match "$ERR" "skipping .*link-to-dir.*symbolic link" \
    "the note for a link to a directory"
same_tree "$src" "$home/tree" "the uploaded tree"
{ [ ! -e "$home/tree/a/link-to-file" ] &&
	[ ! -e "$home/tree/a/link-to-dir" ]; } ||
	fail "a symbolic link was uploaded"
ok "put -r: the whole tree, empty directories and odd names; links skipped"

run_client alice "$pw" <<<"get -r tree $W/back"
expect_rc 0 "get -r of the tree"
same_tree "$src" "$W/back" "the downloaded tree"
same_tree "$home/tree" "$W/back" "the downloaded tree against the server's"
find "$W/back" -name '*.part' | grep -q . && fail "a .part file is left"
ok "get -r: the same tree back"

# An existing directory as the destination gets the tree inside it.
mkdir "$W/into"
run_client alice "$pw" <<EOF
get -r tree/a $W/into
mkdir dest
put -r $src/ünïcødé dest
EOF
expect_rc 0 "get -r and put -r into existing directories"
same_tree "$src/a" "$W/into/a" "get -r into an existing directory"
same_tree "$src/ünïcødé" "$home/dest/ünïcødé" "put -r into an existing directory"
ok "an existing directory receives the tree inside it"

# Without a destination the tree keeps its name, and a second get -r
# (put -r) merges into the copy already there.
mkdir "$W/twice"
printf '%s\n' 'get -r tree' 'get -r tree' 'mkdir copy' 'cd copy' \
    'put -r tree' 'put -r tree' |
	(cd "$W/twice" && client alice "$pw") >"$T/twice.out" 2>&1 ||
	fail "get -r and put -r twice: $(cat "$T/twice.out")"
same_tree "$src" "$W/twice/tree" "the tree fetched twice"
[ ! -e "$W/twice/tree/tree" ] || fail "the second get -r nested the tree"
same_tree "$src" "$home/copy/tree" "the tree sent twice"
[ ! -e "$home/copy/tree/tree" ] || fail "the second put -r nested the tree"
ok "without a destination, a second get -r or put -r merges"

# get -r of a file and put -r of a file are refused plainly.
run_client alice "$pw" <<<"get -r tree/a/one.txt $W/x"
expect_rc 1 "get -r of a file"
expect_match "$ERR" '^mftp: get: .*not a directory' "the reason"
run_client alice "$pw" <<<"put -r $src/a/one.txt x"
expect_rc 1 "put -r of a file"
expect_match "$ERR" '^mftp: put: .*not a directory' "the reason"
ok "get -r and put -r of a plain file fail plainly"

# A thousand small files: the pipelined downloads.
mkdir -p "$W/many"
for ((d = 0; d < 10; d++)); do
	mkdir "$W/many/d$d"
	for ((f = 0; f < 100; f++)); do
		printf 'file %d %d\n' "$d" "$f" >"$W/many/d$d/f$f"
	done
done
run_client alice "$pw" <<<"put -r $W/many"
expect_rc 0 "put -r of 1000 small files"
run_client alice "$pw" <<<"get -r many $W/many.back"
expect_rc 0 "get -r of 1000 small files"
same_tree "$W/many" "$W/many.back" "1000 small files"
ok "1000 small files round trip"

# mput and mget with globs.
mkdir -p "$W/g" "$W/g/sub" "$W/mg"
for n in a.txt b.txt c.log .hidden.txt 'sp ace.txt'; do
	printf '%s\n' "$n" >"$W/g/$n"
done
printf 'sub\n' >"$W/g/sub/s.txt"
ln -s a.txt "$W/g/link.txt"
run_client alice "$pw" <<EOF
mkdir globs
cd globs
lcd $W/g
mput *.txt
ls
EOF
expect_rc 0 "mput *.txt"
# shellcheck disable=SC2012 # the names are known and plain
expect_eq "$(ls -A "$home/globs" | LC_ALL=C sort | tr '\n' ' ')" \
    "a.txt b.txt sp ace.txt " "the files mput *.txt uploaded"
expect_match "$ERR" "skipping link\.txt: symbolic link" "the note for a link"
expect_contains "$OUT" "'sp ace.txt'" "ls quotes a name with a space"
run_client alice "$pw" <<EOF
cd globs
lcd $W/g
mput -r c.* s?b
EOF
expect_rc 0 "mput -r c.* s?b"
expect_same_file "$home/globs/c.log" "$W/g/c.log" "mput c.*"
expect_same_file "$home/globs/sub/s.txt" "$W/g/sub/s.txt" "mput -r s?b"

run_client alice "$pw" <<EOF
lcd $W/mg
mget globs/*.txt globs/[c]*
EOF
expect_rc 0 "mget with globs"
# shellcheck disable=SC2012 # the names are known and plain
expect_eq "$(ls -A "$W/mg" | LC_ALL=C sort | tr '\n' ' ')" \
    "a.txt b.txt c.log sp ace.txt " "the files mget fetched"
for n in a.txt b.txt c.log 'sp ace.txt'; do
	expect_same_file "$W/mg/$n" "$W/g/$n" "mget of $n"
done
ok "mput and mget with globs"

run_client alice "$pw" <<EOF
lcd $W/mg
mget globs/s*
EOF
expect_rc 0 "mget of a directory without -r"
expect_match "$ERR" "skipping directory globs/sub \(use mget -r\)" \
    "the note for a directory"
[ ! -e "$W/mg/sub" ] || fail "mget without -r fetched a directory"
run_client alice "$pw" <<EOF
lcd $W/mg
mget -r globs/s*
EOF
expect_rc 0 "mget -r of a directory"
expect_same_file "$W/mg/sub/s.txt" "$W/g/sub/s.txt" "mget -r"

run_client alice "$pw" <<<"mget globs/*.nothing"
expect_rc 1 "mget without a match"
expect_match "$ERR" '^mftp: mget: globs/\*\.nothing: no match$' "the reason"
run_client alice "$pw" <<<"mput $W/g/*.nothing"
expect_rc 1 "mput without a match"
expect_match "$ERR" '^mftp: mput: .*\*\.nothing: no match$' "the reason"
ok "globs without a match fail plainly"

daemon_alive || fail "mftpd died"
check_log_clean
