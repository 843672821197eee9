#!/usr/bin/env bash
# t_resume: interrupted transfers continue where they stopped and are
# verified.  A get whose client is SIGKILLed after some bytes leaves
# LOCAL.part; get again resumes it (the server logs offset > 0) and the
# result is byte-identical and "verified".  A kept .part altered before
# resuming is detected and fetched again from the start.  A put whose
# client is SIGKILLed mid-upload resumes (offset > 0 in the server's log).
# A serving process SIGKILLed mid-get or mid-put: the client says what is
# kept and the command that resumes it, and that resumes.  An upload that
# replaces an existing file and is interrupted leaves the old file intact
# until the resumed upload completes.
#
# The client is slowed down deterministically: it runs in 20 ms slices
# (SIGCONT / SIGSTOP) until the data moved passes a threshold, so it never
# finishes before it is killed, however fast the machine.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BIG_MB=${MFTP_TEST_BIG_MB:-200}
CLIENT_TIMEOUT=600
W=$T/work
CUT=$((16 * 1048576))

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)
start_daemon

head -c $((BIG_MB * 1048576)) /dev/urandom >"$W/big" ||
	fail "cannot make a $BIG_MB MiB file"
size=$(stat -c %s "$W/big")
cp "$W/big" "$home/big"
chown "$uid:$gid" "$home/big"

# slow_client CMDS: start mftp (without -q) in the background, stopped;
# CPID is its pid.
slow_client() {
	"$MFTP" -P "$PORT" --password-fd 3 "alice@$HOST" \
	    3<<<"$pw" <<<"$1" >"$T/slow.out" 2>"$T/slow.err" &
	CPID=$!
	BG_PIDS+=("$CPID")
	kill -STOP "$CPID" 2>/dev/null
}

# kill_client: SIGKILL it, and wait until its session has ended on the
# server too (its log line written, its partial upload unlocked).
kill_client() {
	kill -KILL "$CPID" 2>/dev/null
	wait "$CPID" 2>/dev/null
	wait_for 20 _no_sessions || fail "the killed client's session lingers"
}

# verbose NAME PASS <<<cmds: like run_client, without -q.
verbose() {
	_last_client="$1 (verbose)"
	RC=0
	timeout -k 5 "$CLIENT_TIMEOUT" "$MFTP" -P "$PORT" --password-fd 3 \
	    "$1@$HOST" 3<<<"$2" >"$T/client.out" 2>"$T/client.err" || RC=$?
	OUT=$(cat "$T/client.out")
	ERR=$(cat "$T/client.err")
}

# last_transfer OP PATH: the server's last transfer line for it.
last_transfer() {
	grep -F "transfer user=alice " "$DAEMON_LOG" |
		grep -F " op=$1 path=$2 " | tail -n 1
}

log_field() { # LINE FIELD
	sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"
}

# ------------------------------------------------ interrupted get, resumed
slow_client "get big $W/got"
run_slices "$W/got.part" "$CUT" || fail "the get did not reach $CUT bytes"
kill_client
kept=$(fsize "$W/got.part")
note "kept $kept of $size bytes in got.part"
{ [ "$kept" -gt 0 ] && [ "$kept" -lt "$size" ]; } ||
	fail "the killed get left $kept bytes"
[ ! -e "$W/got" ] || fail "a killed get created the final name"

verbose alice "$pw" <<<"get big $W/got"
expect_rc 0 "get after an interrupted get"
expect_same_file "$W/got" "$W/big" "the resumed download"
[ ! -e "$W/got.part" ] || fail "got.part is still there"
expect_match "$OUT" '^.*got: .* in .* s \(.*/s\), resumed at .*, verified$' \
    "the resumed get's line"
line=$(last_transfer get big)
off=$(log_field "$line" offset)
bytes=$(log_field "$line" bytes)
{ [ -n "$off" ] && [ "$off" -gt 0 ]; } || fail "resumed get: offset '$off' in: $line"
expect_eq "$((off + bytes))" "$size" "offset + bytes of the resumed get"
[ ! -e "$W/.got.part.key" ] || fail "the resume key's sidecar is left"
if command -v python3 >/dev/null 2>&1; then
	expect_eq "$(python3 -c 'import os, sys
