#!/usr/bin/env bash
# t_home_refused: a home that cannot be served, and what the
# administrator is told about it.  A home is never reached through a
# symbolic link (the serving process's root is opened with O_NOFOLLOW):
# one replaced by a link to a directory of the user's is refused at
# login, by ftpuser-quota --recount and by ftpuser-del --remove-home,
# and each says it is a symbolic link; a bare "Not a directory", or
# "missing or not owned", left the administrator to guess.  A home of
# another owner, and a missing one, are told apart in the log the same
# way.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
home=$(user_home alice)
case $home in
"$T"/*) ;;
*) fail "alice's home $home is not under $T" ;;
esac
start_daemon

# ------------------------------------------- a home that is a symlink
mv "$home" "$T/real-home" || fail "mv"
ln -s "$T/real-home" "$home" || fail "ln -s"
run_client alice "$pw" <<<"pwd"
expect_rc 4 "a login into a home that is a symbolic link"
expect_contains "$ERR" "your home directory is not available" \
    "the user is told the home is not available"
wait_for 5 grep -qF -- "home $home of alice is a symbolic link" "$DAEMON_LOG" ||
	fail "the log does not say the home is a symbolic link: $(grep 'home ' "$DAEMON_LOG")"
tool "$top_builddir/ftpuser-quota" --recount alice
expect_eq "$RC" 1 "ftpuser-quota --recount of a home that is a link"
expect_contains "$ERR" "$home is a symbolic link, which a home may not be" \
    "ftpuser-quota says the home is a symbolic link"
tool "$top_builddir/ftpuser-del" --remove-home alice
expect_eq "$RC" 1 "ftpuser-del --remove-home of a home that is a link"
expect_contains "$ERR" "$home is a symbolic link, which a home may not be" \
    "ftpuser-del says the home is a symbolic link"
[ -d "$T/real-home" ] || fail "the link's target was removed"
ok "a home that is a symbolic link is refused, and said to be one"

# ------------------------------------------ another owner, or missing
rm "$home" || fail "rm of the link"
mv "$T/real-home" "$home" || fail "putting the home back"
chown 0:0 "$home" || fail "chown"
run_client alice "$pw" <<<"pwd"
expect_rc 4 "a login into a home owned by root"
owned="home $home of alice is owned by uid 0, not by the user's uid"
wait_for 5 grep -qF -- "$owned $(user_uid alice)" "$DAEMON_LOG" ||
	fail "the log does not say who owns the home: $(grep 'home ' "$DAEMON_LOG")"
mv "$home" "$T/gone" || fail "mv"
run_client alice "$pw" <<<"pwd"
expect_rc 4 "a login into a missing home"
wait_for 5 grep -qF -- "home $home of alice: No such file or directory" "$DAEMON_LOG" ||
	fail "the log does not say the home is missing: $(grep 'home ' "$DAEMON_LOG")"
ok "a home of another owner, and a missing one, are told apart in the log"
check_log_clean
