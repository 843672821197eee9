#!/usr/bin/env bash
# t_users_link: users_file may be a symbolic link (each node's link to
# the one file on shared storage, as mftpd.conf(5) and ftpuser(8) have
# it): the tools change the file it leads to, and the daemon lets its
# users in.  mftpd-auth opened it with O_NOFOLLOW and refused every
# login ("must be a regular file owned by root"), while the tools
# followed the link.  The checks are on the file reached: one that others
# may write is refused all the same.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FTPUSER_MOD=$top_builddir/ftpuser-mod
[ -x "$FTPUSER_MOD" ] || fail "$FTPUSER_MOD is not built"

pw=$(rand_pw)
mkdir -p "$T/shared"
chmod 0755 "$T/shared"
: >"$T/shared/users"
chmod 0600 "$T/shared/users"
rm -f "$USERS"
ln -s "$T/shared/users" "$USERS"
add_user alice "$pw"
[ -L "$USERS" ] || fail "ftpuser-add replaced the link"
grep -q '^alice:' "$T/shared/users" || fail "alice is not in the linked file"
start_daemon
run_client alice "$pw" <<<"pwd"
expect_rc 0 "alice's login through a linked users file ($ERR)"
ok "a users file reached through a symbolic link lets its users in"

pw2=$(rand_pw)
tool "$FTPUSER_MOD" --password-stdin alice <<<"$pw2"
expect_eq "$RC" 0 "ftpuser-mod through the link ($ERR)"
run_client alice "$pw2" <<<"pwd"
expect_rc 0 "alice's login with the new password ($ERR)"
ok "a change through the link counts at the next login"

chmod 0666 "$T/shared/users"
run_client alice "$pw2" <<<"pwd"
expect_ne "$RC" 0 "a login with a users file others may write"
wait_for 10 grep -q "must be a regular file owned by root" "$DAEMON_LOG" ||
	fail "no log line for the users file others may write"
chmod 0600 "$T/shared/users"
ok "the file the link leads to is checked as a plain users file is"
