#!/usr/bin/env bash
# t_names: odd names (spaces, quotes, unicode, a newline, a leading dash,
# shell characters) through put, ls, stat, hash, mv and rm, written with
# every quoting form of a batch file; ls quotes them so that its output
# can be typed back; "--" ends options.  A bad quote is a clear error
# that stops the run.  Each kind of failure (not found, permission,
# exists, not empty, is a directory, usage, unknown option, quota) ends a
# batch with exit 1 and one line; a wrong password is exit 4.  !cmd runs
# a local command.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

W=$T/work
pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)
start_daemon

nl=$'\n'
mkdir "$W/n"
# shellcheck disable=SC2016 # a file named $HOME
for n in -dash 'sp ace' "it's" ünï "new${nl}line" '$HOME'; do
	printf 'content of %s\n' "$n" >"$W/n/$n"
done

one_line() { # TEXT WHAT
	expect_eq "$(printf '%s\n' "$1" | grep -c .)" 1 "$2: lines on stderr"
}

# batch FILE: the commands of stdin, after "lcd $W/n", into FILE.
batch() {
	{
		printf 'lcd %s\n' "$W/n"
		cat
	} >"$1"
}

# ------------------------------------------- every quoting form, uploads
batch "$W/b1" <<'EOF'
# comments and blank lines are skipped

put -- -dash
put 'sp ace'
put "it's"
put it\'s its2
put ünï
put $'new\nline'
put '$HOME'
put "sp ace" "dq \"x\" \\ y"
put sp\ ace bs\ name
put -- -dash "--double"
ls
EOF
run_client alice "$pw" -b "$W/b1" </dev/null
expect_rc 0 "uploads of odd names"
# shellcheck disable=SC2016 # a file named $HOME
for n in -dash 'sp ace' "it's" its2 ünï "new${nl}line" '$HOME' \
    'dq "x" \ y' 'bs name' --double; do
	[ -f "$home/$n" ] || fail "no remote file named '$n'"
done
expect_same_file "$home/new${nl}line" "$W/n/new${nl}line" "the file with a newline"
expect_same_file "$home/dq \"x\" \\ y" "$W/n/sp ace" "the double-quoted name"
ok "single, double, \$'' quotes and backslashes name the files"

# ls quotes what needs it and only that.
for l in -dash --double "'sp ace'" "'it'\\''s'" its2 ünï "\$'new\\nline'" \
    "'\$HOME'" "'dq \"x\" \\ y'" "'bs name'"; do
	grep -qxF -- "$l" <<<"$OUT" ||
		fail "ls: no line '$l' in: $OUT"
done
expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 10 "ls: lines"
ok "ls quotes names shell-style where needed"

# --------------------------------- stat, hash, mv, rm with the same names
run_client alice "$pw" <<'EOF'
stat -- -dash
hash -- -dash 'sp ace' $'new\nline'
EOF
expect_rc 0 "stat and hash of odd names"
expect_match "$OUT" '^-dash$' "stat names the file"
expect_match "$OUT" '^  type: file$' "stat's type"
expect_match "$OUT" "^  size: $(stat -c %s "$W/n/-dash")$" "stat's size"
expect_match "$OUT" '^  mode: 0[0-7]{3} \(-[rwx-]{9}\)$' "stat's mode"
expect_match "$OUT" '^  modified: [0-9]{4}-[0-9]{2}-[0-9]{2} ' "stat's time"
expect_match "$OUT" "^$(xxhsum -H2 <"$W/n/-dash" | cut -d' ' -f1)  -dash\$" \
    "hash of -dash"
expect_match "$OUT" "^$(xxhsum -H2 <"$W/n/sp ace" | cut -d' ' -f1)  sp ace\$" \
    "hash of 'sp ace'"
expect_match "$OUT" "^\\\\$(xxhsum -H2 <"$W/n/new${nl}line" | cut -d' ' -f1)  new\\\\nline\$" \
    "hash of the name with a newline (escaped as sha256sum escapes it)"

run_client alice "$pw" <<'EOF'
mv -- -dash -renamed
mv 'sp ace' "new name"
mv ünï 'ü n ï'
rm -- -renamed --double
rm $'new\nline' '$HOME'
EOF
expect_rc 0 "mv and rm of odd names"
[ -f "$home/-renamed" ] && fail "rm -- -renamed left it"
[ -e "$home/--double" ] && fail "rm -- --double left it"
[ -f "$home/new name" ] || fail "mv to 'new name'"
[ -f "$home/ü n ï" ] || fail "mv to 'ü n ï'"
[ -e "$home/new${nl}line" ] && fail "rm of the name with a newline"
[ -e "$home/\$HOME" ] && fail "rm of '\$HOME'"
ok "stat, hash, mv and rm take odd names; -- ends options"

