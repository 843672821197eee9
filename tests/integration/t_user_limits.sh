#!/usr/bin/env bash
# t_user_limits: the per-user limits of ftpuser-add/ftpuser-mod, enforced
# by a real daemon.  --max-sessions 2: a third concurrent login is
# refused with a clear message (ERROR BUSY on the wire; mftp exits 4)
# while two run, a new one is let in once one ends, and a killed session
# frees its slot; a user without a limit of its own has the server's
# max_sessions_per_user (3 here: a fourth is refused, so that one user
# cannot take every place of max_sessions), which a limit of its own
# above it lifts; --allow-from 127.0.0.2: a login from 127.0.0.1 is
# refused (ERROR PERM), from 127.0.0.2 let in; --rate 2M:
# 6 MiB down and up take at least 2.5 s, and without a rate the serving
# process never waits (strace: no sleep).
# The refusals are logged as "login refused", which the fail2ban filter
# does not count.  ftpuser-list shows the limits; bad values are refused
# and change nothing; users without limits keep the seven-field line.
MAX_SESSIONS_PER_USER=3
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

FTPUSER_LIST=$top_builddir/ftpuser-list
FTPUSER_MOD=$top_builddir/ftpuser-mod
MiB=1048576
W=$T/work

db_sum() { sha256sum <"$USERS"; }

pw_a=$(rand_pw) pw_b=$(rand_pw) pw_c=$(rand_pw) pw_d=$(rand_pw)
add_user alice "$pw_a" --max-sessions 2
add_user bob "$pw_b"
add_user carol "$pw_c" --rate 2M
add_user dave "$pw_d"

# ------------------------------------------------- bad values change nothing
before=$(db_sum)
tool "$FTPUSER_MOD" --allow-from 127.0.0.2 --rate abc bob
expect_eq "$RC" 2 "ftpuser-mod --rate abc ($ERR)"
expect_contains "$ERR" "rate 'abc' is not a size" "--rate abc"
tool "$FTPUSER_MOD" --rate 100 bob
expect_eq "$RC" 2 "ftpuser-mod --rate 100 ($ERR)"
expect_contains "$ERR" "rate '100' is below the least, 4096 bytes/s" \
    "--rate below the least"
tool "$FTPUSER_MOD" --max-sessions -1 bob
expect_eq "$RC" 2 "ftpuser-mod --max-sessions -1 ($ERR)"
expect_contains "$ERR" "session limit '-1' is not a count" "--max-sessions -1"
tool "$FTPUSER_MOD" --max-sessions 2k bob
expect_contains "$ERR" "session limit '2k' is not a count" "--max-sessions 2k"
tool "$FTPUSER_MOD" --allow-from 300.1.1.1 bob
expect_eq "$RC" 2 "ftpuser-mod --allow-from 300.1.1.1 ($ERR)"
expect_contains "$ERR" "'300.1.1.1' is not an IPv4 or IPv6 address" \
    "--allow-from 300.1.1.1"
tool "$FTPUSER_MOD" --allow-from 10.0.0.0/33 bob
expect_contains "$ERR" "the prefix length is not a number from 0 to 32" \
    "--allow-from 10.0.0.0/33"
tool "$FTPUSER_MOD" --allow-from 127.0.0.2, bob
expect_eq "$RC" 2 "ftpuser-mod --allow-from with an empty entry ($ERR)"
expect_eq "$(db_sum)" "$before" "the users file after refused values"
tool "$FTPUSER_ADD" --password-stdin --rate 1.5M eve <<<"$(rand_pw)"
expect_eq "$RC" 2 "ftpuser-add --rate 1.5M ($ERR)"
expect_eq "$(db_sum)" "$before" "the users file after a refused add"
[ ! -e "$T/home/eve" ] || fail "a refused ftpuser-add made a home"
ok "bad --rate, --max-sessions, --allow-from: clear errors, nothing changed"

