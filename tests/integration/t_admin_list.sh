#!/usr/bin/env bash
# t_admin_list: ftpuser-list marks locked users and shows one user in
# full (ids, home, locked or not, usage against the limits) when given a
# name; ftpuser-mod --lock of a locked account, and --unlock of an
# unlocked one, say so; a new password given with --lock keeps the
# account locked.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

FTPUSER_LIST=$top_builddir/ftpuser-list
FTPUSER_MOD=$top_builddir/ftpuser-mod

add_user alice "$(rand_pw)" --quota-bytes 10M --quota-files 100
add_user bob "$(rand_pw)"
tool "$FTPUSER_MOD" --lock bob
expect_eq "$RC" 0 "ftpuser-mod --lock bob ($ERR)"

# ------------------------------------------------ the list marks locks
tool "$FTPUSER_LIST"
expect_eq "$RC" 0 "ftpuser-list ($ERR)"
expect_match "$OUT" '^NAME +UID +GID +HOME +BYTES\(USED/LIMIT\) +FILES\(USED/LIMIT\) +SESSIONS +RATE +FROM +STATE$' \
    "the header"
state() { awk -v n="$1" '$1 == n { print $NF }' <<<"$OUT"; }
expect_eq "$(state bob)" locked "bob's state in the list"
expect_eq "$(state alice)" - "alice's state in the list"
# The columns before it stay where they were.
# Columns are two or more blanks apart; a size has one inside.
expect_eq "$(awk -F '  +' '$1 == "alice" { print $2, $5, $6 }' <<<"$OUT")" \
    "$(user_uid alice) 0 B/10 MiB 0/100" "alice's row"
ok "ftpuser-list marks locked users"

# ------------------------------------------------------ one user, in full
tool "$FTPUSER_LIST" bob
expect_eq "$RC" 0 "ftpuser-list bob ($ERR)"
expect_match "$OUT" '^name: +bob$' "bob's name"
expect_match "$OUT" "^uid: +$(user_uid bob)\$" "bob's uid"
expect_match "$OUT" "^gid: +$(user_gid bob)\$" "bob's gid"
expect_match "$OUT" "^home: +$(user_home bob)\$" "bob's home"
expect_match "$OUT" '^state: +locked' "bob is locked"
expect_match "$OUT" '^bytes: +0 B used, no limit \(0\)$' "bob's bytes"
tool "$FTPUSER_LIST" alice
expect_match "$OUT" '^state: +active$' "alice is not locked"
expect_match "$OUT" '^bytes: +0 B used of 10 MiB \(0 of 10485760\)$' \
    "alice's bytes"
expect_match "$OUT" '^files: +0 used of 100 \(0 of 100\)$' "alice's files"
expect_eq "$(grep -c . <<<"$OUT")" 10 "lines for one user"
tool "$FTPUSER_LIST" carol
expect_eq "$RC" 1 "ftpuser-list of an unknown user"
expect_contains "$ERR" "no such user 'carol'" "ftpuser-list of an unknown user"
tool "$FTPUSER_LIST" alice bob
expect_eq "$RC" 2 "ftpuser-list with two names"
ok "ftpuser-list NAME shows one user in full, locked or not"

# ------------------------------------- lock and unlock say what they found
tool "$FTPUSER_MOD" --lock bob
expect_eq "$RC" 0 "ftpuser-mod --lock of a locked user ($ERR)"
expect_eq "$OUT" "ftpuser-mod: user 'bob' was already locked; ended 0 running sessions" \
    "a second lock: one line, with the sessions it ended"
tool "$FTPUSER_MOD" --unlock alice
expect_eq "$RC" 0 "ftpuser-mod --unlock of an unlocked user ($ERR)"
expect_contains "$OUT" "user 'alice' was already unlocked" "an unneeded unlock"
tool "$FTPUSER_MOD" --unlock bob
expect_not_contains "$OUT" "already" "a real unlock"
ok "lock and unlock say when there was nothing to do"

# The lock mark of the accounting file (what ends the sessions on other
# machines) cannot be set: the users file has the lock, and the tool says
# what failed and exits 1.
mv "$T/quota/bob" "$T/bob.acct"
mkdir "$T/quota/bob"
tool "$FTPUSER_MOD" --lock bob
expect_eq "$RC" 1 "ftpuser-mod --lock with a directory for the accounting file"
expect_contains "$ERR" "cannot mark $T/quota/bob locked" "the failure"
expect_contains "$ERR" "the users file says 'bob' is locked, but its accounting file could not say so" \
    "what it means"
expect_match "$(user_field bob 2)" '^!' "bob's hash, locked all the same"
tool "$FTPUSER_MOD" --unlock bob
expect_eq "$RC" 1 "ftpuser-mod --unlock with a directory for the accounting file"
expect_contains "$ERR" "cannot mark $T/quota/bob unlocked" "the failure"
rmdir "$T/quota/bob"
mv "$T/bob.acct" "$T/quota/bob"
tool "$FTPUSER_MOD" --lock bob
expect_eq "$RC" 0 "ftpuser-mod --lock once the accounting file is back ($ERR)"
ok "a lock mark that cannot be set: exit 1, and the reason"

# A new password together with --lock locks.
tool "$FTPUSER_MOD" --password-stdin --lock alice <<<"new-$(rand_pw)"
expect_eq "$RC" 0 "ftpuser-mod --password-stdin --lock alice ($ERR)"
# shellcheck disable=SC2016 # a literal '!$y$'
expect_match "$(user_field alice 2)" '^!\$y\$' "alice's hash, locked"
ok "a new password given with --lock keeps the account locked"
