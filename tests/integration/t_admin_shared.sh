#!/usr/bin/env bash
# t_admin_shared: a users file edited by hand where two users share a
# home (a line copied and renamed) or where one home lies inside
# another's.  ftpuser-del --remove-home of one of them must not remove
# what is the other's: it is refused before anything changes, naming the
# other user, and the users file, the accounting file and every file of
# both homes stay.  Without --remove-home the user alone is removed.
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
