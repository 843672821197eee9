#!/usr/bin/env bash
# t_recount_all: ftpuser-quota --recount --all reads the users file a
# bounded number of times, not once a user.  Each recount opens the
# accounting file under the users file's lock, and only while the user
# is still the one whose home it counted (t_recount_reuse); it used to
# read and parse the whole users file again for that, once a user, so
# that --all took time in the square of the users: 20000 users of empty
# homes took four and a half minutes, and the 100000 the database holds
# at most would take hours of the run ftpuser(8) asks for after an
# upgrade.  strace counts the opens of the users file during a --all of
# 30 users: 31 before, now it is read again only when it changed.  A
# user changed during the run is still seen (t_recount_reuse), and the
# counts are right.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_quota.sh
. "$(dirname "$0")/lib_quota.sh"

command -v strace >/dev/null ||
	fail "strace is needed (scripts/deps.sh installs it)"
N=30
for ((i = 1; i <= N; i++)); do
	add_user "u$i" "$(rand_pw)"
done
home=$(user_home u7)
case $home in
"$T"/home/?*) ;;
*) fail "u7's home $home is not under $T/home" ;;
esac
head -c 5000 /dev/urandom >"$home/f"
chown "$(user_uid u7):$(user_gid u7)" "$home/f"

RC=0
strace -qq -f -o "$T/trace" -e trace=openat -P "$USERS" \
    "$top_builddir/ftpuser-quota" -c "$CONF" --recount --all \
    >"$T/tool.out" 2>"$T/tool.err" || RC=$?
expect_eq "$RC" 0 "ftpuser-quota --recount --all ($(cat "$T/tool.err"))"
expect_eq "$(grep -c . "$T/tool.out")" "$N" "the lines of the recount"
expect_contains "$(cat "$T/tool.out")" \
    "u7: 4.9 KiB (5000 bytes) in 1 files; was 0 B (0 bytes) in 0 files" \
    "the recount of u7"
expect_eq "$(acct u7)" "5000 1" "u7's accounting file"
opens=$(grep -c 'openat(' "$T/trace")
((opens <= 3)) ||
	fail "the recount of $N users opened $USERS $opens times"
ok "a recount of every user reads the users file $opens times, not once a user"
