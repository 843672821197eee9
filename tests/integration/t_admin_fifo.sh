#!/usr/bin/env bash
# t_admin_fifo: a file the admin tools read that is a FIFO (put at the
# path by hand, by a bad restore, by whoever may write in its directory)
# is refused at once, never waited on: users_file for every tool, the
# user's session slot file for ftpuser-list, quota_dir/.retired-uids for
# ftpuser-add, and pid_file for ftpuser-mod --lock.  An open(2) of a
# FIFO for reading blocks until a writer comes: the tool would hang for
# good, holding the user database's lock where it had taken it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FTPUSER_DEL=$top_builddir/ftpuser-del
FTPUSER_MOD=$top_builddir/ftpuser-mod
FTPUSER_LIST=$top_builddir/ftpuser-list
FTPUSER_QUOTA=$top_builddir/ftpuser-quota
for p in "$FTPUSER_DEL" "$FTPUSER_MOD" "$FTPUSER_LIST" "$FTPUSER_QUOTA"; do
	[ -x "$p" ] || fail "$p is not built"
done

# bounded PROG [args...] [<<<stdin]: run an admin tool for at most 10 s;
# RC (124: it hung), ERR.
bounded() {
	local prog=$1
	shift
	RC=0
	ERR=$(timeout 10 "$prog" -c "$CONF" "$@" 2>&1 >"$T/tool.out") ||
		RC=$?
}

# fifo_at PATH: a FIFO at PATH, which must be under $T.
fifo_at() {
	case "$1" in
	"$T"/*) ;;
	*) fail "fifo_at: $1 is not under $T" ;;
	esac
	rm -f -- "$1"
	mkfifo -m 0600 -- "$1" || fail "mkfifo $1"
}

pw=$(rand_pw)
add_user alice "$pw" --max-sessions 2
cp -p "$USERS" "$T/users.saved"
users_sum=$(sha256sum <"$USERS")

# ------------------------------------------------------------ users_file
fifo_at "$USERS"
for t in "$FTPUSER_LIST" "$FTPUSER_QUOTA alice" "$FTPUSER_MOD --lock alice" \
    "$FTPUSER_DEL alice" "$FTPUSER_ADD --password-stdin bob"; do
	# shellcheck disable=SC2086 # a tool and its arguments
	bounded $t <<<"$pw"
	expect_ne "$RC" 124 "$t with a FIFO users_file (it hung)"
	expect_eq "$RC" 1 "$t with a FIFO users_file: exit status"
	expect_contains "$ERR" "$USERS: not a regular file" \
	    "$t with a FIFO users_file: the message"
done
[ -p "$USERS" ] || fail "the FIFO users_file was replaced"
rm -f "$USERS"
cp -p "$T/users.saved" "$USERS"
[ "$(sha256sum <"$USERS")" = "$users_sum" ] || fail "the users file changed"
[ ! -e "$T/home/bob" ] || fail "ftpuser-add made bob's home"
ok "a FIFO users_file is refused by every tool, not waited on"

# ------------------------------------------------ the session slot file
mkdir -p "$T/sessions"
fifo_at "$T/sessions/alice"
bounded "$FTPUSER_LIST" alice
expect_ne "$RC" 124 "ftpuser-list with a FIFO slot file (it hung)"
expect_eq "$RC" 0 "ftpuser-list with a FIFO slot file: exit status"
expect_contains "$(cat "$T/tool.out")" \
    "? running (cannot read $T/sessions/alice: " "ftpuser-list's sessions"
bounded "$FTPUSER_LIST"
expect_ne "$RC" 124 "ftpuser-list (all) with a FIFO slot file (it hung)"
expect_match "$(cat "$T/tool.out")" '\?/2 ' "ftpuser-list's sessions column"
rm -f "$T/sessions/alice"
ok "a FIFO session slot file is a '?' for ftpuser-list, not a hang"

# --------------------------------------------- quota_dir/.retired-uids
fifo_at "$T/quota/.retired-uids"
bounded "$FTPUSER_ADD" --password-stdin bob <<<"$pw"
expect_ne "$RC" 124 "ftpuser-add with a FIFO .retired-uids (it hung)"
expect_eq "$RC" 1 "ftpuser-add with a FIFO .retired-uids: exit status"
expect_contains "$ERR" "$T/quota/.retired-uids: not a regular file" \
    "ftpuser-add with a FIFO .retired-uids: the message"
has_user bob && fail "ftpuser-add added bob all the same"
[ ! -e "$T/home/bob" ] || fail "ftpuser-add made bob's home"
rm -f "$T/quota/.retired-uids"
ok "a FIFO .retired-uids is refused by ftpuser-add, not waited on"

# ------------------------------------------------------------- pid_file
# No master runs: the tool looks for sessions in /proc alone.
fifo_at "$T/run/mftpd.pid"
bounded "$FTPUSER_MOD" --lock alice
expect_ne "$RC" 124 "ftpuser-mod --lock with a FIFO pid_file (it hung)"
expect_eq "$RC" 0 "ftpuser-mod --lock with a FIFO pid_file: exit status"
expect_contains "$(cat "$T/tool.out")" "locked user 'alice'" \
    "ftpuser-mod --lock's line"
bounded "$FTPUSER_DEL" alice
expect_ne "$RC" 124 "ftpuser-del with a FIFO pid_file (it hung)"
expect_eq "$RC" 0 "ftpuser-del with a FIFO pid_file: exit status"
has_user alice && fail "ftpuser-del left alice"
rm -f "$T/run/mftpd.pid"
ok "a FIFO pid_file does not stop ftpuser-mod --lock and ftpuser-del"
