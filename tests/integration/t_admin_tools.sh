#!/usr/bin/env bash
# t_admin_tools: ftpuser-mod and ftpuser-del.  mod changes the password,
# the quota limits and the home, and locks and unlocks: a locked user
# cannot log in (answered like a wrong password), an unlocked one can with
# the same password.  del removes the user and its accounting file, and
# the home only with --remove-home, never following a link out of it and
# refusing a home that is not a directory of the user's own.  Errors have
# their exit codes (1 error, 2 usage) and change nothing; a held lock makes
# a tool give up; every write leaves the users file root 0600 with no
# temporary file beside it.  A users file that is a symbolic link stays
# one: the tools lock and rewrite the file it leads to.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FTPUSER_DEL=$top_builddir/ftpuser-del
FTPUSER_MOD=$top_builddir/ftpuser-mod
FTPUSER_LIST=$top_builddir/ftpuser-list
FTPUSER_QUOTA=$top_builddir/ftpuser-quota
for p in "$FTPUSER_DEL" "$FTPUSER_MOD" "$FTPUSER_LIST" "$FTPUSER_QUOTA"; do
	[ -x "$p" ] || fail "$p is not built"
done

# tool PROG [args...] [<<<stdin]: run an admin tool; RC, ERR.
tool() {
	local prog=$1
	shift
	RC=0
	ERR=$("$prog" -c "$CONF" "$@" 2>&1 >/dev/null) || RC=$?
}
mod() { tool "$FTPUSER_MOD" "$@"; }
del() { tool "$FTPUSER_DEL" "$@"; }

# The users file after a write: root 0600, nothing left beside it.
check_db() { # WHAT
	expect_eq "$(stat -c '%U %G %a' "$USERS")" "root root 600" \
	    "$1: the users file"
	local extra
	extra=$(find "$T/etc" -mindepth 1 ! -name users ! -name users.lock \
	    ! -name mftpd.conf)
	[ -z "$extra" ] || fail "$1: left beside the users file: $extra"
}

db_sum() {
	sha256sum <"$USERS"
}

# can_login NAME PASS: 0 if a batch session logs in and runs pwd.
can_login() {
	run_client "$1" "$2" <<<"pwd"
	[ "$RC" = 0 ]
}

pw_a="alice-$(rand_pw)"
pw_b="bob-$(rand_pw)"
add_user alice "$pw_a"
add_user bob "$pw_b"
start_daemon
can_login alice "$pw_a" || fail "alice cannot log in after ftpuser-add"

# ------------------------------------------------------------ usage errors
before=$(db_sum)
mod alice
expect_eq "$RC" 2 "ftpuser-mod with nothing to change ($ERR)"
mod --lock --unlock alice
expect_eq "$RC" 2 "ftpuser-mod --lock --unlock ($ERR)"
mod --password --password-stdin alice
expect_eq "$RC" 2 "ftpuser-mod --password --password-stdin ($ERR)"
mod --bogus alice
expect_eq "$RC" 2 "ftpuser-mod --bogus ($ERR)"
mod --lock 'Bad!Name'
expect_eq "$RC" 2 "ftpuser-mod of a bad name ($ERR)"
expect_contains "$ERR" "invalid user name" "ftpuser-mod of a bad name"
mod --quota-bytes lots alice
expect_eq "$RC" 2 "ftpuser-mod --quota-bytes lots ($ERR)"
mod --home relative/dir alice
expect_eq "$RC" 2 "ftpuser-mod --home relative ($ERR)"
del
expect_eq "$RC" 2 "ftpuser-del without a name ($ERR)"
# A name missing, or one too many, is said as such before the usage.
for p in "$FTPUSER_ADD" "$FTPUSER_DEL" "$FTPUSER_MOD --lock" \
    "$FTPUSER_QUOTA" "$FTPUSER_QUOTA --recount"; do
	# shellcheck disable=SC2086 # the tool and its option
	tool $p
	expect_eq "$RC" 2 "$p without a name"
	expect_eq "${ERR%%$'\n'*}" "$(basename "${p%% *}"): no user name given" \
	    "$p without a name"
	# shellcheck disable=SC2086
	tool $p alice bob
	expect_eq "$RC" 2 "$p of two names"
	expect_eq "${ERR%%$'\n'*}" \
	    "$(basename "${p%% *}"): one user name only, not 2 (alice bob)" \
	    "$p of two names"