tool "$FTPUSER_MOD" --allow-from 127.0.0.2 bob
expect_eq "$RC" 0 "ftpuser-mod --allow-from 127.0.0.2 ($ERR)"
# The fields as stored: ten for a user with a limit, the old seven for
# one without, which an older mftpd still reads.
expect_eq "$(grep -c '^alice:' "$USERS")" 1 "alice's line"
expect_eq "$(awk -F: '$1 == "alice" { print NF, $8, $9, $10 }' "$USERS")" \
    "10 2 0 " "alice's limit fields"
expect_eq "$(awk -F: '$1 == "bob" { print NF, $8, $9, $10 }' "$USERS")" \
    "10 0 0 127.0.0.2" "bob's limit fields"
expect_eq "$(awk -F: '$1 == "carol" { print $9 }' "$USERS")" 2097152 \
    "carol's rate in bytes/s"
expect_eq "$(awk -F: '$1 == "dave" { print NF }' "$USERS")" 7 \
    "a user without limits keeps seven fields"
# --allow-from any (or '') clears the list; an IPv6 network is kept
# whole although the file separates fields with ':'.
tool "$FTPUSER_MOD" --allow-from 2001:db8::1/32,10.1.2.3/16 dave
expect_eq "$RC" 0 "ftpuser-mod --allow-from with IPv6 ($ERR)"
expect_eq "$(sed -n 's/^dave:\([^:]*:\)\{8\}//p' "$USERS")" \
    "2001:db8::/32,10.1.0.0/16" "dave's networks, canonical"
# A network given twice, or twice once its host bits are cleared: once.
tool "$FTPUSER_MOD" --allow-from 10.1.2.3/16,2001:db8::1/32,10.1.9.9/16,10.1.0.0/16 dave
expect_eq "$RC" 0 "ftpuser-mod --allow-from with a network thrice ($ERR)"
expect_eq "$(sed -n 's/^dave:\([^:]*:\)\{8\}//p' "$USERS")" \
    "10.1.0.0/16,2001:db8::/32" "dave's networks, each once"
tool "$FTPUSER_MOD" --allow-from any dave
expect_eq "$(awk -F: '$1 == "dave" { print NF }' "$USERS")" 7 \
    "--allow-from any clears the list"
tool "$FTPUSER_MOD" --allow-from 10.0.0.1 --rate 0 dave
tool "$FTPUSER_MOD" --allow-from '' dave
expect_eq "$(awk -F: '$1 == "dave" { print NF }' "$USERS")" 7 \
    "--allow-from '' clears the list"
ok "limits stored: ten fields with one, seven without; IPv6 kept whole"

start_daemon

# ---------------------------------------------------- ftpuser-list shows them
tool "$FTPUSER_LIST"
expect_eq "$RC" 0 "ftpuser-list ($ERR)"
expect_match "$OUT" '^NAME +UID +GID +HOME +BYTES\(USED/LIMIT\) +FILES\(USED/LIMIT\) +SESSIONS +RATE +FROM +STATE$' \
    "the header"
# Columns are two or more blanks apart; a size has one inside.
cols() { awk -F '  +' -v n="$1" '$1 == n { print $7 "|" $8 "|" $9 }' <<<"$OUT"; }
expect_eq "$(cols alice)" "0/2|-|any" "alice's limits in the table"
expect_eq "$(cols bob)" "0/3|-|127.0.0.2" "bob's limits in the table"
expect_eq "$(cols carol)" "0/3|2.0 MiB/s|any" "carol's limits in the table"
expect_eq "$(cols dave)" "0/3|-|any" "dave's limits in the table"
tool "$FTPUSER_LIST" carol
expect_match "$OUT" '^sessions: +0 running of at most 3 \(max_sessions_per_user\)$' \
    "carol's sessions"
expect_match "$OUT" '^rate: +2\.0 MiB/s each way per session \(2097152 bytes/s\)$' \
    "carol's rate"
expect_match "$OUT" '^from: +any address$' "carol's networks"
tool "$FTPUSER_LIST" bob
expect_match "$OUT" '^from: +127\.0\.0\.2$' "bob's networks"
ok "ftpuser-list shows the limits, in the table and in full"