print("user.mftp.resume" in os.listxattr(sys.argv[1]))' "$W/got")" False \
	    "the resume key on the finished file"
fi
ok "an interrupted get resumes at $off and verifies"

# --------------------------------- altered .part: detected, fetched again
rm -f "$W/got"
slow_client "get big $W/got"
run_slices "$W/got.part" "$CUT" || fail "the get did not reach $CUT bytes"
kill_client
printf 'XXXXXXXX' | dd of="$W/got.part" bs=1 seek=4096 conv=notrunc \
    status=none || fail "cannot alter got.part"
verbose alice "$pw" <<<"get big $W/got"
expect_rc 0 "get after the .part was altered"
expect_contains "$ERR" "the kept part did not match; transferring again from the start" \
    "the client's note"
expect_same_file "$W/got" "$W/big" "the download fetched again"
expect_match "$OUT" 'got: .*, verified$' "the final line"
expect_no_match "$OUT" 'resumed at' "the final line after a fresh start"
expect_eq "$(log_field "$(last_transfer get big)" offset)" 0 \
    "offset of the second try"
ok "an altered .part is detected and the file fetched again"

# ----------------------------- a .part of another version is not resumed
rm -f "$W/got"
slow_client "get big $W/got"
run_slices "$W/got.part" "$CUT" || fail "the get did not reach $CUT bytes"
kill_client
# The remote file changes (new mtime): the kept key no longer matches.
touch -d '2001-01-01' "$home/big"
verbose alice "$pw" <<<"get big $W/got"
expect_rc 0 "get of a changed remote file"
expect_eq "$(log_field "$(last_transfer get big)" offset)" 0 \
    "offset after the remote file changed"
expect_same_file "$W/got" "$W/big" "the download of the changed file"
expect_contains "$ERR" "got.part: the remote file changed since this part was begun: downloading it from the start" \
    "what the get says of the restart"
ok "a .part of another version of the file starts over, and says so"

# ----------- a whole .part, its key in a sidecar file: only verified
# (the sidecar is where the key goes when extended attributes fail)
rm -f "$W/got"
cp "$W/big" "$W/got.part"
printf '%s %s' "$size" "$(stat -c %Y "$home/big")" >"$W/.got.part.key"
verbose alice "$pw" <<<"get big $W/got"
expect_rc 0 "get with a complete .part"
expect_same_file "$W/got" "$W/big" "the download from a complete .part"
expect_eq "$(log_field "$(last_transfer get big)" offset)" "$size" \
    "offset of a get whose .part is complete"
expect_match "$OUT" "got: 0 B in .*, resumed at $BIG_MB(\.0)? MiB, verified$" \
    "the final line"
[ ! -e "$W/.got.part.key" ] || fail "the sidecar is left"
ok "a complete .part with its key in a sidecar is verified, not fetched again"

# ------------------------------------------------ interrupted put, resumed
cp "$W/big" "$W/up"
slow_client "put $W/up up"
run_slices "$home/.up.mftp-part" "$CUT" ||
	fail "the put did not reach $CUT bytes on the server"
kill_client
[ ! -e "$home/up" ] || fail "a killed put created the target"
wait_for 10 test -f "$home/.up.mftp-part" || fail "no partial upload kept"
verbose alice "$pw" <<<"put $W/up up"
expect_rc 0 "put after an interrupted put"
expect_same_file "$home/up" "$W/big" "the resumed upload"
expect_match "$OUT" 'up: .*, resumed at .*, verified$' "the resumed put's line"
line=$(last_transfer put up)
off=$(log_field "$line" offset)
{ [ -n "$off" ] && [ "$off" -gt 0 ]; } || fail "resumed put: offset '$off' in: $line"
expect_contains "$line" "result=ok" "the resumed put's log line"
[ ! -e "$home/.up.mftp-part" ] || fail "the partial is left after the put"
ok "an interrupted put resumes at $off and verifies"

# ------------------- a kept upload altered on the server: sent again
slow_client "put $W/up up2"
run_slices "$home/.up2.mftp-part" "$CUT" ||
	fail "the put did not reach $CUT bytes on the server"
kill_client
printf 'XXXXXXXX' | dd of="$home/.up2.mftp-part" bs=1 seek=4096 \
    conv=notrunc status=none || fail "cannot alter the partial upload"