done
tool "$FTPUSER_LIST" alice bob carol
expect_eq "$RC" 2 "ftpuser-list of three names"
expect_eq "${ERR%%$'\n'*}" \
    "ftpuser-list: one user name only, not 3 (alice bob carol)" \
    "ftpuser-list of three names"
for o in --all "--recount --all"; do
	# shellcheck disable=SC2086
	tool "$FTPUSER_QUOTA" $o alice
	expect_eq "$RC" 2 "ftpuser-quota $o alice"
	expect_eq "${ERR%%$'\n'*}" \
	    "ftpuser-quota: --all goes without a user name" \
	    "ftpuser-quota $o alice"
done
del --bogus alice
expect_eq "$RC" 2 "ftpuser-del --bogus ($ERR)"
del '9lives'
expect_eq "$RC" 2 "ftpuser-del of a bad name ($ERR)"
mod --lock carol
expect_eq "$RC" 1 "ftpuser-mod of an unknown user ($ERR)"
expect_contains "$ERR" "no such user 'carol'" "ftpuser-mod of an unknown user"
del carol
expect_eq "$RC" 1 "ftpuser-del of an unknown user ($ERR)"
expect_contains "$ERR" "no such user 'carol'" "ftpuser-del of an unknown user"
# Every tool that takes a name says the same of an unknown one and of a
# bad one, as ftpuser(8) lists them.
for p in "$FTPUSER_MOD --lock" "$FTPUSER_DEL" "$FTPUSER_LIST" \
    "$FTPUSER_QUOTA" "$FTPUSER_QUOTA --recount"; do
	# shellcheck disable=SC2086 # the tool and its option
	tool $p carol
	expect_eq "$RC" 1 "$p of an unknown user"
	expect_eq "$ERR" "$(basename "${p%% *}"): no such user 'carol'" \
	    "$p of an unknown user"
	# shellcheck disable=SC2086
	tool $p 9lives
	expect_eq "$RC" 2 "$p of a bad name"
	expect_contains "$ERR" "invalid user name '9lives' (1 to 32 of" \
	    "$p of a bad name"
done
expect_eq "$(db_sum)" "$before" "the users file after refused commands"
# --help names every tool's common options, as ftpuser(8) does.
for p in "$FTPUSER_ADD" "$FTPUSER_DEL" "$FTPUSER_MOD" "$FTPUSER_LIST" \
    "$FTPUSER_QUOTA"; do
	RC=0
	OUT=$("$p" --help) || RC=$?
	expect_eq "$RC" 0 "$(basename "$p") --help"
	expect_match "$OUT" "^usage: $(basename "$p") \\[-hH?\\] \\[-c config\\]" \
	    "$(basename "$p") --help: the usage line"
	for o in "-c, --config=" "-h, --help" "--version"; do
		expect_contains "$OUT" "$o" "$(basename "$p") --help names $o"
	done
done
ok "usage errors exit 2, unknown users exit 1, nothing changed"

# ftpuser-add's refusals have their codes too.
RC=0
ERR=$("$FTPUSER_ADD" -c "$CONF" --password-stdin --uid "$(user_uid bob)" \
    carol 2>&1 <<<"x") || RC=$?
expect_eq "$RC" 1 "ftpuser-add with bob's uid ($ERR)"
expect_contains "$ERR" "already used by 'bob'" "ftpuser-add with bob's uid"
expect_eq "$(db_sum)" "$before" "the users file after a refused add"

# ----------------------------------------------------------------- quota
mod --quota-files 1k alice
expect_eq "$RC" 2 "ftpuser-mod --quota-files 1k ($ERR)"
expect_contains "$ERR" "file quota '1k' is not a count (a whole number" \
    "a count with a suffix is refused as a count"
mod --quota-files abc alice
expect_contains "$ERR" "file quota 'abc' is not a count" "--quota-files abc"
mod --quota-bytes 10M --quota-files 1024 alice
expect_eq "$RC" 0 "ftpuser-mod --quota-bytes --quota-files ($ERR)"
expect_eq "$ERR" "" "ftpuser-mod --quota-bytes --quota-files: stderr"
expect_eq "$(user_field alice 6):$(user_field alice 7)" "10485760:1024" \
    "alice's limits"
