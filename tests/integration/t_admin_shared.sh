#!/usr/bin/env bash
# t_admin_shared: a users file edited by hand where two users share a
# home (a line copied and renamed) or where one home lies inside
# another's.  ftpuser-del --remove-home of one of them must not remove
# what is the other's: it is refused before anything changes, naming the
# other user, and the users file, the accounting file and every file of
# both homes stay.  Without --remove-home the user alone is removed.
# ftpuser-mod --lock and ftpuser-del of a user whose uid another user
# has end that user's sessions alone, not the other's.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FTPUSER_DEL=$top_builddir/ftpuser-del
[ -x "$FTPUSER_DEL" ] || fail "$FTPUSER_DEL is not built"

# A home under $T, checked before anything is written into it.
home_in_t() { # NAME
	local h
	h=$(user_home "$1")
	case $h in
	"$T"/*) printf '%s\n' "$h" ;;
	*) fail "home of $1 is not under $T: '$h'" ;;
	esac
}

add_user bob "bob-$(rand_pw)"
bob_home=$(home_in_t bob)
echo "bob's data" >"$bob_home/precious"
chown "$(user_uid bob)" "$bob_home/precious"

# ------------------------------------------ the same home, by a copied line
line=$(awk -F: '$1 == "bob" { sub(/^bob/, "carol"); print }' "$USERS")
printf '%s\n' "$line" >>"$USERS"
has_user carol || fail "carol's line was not made"
: >"$T/quota/carol"
before=$(sha256sum <"$USERS")
tool "$FTPUSER_DEL" --remove-home carol
expect_eq "$RC" 1 "ftpuser-del --remove-home of a home bob has too ($ERR)"
expect_contains "$ERR" "'bob'" "the refusal names the other user"
expect_eq "$(sha256sum <"$USERS")" "$before" "the users file after the refusal"
[ -f "$bob_home/precious" ] || fail "bob's file was removed"
[ -e "$T/quota/carol" ] || fail "carol's accounting file was removed"
ok "--remove-home of a home another user has is refused, nothing changed"

tool "$FTPUSER_DEL" carol
expect_eq "$RC" 0 "ftpuser-del carol without --remove-home ($ERR)"
has_user carol && fail "carol is still in the users file"
has_user bob || fail "bob was removed with carol"
[ -f "$bob_home/precious" ] || fail "bob's file was removed"
ok "without --remove-home the user alone goes"

# ------------------------------------------ a home inside another's
mkdir "$bob_home/sub"
chown "$(user_uid bob)" "$bob_home/sub"
echo "bob's too" >"$bob_home/sub/kept"
line=$(awk -F: -v h="$bob_home/sub" 'BEGIN { OFS = ":" }
    $1 == "bob" { $1 = "dave"; $5 = h; print }' "$USERS")
printf '%s\n' "$line" >>"$USERS"
has_user dave || fail "dave's line was not made"
before=$(sha256sum <"$USERS")
tool "$FTPUSER_DEL" --remove-home dave
expect_eq "$RC" 1 "ftpuser-del --remove-home of a home inside bob's ($ERR)"
expect_contains "$ERR" "'bob'" "the refusal names the other user"
expect_eq "$(sha256sum <"$USERS")" "$before" "the users file after the refusal"
[ -f "$bob_home/sub/kept" ] || fail "the file in bob's home was removed"
ok "--remove-home of a home inside another user's is refused"

# And the other way: bob's home holds dave's, which bob's removal takes.
before=$(sha256sum <"$USERS")
tool "$FTPUSER_DEL" --remove-home bob
expect_eq "$RC" 1 "ftpuser-del --remove-home of a home holding dave's ($ERR)"
expect_contains "$ERR" "'dave'" "the refusal names the other user"
expect_eq "$(sha256sum <"$USERS")" "$before" "the users file after the refusal"
[ -f "$bob_home/sub/kept" ] || fail "the file in dave's home was removed"
ok "--remove-home of a home that holds another user's is refused"

# ------------------------------------------ two users of one uid: sessions
# frank is a copy of erin's line with a home of its own (the same uid,
# the same password): ftpuser-mod --lock frank and ftpuser-del frank end
# frank's sessions, and erin's, which have the same uid and the same
# master, go on.
FTPUSER_MOD=$top_builddir/ftpuser-mod
pw_e="erin-$(rand_pw)"
add_user erin "$pw_e"
uid_e=$(user_uid erin)
frank_home=$T/home/frank
mkdir -m 0700 "$frank_home"
chown "$uid_e:$(user_gid erin)" "$frank_home"
line=$(awk -F: -v h="$frank_home" 'BEGIN { OFS = ":" }
    $1 == "erin" { $1 = "frank"; $5 = h; print }' "$USERS")
printf '%s\n' "$line" >>"$USERS"
has_user frank || fail "frank's line was not made"
cp -p "$T/quota/erin" "$T/quota/frank"
start_daemon

_shown() { # FILE: a pwd answered in it
	grep -q '^/' "$1"
}

# erin's session, held on a FIFO of its own for the whole test.
mkfifo "$T/erin.fifo"
exec 9<>"$T/erin.fifo"
client erin "$pw_e" <"$T/erin.fifo" >"$T/erin.out" 2>"$T/erin.err" 9>&- &
BG_PIDS+=("$!")
printf 'pwd\n' >&9
wait_for 10 _shown "$T/erin.out" || fail "erin's session did not log in"
wait_serving_pid "$uid_e"
sp_e=$SERVING_PID

# frank_session: a held session of frank; SP_F its serving process.
frank_session() {
	session_open frank "$pw_e"
	session_send pwd
	wait_for 10 _shown "$SESS_OUT" || fail "frank's session did not log in"
	_two() { [ "$(serving_pids_of "$uid_e" | wc -l)" -ge 2 ]; }
	wait_for 10 _two || fail "no serving process of frank"
	SP_F=$(serving_pids_of "$uid_e" | grep -vx "$sp_e" | head -n 1)
	[ -n "$SP_F" ] || fail "frank's serving process not found"
}

frank_session
tool "$FTPUSER_MOD" --lock frank
expect_eq "$RC" 0 "ftpuser-mod --lock frank ($ERR)"
kill -0 "$sp_e" 2>/dev/null || fail "erin's session ended with frank's lock"
_not_running "$SP_F" || fail "frank's session outlived the lock"
expect_contains "$OUT" "ended 1 running session" "what ftpuser-mod says"
session_close 20
ok "ftpuser-mod --lock of a user with another's uid ends its session alone"

tool "$FTPUSER_MOD" --unlock frank
expect_eq "$RC" 0 "ftpuser-mod --unlock frank ($ERR)"
frank_session
tool "$FTPUSER_DEL" frank
expect_eq "$RC" 0 "ftpuser-del frank ($ERR)"
kill -0 "$sp_e" 2>/dev/null || fail "erin's session ended with frank's removal"
_not_running "$SP_F" || fail "frank's session outlived its removal"
expect_contains "$OUT" "ended 1 running session" "what ftpuser-del says"
session_close 20
printf 'pwd\n' >&9
ok "ftpuser-del of a user with another's uid ends its session alone"
