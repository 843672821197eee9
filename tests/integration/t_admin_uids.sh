#!/usr/bin/env bash
# t_admin_uids: a uid is not given to a new user while it still owns
# files.  After ftpuser-del bob (home kept), ftpuser-add carol does not get
# bob's uid, nor the uid of a removed user whose kept home is outside the
# homes' base (a line of the retired list cut short before it does not
# hide it), nor a uid owning any file under the base; once those files
# are gone the uid is free again.  ftpuser-add --uid of a system account
# (below uid_min, or in /etc/passwd) or of a uid that still owns a removed
# user's files fails and says why, unless --force is given; so does a gid
# (--gid, or the --uid number it defaults to) of a group(5) entry or below
# uid_min.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FTPUSER_DEL=$top_builddir/ftpuser-del

# add NAME [options]: ftpuser-add with a random password; RC, ERR.
add() {
	local name=$1
	shift
	tool "$FTPUSER_ADD" --password-stdin "$@" "$name" <<<"$(rand_pw)"
}

# ------------------------------------------- a kept home keeps its uid
add bob
expect_eq "$RC" 0 "ftpuser-add bob ($ERR)"
uid_b=$(user_uid bob)
expect_eq "$uid_b" "$UID_MIN" "bob's uid, the first of the range"
printf 'kept\n' >"$T/home/bob/keep.txt"
chown "$uid_b:$uid_b" "$T/home/bob/keep.txt"
tool "$FTPUSER_DEL" bob
expect_eq "$RC" 0 "ftpuser-del bob ($ERR)"
[ -f "$T/home/bob/keep.txt" ] || fail "bob's home was not kept"
add carol
expect_eq "$RC" 0 "ftpuser-add carol ($ERR)"
uid_c=$(user_uid carol)
expect_ne "$uid_c" "$uid_b" "carol's uid (bob's home is kept)"
ok "a removed user's kept home keeps its uid from a new user"

# A kept home outside the homes' base counts too.
add dave --home "$T/elsewhere-dave"
expect_eq "$RC" 0 "ftpuser-add dave --home ($ERR)"
uid_d=$(user_uid dave)
tool "$FTPUSER_DEL" dave
expect_eq "$RC" 0 "ftpuser-del dave ($ERR)"
add erin
expect_eq "$RC" 0 "ftpuser-add erin ($ERR)"
uid_e=$(user_uid erin)
for u in "$uid_b" "$uid_c" "$uid_d"; do
	expect_ne "$uid_e" "$u" "erin's uid"
done
ok "a kept home outside the base keeps its uid too"

# A line cut short (a crash, a full disk mid-append) does not swallow
# the next record: it is ended before the next one is written.
printf '61999:/cut-sh' >>"$T/quota/.retired-uids"
add ida --home "$T/elsewhere-ida"
expect_eq "$RC" 0 "ftpuser-add ida --home ($ERR)"
uid_i=$(user_uid ida)
tool "$FTPUSER_DEL" ida
expect_eq "$RC" 0 "ftpuser-del ida ($ERR)"
add jo
expect_eq "$RC" 0 "ftpuser-add jo ($ERR)"
expect_ne "$(user_uid jo)" "$uid_i" "jo's uid, after a cut line"
ok "a cut line in the retired list does not free the next record's uid"

# Any file under the base owned by a uid of the range holds that uid.
next=$((uid_e + 1))
mkdir -p "$T/home/shared/deep"
printf 'x\n' >"$T/home/shared/deep/f"
chown "$next" "$T/home/shared/deep/f"
add frank
expect_eq "$RC" 0 "ftpuser-add frank ($ERR)"
expect_ne "$(user_uid frank)" "$next" "frank's uid (a file under the base has it)"
ok "a uid that owns a file under the base is not given"

# Once the files are gone, the uid is free again.
rm -rf -- "$T/home/bob"
add gina
expect_eq "$RC" 0 "ftpuser-add gina ($ERR)"
expect_eq "$(user_uid gina)" "$uid_b" "gina's uid once bob's home is gone"
ok "a uid is given again once its files are gone"