verbose alice "$pw" <<<"put $W/up up2"
expect_rc 0 "put after the kept part was altered"
expect_contains "$ERR" "the kept part did not match; transferring again from the start" \
    "the client's note"
expect_same_file "$home/up2" "$W/big" "the upload sent again"
expect_match "$OUT" 'up2: .*, verified$' "the final line"
expect_no_match "$OUT" 'resumed at' "the final line after a fresh start"
expect_eq "$(log_field "$(last_transfer put up2)" offset)" 0 \
    "offset of the second try"
ok "an altered kept upload is detected and sent again from the start"

# cut_by_server CMDS FILE WHAT: run CMDS in a slow client until FILE
# holds CUT bytes, SIGKILL the serving process, let the client go on:
# it must end with status 3 (connection lost); its message is in
# $T/slow.err.
cut_by_server() {
	local sp
	slow_client "$1"
	run_slices "$2" "$CUT" || fail "$3 did not reach $CUT bytes"
	sp=$(serving_pid_of "$uid")
	[ -n "$sp" ] || fail "no serving process"
	kill -KILL "$sp"
	wait_for 10 _not_running "$sp" || fail "the serving process outlived SIGKILL"
	kill -CONT "$CPID"
	RC=0
	wait_pid "$CPID" 60 || RC=$?
	expect_eq "$RC" 3 "$3 whose server was killed"
	wait_for 20 _no_sessions || fail "a session lingers"
}

# ------------------------------------- serving process killed mid-get
rm -f "$W/got" "$W/got.part"
cut_by_server "get big $W/got" "$W/got.part" "the get"
expect_match "$(cat "$T/slow.err")" \
    "^mftp: get: .*; the .* of .* written are kept in $W/got\\.part: reget big $W/got resumes it\$" \
    "the client says what is kept, and how to resume it"
[ -s "$W/got.part" ] || fail "the .part is gone after the server died"
[ ! -e "$W/got" ] || fail "the final name exists after the server died"
verbose alice "$pw" <<<"get big $W/got"
expect_rc 0 "get after the serving process was killed"
expect_same_file "$W/got" "$W/big" "the download resumed after a server kill"
off=$(log_field "$(last_transfer get big)" offset)
[ "$off" -gt 0 ] || fail "no resume after the server was killed (offset $off)"
ok "a get cut by a killed serving process resumes at $off"

# ------------------------------------- serving process killed mid-put
cut_by_server "put $W/big up3" "$home/.up3.mftp-part" "the put"
expect_match "$(cat "$T/slow.err")" \
    "^mftp: put: .*; the server keeps what it received of up3: reput $W/big up3 resumes it\$" \
    "the client says the server keeps its part, and how to resume it"
verbose alice "$pw" <<<"reput $W/big up3"
expect_rc 0 "reput after the serving process was killed"
expect_same_file "$home/up3" "$W/big" "the upload resumed after a server kill"
expect_match "$OUT" 'up3: .*resumed at .*, verified$' "the resumed put's line"
ok "a put cut by a killed serving process says what is kept; reput resumes it"

# ----------------- an upload replacing a file: the old one stays intact
head -c 1048576 /dev/urandom >"$W/old"
run_client alice "$pw" <<<"put $W/old target"
expect_rc 0 "put of the old version"
old_sum=$(sha256sum <"$W/old")
cp "$W/big" "$W/target"
slow_client "put $W/target target"
run_slices "$home/.target.mftp-part" "$CUT" ||
	fail "the replacing put did not reach $CUT bytes"
expect_eq "$(sha256sum <"$home/target")" "$old_sum" \
    "the old file while the new one uploads"
kill_client
expect_eq "$(sha256sum <"$home/target")" "$old_sum" \
    "the old file after the upload was killed"
run_client alice "$pw" <<<"hash --sha256 target"
expect_rc 0 "hash of the old file"
expect_eq "${OUT%% *}" "${old_sum%% *}" "the server's hash of the old file"
verbose alice "$pw" <<<"put $W/target target"
expect_rc 0 "the resumed replacing put"
expect_same_file "$home/target" "$W/big" "the replaced file"
expect_match "$OUT" 'resumed at .*, verified$' "the replacing put's line"
ok "an interrupted replacing upload leaves the old file until it completes"

daemon_alive || fail "mftpd died"
check_log_clean
