#!/usr/bin/env bash
# t_put_changing: an upload of a local file that changes while it is
# sent is never stored as verified (the counterpart of t_get_changing).
# The client is held (SIGSTOP) once the server's partial holds some
# bytes, the local file is changed, and the client goes on:
#   - overwritten in place, same size, in the part already sent: the
#     server got neither the old file nor the new one, and before this
#     stored that mix over the remote file, verified (the client's
#     checksum was of what it read); now mftp fails, saying the file
#     changed while it was sent, and the remote file is the one that was
#     there before;
#   - grown: the same, as a small file sent by mput already was;
#   - either way the session goes on (the next command runs), and once
#     the file is still a put stores it whole, verified, with no partial
#     left and the accounting equal to a recount;
#   - a file whose size is given as 0 but that reads as data (/proc) is
#     not stored as an empty file, by put or by mput.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_quota.sh
. "$(dirname "$0")/lib_quota.sh"

CLIENT_TIMEOUT=120
W=$T/work
SIZE=$((48 * 1048576))
CUT=$((2 * 1048576))

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
home=$(user_home alice)
case $home in "$T"/*) ;; *) fail "alice's home $home is not under $T" ;; esac
start_daemon
mkdir -p "$W"

# The files the user had on the server under the names put below.
mkdir -p "$W/old"
printf 'the old over\n' >"$W/old/over"
printf 'the old grown\n' >"$W/old/grown"
run_client alice "$pw" <<<"lcd $W/old
put over
put grown"
expect_rc 0 "the first puts"

# held_put NAME: start "-put NAME" from $W (a failure does not end the
# run), then "pwd", stopped once the server's partial holds CUT bytes;
# CPID is the client.
held_put() {
	"$MFTP" -P "$PORT" --password-fd 3 "alice@$HOST" 3<<<"$pw" \
	    <<<"lcd $W
-put $1
pwd" >"$T/held.out" 2>"$T/held.err" &
	CPID=$!
	BG_PIDS+=("$CPID")
	kill -STOP "$CPID" 2>/dev/null
	run_slices "$home/.$1.mftp-part" "$CUT" ||
		fail "$1: the put did not reach $CUT bytes"
}

# go_on: let the held client finish; RC, OUT and ERR are its.
go_on() {
	kill -CONT "$CPID" 2>/dev/null
	RC=0
	wait_pid "$CPID" "$CLIENT_TIMEOUT" || RC=$?
	[ "$RC" = 124 ] && fail "the held client did not finish"
	OUT=$(cat "$T/held.out")
	ERR=$(cat "$T/held.err")
	wait_for 20 _no_sessions || fail "the session lingers"
}

# --------------------------------------------------- overwritten in place
head -c "$SIZE" /dev/urandom >"$W/over" || fail "cannot make the file"
held_put over
printf 'XXXXXXXX' | dd of="$W/over" bs=1 seek=4096 conv=notrunc status=none ||
	fail "cannot overwrite a part of over"
go_on
expect_contains "$ERR" "over: changed while it was sent; not stored" \
    "the client's error"
expect_match "$OUT" '^/$' "the command after it, in the same session"
expect_eq "$(cat "$home/over")" "the old over" "the remote file"
ok "a file overwritten while sent: not stored, the remote file kept"

# ------------------------------------------------------------------ grown
head -c "$SIZE" /dev/urandom >"$W/grown" || fail "cannot make the file"
held_put grown
head -c 1048576 /dev/urandom >>"$W/grown"
go_on
expect_contains "$ERR" "grown: changed while it was sent; not stored" \
    "the client's error"
expect_match "$OUT" '^/$' "the command after it, in the same session"
expect_eq "$(cat "$home/grown")" "the old grown" "the remote file"
ok "a file grown while sent: not stored, the remote file kept"

# ------------------------------------------------- once still, put again
run_client alice "$pw" <<<"lcd $W
put over
put grown"
expect_rc 0 "put of the files once still"
expect_same_file "$home/over" "$W/over" "over, put again"
expect_same_file "$home/grown" "$W/grown" "grown, put again"
[ -z "$(find "$home" -name '*.mftp-part')" ] || fail "a partial was left"
exact alice "after the changed uploads and the puts again"
ok "put again once still: stored whole, no partial left, exact accounting"

# ------------------------------------------------- a file of /proc
# Its size is given as 0, yet it reads as text: the 0 bytes announced
# are not the file.  Before, put stored an empty file, "verified"; mput
# refused it as a file that changed while it was read.
run_client alice "$pw" <<<"put /proc/self/status procstatus"
expect_rc 1 "put of a file of /proc"
expect_contains "$ERR" "/proc/self/status: its size is given as 0, yet it has data" \
    "what put says of a file of /proc"
[ ! -e "$home/procstatus" ] || fail "put stored a file of /proc as $(wc -c <"$home/procstatus") bytes"
[ -z "$(find "$home" -name '*.mftp-part')" ] ||
	fail "put of a file of /proc left a partial: $(find "$home" -name '*.mftp-part')"
run_client alice "$pw" <<<"mput /proc/self/statu?"
expect_rc 1 "mput of a file of /proc"
expect_contains "$ERR" "/proc/self/status: its size is given as 0, yet it has data" \
    "what mput says of a file of /proc"
[ ! -e "$home/status" ] || fail "mput stored a file of /proc"
exact alice "after the files of /proc"
ok "a file whose size is 0 but that has data (/proc) is not stored, and says why"

check_log_clean
