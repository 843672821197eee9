#!/usr/bin/env bash
# t_session_dir_missing: a session_dir that does not exist (shared
# storage not mounted, its parent the bare mount point) is not made by
# a login: made on the node's own disk, its slots counted that node's
# sessions alone, a user's --max-sessions once per node.  A user with a
# limit is refused (a limit that cannot be counted is not waived); one
# without is served without a slot, and that is logged.  ftpuser-list
# shows its sessions as '?', not 0.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

mnt=$T/mnt
mkdir -p "$mnt"
DAEMON_EXTRA_CONF="session_dir = $mnt/sessions"
pw_a=$(rand_pw)
pw_b=$(rand_pw)
add_user alice "$pw_a" --max-sessions 2
add_user bob "$pw_b"
start_daemon

run_client alice "$pw_a" <<<'pwd'
expect_rc 4 "alice (limit 2) with no session_dir"
expect_contains "$ERR" "your account cannot be served now" "alice's refusal"
wait_for 5 grep -qF "login refused user=alice" "$DAEMON_LOG" ||
	fail "no log line of alice's refusal"
expect_eq "$(ls -A "$mnt")" "" "what alice's login left in the mount point"
ok "a user with a limit is refused, and no session_dir is made"

run_client bob "$pw_b" <<<'pwd'
expect_rc 0 "bob (no limit) with no session_dir ($ERR)"
wait_for 5 grep -qF "user=bob addr=" "$DAEMON_LOG" ||
	fail "no log line of bob's session without a slot"
grep -qF "no session slot in $mnt/sessions/bob" "$DAEMON_LOG" ||
	fail "bob's session without a slot is not logged"
expect_eq "$(ls -A "$mnt")" "" "what bob's login left in the mount point"
ok "a user without a limit is served without a slot, and it is logged"

# ftpuser-list cannot count the sessions there: unknown, not none.
tool "$top_builddir/ftpuser-list" alice
expect_eq "$RC" 0 "ftpuser-list alice with no session_dir ($ERR)"
expect_contains "$OUT" \
    "? running (cannot read $mnt/sessions/alice: No such file or directory)" \
    "ftpuser-list alice's sessions with no session_dir"
tool "$top_builddir/ftpuser-list"
expect_match "$OUT" 'alice .* \?/2 ' "ftpuser-list's sessions column"
expect_eq "$(ls -A "$mnt")" "" "what ftpuser-list left in the mount point"
ok "ftpuser-list says the sessions are unknown, not 0"

mkdir -m 0700 "$mnt/sessions"
run_client alice "$pw_a" <<<'pwd'
expect_rc 0 "alice once session_dir is there ($ERR)"
[ -f "$mnt/sessions/alice" ] || fail "no slot file for alice"
ok "once the directory is there, the slots are in it"
