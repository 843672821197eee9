#!/usr/bin/env bash
# t_admin_killed: an ftpuser-add killed (SIGKILL, no cleanup) after it
# made the home and before the users file had the user leaves an empty
# home; the same ftpuser-add run again takes it over and adds the user,
# where it used to be refused with "home ... already exists" until the
# administrator found and removed it.  A home that is not such a
# leftover (with something in it, of another mode, a removed user's
# kept home, a user's of the database) is still refused, and left as
# it was.  The temporary users file a kill before the rename left (with
# every user's password hash) is removed by the next write.  An
# ftpuser-del killed after the users file lost the user and before the
# accounting file went is finished by a rerun.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || fail "strace is needed (scripts/deps.sh)"
FTPUSER_DEL=$top_builddir/ftpuser-del
[ -x "$FTPUSER_DEL" ] || fail "$FTPUSER_DEL is not built"

# killed_add NAME SYSCALL: ftpuser-add NAME, killed as it enters SYSCALL
# (strace sends the SIGKILL).
killed_add() {
	local rc=0
	# In a subshell that says its "Killed" into /dev/null.
	(
		strace -qq -o /dev/null -e trace="$2" \
		    -e inject="$2":signal=SIGKILL \
		    "$FTPUSER_ADD" -c "$CONF" --password-stdin "$1" \
		    <<<"$(rand_pw)" >/dev/null 2>&1
		exit $?
	) 2>/dev/null || rc=$?
	expect_eq "$rc" 137 "ftpuser-add $1 killed at $2"
	has_user "$1" && fail "$1 is in the users file after a kill at $2"
	return 0
}

add_user alice "$(rand_pw)"
for sc in fchown fchmod rename; do
	name=u$sc
	killed_add "$name" "$sc"
	[ -d "$T/home/$name" ] || fail "no leftover home after a kill at $sc"
	tool "$FTPUSER_ADD" --password-stdin "$name" <<<"$(rand_pw)"
	expect_eq "$RC" 0 "ftpuser-add $name again after a kill at $sc ($ERR)"
	has_user "$name" || fail "$name is not in the users file"
	expect_eq "$(stat -c '%u %g %a' "$T/home/$name")" \
	    "$(user_uid "$name") $(user_gid "$name") 700" "$name's home"
	[ -f "$T/quota/$name" ] || fail "no accounting file for $name"
done
ok "an ftpuser-add killed before it wrote the users file can be run again"

# The kill at the rename left the new file it was to rename, with every
# user's password hash: the next write under the lock removes it.
killed_add ugus rename
tmps=$(find "$T/etc" -maxdepth 1 -name '.users.tmp-*')
[ -n "$tmps" ] || fail "no temporary file after a kill at the rename"
tool "$FTPUSER_ADD" --password-stdin ugus <<<"$(rand_pw)"
expect_eq "$RC" 0 "ftpuser-add ugus again ($ERR)"
tmps=$(find "$T/etc" -maxdepth 1 -name '.users.tmp-*')
expect_eq "$tmps" "" "temporary files beside the users file after the rerun"
echo keep >"$T/etc/.users.tmp-mine"
echo keep >"$T/etc/.users.tmp-ABCDEFG"
tool "$FTPUSER_DEL" ugus
expect_eq "$RC" 0 "ftpuser-del ugus ($ERR)"
for f in "$T/etc/.users.tmp-mine" "$T/etc/.users.tmp-ABCDEFG"; do
	[ -f "$f" ] || fail "$f, not of the tools' temporary form, was removed"
done
rm -f "$T/etc/.users.tmp-mine" "$T/etc/.users.tmp-ABCDEFG"
ok "a temporary users file a kill left is removed by the next write"

# Homes that are no leftover stay refused, and untouched.
refused() { # NAME WHAT
	local before
	before=$(stat -c '%u %g %a' "$T/home/$1")
	tool "$FTPUSER_ADD" --password-stdin "$1" <<<"$(rand_pw)"
	expect_eq "$RC" 1 "ftpuser-add $1, $2 ($ERR)"
	expect_contains "$ERR" "already exists" "the reason ($2)"
	has_user "$1" && fail "$1 was added over $2"
	expect_eq "$(stat -c '%u %g %a' "$T/home/$1")" "$before" "$1's home ($2)"
}
killed_add bob rename
echo data >"$T/home/bob/f"
refused bob "a home with something in it"
killed_add carol rename
chmod 0755 "$T/home/carol"
refused carol "a home of another mode"
add_user dave "$(rand_pw)"
tool "$FTPUSER_DEL" dave
expect_eq "$RC" 0 "ftpuser-del dave ($ERR)"
refused dave "a removed user's kept home"
mkdir -m 0700 "$T/home/erin"
chown "$(user_uid alice)" "$T/home/erin"
refused erin "a home owned by another user's uid"
# An empty root directory of mode 0700 named with --home (a lost+found,
# say) is no leftover: only the default home may be root's.
mkdir -m 0700 "$T/home/frank"
tool "$FTPUSER_ADD" --password-stdin --home "$T/home/frank" frankie \
    <<<"$(rand_pw)"