# An option-looking name without -- is refused, and nothing is removed.
run_client alice "$pw" <<<"rm -renamed-not"
expect_rc 1 "rm -name without --"
expect_match "$ERR" "^mftp: rm: unknown option '-e'.*--" "the reason"
run_client alice "$pw" <<<"put -- $W/n/-dash -x"
expect_rc 0 "put to a remote name with a dash"
run_client alice "$pw" <<<"rm -x"
expect_rc 1 "rm -x without --"
[ -f "$home/-x" ] || fail "rm -x without -- removed the file"
ok "a name starting with '-' needs --"

# ---------------------------------------------------- bad quoting stops
# shellcheck disable=SC1003 # a line that ends with a backslash
for line in "mkdir 'unterminated" 'mkdir "unterminated' 'mkdir trailing\' \
    "mkdir \$'nul\\x00'" "mkdir \$'open"; do
	run_client alice "$pw" <<EOF
$line
mkdir after-bad-quote
EOF
	expect_rc 1 "a bad line: $line"
	expect_match "$ERR" '^mftp: (unterminated|backslash|a NUL)' "the reason for: $line"
	one_line "$ERR" "a bad line: $line"
	[ ! -e "$home/after-bad-quote" ] || fail "a command after a bad line ran"
	{ [ ! -e "$home/unterminated" ] && [ ! -e "$home/trailing" ]; } ||
		fail "a badly quoted command ran"
done
ok "an unterminated quote or a trailing backslash stops the batch, exit 1"

# ------------------------------------------- every kind of failure: exit 1
mkdir -p "$home/full/sub" "$home/ro"
printf 'x\n' >"$home/ro/f"
chown -R "$uid:$gid" "$home/full" "$home/ro"
chmod 0555 "$home/ro"

# fails CMD PATTERN: one batch line that must fail with exit 1, one
# line "mftp: NAME: ..." matching PATTERN, and stop the run.
fails() {
	run_client alice "$pw" <<EOF
$1
mkdir after-failure
EOF
	expect_rc 1 "$1"
	expect_match "$ERR" "^mftp: ${1%% *}: .*$2" "the reason for: $1"
	one_line "$ERR" "$1"
	[ ! -e "$home/after-failure" ] || fail "a command after '$1' ran"
}
fails "get no-such $W/x" 'no-such'
fails "rm no-such" 'no-such'
fails "stat no-such" 'no-such'
fails "hash no-such" 'no-such'
fails "cd no-such" 'no-such'
fails "mv no-such x" 'no-such'
fails "rmdir no-such" 'no-such'
fails "put $W/no-such x" 'no-such'
fails "rm ro/f" '[Pp]ermission'
fails "put $W/n/ünï ro/new" '[Pp]ermission'
fails "mkdir ro/d" '[Pp]ermission'
fails "mkdir full" '[Ee]xists'
fails "rmdir full" '[Nn]ot empty'
fails "rm full" '[Dd]irectory'
fails "get full $W/x" 'is a directory \(use get -r\)'
fails "mv only-one" 'usage: mv OLD NEW'
fails "ls -z" "unknown option '-z'"
fails "frobnicate" 'unknown command'
{ [ ! -e "$W/x" ] && [ ! -e "$W/x.part" ]; } || fail "a failed get left a file"
ok "not found, permission, exists, not empty, directory, usage: exit 1, one line"

# A put over the user's byte quota.
pw2=$(rand_pw)
add_user bob "$pw2" --quota-bytes 64K
head -c 100000 /dev/urandom >"$W/100k"
run_client bob "$pw2" <<<"put $W/100k"
expect_rc 1 "a put over the quota"
expect_match "$ERR" '^mftp: put: .*quota' "the reason for the quota"
one_line "$ERR" "a put over the quota"
[ ! -e "$(user_home bob)/100k" ] || fail "the put over the quota was stored"
ok "a put over the quota: exit 1 with the server's message"

run_client alice "wrong-$pw" <<<"pwd"
expect_rc 4 "a wrong password"
ok "a wrong password: exit 4"

# ------------------------------------------------------------------ !cmd
run_client alice "$pw" <<EOF
!echo "ran locally" > $W/bang.out
!cat
mkdir after-bang
!
EOF
expect_rc 0 "!cmd"
expect_eq "$(cat "$W/bang.out")" "ran locally" "what !echo wrote"
[ -d "$home/after-bang" ] || fail "!cat ate the commands after it"
run_client alice "$pw" <<EOF
!exit 3
mkdir after-false
EOF
expect_rc 1 "a local command that fails"
expect_match "$ERR" '^mftp: !: .*status 3' "the reason"
[ ! -e "$home/after-false" ] || fail "a command after a failed !cmd ran"
ok "!cmd runs a local command; its failure stops a batch"

daemon_alive || fail "mftpd died"
check_log_clean