# ------------------------------------------- --uid of a system account
# A uid below the range that no passwd entry has.
low=
for ((i = 999; i >= 500; i--)); do
	getent passwd "$i" >/dev/null || { low=$i; break; }
done
[ -n "$low" ] || fail "no uid in 500..999 without a passwd entry"
before=$(sha256sum <"$USERS")
add hank --uid "$low"
expect_eq "$RC" 1 "ftpuser-add --uid $low ($ERR)"
expect_contains "$ERR" "below uid_min" "the reason for a uid below the range"
expect_contains "$ERR" "--force" "the way out"
nobody=$(id -u nobody 2>/dev/null || echo 65534)
if getent passwd "$nobody" >/dev/null; then
	add hank --uid "$nobody"
	expect_eq "$RC" 1 "ftpuser-add --uid $nobody ($ERR)"
	expect_contains "$ERR" "system account" "the reason for a passwd uid"
fi
add hank --uid "$uid_d"
expect_eq "$RC" 1 "ftpuser-add --uid of dave's old uid ($ERR)"
expect_contains "$ERR" "$T/elsewhere-dave" "the reason for a held uid"
expect_contains "$ERR" "--force" "the way out for a held uid"
add hank --force
expect_eq "$RC" 2 "--force without --uid ($ERR)"
expect_eq "$(sha256sum <"$USERS")" "$before" "the users file after refusals"
[ -e "$T/home/hank" ] && fail "a refused ftpuser-add left a home"
ok "--uid of a system or held uid is refused without --force, and says why"

add hank --uid "$low" --force
expect_eq "$RC" 0 "ftpuser-add --uid $low --force ($ERR)"
expect_eq "$(user_uid hank)" "$low" "hank's uid"
expect_eq "$(stat -c %u "$T/home/hank")" "$low" "hank's home"
ok "--force takes a system uid"

# ------------------------------------------- the gid that comes with --uid
# A gid of a group(5) entry that no passwd entry has as its uid: --uid of
# that number passes every uid check under a uid_min below it, and the
# gid, the uid's number by default, would be that group's.
grp=
grp_name=
while IFS=: read -r g_name _ g_id _; do
	[ "$g_id" -gt 0 ] 2>/dev/null || continue
	getent passwd "$g_id" >/dev/null && continue
	grp=$g_id grp_name=$g_name
	break
done < <(getent group)
[ -n "$grp" ] || fail "no group whose gid is no passwd entry's uid"
low_conf=$T/etc/low-uid-min.conf
sed 's/^uid_min = .*/uid_min = 1/' "$CONF" >"$low_conf"
before=$(sha256sum <"$USERS")
RC=0
ERR=$("$FTPUSER_ADD" -c "$low_conf" --password-stdin --uid "$grp" ivy \
    2>&1 >/dev/null <<<"$(rand_pw)") || RC=$?
expect_eq "$RC" 1 "ftpuser-add --uid $grp, the gid of group $grp_name ($ERR)"
expect_contains "$ERR" "group '$grp_name'" "the reason for the default gid"
expect_contains "$ERR" "--gid" "the way out: another gid"
add ivy --uid "$((UID_MAX - 1))" --gid "$grp"
expect_eq "$RC" 1 "ftpuser-add --gid $grp, group $grp_name's ($ERR)"
expect_contains "$ERR" "group '$grp_name'" "the reason for --gid"
expect_contains "$ERR" "--force" "the way out for --gid"
expect_eq "$(sha256sum <"$USERS")" "$before" "the users file after refusals"
[ -e "$T/home/ivy" ] && fail "a refused ftpuser-add left a home"
ok "the gid of a system group is refused without --force, and says why"

add ivy --gid "$grp" --force
expect_eq "$RC" 0 "ftpuser-add --gid $grp --force ($ERR)"
expect_eq "$(user_gid ivy)" "$grp" "ivy's gid"
expect_eq "$(stat -c %g "$T/home/ivy")" "$grp" "ivy's home's group"
ok "--force takes a system group's gid"