expect_eq "$RC" 1 "ftpuser-add --home of an empty root directory ($ERR)"
expect_contains "$ERR" "already exists" "the reason (--home, root's)"
expect_eq "$(stat -c '%u %g %a' "$T/home/frank")" "0 0 700" "that directory"
ok "a home that is no leftover is still refused"

# The leftover's owner (a process still running as its uid) opens its
# mode to everyone after the check and before the chown, then writes into
# it after the emptiness check: the home is the new user's and 0700
# before it is found empty, so nothing of the old owner gets in.  strace
# holds each fchown of ftpuser-add for a second to open the two windows.
orphan=$((UID_MAX - 1))
getent passwd "$orphan" >/dev/null && fail "uid $orphan has a passwd entry"
mkdir -m 0700 "$T/home/gail"
chown "$orphan:$orphan" "$T/home/gail"
as_orphan() { setpriv --reuid="$orphan" --regid="$orphan" --clear-groups "$@"; }
strace -qq -f -o /dev/null -e trace=fchown \
    -e inject=fchown:delay_enter=1000000 \
    "$FTPUSER_ADD" -c "$CONF" --password-stdin gail <<<"$(rand_pw)" \
    >"$T/gail.out" 2>&1 &
addpid=$!
BG_PIDS+=("$addpid")
# in_fchown N: ftpuser-add is held in its Nth fchown (93 on x86_64).
_in_fchown() {
	local p
	for p in $(children_of "$addpid"); do
		[ "$(cut -d' ' -f1 "/proc/$p/syscall" 2>/dev/null)" = 93 ] && return 0
	done
	return 1
}
_owned_by_new() { [ "$(stat -c %u "$T/home/gail")" != "$orphan" ]; }
wait_for 10 _in_fchown || fail "ftpuser-add gail never reached its fchown"
as_orphan chmod 0777 "$T/home/gail" || fail "the orphan's chmod"
wait_for 10 _owned_by_new || fail "the home was not given to gail"
wait_for 10 _in_fchown || fail "ftpuser-add gail never reached its second fchown"
as_orphan touch "$T/home/gail/planted" 2>/dev/null || true
wait "$addpid" || fail "ftpuser-add gail: $(cat "$T/gail.out")"
[ -e "$T/home/gail/planted" ] &&
	fail "the old owner wrote into gail's home after the emptiness check"
expect_eq "$(stat -c '%u %a' "$T/home/gail")" "$(user_uid gail) 700" \
    "gail's home"
ok "a leftover's old owner cannot slip an entry into the taken-over home"

# ------------------------------------------------------------ ftpuser-del
# Killed after the users file lost the user and before its accounting
# file went (the file every session of the user watches): run again, it
# removes that file, and the session that was left running ends.
pw=$(rand_pw)
add_user fay "$pw"
uid_f=$(user_uid fay)
start_daemon
_pwd_shown() { grep -q '^/' "$SESS_OUT" 2>/dev/null; }
session_open fay "$pw"
session_send pwd
wait_for 10 _pwd_shown || fail "fay's session did not log in"
wait_serving_pid "$uid_f"
sp=$SERVING_PID
rc=0
(
	strace -qq -o /dev/null -e trace=unlink,unlinkat \
	    -e inject=unlink,unlinkat:signal=SIGKILL \
	    "$FTPUSER_DEL" -c "$CONF" fay >/dev/null 2>&1
	exit $?
) 2>/dev/null || rc=$?
expect_eq "$rc" 137 "ftpuser-del fay killed at the accounting file's unlink"
has_user fay && fail "fay is still in the users file"
[ -e "$T/quota/fay" ] || fail "the kill came after the accounting file went"
sleep 2
kill -0 "$sp" 2>/dev/null || fail "fay's session ended before the rerun"
tool "$FTPUSER_DEL" fay
expect_eq "$RC" 0 "ftpuser-del fay again after the kill ($ERR)"
[ -e "$T/quota/fay" ] && fail "fay's accounting file is still there"
_sp_gone() { ! kill -0 "$sp" 2>/dev/null; }
wait_for 10 _sp_gone || fail "fay's session $sp outlived the rerun"
session_close 20
expect_ne "$SESS_RC" 0 "fay's client after the rerun"
tool "$FTPUSER_DEL" fay
expect_eq "$RC" 1 "ftpuser-del fay a third time ($ERR)"
expect_contains "$ERR" "no such user 'fay'" "the reason"
ok "an ftpuser-del killed after the users file changed can be run again"

check_log_clean
