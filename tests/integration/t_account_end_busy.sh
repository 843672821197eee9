#!/usr/bin/env bash
# t_account_end_busy: a transfer in progress does not outlive its
# account.  Another node's ftpuser-mod --lock marks the accounting file
# (mode 0400) and ftpuser-del removes it; a session of the user here
# sees it between requests (t_account_end.sh), and must within a
# request too: before, an upload or a download running when the mark
# came went on to its end, minutes or hours at a user's rate, and an
# upload was even stored, by a user locked out.  Here the mark is made
# by hand, as another node's tool leaves it, while an upload and then a
# download run at 256 KiB/s (8 MiB: about 32 s): the session ends within
# seconds, with the log line that says why; the upload is not stored
# and gives its reservation back, its client told why (the ERROR in
# place of the PUT's reply, read though its send failed), and the
# download stops short.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_quota.sh
. "$(dirname "$0")/lib_quota.sh"

MiB=1048576
SIZE=$((8 * MiB))
W=$T/work
mkdir -p "$W" || fail "mkdir $W"

pw=$(rand_pw)
add_user alice "$pw" --rate 256K --quota-bytes 64M
add_user bob "$pw" --rate 256K
home_a=$(user_home alice)
home_b=$(user_home bob)
case $home_b in
"$T"/*) ;;
*) fail "bob's home '$home_b' is not under $T" ;;
esac
start_daemon

_gone() { ! kill -0 "$1" 2>/dev/null; }
_at_least() { [ "$(fsize "$1")" -ge "$2" ]; }

# busy NAME CMD WATCHED: a client of NAME running CMD in the background
# (BUSY_PID), once its serving process is there (SERVING_PID) and WATCHED
# holds at least 1 MiB: the transfer is under way.
busy() {
	client "$1" "$pw" <<<"$2" >"$T/busy.out" 2>"$T/busy.err" &
	BUSY_PID=$!
	BG_PIDS+=("$BUSY_PID")
	wait_serving_pid "$(user_uid "$1")"
	wait_for 20 _at_least "$3" "$MiB" ||
		fail "the transfer of $1 did not start: $(cat "$T/busy.err")"
}

# ---------------------------------------- an upload when --lock comes
head -c "$SIZE" /dev/urandom >"$W/up" || fail "cannot make up"
busy alice "put $W/up up" "$home_a/.up.mftp-part"
t0=$SECONDS
chmod 0400 "$T/quota/alice"
wait_for 15 _gone "$SERVING_PID" ||
	fail "the upload of a locked account went on ($(fsize \
		"$home_a/.up.mftp-part") bytes of $SIZE)"
note "the upload's session ended $((SECONDS - t0)) s after the mark"
wait_pid "$BUSY_PID" 20 && fail "the client's put succeeded"
expect_contains "$(cat "$T/busy.err")" \
    "the account alice was locked by the administrator" \
    "what the client of the cut upload says"
[ ! -e "$home_a/up" ] || fail "the locked account's upload was stored"
grep -q 'session ended user=alice .*: the account was locked' \
    "$DAEMON_LOG" || fail "no log line for the ended session"
grep -q 'session end user=alice .* reason=account-locked' "$DAEMON_LOG" ||
	fail "the session's end gives another reason"
expect_eq "$(acct_reserved alice)" 0 "the bytes still reserved"
chmod 0600 "$T/quota/alice"
exact alice "after the cut upload"
ok "an upload running when the account is locked elsewhere stops"

# ------------------------------------ a download when ftpuser-del comes
head -c "$SIZE" /dev/urandom >"$home_b/big" || fail "cannot make big"
chown "$(user_uid bob):$(user_gid bob)" "$home_b/big"
busy bob "get big $W/got" "$W/got.part"
t0=$SECONDS
rm "$T/quota/bob"
wait_for 15 _gone "$SERVING_PID" ||
	fail "the download of a removed account went on ($(fsize \
		"$W/got.part") bytes of $SIZE)"
note "the download's session ended $((SECONDS - t0)) s after the removal"
wait_pid "$BUSY_PID" 20 && fail "the client's get succeeded"
[ ! -e "$W/got" ] || fail "the removed account's download completed"
grep -q 'session ended user=bob .*: the account was removed' \
    "$DAEMON_LOG" || fail "no log line for the ended session"
ok "a download running when the account is removed elsewhere stops"
