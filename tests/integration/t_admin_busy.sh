#!/usr/bin/env bash
# t_admin_busy: ftpuser-list and ftpuser-quota (showing) do not wait
# for as long as a user's accounting file stays locked.  A recount holds
# the file's exclusive lock for the whole walk of the home (minutes for
# a big one, more on shared storage), and so may a session settling a
# removal; the tools read the usage under a shared lock and used to wait
# for it without a word, so ftpuser-list of every user hung at that
# user until the walk ended.  Here a process holds alice's file locked
# for a minute: ftpuser-list shows her usage as "busy" within seconds,
# bob's as it is, and exits 0; ftpuser-list alice says what it means;
# ftpuser-quota alice says it and exits 1, and --all shows bob all the
# same.  ftpuser-quota --recount waits for the lock (its count must not
# miss a change), but no longer without a word: it says within seconds
# what it waits for, and SIGTERM (^C) ends it, the file untouched.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || fail "python3 is needed"
add_user alice "$(rand_pw)" --quota-bytes 10M
add_user bob "$(rand_pw)"

# An fcntl lock of the whole file, which the tools' OFD locks conflict
# with; the file "held" says it is taken.
python3 -c '
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(60)
' "$T/quota/alice" "$T/held" &
holder=$!
BG_PIDS+=("$holder")
wait_for 10 test -e "$T/held" || fail "the lock holder did not start"

# timed PROG ARGS...: tool, bounded by 30 s; SECS how long it took.
timed() {
	local start=$SECONDS prog=$1
	shift
	RC=0
	timeout -k 5 30 "$prog" -c "$CONF" "$@" >"$T/tool.out" \
	    2>"$T/tool.err" || RC=$?
	SECS=$((SECONDS - start))
	OUT=$(cat "$T/tool.out")
	ERR=$(cat "$T/tool.err")
	[ "$RC" != 124 ] || fail "$prog $* waited for the lock ($SECS s)"
	((SECS <= 10)) || fail "$prog $* took $SECS s"
}

timed "$top_builddir/ftpuser-list" -H
expect_eq "$RC" 0 "ftpuser-list with alice's file locked ($ERR)"
expect_eq "$(awk -F '  +' '$1 == "alice" { print $5, $6 }' <<<"$OUT")" \
    "busy/10 MiB busy/-" "alice's usage in the list"
expect_eq "$(awk -F '  +' '$1 == "bob" { print $5, $6 }' <<<"$OUT")" \
    "0 B/- 0/-" "bob's usage in the list"
ok "ftpuser-list shows a usage held locked as busy, at once"

timed "$top_builddir/ftpuser-list" alice
expect_eq "$RC" 0 "ftpuser-list alice ($ERR)"
expect_match "$OUT" '^usage: +busy \(the accounting file is locked: a recount' \
    "alice's usage in full"
ok "ftpuser-list NAME says what busy means"

timed "$top_builddir/ftpuser-quota" alice
expect_eq "$RC" 1 "ftpuser-quota alice ($ERR)"
expect_contains "$ERR" "alice: the accounting file $T/quota/alice is locked" \
    "what ftpuser-quota says"
expect_contains "$ERR" "try again" "what to do"
timed "$top_builddir/ftpuser-quota" --all
expect_eq "$RC" 1 "ftpuser-quota --all ($ERR)"
expect_contains "$OUT" "bob" "bob in ftpuser-quota --all"
ok "ftpuser-quota says a usage held locked is busy, and goes on"

before=$(cat "$T/quota/alice")
"$top_builddir/ftpuser-quota" -c "$CONF" --recount alice >"$T/recount.out" \
    2>"$T/recount.err" &
rpid=$!
BG_PIDS+=("$rpid")
_said_waiting() {
	grep -q "alice: waiting for the accounting file's lock" "$T/recount.err"
}
wait_for 8 _said_waiting ||
	fail "ftpuser-quota --recount waited without a word: $(cat "$T/recount.err")"
kill -0 "$rpid" 2>/dev/null || fail "ftpuser-quota --recount gave up"
kill -TERM "$rpid"
wait_pid "$rpid" 5
expect_eq "$?" $((128 + 15)) "ftpuser-quota --recount ended by SIGTERM"
expect_eq "$(cat "$T/quota/alice")" "$before" "the file after the cut recount"
kill "$holder"
wait "$holder" 2>/dev/null
timed "$top_builddir/ftpuser-quota" --recount alice
expect_eq "$RC" 0 "ftpuser-quota --recount once the lock is free ($ERR)"
ok "ftpuser-quota --recount says it waits for the lock; SIGTERM ends it"
