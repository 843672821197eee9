#!/usr/bin/env bash
# t_name_reuse: a user name removed and added again while another tool
# is still finishing with the old user does not lose or mark the new
# user's accounting file.  strace holds back, 3 s, the first tool's first
# system call on quota_dir/NAME (the del's unlink) or on quota_dir (where
# the mod opens the file to mark it); the second tool starts as soon as
# the first has written the users file.  Everything a tool does to a file
# keyed by the name must be done before it lets the database go, so that
# the others wait for it:
#   - ftpuser-del bob, then ftpuser-add bob: the del's unlink of the old
#     accounting file must not remove the new one;
#   - ftpuser-mod --lock bob, then ftpuser-del bob and ftpuser-add bob:
#     the mod's lock mark (mode 0400) must not land on the new one.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_quota.sh
. "$(dirname "$0")/lib_quota.sh"

FTPUSER_DEL=$top_builddir/ftpuser-del
FTPUSER_MOD=$top_builddir/ftpuser-mod
for p in "$FTPUSER_DEL" "$FTPUSER_MOD"; do
	[ -x "$p" ] || fail "$p is not built"
done
command -v strace >/dev/null ||
	fail "strace is needed (scripts/deps.sh installs it)"

users_sum() { cksum <"$USERS"; }
_users_changed() { [ "$(users_sum)" != "$1" ]; }

# held PATH TOOL ARGS...: run an admin tool in the background with its
# first system call on PATH held back 3 s (HELD_PID), and wait until it
# has written the users file.
held() {
	local path=$1 before
	shift
	before=$(users_sum)
	strace -qq -f -o /dev/null -P "$path" \
	    -e inject=all:delay_enter=3000000:when=1 \
	    "$@" -c "$CONF" >"$T/held.out" 2>"$T/held.err" &
	HELD_PID=$!
	BG_PIDS+=("$HELD_PID")
	wait_for 10 _users_changed "$before" ||
		fail "$1 did not write the users file"
}

held_done() { # WHAT
	RC=0
	wait_pid "$HELD_PID" 20 || RC=$?
	expect_eq "$RC" 0 "$1 ($(cat "$T/held.err"))"
}

# ------------------------------------------------------ del, then add
add_user bob "$(rand_pw)"
[ -f "$T/quota/bob" ] || fail "no accounting file for bob"
held "$T/quota/bob" "$FTPUSER_DEL" bob
# The old home is kept (and holds the old uid back): a new one.
add_user bob "$(rand_pw)" --home "$T/home/bob2"
held_done "ftpuser-del bob"
has_user bob || fail "the new bob is not in the users file"
[ -f "$T/quota/bob" ] ||
	fail "the new bob's accounting file was removed by the old bob's del"
expect_eq "$(acct bob)" "0 0" "the new bob's accounting file"
ok "an ftpuser-add during an ftpuser-del of the same name keeps its accounting file"

# ------------------------------------------- mod --lock, then del, add
held "$T/quota" "$FTPUSER_MOD" --lock bob
tool "$FTPUSER_DEL" bob
expect_eq "$RC" 0 "ftpuser-del bob ($ERR)"
add_user bob "$(rand_pw)" --home "$T/home/bob3"
held_done "ftpuser-mod --lock bob"
expect_eq "$(stat -c %a "$T/quota/bob")" 600 \
    "the new bob's accounting file (0400 is the lock mark)"
ok "an ftpuser-mod --lock does not mark the accounting file of a user added after it"