expect_eq "$(user_field bob 6):$(user_field bob 7)" "0:0" "bob's limits"
check_db "ftpuser-mod --quota-bytes"
# The new file is written as .users.tmp-XXXXXX beside it: a name no
# administrator gives a file of their own (users.backup, say), so that
# the package's purge can remove a left-over one and nothing else.
strace -f -qq -o "$T/rename.trace" -e trace=rename,renameat,renameat2 \
    "$FTPUSER_MOD" -c "$CONF" --quota-files 1024 alice ||
	fail "ftpuser-mod under strace"
expect_match "$(cat "$T/rename.trace")" \
    "rename(at2?\\(AT_FDCWD, |\\()\"$T/etc/\\.users\\.tmp-[A-Za-z0-9]{6}\", (AT_FDCWD, )?\"$USERS\"" \
    "the name of the users file's temporary"
mod --quota-bytes 0 alice
expect_eq "$RC" 0 "ftpuser-mod --quota-bytes 0 ($ERR)"
expect_eq "$(user_field alice 6):$(user_field alice 7)" "0:1024" \
    "alice's limits after --quota-bytes 0"
ok "quota limits set and cleared"

# A byte limit with no file limit does not bound the inodes that empty
# files take: both tools say so, and do what they were told.
note="note: 'alice' has a byte limit and no file limit"
mod --quota-files 0 alice
expect_eq "$RC" 0 "ftpuser-mod --quota-files 0 ($ERR)"
expect_eq "$ERR" "" "no byte limit, no note"
mod --quota-bytes 5M alice
expect_eq "$RC" 0 "ftpuser-mod --quota-bytes 5M ($ERR)"
expect_contains "$ERR" "ftpuser-mod: $note" "the note of ftpuser-mod"
expect_eq "$(user_field alice 6):$(user_field alice 7)" "5242880:0" \
    "alice's limits after --quota-bytes 5M"
mod --max-sessions 3 alice
expect_eq "$ERR" "" "no quota given, no note"
mod --quota-files 100 alice
expect_eq "$ERR" "" "a file limit set, no note"
tool "$FTPUSER_ADD" --password-stdin --quota-bytes 1M nora <<<"$(rand_pw)"
expect_eq "$RC" 0 "ftpuser-add --quota-bytes 1M ($ERR)"
expect_contains "$ERR" "ftpuser-add: note: 'nora' has a byte limit and no file limit" \
    "the note of ftpuser-add"
tool "$FTPUSER_DEL" nora
expect_eq "$RC" 0 "ftpuser-del nora ($ERR)"
ok "a byte limit without a file limit is noted, and set"

# --------------------------------------------------------------- password
old_hash=$(user_field alice 2)
pw_a2="alice-new-$(rand_pw)"
mod --password-stdin alice <<<"$pw_a2"
expect_eq "$RC" 0 "ftpuser-mod --password-stdin ($ERR)"
expect_ne "$(user_field alice 2)" "$old_hash" "alice's hash"
expect_not_contains "$(cat "$USERS")" "$pw_a2" "the users file"
check_db "ftpuser-mod --password-stdin"
can_login alice "$pw_a" && fail "alice's old password still works"
can_login alice "$pw_a2" || fail "alice's new password does not work"
pw_a=$pw_a2
mod --password-stdin alice <<<""
expect_eq "$RC" 1 "ftpuser-mod with an empty password ($ERR)"
ok "a new password replaces the old one"

# ------------------------------------------------------------ lock/unlock
mod --lock alice
expect_eq "$RC" 0 "ftpuser-mod --lock ($ERR)"
# shellcheck disable=SC2016 # a literal '!$y$'
expect_match "$(user_field alice 2)" '^!\$y\$' "alice's locked hash"
check_db "ftpuser-mod --lock"
mod --lock alice
expect_eq "$RC" 0 "ftpuser-mod --lock of a locked user ($ERR)"
# shellcheck disable=SC2016
expect_match "$(user_field alice 2)" '^!\$y\$' "alice locked twice"
# Read in the eval below, where shellcheck does not look.
# shellcheck disable=SC2034
fails_before=$(grep -c 'login failed user=alice ' "$DAEMON_LOG")
run_client alice "$pw_a" <<<"pwd"
expect_ne "$RC" 0 "a locked user logging in"
expect_contains "$ERR" "login incorrect" "a locked user logging in"
# shellcheck disable=SC2016
wait_for 5 eval '[ "$(grep -c "login failed user=alice " "$DAEMON_LOG")" \
    -gt "$fails_before" ]' || fail "no 'login failed' line for a locked user"