# ---------------------------------------------------------- max-sessions 2
uid_a=$(user_uid alice)
n_alice() { serving_pids_of "$uid_a" | wc -l; }
_alice_is() { [ "$(n_alice)" -eq "$1" ]; }

raw_open alice "$pw_a"
A1=$RAW_FD
raw_open alice "$pw_a"
A2=$RAW_FD
wait_for 10 _alice_is 2 || fail "alice's two sessions: $(n_alice) serving"
tool "$FTPUSER_LIST" alice
expect_match "$OUT" '^sessions: +2 running of at most 2$' "two slots held"

run_client alice "$pw_a" <<<"pwd"
expect_rc 4 "a third session of alice (login failed)"
expect_contains "$ERR" "too many sessions for alice (limit 2)" \
    "the third session's message"
# On the wire: BUSY, the status of too many sessions.
raw_login_refused alice "$pw_a" 5 "a third session of alice, raw"
expect_contains "$RAW_TEXT" "too many sessions for alice" "the raw refusal"
expect_eq "$(n_alice)" 2 "alice's sessions after the refusal"
# The two held sessions still work.
RAW_FD=$A1
raw_send "$(hex_frame 10)"
raw_expect 0x83 "the first session after the refusal"

RAW_FD=$A2
raw_close
wait_for 10 _alice_is 1 || fail "alice's second session did not end"
run_client alice "$pw_a" <<<"pwd"
expect_rc 0 "a new session once one ended ($ERR)"
ok "max-sessions 2: a third is refused while two run, let in after one ends"

# A session killed outright frees its slot: the kernel drops its lock.
raw_open alice "$pw_a"
A2=$RAW_FD
wait_for 10 _alice_is 2 || fail "alice's two sessions again: $(n_alice)"
run_client alice "$pw_a" <<<"pwd"
expect_rc 4 "a third session of alice, again"
victim=$(serving_pid_of "$uid_a")
kill -KILL "$victim"
_gone() { ! kill -0 "$1" 2>/dev/null || [ "$(_proc_stat "$1" && echo "$_st_state")" = Z ]; }
wait_for 10 _gone "$victim" || fail "the killed session $victim lives on"
wait_for 10 _alice_is 1 || fail "alice's killed session is still counted"
run_client alice "$pw_a" <<<"pwd"
expect_rc 0 "a new session after one was killed ($ERR)"
RAW_FD=$A1
raw_close
RAW_FD=$A2
raw_close
ok "a killed session frees its slot"

# A limit set while sessions run that began without one: they hold
# slots too, and count against it.
uid_d=$(user_uid dave)
_dave_is() { [ "$(serving_pids_of "$uid_d" | wc -l)" -eq "$1" ]; }
raw_open dave "$pw_d"
D1=$RAW_FD
raw_open dave "$pw_d"
D2=$RAW_FD
wait_for 10 _dave_is 2 || fail "dave's two sessions"
tool "$FTPUSER_LIST" dave
expect_match "$OUT" '^sessions: +2 running of at most 3 \(max_sessions_per_user\)$' \
    "dave's sessions without a limit of his own, counted"
tool "$FTPUSER_LIST"
expect_eq "$(cols dave)" "2/3|-|any" "dave's sessions in the table"
tool "$FTPUSER_MOD" --max-sessions 2 dave
expect_eq "$RC" 0 "ftpuser-mod --max-sessions 2 dave ($ERR)"
tool "$FTPUSER_LIST" dave
expect_match "$OUT" '^sessions: +2 running of at most 2$' \
    "dave's sessions from before the limit, counted"
run_client dave "$pw_d" <<<"pwd"
expect_rc 4 "a third session of dave, once the limit is 2"
expect_contains "$ERR" "too many sessions for dave (limit 2)" \
    "the refusal of dave's third session"
