#!/usr/bin/env bash
# t_progress: the progress bar.  Under a pseudo-terminal (script(1)) a put
# and a get of a large file draw a bar with percent, rate and ETA, and
# each ends with the "verified" line; a transfer whose server stops
# sending says "stalled".  On a pipe no bar and no carriage return
# appear, only the final lines; with -q nothing is printed for transfers.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

if ! command -v script >/dev/null 2>&1; then
	echo "SKIP: script(1) (bsdutils) is not installed"
	exit 77
fi

BIG_MB=${MFTP_TEST_BIG_MB:-200}
CLIENT_TIMEOUT=600
W=$T/work

pw=$(rand_pw)
# The user's rate limit (ftpuser-add --rate) makes the transfers last
# long enough to be caught in mid-transfer however fast the machine is;
# the first eighth of a second's worth goes at once (the bucket's burst).
add_user alice "$pw" --rate 256M
uid=$(user_uid alice)
start_daemon

head -c $((BIG_MB * 1048576)) /dev/urandom >"$W/big" ||
	fail "cannot make a $BIG_MB MiB file"
printf '%s\n' "$pw" >"$T/pw"
chmod 600 "$T/pw"

# on_tty BATCHFILE [mftp options]: run mftp under a pseudo-terminal
# (stdout and stderr both go to it); what it showed is in TTY.
on_tty() {
	local cmd
	cmd=$(printf '%q ' "$MFTP" -P "$PORT" --password-fd 3 -b "$1" \
	    "${@:2}" "alice@$HOST")
	RC=0
	timeout -k 5 "$CLIENT_TIMEOUT" script -qfec "$cmd 3<$T/pw" /dev/null \
	    </dev/null >"$T/tty.out" 2>&1 || RC=$?
	# Carriage returns become line ends, so each drawing is a line.
	TTY=$(tr '\r' '\n' <"$T/tty.out")
	_last_client="script: $cmd"
	OUT=$TTY
	ERR=
}

# ---------------------------------------------------- bar on a terminal
printf 'put %s big\nget big %s\n' "$W/big" "$W/back" >"$W/cmds"
on_tty "$W/cmds"
expect_rc 0 "put and get under a terminal"
expect_same_file "$W/back" "$W/big" "the file after the round trip"
expect_match "$TTY" '^big .*[0-9]+% .*MiB / 200 MiB .*/s (ETA [0-9:]+|- stalled -)' \
    "a bar of the put (name, percent, bytes, rate, ETA)"
expect_match "$TTY" '^.*back .*[0-9]+% .*/s ETA [0-9:]+' "a bar of the get"
expect_match "$TTY" '^big: 200 MiB in [0-9.]+ s \([0-9.]+ [KMG]iB/s\), verified' \
    "the put's final line"
last=$(printf '%s\n' "$TTY" | grep -v '^[[:space:]]*$' | tail -n 1)
expect_match "$last" '^.*back: 200 MiB in [0-9.]+ s \([0-9.]+ [KMG]iB/s\), verified' \
    "the last thing on the terminal"
ok "a terminal shows a bar with percent, rate and ETA, then the final line"

# --------------------------------------------- a stalled transfer says so
rm -f "$W/back"
printf 'get big %s\n' "$W/back" >"$W/cmds"
on_tty "$W/cmds" &
tty_job=$!
BG_PIDS+=("$tty_job")
_has_data() { [ "$(stat -c %s "$W/back.part" 2>/dev/null || echo 0)" -gt 0 ]; }
wait_for 30 _has_data || fail "the get under a terminal did not start"
sp=$(serving_pid_of "$uid")
[ -n "$sp" ] || fail "no serving process"
kill -STOP "$sp"
sleep 7
kill -CONT "$sp"
wait_pid "$tty_job" 120 || fail "the stalled get under a terminal failed"
TTY=$(tr '\r' '\n' <"$T/tty.out")
expect_contains "$TTY" "- stalled -" "the bar of a transfer that stopped"
expect_match "$TTY" 'back: 200 MiB in .*, verified' "the final line"
expect_same_file "$W/back" "$W/big" "the file after the stall"
ok "a transfer that stops moving is shown as stalled"

# ----------------------------------------------------- nothing on a pipe
rm -f "$W/back"
RC=0
"$MFTP" -P "$PORT" --password-fd 3 -b "$W/cmds" "alice@$HOST" 3<"$T/pw" \
    </dev/null >"$T/pipe.out" 2>"$T/pipe.err" || RC=$?
expect_eq "$RC" 0 "get on a pipe"
if grep -q $'\r' "$T/pipe.out" "$T/pipe.err"; then
	fail "a carriage return on a pipe"
