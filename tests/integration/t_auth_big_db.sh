#!/usr/bin/env bash
# t_auth_big_db: a connection that has sent nothing costs no read of the
# user database.  mftpd-auth starts as soon as a connection is accepted
# (so that it is ready by the end of the TLS handshake), but it reads the
# users file only once the login request has arrived, and keeps no table
# of it.  With 50000 users, the helpers of silent TCP connections have
# read almost nothing (/proc/PID/io rchar) and hold little anonymous
# memory (RssAnon); a login still works, for a user on the last line;
# and the whole file is still checked: a duplicate name anywhere makes
# every login fail.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

NUSERS=50000
NCONN=6

# The users first, then alice: ftpuser-add appends, so she is last.
pw=$(rand_pw)
add_user bob "$(rand_pw)"
line=$(grep '^bob:' "$USERS") || fail "no line for bob"
rest=${line#bob:}
awk -v rest="$rest" -v n="$NUSERS" \
    'BEGIN { for (i = 0; i < n; i++) printf "u%06d:%s\n", i, rest }' \
    >>"$USERS" || fail "writing $NUSERS users"
add_user alice "$pw"
size=$(fsize "$USERS")
note "$USERS: $size bytes"
((size > 4000000)) || fail "the users file is too small for the test"
start_daemon

helpers() { # the mftpd-auth processes under the sessions
	local s p
	for s in $(sessions); do
		for p in $(children_of "$s"); do
			_runs "$p" "$MFTPD_AUTH" && echo "$p"
		done
	done
	return 0
}
pre_uid=$(id -u "$PREAUTH_USER")
_helpers_dropped() { # all NCONN helpers run as the pre-auth user
	local p n=0
	for p in $(helpers); do
		[ "$(proc_uid "$p" 2>/dev/null)" = "$pre_uid" ] && n=$((n + 1))
	done
	((n == NCONN))
}

fds=()
for ((i = 0; i < NCONN; i++)); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT" || fail "connection $i"
	fds+=("$fd")
done
wait_for 10 _helpers_dropped ||
	fail "not $NCONN helpers as $PREAUTH_USER: $(helpers | wc -l)"
# Whatever a helper does before the request, it has done by now.
sleep 0.5
for p in $(helpers); do
	rchar=$(awk '$1 == "rchar:" { print $2 }' "/proc/$p/io")
	anon=$(proc_status "$p" RssAnon) || fail "no RssAnon for $p"
	anon=${anon%% *}
	note "helper $p: rchar $rchar, RssAnon $anon kB"
	((rchar < size / 10)) ||
		fail "helper $p read $rchar bytes before any request"
	((anon < 2048)) ||
		fail "helper $p holds $anon kB before any request"
done
for fd in "${fds[@]}"; do
	exec {fd}>&-
done
ok "$NCONN silent connections: no helper read the $size-byte database"

run_client alice "$pw" <<<pwd
expect_rc 0 "alice, the last of $((NUSERS + 2)) users, logs in"
run_client alice "x$pw" <<<pwd
expect_ne "$RC" 0 "a wrong password"
ok "logins with a large database"

# A duplicate of the first user at the very end: the file is refused.
echo "$line" >>"$USERS"
run_client alice "$pw" <<<pwd
expect_ne "$RC" 0 "a login with a duplicate name in the file"
grep -q "duplicate user 'bob'" "$DAEMON_LOG" ||
	fail "no duplicate reported in the log"
ok "a duplicate anywhere in the file still stops every login"
check_log_clean
