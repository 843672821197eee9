#!/usr/bin/env bash
# t_glob_hint: sftp's get, ls and rm expand patterns; mftp's do not, and
# a pattern given to them fails as a name that is not there.  The
# message says so: only mget and mput expand *, ? and [...], and those
# in the last name only.  A name with such a character that is there is
# still found as it is.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
mkdir -p "$home/tr/x"
echo one >"$home/a1"
echo star >"$home/a*"
echo big >"$home/tr/x/big"
chown -R "$uid:$gid" "$home"
L=$T/local
mkdir -p "$L"

for cmd in "rm b*" "ls b?" "get b[12]"; do
	run_client alice "$pw" <<<"lcd $L
$cmd"
	expect_rc 1 "$cmd"
	expect_contains "$ERR" "No such file or directory (only mget and mput expand *, ? and [...])" \
	    "what $cmd says"
done
run_client alice "$pw" <<<"lcd $L
mget t*/x/big"
expect_rc 1 "mget t*/x/big"
expect_contains "$ERR" "(patterns are expanded in the last name only)" \
    "what mget says of a pattern before the last name"
ok "a pattern where none is expanded fails, saying which commands expand them"

run_client alice "$pw" <<<"lcd $L
get 'a*'
ls 'a*'"
expect_rc 0 "get of the file named a* ($ERR)"
expect_same_file "$L/a*" "$home/a*" "the file named a*"
ok "a name holding * is found as it is"

check_log_clean
