#!/usr/bin/env bash
# t_lock_mark: a user's lock lives in the users file ('!' before the
# hash) and, for the sessions of every node, as the mode of the
# accounting file (0400 locked, 0600 not; t_account_end).  When the two
# disagree (an unlock by hand in the users file, a tool killed between
# its two writes), the tools put the mark back in line with the users
# file: a recount, and any ftpuser-mod run.  A session that meets the
# mark is told its account is locked, also under the shipped unit's
# capabilities (no CAP_DAC_OVERRIDE: the monitor cannot open a 0400
# file for writing), where it used to be told that there is no
# accounting file and to ask for a recount, which did not help.  Its
# login is refused so (mftp's exit status 4), not answered OK for a
# session that ends at its first request (t_login_stopped).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v setpriv >/dev/null || fail "setpriv(1) (util-linux) is needed"
pw=$(rand_pw)
add_user alice "$pw"
add_user bob "$pw"
# As the unit runs it: root without CAP_DAC_OVERRIDE.
DAEMON_PREFIX=(setpriv --bounding-set -dac_override)
start_daemon
grep -q "^CapBnd:" "/proc/$DAEMON_PID/status" || fail "no CapBnd"
echo hello >"$T/work/f"
mode() { stat -c %a "$T/quota/$1"; }
# unlock_by_hand NAME: the '!' taken out of the users file, as an
# administrator's editor would.
unlock_by_hand() {
	sed -i "s/^$1:!/$1:/" "$T/etc/users" || fail "sed"
	grep -q "^$1:!" "$T/etc/users" && fail "still locked in the file"
	return 0
}

"$top_builddir/ftpuser-mod" -c "$CONF" --lock alice >/dev/null ||
	fail "ftpuser-mod --lock"
unlock_by_hand alice
[ "$(mode alice)" = 400 ] || fail "the mark is $(mode alice), want 400"
run_client alice "$pw" <<<"pwd
put $T/work/f f"
expect_rc 4 "a session with a stale lock mark"
expect_contains "$ERR" "was locked by the administrator" \
    "what the user is told"
expect_not_contains "$ERR" "no accounting file" "what the user is told"
grep -q 'session ended user=alice .*: the account was locked' "$DAEMON_LOG" ||
	fail "no log line for the session ended by the mark"
expect_no_match "$(cat "$DAEMON_LOG")" "of user=alice: cannot be read" \
    "the log about alice's accounting file"
[ ! -e "$(user_home alice)/f" ] || fail "the put went through"
ok "a session that meets a lock mark is told the account is locked (no CAP_DAC_OVERRIDE)"

out=$("$top_builddir/ftpuser-quota" -c "$CONF" --recount alice 2>&1) ||
	fail "ftpuser-quota --recount: $out"
[ "$(mode alice)" = 600 ] ||
	fail "after a recount the mark is $(mode alice); the users file says unlocked"
run_client alice "$pw" <<<"put $T/work/f f"
expect_rc 0 "put after the recount"
ok "a recount puts the mark in line with the users file (unlocked)"

"$top_builddir/ftpuser-mod" -c "$CONF" --lock bob >/dev/null ||
	fail "ftpuser-mod --lock bob"
chmod 0600 "$T/quota/bob"
"$top_builddir/ftpuser-quota" -c "$CONF" --recount bob >/dev/null ||
	fail "ftpuser-quota --recount bob"
[ "$(mode bob)" = 400 ] ||
	fail "after a recount bob's mark is $(mode bob); the users file says locked"
rm "$T/quota/bob"
"$top_builddir/ftpuser-quota" -c "$CONF" --recount bob >/dev/null ||
	fail "ftpuser-quota --recount bob (no file)"
[ "$(mode bob)" = 400 ] ||
	fail "a recount made bob's file $(mode bob); the users file says locked"
ok "a recount puts the mark in line with the users file (locked), also in a file it makes"

"$top_builddir/ftpuser-mod" -c "$CONF" --lock alice >/dev/null ||
	fail "ftpuser-mod --lock"
unlock_by_hand alice
"$top_builddir/ftpuser-mod" -c "$CONF" --quota-bytes 2G alice >/dev/null ||
	fail "ftpuser-mod --quota-bytes"
[ "$(mode alice)" = 600 ] ||
	fail "after ftpuser-mod the mark is $(mode alice); the users file says unlocked"
run_client alice "$pw" <<<"put $T/work/f g"
expect_rc 0 "put after ftpuser-mod"
chmod 0600 "$T/quota/bob"
"$top_builddir/ftpuser-mod" -c "$CONF" --quota-files 50 bob >/dev/null ||
	fail "ftpuser-mod --quota-files bob"
[ "$(mode bob)" = 400 ] ||
	fail "after ftpuser-mod bob's mark is $(mode bob); the users file says locked"
ok "any ftpuser-mod run puts the mark in line with the users file"

# A login that meets the mark just before an unlock lifts it: the users
# file already lets alice in, the monitor finds the file marked (0400)
# and can open it only to read, and then the mark goes (the unlock's
# second write).  The session must not go on with a descriptor it cannot
# charge through (it called the file damaged and refused every write,
# telling the user to ask for a recount): it ends, saying the account was
# locked, and the next login works.  strace holds the monitor's chroot
# (after its open of the file) for 3 s while the mark goes.
"$top_builddir/ftpuser-mod" -c "$CONF" --lock alice >/dev/null ||
	fail "ftpuser-mod --lock"
unlock_by_hand alice
before=$(grep -c 'login user=alice' "$DAEMON_LOG")
strace_attach "$DAEMON_PID" "$T/strace.race" -f -e trace=chroot \
    -e inject=chroot:delay_enter=3000000:when=1
_logged_in() { [ "$(grep -c 'login user=alice' "$DAEMON_LOG")" -gt "$before" ]; }
client alice "$pw" >"$T/race.out" 2>"$T/race.err" <<<"pwd
put $T/work/f h" &
race=$!
BG_PIDS+=("$race")
wait_for 20 _logged_in || fail "alice's login did not come"
sleep 0.5
chmod 0600 "$T/quota/alice"
RC=0
wait_pid "$race" 30 || RC=$?
kill "$STRACE_PID" 2>/dev/null
wait "$STRACE_PID" 2>/dev/null
expect_rc 4 "the session that met the mark ($(cat "$T/race.err"))"
expect_contains "$(cat "$T/race.err")" "was locked by the administrator" \
    "what the user is told"
expect_no_match "$(cat "$DAEMON_LOG")" "of user=alice: (cannot be read|damaged)" \
    "the log about alice's accounting file"
run_client alice "$pw" <<<"put $T/work/f h"
expect_rc 0 "the next login's put"
ok "a login that met the mark while an unlock lifted it ends as locked; the next one works"
check_log_clean