RAW_FD=$D1
raw_close
RAW_FD=$D2
raw_close
wait_for 10 _dave_is 0 || fail "dave's sessions did not end"
tool "$FTPUSER_MOD" --max-sessions 0 dave
expect_eq "$RC" 0 "ftpuser-mod --max-sessions 0 dave ($ERR)"
ok "sessions begun without a limit count against one set later"

# --------------------------------------------------- max_sessions_per_user
# dave has no limit of his own again: the server's, 3, applies.
raw_open dave "$pw_d"
D1=$RAW_FD
raw_open dave "$pw_d"
D2=$RAW_FD
raw_open dave "$pw_d"
D3=$RAW_FD
wait_for 10 _dave_is 3 || fail "dave's three sessions"
run_client dave "$pw_d" <<<"pwd"
expect_rc 4 "a fourth session of dave (max_sessions_per_user 3)"
expect_contains "$ERR" "too many sessions for dave (limit 3)" \
    "the refusal of dave's fourth session"
wait_for 5 grep -qF "login refused user=dave addr=127.0.0.1 port" "$DAEMON_LOG" ||
	fail "no log line of dave's refusal"
expect_match "$(grep -F "login refused user=dave" "$DAEMON_LOG" | tail -n 1)" \
    ': 3 sessions already \(max_sessions_per_user\)$' "the log line of the refusal"
# A limit of his own above the server's lets him have more.
tool "$FTPUSER_MOD" --max-sessions 4 dave
expect_eq "$RC" 0 "ftpuser-mod --max-sessions 4 dave ($ERR)"
run_client dave "$pw_d" <<<"pwd"
expect_rc 0 "a fourth session of dave with a limit of 4 of his own ($ERR)"
for fd in "$D1" "$D2" "$D3"; do
	RAW_FD=$fd
	raw_close
done
wait_for 10 _dave_is 0 || fail "dave's sessions did not end"
tool "$FTPUSER_MOD" --max-sessions 0 dave
expect_eq "$RC" 0 "ftpuser-mod --max-sessions 0 dave ($ERR)"
ok "a user without a limit of his own has max_sessions_per_user; his own lifts it"

# -------------------------------------------------------------- allow-from
run_client bob "$pw_b" <<<"pwd"
expect_rc 4 "bob from 127.0.0.1"
expect_contains "$ERR" "bob may not log in from 127.0.0.1" \
    "bob's refusal from 127.0.0.1"
# On the wire: PERM.
raw_login_refused bob "$pw_b" 11 "bob from 127.0.0.1, raw"
# A relay that connects from 127.0.0.2.
: >"$T/proxy2.port"
spawn "$TLSPROXY" "$HOST" "$PORT" 127.0.0.2 >"$T/proxy2.port" </dev/null
for ((i = 0; i < 100; i++)); do
	[ -s "$T/proxy2.port" ] && break
	sleep 0.05
done
PROXY2_PORT=$(head -n 1 "$T/proxy2.port")
[ -n "$PROXY2_PORT" ] || fail "the second tlsproxy did not start"
saved_port=$PROXY_PORT
PROXY_PORT=$PROXY2_PORT
raw_open bob "$pw_b"
raw_send "$(hex_frame 10)"
raw_expect 0x83 "bob's session from 127.0.0.2"
raw_close
# alice, who has no list, may come from there too.
raw_open alice "$pw_a"
raw_close
PROXY_PORT=$saved_port
grep -q 'login user=bob addr=127\.0\.0\.2 ' "$DAEMON_LOG" ||
	fail "no login of bob from 127.0.0.2 in the log"
ok "allow-from 127.0.0.2: refused from 127.0.0.1, let in from 127.0.0.2"

# ---------------------------------------------- the refusals are not failures
expect_match "$(cat "$DAEMON_LOG")" \
    'login refused user=alice addr=127\.0\.0\.1 port [0-9]+: 2 sessions already' \
    "the log line of a refused third session"
expect_match "$(cat "$DAEMON_LOG")" \
    'login refused user=bob addr=127\.0\.0\.1 port [0-9]+: not in the user.s allow-list \(127\.0\.0\.2\)' \
    "the log line of a refused address"
