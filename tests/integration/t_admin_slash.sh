#!/usr/bin/env bash
# t_admin_slash: a directory of the configuration written with a trailing
# '/' (quota_dir = /srv/mftp/quota/), or a home with one in the users
# file (written by hand: ftpuser-add and ftpuser-mod refuse it), names
# its files with one '/' in every message.  They were joined with
# another: ftpuser-quota said "there is no accounting file
# /srv/mftp/quota//bob", --recount "cannot recount: /srv/mftp/bob//d:
# ...", and mftpd's log "accounting file /srv/mftp/quota//bob".  The
# recount's failure is strace's EIO injected into its third getdents64,
# the first read of alice's subdirectory d.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || fail "strace is needed (scripts/deps.sh)"
DAEMON_EXTRA_CONF="quota_dir = $T/quota/
session_dir = $T/sessions/"
write_config
pw=$(rand_pw)
add_user alice "$pw"
home=$(user_home alice)
case $home in
"$T"/*) ;;
*) fail "alice's home '$home' is not under $T" ;;
esac
[ -f "$T/quota/alice" ] || fail "no accounting file $T/quota/alice"
{ mkdir "$home/d" && touch "$home/d/x"; } || fail "cannot fill the home"
# Her home as a hand-edited users file may give it.
sed -i "s|:$home:|:$home/:|" "$USERS" || fail "cannot edit $USERS"
expect_eq "$(user_home alice)" "$home/" "the home in the users file"

out=$(strace -f -qq -o /dev/null -e trace=getdents64 \
    -e inject=getdents64:error=EIO:when=3 \
    "$top_builddir/ftpuser-quota" -c "$CONF" --recount alice 2>&1) &&
	fail "the recount did not fail: $out"
expect_contains "$out" "cannot recount: $home/d: Input/output error" \
    "the recount's failure"
expect_not_contains "$out" "//" "the recount's failure"

rm "$T/quota/alice"
out=$("$top_builddir/ftpuser-quota" -c "$CONF" alice 2>&1) &&
	fail "ftpuser-quota did not fail: $out"
expect_contains "$out" "there is no accounting file $T/quota/alice " \
    "a missing accounting file"
expect_not_contains "$out" "//" "a missing accounting file"

start_daemon
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login without an accounting file"
expect_match "$(cat "$DAEMON_LOG")" "accounting file $T/quota/alice of user=alice" \
    "mftpd's line"
expect_no_match "$(grep accounting "$DAEMON_LOG")" "//" "mftpd's line"
ok "paths under a directory written with a trailing '/' have one '/'"
