#!/usr/bin/env bash
# t_home_plant: ftpuser-mod --home makes a missing home itself and gives
# it to the user; it never adopts a directory that appears at that name
# between its check and its mkdir.  Under a sticky world-writable parent
# (as /tmp, which the man page allows) another local user could plant
# one there, with subdirectories of his own inside, and keep them.  Here
# strace holds ftpuser-mod's mkdirat for two seconds while nobody
# (uid 65534) makes the directory: the tool must refuse, leave the users
# file as it was, and give nobody's directory to no one.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || fail "strace is needed (scripts/deps.sh)"
command -v setpriv >/dev/null || fail "setpriv(1) (util-linux) is needed"
pw=$(rand_pw)
add_user bob "$pw"
pub=$T/pub
mkdir -p "$pub"
chmod 1777 "$pub"
new=$pub/bobhome
before=$(grep '^bob:' "$T/etc/users")

# The walk makes (or finds) each directory on the way with one mkdirat:
# the last of them, for the home itself, is the one held.
n=$(tr -cd / <<<"$new" | wc -c)
strace -f -o "$T/strace.out" -e trace=mkdirat \
    -e inject=mkdirat:delay_enter=2000000:when="$n" \
    "$top_builddir/ftpuser-mod" -c "$CONF" --home "$new" bob \
    >"$T/mod.out" 2>&1 &
mod=$!
BG_PIDS+=("$mod")
sleep 0.7
setpriv --reuid=65534 --regid=65534 --clear-groups \
    mkdir -m 0777 "$new" "$new/drop" || fail "nobody could not plant"
RC=0
wait "$mod" || RC=$?
[ "$RC" != 0 ] || fail "ftpuser-mod took a home that appeared meanwhile: $(cat "$T/mod.out")"
expect_contains "$(cat "$T/mod.out")" "$new" "what ftpuser-mod says"
[ "$(stat -c %u "$new")" = 65534 ] ||
	fail "the planted home was given to uid $(stat -c %u "$new")"
[ "$(grep '^bob:' "$T/etc/users")" = "$before" ] ||
	fail "the users file changed: $(grep '^bob:' "$T/etc/users")"
ok "a home planted during ftpuser-mod --home is refused, not adopted"

rm -rf "$new"
"$top_builddir/ftpuser-mod" -c "$CONF" --home "$new" bob >/dev/null ||
	fail "ftpuser-mod --home to a fresh name"
[ "$(stat -c '%u %a' "$new")" = "$(user_uid bob) 700" ] ||
	fail "the new home is $(stat -c '%u %a' "$new")"
ok "without a plant, the home is made and given to the user"