expect_not_contains "$(cat "$DAEMON_LOG")" "login failed" \
    "a refusal logged as a failed login"
ok "refusals are logged as 'login refused', not as failed logins"
# The shipped filter on them, as t_fail2ban runs it (which skips
# without fail2ban-regex): this part is skipped too, and says so.
if command -v fail2ban-regex >/dev/null 2>&1; then
	out=$(fail2ban-regex "$DAEMON_LOG" \
	    "$top_srcdir/etc/fail2ban/filter.d/mftpd.conf" 2>&1) ||
		fail "fail2ban-regex failed: $out"
	expect_match "$out" '^Lines: .* 0 matched' \
	    "the fail2ban filter on the refusals"
	ok "the fail2ban filter counts none of the refusals"
else
	note "SKIP part: fail2ban-regex is not installed (scripts/deps.sh):" \
	    "the fail2ban filter is not run on the refusals"
fi

# -------------------------------------------------------------- rate 2M
head -c $((6 * MiB)) /dev/urandom >"$W/six"
install -o "$(user_uid carol)" -g "$(user_gid carol)" -m 0644 "$W/six" \
    "$(user_home carol)/six"
install -o "$(user_uid dave)" -g "$(user_gid dave)" -m 0644 "$W/six" \
    "$(user_home dave)/six"

# timed NAME PASS COMMAND: run it; MS is how long it took (ms precision).
timed() {
	local t0 t1
	t0=${EPOCHREALTIME/./}
	run_client "$1" "$2" <<<"$3"
	t1=${EPOCHREALTIME/./}
	MS=$(((t1 - t0) / 1000))
}

timed carol "$pw_c" "get six $W/carol.down"
expect_rc 0 "carol's download ($ERR)"
expect_same_file "$W/six" "$W/carol.down" "carol's download"
[ "$MS" -ge 2500 ] || fail "6 MiB down at 2 MiB/s took only $MS ms"
note "carol: 6 MiB down in $MS ms"

# traced NAME PASS COMMAND...: the COMMANDs in a held session of NAME
# whose serving process strace watches for the pacing's waits (sleep_ms,
# lib/ratelimit.c); SLEEPS is how many it made, MS how long the commands
# and the session's end took.
traced() {
	local name=$1 pass=$2 t0 t1 c
	shift 2
	session_open "$name" "$pass"
	session_send pwd
	wait_serving_pid "$(user_uid "$name")"
	strace_attach "$SERVING_PID" "$T/sleeps.out" \
	    -e trace=nanosleep,clock_nanosleep
	t0=${EPOCHREALTIME/./}
	for c in "$@"; do
		session_send "$c"
	done
	session_close 60
	t1=${EPOCHREALTIME/./}
	MS=$(((t1 - t0) / 1000))
	wait "$STRACE_PID" 2>/dev/null
	[ "$SESS_RC" = 0 ] || fail "$name: $*: $(cat "$SESS_ERR")"
	SLEEPS=$(grep -c 'nanosleep(' "$T/sleeps.out")
}

traced carol "$pw_c" "put $W/six up"
expect_same_file "$W/six" "$(user_home carol)/up" "carol's upload"
[ "$MS" -ge 2500 ] || fail "6 MiB up at 2 MiB/s took only $MS ms"
# The trace sees the pacing where there is one.
((SLEEPS >= 1)) || fail "carol's paced upload: no sleep traced"
note "carol: 6 MiB up in $MS ms, $SLEEPS sleeps"
ok "rate 2M: 6 MiB down and up each take at least 2.5 s"

# Without a rate nothing paces the same transfers: not timed (a loaded
# machine is slow for other reasons), but no wait in the serving process.
traced dave "$pw_d" "get six $W/dave.down" "put $W/six up"
expect_same_file "$W/six" "$W/dave.down" "dave's download"
expect_same_file "$W/six" "$(user_home dave)/up" "dave's upload"
expect_eq "$SLEEPS" 0 "sleeps in dave's serving process over a get and a put"
ok "without a rate the same transfers are not held back"

check_log_clean
