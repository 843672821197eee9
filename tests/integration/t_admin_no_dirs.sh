#!/usr/bin/env bash
# t_admin_no_dirs: the admin tools never make quota_dir or home_base.
# ftpuser-add made either when it was missing (mkdir -p), and
# ftpuser-del made quota_dir for its record of retired uids: on shared
# storage that is not mounted, both lead to the bare mount point, so a
# new user's home and accounting file went to the node's own disk, hidden
# once the storage is mounted, and the user, in the shared users_file,
# had neither there.  Now a missing one is refused, named, with the
# command that makes it, and nothing is made or changed; ftpuser-quota
# --recount of a user whose accounting file is missing says so and makes
# nothing.  The package makes the default directories.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
# The storage's mount point, with nothing mounted on it.
mnt=$T/mnt
mkdir -p "$mnt"
chmod 0755 "$mnt"
sed -i -e "s|^quota_dir = .*|quota_dir = $mnt/quota|" \
    -e "s|^home_base = .*|home_base = $mnt/homes|" "$CONF"

# refused WHAT KEY DIR MODE: the last tool run refused, naming KEY's
# DIR and the command that makes it.
refused() {
	expect_eq "$RC" 1 "$1"
	expect_contains "$ERR" "$2 $3 does not exist" "$1"
	expect_contains "$ERR" "install -d -m $4 $3" "$1"
}

tool "$FTPUSER_ADD" --password-stdin alice <<<"$pw"
refused "ftpuser-add, home_base missing" home_base "$mnt/homes" 0755
expect_eq "$(ls -A "$mnt")" "" "what ftpuser-add left in the mount point"
install -d -m 0755 "$mnt/homes"
tool "$FTPUSER_ADD" --password-stdin alice <<<"$pw"
refused "ftpuser-add, quota_dir missing" quota_dir "$mnt/quota" 0700
expect_eq "$(ls -A "$mnt")" "homes" "what ftpuser-add left in the mount point"
expect_eq "$(ls -A "$mnt/homes")" "" "what ftpuser-add left in home_base"
! grep -q '^alice:' "$USERS" || fail "alice was added"
ok "ftpuser-add makes neither home_base nor quota_dir, and adds no one"

install -d -m 0700 "$mnt/quota"
tool "$FTPUSER_ADD" --password-stdin alice <<<"$pw"
expect_eq "$RC" 0 "ftpuser-add once both are there ($ERR)"
[ -d "$mnt/homes/alice" ] || fail "no home $mnt/homes/alice"
[ -f "$mnt/quota/alice" ] || fail "no accounting file $mnt/quota/alice"

# The storage gone from under the tools.
mv "$mnt/quota" "$T/quota.away"
tool "$top_builddir/ftpuser-del" alice
refused "ftpuser-del, quota_dir missing" quota_dir "$mnt/quota" 0700
[ ! -e "$mnt/quota" ] || fail "ftpuser-del made $mnt/quota"
grep -q '^alice:' "$USERS" || fail "ftpuser-del removed alice all the same"
[ -d "$mnt/homes/alice" ] || fail "ftpuser-del removed alice's home"
tool "$top_builddir/ftpuser-quota" --recount alice
expect_ne "$RC" 0 "ftpuser-quota --recount, quota_dir missing"
expect_contains "$ERR" "quota_dir $mnt/quota does not exist" \
    "ftpuser-quota --recount, quota_dir missing"
[ ! -e "$mnt/quota" ] || fail "ftpuser-quota --recount made $mnt/quota"
ok "ftpuser-del and ftpuser-quota --recount make no quota_dir, and change nothing"

mv "$T/quota.away" "$mnt/quota"
tool "$top_builddir/ftpuser-del" alice
expect_eq "$RC" 0 "ftpuser-del once quota_dir is back ($ERR)"
! grep -q '^alice:' "$USERS" || fail "alice is still in the users file"
grep -q ":$mnt/homes/alice\$" "$mnt/quota/.retired-uids" ||
	fail "alice's uid is not recorded as retired"
ok "with the directories there, the tools add and remove as before"