fi
OUT=$(cat "$T/pipe.out")
ERR=$(cat "$T/pipe.err")
expect_eq "$ERR" "" "stderr on a pipe"
expect_not_contains "$OUT" "ETA" "stdout on a pipe"
expect_not_contains "$OUT" "[=" "stdout on a pipe"
expect_match "$OUT" '^.*back: 200 MiB in [0-9.]+ s \(.*/s\), verified$' \
    "the final line on a pipe"
expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 1 "lines on a pipe"
ok "a pipe gets only the final line"

# The progress command turns the bar on, for a terminal: never a pipe.
rm -f "$W/back"
printf 'progress\nget big %s\n' "$W/back" >"$W/cmds.on"
RC=0
"$MFTP" -P "$PORT" --password-fd 3 -b "$W/cmds.on" "alice@$HOST" 3<"$T/pw" \
    </dev/null >"$T/pipe.out" 2>"$T/pipe.err" || RC=$?
expect_eq "$RC" 0 "progress, then get on a pipe"
if grep -q $'\r' "$T/pipe.out" "$T/pipe.err"; then
	fail "a carriage return on a pipe after the progress command"
fi
expect_eq "$(cat "$T/pipe.err")" "" "stderr on a pipe after progress"
ok "the progress command draws no bar on a pipe"

# ---------------------------------------------------- -q: nothing at all
rm -f "$W/back"
printf 'get big %s\nput %s big2\n' "$W/back" "$W/big" >"$W/cmds"
on_tty "$W/cmds" -q
expect_rc 0 "-q under a terminal"
expect_eq "$(printf '%s' "$TTY" | tr -d '\n')" "" "what -q shows on a terminal"
expect_same_file "$W/back" "$W/big" "the file fetched with -q"
RC=0
"$MFTP" -q -P "$PORT" --password-fd 3 -b "$W/cmds" "alice@$HOST" 3<"$T/pw" \
    </dev/null >"$T/pipe.out" 2>"$T/pipe.err" || RC=$?
expect_eq "$RC" 0 "-q on a pipe"
{ [ ! -s "$T/pipe.out" ] && [ ! -s "$T/pipe.err" ]; } ||
	fail "-q printed something on a pipe"
ok "-q prints nothing for transfers"

# --------------------------------- an upload's bar: what the server took
# At a user's rate mftp hands a small file to its socket at once (1.5
# MiB, read by the server at 128 KiB/s: 12 s).  The bar shows what the
# server's system has taken, not what was handed over, and goes on while
# mftp waits for the answer.  It showed 100% at once, then stood still.
tool "$top_builddir/ftpuser-mod" --rate 128K alice
expect_eq "$RC" 0 "ftpuser-mod --rate 128K ($ERR)"
home=$(user_home alice)
head -c $((3 * 524288)) /dev/urandom >"$W/paced"
printf 'put %s paced\n' "$W/paced" >"$W/cmds"
on_tty "$W/cmds" &
tty_job=$!
BG_PIDS+=("$tty_job")
_part() { [ -e "$home/.paced.mftp-part" ]; }
wait_for 30 _part || fail "the paced put under a terminal did not start"
# Its server held: what its socket took is all the server has.
sp=$(serving_pid_of "$uid")
[ -n "$sp" ] || fail "no serving process"
kill -STOP "$sp"
wait_for 10 mftp_below "$tty_job" || fail "no mftp below the terminal"
_handed() {
	[ "$(awk '$1 == "wchar:" { print $2 }' "/proc/$CPID/io" 2>/dev/null ||
		echo 0)" -gt $((3 * 524288)) ]
}
wait_for 20 _handed ||
	fail "mftp did not hand the file over within 20 s (its socket took less)"
sleep 1.5 # a drawing, after all was handed over
held=$(tr '\r' '\n' <"$T/tty.out" | grep -Eo '[0-9]+%' | tail -n 1)
drawn=$(tr '\r' '\n' <"$T/tty.out" | grep -c '%')
kill -CONT "$sp"
wait_pid "$tty_job" 60 || fail "the paced put under a terminal failed"
TTY=$(tr '\r' '\n' <"$T/tty.out")
[ -n "$held" ] || fail "no bar while the server was held: $TTY"
[ "${held%\%}" -le 50 ] ||
	fail "the bar said $held while the server had 1/8 of the file at most"
after=$(printf '%s\n' "$TTY" | grep '%' | tail -n +$((drawn + 1)) |
	grep -Eo '[0-9]+%' | tr -d % | awk '$1 > 50 && $1 < 100' | head -n 1)
[ -n "$after" ] ||
	fail "the bar did not move while the server read the rest: $TTY"
note "the bar: $held while the server was held, then $after% on the way"
expect_match "$TTY" 'paced: 1\.5 MiB in [0-9.]+ s \([0-9.]+ [KMG]iB/s\), verified' \
    "the paced put's final line"
expect_same_file "$home/paced" "$W/paced" "the paced put's file"
ok "an upload's bar shows what the server took, and moves until its answer"

daemon_alive || fail "mftpd died"
check_log_clean