can_login bob "$pw_b" || fail "bob cannot log in while alice is locked"
mod --unlock alice
expect_eq "$RC" 0 "ftpuser-mod --unlock ($ERR)"
# shellcheck disable=SC2016
expect_match "$(user_field alice 2)" '^\$y\$' "alice's unlocked hash"
check_db "ftpuser-mod --unlock"
can_login alice "$pw_a" || fail "alice cannot log in after --unlock"
mod --unlock alice
expect_eq "$RC" 0 "ftpuser-mod --unlock of an unlocked user ($ERR)"
# A password set while locked keeps the lock.
mod --lock alice
pw_a3="alice-3-$(rand_pw)"
mod --password-stdin alice <<<"$pw_a3"
expect_eq "$RC" 0 "ftpuser-mod --password-stdin while locked ($ERR)"
# shellcheck disable=SC2016
expect_match "$(user_field alice 2)" '^!\$y\$' "alice after a new password"
can_login alice "$pw_a3" && fail "a locked user logged in with a new password"
mod --unlock alice
can_login alice "$pw_a3" || fail "alice cannot log in with the new password"
pw_a=$pw_a3
ok "a locked user cannot log in, an unlocked one can"

# ------------------------------------------------------------------- home
uid_a=$(user_uid alice)
newhome=$T/home2/alice
# mod_said ARGS...: as mod, and what the tool printed in SAID.
mod_said() {
	RC=0
	SAID=$("$FTPUSER_MOD" -c "$CONF" "$@" 2>"$T/mod.err") || RC=$?
	ERR=$(cat "$T/mod.err")
}
mod_said --home "$newhome" alice
expect_eq "$RC" 0 "ftpuser-mod --home (missing) ($ERR)"
expect_eq "$(user_home alice)" "$newhome" "alice's home field"
# Nothing moves with it, and the accounting still counts the old home:
# the tool says so, and what to run once the files are moved.
expect_eq "$SAID" "ftpuser-mod: alice's home is now $newhome; nothing was moved from $T/home/alice, whose files the accounting still counts: move them, then run ftpuser-quota --recount alice" \
    "what ftpuser-mod --home says"
expect_eq "$(stat -c '%u %g %a' "$newhome")" \
    "$uid_a $(user_gid alice) 700" "alice's new home"
check_db "ftpuser-mod --home"
run_client alice "$pw_a" <<<"pwd"
expect_rc 0 "alice logging in to the new home"
mkdir -p "$T/home3/notalice"
before=$(db_sum)
mod --home "$T/home3/notalice" alice
expect_eq "$RC" 1 "ftpuser-mod --home of root's directory ($ERR)"
expect_contains "$ERR" "not a directory owned by uid $uid_a" \
    "ftpuser-mod --home of root's directory"
expect_eq "$(db_sum)" "$before" "the users file after a refused --home"
mod --home "$T/home/alice" alice
expect_eq "$RC" 0 "ftpuser-mod --home back to the old home ($ERR)"
mod_said --home "$T/home/alice" alice
expect_eq "$RC" 0 "ftpuser-mod --home of the home it has ($ERR)"
expect_eq "$SAID" "" "ftpuser-mod --home of the home it has: nothing to say"
ok "--home makes a missing home and refuses someone else's"

# A home under a directory a user owns: that user could swap the names
# on the way (here a link planted to a directory of root's), so root
# makes nothing there and follows nothing.
mkdir -p "$T/userland/acme" "$T/rootonly"
chown "$uid_a" "$T/userland/acme"
ln -s "$T/rootonly" "$T/userland/acme/drop"
before=$(db_sum)
mod --home "$T/userland/acme/drop/bot" alice
expect_eq "$RC" 1 "ftpuser-mod --home under a user's directory ($ERR)"
expect_contains "$ERR" "$T/userland/acme is not root's alone" \
    "why a home under a user's directory is refused"
expect_eq "$(sed -n 2p <<<"$ERR")" \
    "ftpuser-mod: cannot use $T/userland/acme/drop/bot as a home" \
    "the refusal's last line, with no errno text after the reason"
[ ! -e "$T/rootonly/bot" ] || fail "root made a home through the user's link"
expect_eq "$(db_sum)" "$before" "the users file after a refused --home"
mod --home "$T/userland/acme/home" alice
expect_eq "$RC" 1 "ftpuser-mod --home in a user's directory ($ERR)"
[ ! -e "$T/userland/acme/home" ] || fail "root made a home in the user's directory"
ok "--home under a directory a user may change is refused"

