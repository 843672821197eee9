#!/usr/bin/env bash
# t_dirs: mkdir, cd, pwd, ls, ls -l, cd .., cd into a missing directory
# (exit 1, the rest not run), and the local lcd, lls, lpwd.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

W=$T/work
pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
home=$(user_home alice)
start_daemon

# A name that stands alone on its line or among spaces, maybe with a '/'.
word() {
	printf '(^|[[:space:]])%s/?([[:space:]]|$)' "$1"
}

run_client alice "$pw" <<'EOF'
mkdir d1
cd d1
pwd
EOF
expect_rc 0 "mkdir, cd, pwd"
expect_match "$(printf '%s\n' "$OUT" | tail -n 1)" '(^|[[:space:]"])/d1"?$' \
    "pwd after cd d1"
[ -d "$home/d1" ] || fail "d1 was not made in the home"
expect_eq "$(stat -c %u "$home/d1")" "$uid" "owner of d1"
ok "mkdir d1; cd d1; pwd says /d1"

head -c 1234 /dev/zero >"$W/f1234"
run_client alice "$pw" <<EOF
cd d1
mkdir sub
put $W/f1234 file1234
ls
EOF
expect_rc 0 "mkdir, put and ls in d1"
expect_match "$OUT" "$(word sub)" "ls lists sub"
expect_match "$OUT" "$(word file1234)" "ls lists file1234"
[ -d "$home/d1/sub" ] || fail "d1/sub was not made"
ok "ls lists a directory and a file"

run_client alice "$pw" <<<'ls -l d1'
expect_rc 0 "ls -l d1"
expect_match "$OUT" '(^|[[:space:]])d[r-][w-][x-].*sub/?$' "ls -l line of sub"
expect_match "$OUT" \
    '(^|[[:space:]])-[r-][w-][x-].*[[:space:]]1234[[:space:]].*file1234$' \
    "ls -l line of file1234 (mode, size 1234)"
ok "ls -l shows kind, mode and size"

run_client alice "$pw" <<'EOF'
cd d1/sub
cd ..
pwd
cd ..
pwd
ls
EOF
expect_rc 0 "cd .."
paths=$(printf '%s\n' "$OUT" | grep -E '/(d1)?"?$')
expect_match "$(printf '%s\n' "$paths" | sed -n 1p)" '/d1"?$' \
    "pwd after cd .. from d1/sub"
expect_match "$(printf '%s\n' "$paths" | sed -n 2p)" '(^|[[:space:]"])/"?$' \
    "pwd after cd .. from d1"
expect_match "$OUT" "$(word d1)" "ls at / after cd .."
ok "cd .. goes up one level"

run_client alice "$pw" <<'EOF'
cd no-such-dir
mkdir after-cd
EOF
expect_rc 1 "cd into a missing directory"
expect_match "$ERR" '^mftp: cd: ' "the reason of the failed cd"
[ ! -e "$home/after-cd" ] || fail "a command after the failed cd was run"
run_client alice "$pw" <<<'cd d1/file1234'
expect_rc 1 "cd into a file"
run_client alice "$pw" <<<'mkdir d1'
expect_rc 1 "mkdir of an existing directory"
run_client alice "$pw" <<<'mkdir no/such/parent'
expect_rc 1 "mkdir under a missing parent"
ok "cd into a missing directory or a file, and bad mkdirs, fail"

mkdir -p "$W/l1"
echo hello >"$W/l1/localfile"
run_client alice "$pw" <<EOF
lcd $W/l1
lpwd
lls
get d1/file1234 fetched
EOF
expect_rc 0 "lcd, lpwd, lls, get"
expect_match "$OUT" "(^|[[:space:]])$W/l1/?\$" "lpwd after lcd"
expect_match "$OUT" "$(word localfile)" "lls lists the local directory"
expect_same_file "$W/l1/fetched" "$W/f1234" "get after lcd lands there"
run_client alice "$pw" <<<"lcd $W/no-such-dir"
expect_rc 1 "lcd into a missing directory"
# An empty name is a name that names nothing, not a missing HOME.
run_client alice "$pw" <<<"lcd ''"
expect_rc 1 "lcd ''"
expect_eq "$ERR" "mftp: lcd: : No such file or directory" "lcd '': the error"
ok "lcd, lpwd, lls"

# A CWD into a directory whose path is longer than a path may be: refused,
# and the session stays where it was (pwd still answers, with it).
long=$(printf 'd%.0s' $(seq 200))
{
	for _ in $(seq 20); do
		printf 'mkdir %s\ncd %s\n' "$long" "$long"
	done
	printf 'mkdir %s\n-cd %s\npwd\n' "$long" "$long"
} >"$T/deep.cmds"
run_client alice "$pw" -b "$T/deep.cmds" </dev/null
expect_rc 0 "pwd after a cd too deep ($ERR)"
expect_contains "$ERR" "cd: " "the refused cd"
want=$(for _ in $(seq 20); do printf '/%s' "$long"; done)
expect_eq "$(tail -n 1 <<<"$OUT" | tr -d '"')" "$want" \
    "the directory after a refused cd"
ok "a cd whose path would be too long is refused and moves nothing"

daemon_alive || fail "mftpd died"
check_log_clean
