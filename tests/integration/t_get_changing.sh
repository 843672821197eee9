#!/usr/bin/env bash
# t_get_changing: a download of a file that changes while it is sent
# ends in a clear error or a verified copy, never an unverified one
# (PROTOCOL.md §5.5), and the server's log says what happened.  The
# client is held (SIGSTOP) once some bytes came, the file is changed,
# and the client goes on:
#   - truncated: the server cannot keep FILE's count and closes; mftp
#     says the data was cut off and keeps only its .part; the transfer
#     line says the file shrank and counts the bytes that were sent, and
#     the session's end says why (before: bytes=0, "truncated input" and
#     "connection-lost", as if the client had gone);
#   - grown: the copy is the file as it was when the GET came, verified;
#   - replaced (renamed over): the same, the old file;
#   - overwritten in place, same size: the checksum does not match; mftp
#     discards what it got, finds (HASH) that the file changed on the
#     server, says so and downloads it again, verified.  Before, it
#     failed with "checksum mismatch", as if the data were damaged;
#   - a checksum the server believes wrongly (a cached value planted for
#     the file's size and time): the data does not match it, the file
#     has not changed, and mftp fails saying so, nothing kept;
#   - the same, with the file made unreadable meanwhile: the HASH that
#     would tell is refused, mftp says it cannot tell and asks once more.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