# quota_dir itself (and home_base) must be root's and writable by root
# alone, sticky or not: the names in it are users', for root to make.
for how in 0777 1777 nobody; do
	rm -rf "$T/qd"
	mkdir -m 0700 "$T/qd"
	case $how in
	nobody) chown nobody "$T/qd" ;;
	*) chmod "$how" "$T/qd" ;;
	esac
	sed "s|^quota_dir = .*|quota_dir = $T/qd|" "$CONF" >"$T/qd.conf"
	before=$(db_sum)
	RC=0
	ERR=$("$FTPUSER_ADD" -c "$T/qd.conf" --password-stdin quinn 2>&1 \
	    >/dev/null <<<"$(rand_pw)") || RC=$?
	expect_eq "$RC" 1 "ftpuser-add with a quota_dir $how ($ERR)"
	expect_contains "$ERR" "quota_dir $T/qd is not root's alone" "the reason ($how)"
	expect_eq "$(db_sum)" "$before" "the users file ($how)"
	[ -z "$(ls -A "$T/qd")" ] || fail "a file was made in quota_dir $how"
done
ok "a quota_dir that is not root's alone is refused"

# A users file someone else may write: its lines may not be root's (and
# mftpd refuses every login meanwhile); the tools neither build on it
# nor write it back as root's.
for how in nobody 0620; do
	case $how in
	nobody) chown nobody "$USERS" ;;
	*) chmod "$how" "$USERS" ;;
	esac
	before=$(db_sum)
	tool "$FTPUSER_LIST"
	expect_eq "$RC" 1 "ftpuser-list with a users file $how ($ERR)"
	expect_contains "$ERR" "$USERS is not root's alone" "the reason ($how)"
	RC=0
	ERR=$("$FTPUSER_ADD" -c "$CONF" --password-stdin quinn 2>&1 \
	    >/dev/null <<<"$(rand_pw)") || RC=$?
	expect_eq "$RC" 1 "ftpuser-add with a users file $how ($ERR)"
	expect_eq "$(db_sum)" "$before" "the users file ($how)"
	[ "$(stat -c %U "$USERS")" = "$([ "$how" = nobody ] && echo nobody || echo root)" ] ||
		fail "the users file changed hands ($how)"
	chown root "$USERS"
	chmod 0600 "$USERS"
done
ok "a users file that is not root's alone is refused"

# -------------------------------------------------------------- the lock
# A POSIX record lock on users.lock conflicts with the tools' OFD lock.
if command -v python3 >/dev/null 2>&1; then
	python3 - "$USERS.lock" <<'EOF' &
import fcntl, sys, time
f = open(sys.argv[1], "r+")
fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[1] + ".held", "w").close()
time.sleep(30)
EOF
	holder=$!
	BG_PIDS+=("$holder")
	wait_for 10 test -e "$USERS.lock.held" || fail "could not hold the lock"
	rm -f "$USERS.lock.held"
	before=$(db_sum)
	start=$SECONDS
	mod --quota-files 5 bob
	expect_eq "$RC" 1 "ftpuser-mod with the database locked ($ERR)"
	expect_contains "$ERR" "locked by another process" \
	    "ftpuser-mod with the database locked"
	expect_eq "$(db_sum)" "$before" "the users file while locked"
	[ $((SECONDS - start)) -le 20 ] || fail "the tool waited too long"
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	ok "a held lock: the tool gives up after a while and changes nothing"
else
	note "no python3: the held-lock case is not tested"
fi

# ------------------------------------------------------------------- del
home_b=$(user_home bob)
echo data >"$home_b/keep.txt"
del bob
expect_eq "$RC" 0 "ftpuser-del bob ($ERR)"
! has_user bob || fail "bob is still in the users file"
[ -e "$T/quota/bob" ] && fail "bob's accounting file is still there"
[ -f "$home_b/keep.txt" ] || fail "ftpuser-del without --remove-home removed the home"
check_db "ftpuser-del"
can_login bob "$pw_b" && fail "a deleted user logged in"
can_login alice "$pw_a" || fail "alice cannot log in after bob was deleted"

# A home that is a link, or not the user's own, is refused first.
add_user carol "carol-pw"
home_c=$(user_home carol)
mv "$home_c" "$T/carol-real"
ln -s "$T/carol-real" "$home_c"
before=$(db_sum)
del --remove-home carol
expect_eq "$RC" 1 "ftpuser-del --remove-home of a linked home ($ERR)"
expect_contains "$ERR" "is a symbolic link, which a home may not be" \
    "ftpuser-del of a linked home"
