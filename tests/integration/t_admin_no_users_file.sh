#!/usr/bin/env bash
# t_admin_no_users_file: a users_file that does not exist is an error of
# every admin tool, which names it and says how to make one, and makes
# nothing: on shared storage that is not mounted, the path leads to the
# bare mount point, where ftpuser-add made a fresh database of one user
# (and its lock), and ftpuser-list, -del and -mod said there was no such
# user.  The package makes an empty /etc/mftp/users at installation; the
# tools then add to it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
# The storage's mount point, with nothing mounted on it.
mnt=$T/mnt
mkdir -p "$mnt"
chmod 0755 "$mnt"
sed -i "s|^users_file = .*|users_file = $mnt/users|" "$CONF"

# missing WHAT: the last tool run refused, naming the file and the fix,
# and left the mount point empty.
missing() {
	expect_eq "$RC" 1 "$1"
	expect_contains "$ERR" "$mnt/users does not exist" "$1"
	expect_contains "$ERR" "install -m 0600 /dev/null $mnt/users" "$1"
	expect_eq "$(ls -A "$mnt")" "" "what $1 left in the mount point"
}

tool "$FTPUSER_ADD" --password-stdin alice <<<"$pw"
missing "ftpuser-add"
[ ! -e "$T/home/alice" ] || fail "ftpuser-add made alice's home"
tool "$top_builddir/ftpuser-list"
missing "ftpuser-list"
tool "$top_builddir/ftpuser-list" alice
missing "ftpuser-list alice"
tool "$top_builddir/ftpuser-del" alice
missing "ftpuser-del"
tool "$top_builddir/ftpuser-mod" --quota-files 5 alice
missing "ftpuser-mod"
tool "$top_builddir/ftpuser-quota" --recount --all
missing "ftpuser-quota --recount --all"
ok "every tool refuses a missing users_file and makes nothing"

install -m 0600 /dev/null "$mnt/users"
tool "$FTPUSER_ADD" --password-stdin alice <<<"$pw"
expect_eq "$RC" 0 "ftpuser-add to an empty users_file ($ERR)"
grep -q '^alice:' "$mnt/users" || fail "alice is not in $mnt/users"
tool "$top_builddir/ftpuser-list" alice
expect_eq "$RC" 0 "ftpuser-list alice ($ERR)"
ok "an empty users_file, as the package makes it, takes users"