CLIENT_TIMEOUT=120
W=$T/work
SIZE=$((48 * 1048576))
CUT=$((2 * 1048576))

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)
case $home in "$T"/*) ;; *) fail "alice's home $home is not under $T" ;; esac
start_daemon
mkdir -p "$W"
head -c "$SIZE" /dev/urandom >"$W/orig" || fail "cannot make the file"

# put_file NAME: the original as NAME in the home, alice's.
put_file() {
	cp "$W/orig" "$home/$1"
	chown "$uid:$gid" "$home/$1"
}

# held_get NAME: start "get NAME" into $W/NAME, stopped once CUT bytes
# came; CPID is the client.
held_get() {
	"$MFTP" -P "$PORT" --password-fd 3 "alice@$HOST" \
	    3<<<"$pw" <<<"get $1 $W/$1" >"$T/held.out" 2>"$T/held.err" &
	CPID=$!
	BG_PIDS+=("$CPID")
	kill -STOP "$CPID" 2>/dev/null
	run_slices "$W/$1.part" "$CUT" || fail "$1: the get did not reach $CUT bytes"
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

last_transfer() { # PATH: the server's last transfer line for a get of it
	grep -F "transfer user=alice " "$DAEMON_LOG" |
		grep -F " op=get path=$1 " | tail -n 1
}

log_field() { # LINE FIELD
	sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"
}

# ----------------------------------------------------------- truncated
put_file cut
held_get cut
truncate -s 1M "$home/cut"
go_on
expect_ne "$RC" 0 "get of a file truncated meanwhile"
expect_contains "$ERR" "in the middle of a file's data" "the client's error"
[ ! -e "$W/cut" ] || fail "a cut-off get left a file under the final name"
line=$(last_transfer cut)
expect_match "$line" 'result=error ms=[0-9]+ reason="[^"]*shrank' \
    "the transfer line of a file that shrank"
bytes=$(log_field "$line" bytes)
{ [ -n "$bytes" ] && [ "$bytes" -ge "$CUT" ] && [ "$bytes" -lt "$SIZE" ]; } ||
	fail "the transfer line counts $bytes bytes sent: $line"
expect_match "$(grep -F 'session end user=alice ' "$DAEMON_LOG" | tail -n 1)" \
    'reason=file-shrank ' "the session's end after a file shrank"
ok "a file truncated while sent: the connection ends, the log says so ($bytes bytes sent)"

# --------------------------------------------------------------- grown
put_file grown
held_get grown
head -c 1048576 /dev/urandom >>"$home/grown"
go_on
expect_rc 0 "get of a file that grew meanwhile"
expect_same_file "$W/grown" "$W/orig" "the file that grew, as it was"
expect_match "$OUT" 'verified' "the get's line"
ok "a file grown while sent: the copy is the file as it was, verified"

# ------------------------------------------------------------ replaced
put_file repl
held_get repl
head -c "$SIZE" /dev/urandom >"$home/.repl.new"
mv -f "$home/.repl.new" "$home/repl"
go_on
expect_rc 0 "get of a file replaced meanwhile"
expect_same_file "$W/repl" "$W/orig" "the replaced file, as it was"
ok "a file replaced while sent: the copy is the old one, verified"

# ------------------------------------------------- overwritten in place
put_file over
held_get over
printf 'XXXXXXXX' | dd of="$home/over" bs=1 seek=$((SIZE - 4096)) \
    conv=notrunc status=none || fail "cannot overwrite a part of over"
cp "$home/over" "$W/over.now"
go_on
expect_rc 0 "get of a file overwritten meanwhile"
expect_contains "$ERR" \
    "over: changed on the server while it was sent; transferring again from the start" \
    "the client's note"
expect_not_contains "$ERR" "checksum mismatch" "the client's note"
expect_same_file "$W/over" "$W/over.now" "the second download: the file as it is now"
[ ! -e "$W/over.part" ] || fail "a .part was left"
[ "$(log_count ' op=get path=over .*result=ok')" -eq 2 ] ||
	fail "the server did not send over twice: $(grep -F 'path=over ' "$DAEMON_LOG")"
ok "a file overwritten while sent: told so, and fetched again, verified"

# ----------------------------------------- a checksum believed wrongly
# A value of the server's cache that is not its file's: the data cannot
# match it, and the file did not change.
put_file stale
touch -d '-1 hour' "$home/stale"
plant_hash "$home/stale" xxh128 "$(printf '5a%.0s' {1..16})"
run_client alice "$pw" <<<"get stale $W/stale"
expect_rc 1 "get of a file whose cached checksum is wrong"
expect_contains "$ERR" \
    "stale: checksum mismatch: the data received does not match the server's XXH3-128, and the file has not changed on the server since; it was discarded" \
    "the client's error"
if [ -e "$W/stale" ] || [ -e "$W/stale.part" ]; then
	fail "the mismatched download was kept"
fi
[ "$(log_count ' op=get path=stale ')" -eq 1 ] ||
	fail "a file that did not change was sent again"
ok "a checksum the server believes wrongly: the download fails, saying the file did not change"

# ----------------------- ... and then the server cannot hash it again
# The same wrong value, and the file made unreadable while it is sent
# (the server's open descriptor still reads it): the HASH after the
# mismatch is refused for a reason that is not the file being gone, so
# mftp cannot tell whether it changed; it says so, and the one new GET
# tells the rest (here: refused too, nothing kept).
put_file locked
touch -d '-1 hour' "$home/locked"
plant_hash "$home/locked" xxh128 "$(printf '5a%.0s' {1..16})"
held_get locked
chmod 000 "$home/locked"
go_on
expect_ne "$RC" 0 "get of a file made unreadable after a wrong checksum"
expect_contains "$ERR" \
    "locked: the data received did not match the server's XXH3-128, whose checksum cannot be asked again (Permission denied); transferring again from the start" \
    "the client's note"
expect_not_contains "$ERR" "changed on the server while it was sent" "the client's note"
expect_contains "$ERR" "mftp: get: locked: Permission denied" "the second GET's refusal"
if [ -e "$W/locked" ] || [ -e "$W/locked.part" ]; then
	fail "the mismatched download was kept"
fi
[ "$(log_count ' op=get path=locked ')" -eq 2 ] ||
	fail "the second GET was not asked: $(grep -F 'path=locked ' "$DAEMON_LOG")"
ok "a wrong checksum the server cannot compute again: told so, asked again once"

check_log_clean
