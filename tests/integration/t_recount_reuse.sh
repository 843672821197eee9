#!/usr/bin/env bash
# t_recount_reuse: a recount that runs while its user is removed and the
# name given to a new user (with another home) writes nothing into the
# new user's accounting file.  The recount read the users file at its
# start; strace holds back its first open of quota_dir (on the way to
# quota_dir/bob) for 3 s, and meanwhile ftpuser-del bob and ftpuser-add
# bob --home another run.  Before, the recount then opened the new bob's file and wrote the
# old home's count into it: the new user started owing what he never
# stored.  Now the file is opened under the users file's lock, and only
# while the user is still the one whose home was counted: the recount of
# bob says he changed and is not done, and the new file stays at zero.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_quota.sh
. "$(dirname "$0")/lib_quota.sh"

command -v strace >/dev/null ||
	fail "strace is needed (scripts/deps.sh installs it)"
add_user bob "$(rand_pw)"
home=$(user_home bob)
head -c 5000 /dev/urandom >"$home/old"
chown "$(user_uid bob):$(user_gid bob)" "$home/old"
"$top_builddir/ftpuser-quota" -c "$CONF" --recount bob >/dev/null ||
	fail "the first recount"
expect_eq "$(acct bob)" "5000 1" "bob's accounting file"

strace -qq -f -o /dev/null -P "$T/quota" \
    -e inject=openat:delay_enter=3000000:when=1 \
    "$top_builddir/ftpuser-quota" -c "$CONF" --recount bob \
    >"$T/held.out" 2>"$T/held.err" &
held=$!
BG_PIDS+=("$held")
sleep 1
tool "$top_builddir/ftpuser-del" bob
expect_eq "$RC" 0 "ftpuser-del bob ($ERR)"
add_user bob "$(rand_pw)" --home "$T/home/bob2"
RC=0
wait_pid "$held" 20 || RC=$?
expect_eq "$(acct bob)" "0 0" \
    "the new bob's accounting file after the old bob's recount"
expect_eq "$RC" 1 "the held recount ($(cat "$T/held.err"))"
expect_contains "$(cat "$T/held.err")" "changed in the users file" \
    "what the held recount says"
ok "a recount of a user removed and re-added meanwhile leaves the new user's file alone"

"$top_builddir/ftpuser-quota" -c "$CONF" --recount bob >/dev/null ||
	fail "a recount of the new bob"
expect_eq "$(acct bob)" "0 0" "the new bob's accounting file"
ok "the new bob recounts as his own home"