expect_eq "$(db_sum)" "$before" "the users file after a refused del"
rm "$home_c"
# A home that is gone (or on storage not mounted) is not removed, and
# the user stays; the message says how to remove the user alone.
del --remove-home carol
expect_eq "$RC" 1 "ftpuser-del --remove-home of a missing home ($ERR)"
expect_contains "$ERR" "does not exist" "ftpuser-del of a missing home"
expect_contains "$ERR" "without --remove-home" "ftpuser-del of a missing home"
expect_eq "$(db_sum)" "$before" "the users file after a refused del"
mv "$T/carol-real" "$home_c"
chown root "$home_c"
del --remove-home carol
expect_eq "$RC" 1 "ftpuser-del --remove-home of root's directory ($ERR)"
expect_contains "$ERR" "is owned by uid 0" "ftpuser-del of root's directory"
expect_eq "$(db_sum)" "$before" "the users file after a refused del"
chown "$(user_uid carol)" "$home_c"

# --remove-home empties the tree without following links out of it.
home_a=$(user_home alice)
outside=$T/outside
mkdir -p "$outside/dir"
echo precious >"$outside/file"
echo precious >"$outside/dir/inner"
mkdir -p "$home_a/a/b/c"
echo x >"$home_a/a/b/c/f"
echo y >"$home_a/.hidden"
ln -s "$outside/file" "$home_a/link-to-file"
ln -s "$outside/dir" "$home_a/a/link-to-dir"
ln -s / "$home_a/a/b/root"
chown -R -h "$(user_uid alice):$(user_gid alice)" "$home_a"
del --remove-home alice
expect_eq "$RC" 0 "ftpuser-del --remove-home alice ($ERR)"
[ -e "$home_a" ] && fail "alice's home is still there"
[ -e "$T/quota/alice" ] && fail "alice's accounting file is still there"
expect_eq "$(cat "$outside/file")" precious "a file a link pointed to"
expect_eq "$(cat "$outside/dir/inner")" precious "a directory a link pointed to"
if [ ! -d / ] || [ ! -f "$CONF" ]; then
	fail "the link to / was followed"
fi
check_db "ftpuser-del --remove-home"
del --remove-home carol
expect_eq "$RC" 0 "ftpuser-del --remove-home carol ($ERR)"
[ -s "$USERS" ] && fail "users are left: $(cut -d: -f1 "$USERS")"
ok "del removes user and accounting file; --remove-home only inside the home"

# ------------------------------------------- a users file that is a link
# Shared storage reached by a link (each node's users_file a link to the
# one file): every tool changes, and locks, the file the link leads to,
# and the link stays.
shared=$T/shared
mkdir -p "$shared"
mv "$USERS" "$shared/users" || fail "cannot move $USERS"
ln -s "$shared/users" "$USERS" || fail "cannot link $USERS"
add_user gus "$(rand_pw)"
mod --quota-bytes 1M gus
expect_eq "$RC" 0 "ftpuser-mod of gus through a linked users file ($ERR)"
[ -L "$USERS" ] || fail "the link $USERS was replaced by a file"
expect_eq "$(awk -F: '$1 == "gus" { print $6 }' "$shared/users")" 1048576 \
    "gus's quota in the file the link leads to"
[ -e "$shared/users.lock" ] || fail "no lock beside $shared/users"
expect_eq "$(stat -c '%U %G %a' "$shared/users")" "root root 600" \
    "the linked users file"
del gus
expect_eq "$RC" 0 "ftpuser-del gus through a linked users file ($ERR)"
[ -L "$USERS" ] || fail "ftpuser-del replaced the link $USERS"
grep -q '^gus:' "$shared/users" && fail "gus is still in $shared/users"
rm -f "$USERS"
# A link to nothing (the shared storage not mounted) is no empty
# database to start afresh in.
ln -s "$shared/gone/users" "$USERS"
tool "$FTPUSER_ADD" --password-stdin hugo <<<"$(rand_pw)"
expect_eq "$RC" 1 "ftpuser-add through a link to nothing ($ERR)"
expect_contains "$ERR" "symbolic link" "the reason"
[ -L "$USERS" ] || fail "ftpuser-add replaced a link to nothing"
[ -e "$T/home/hugo" ] && fail "a refused ftpuser-add left a home"
ok "a users file that is a link: the file it leads to is changed, the link kept"

check_log_clean
