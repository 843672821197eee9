#!/usr/bin/env bash
# t_killpoints: uploads and downloads that replace an existing file, cut
# by SIGKILL of the client, of the serving process or of the master at a
# random moment (so at a random byte offset; the offsets reached are
# logged).  After each cut: the file that was being replaced is intact or
# is the new one, complete (never anything in between); the accounting
# file is never below the real usage and above it by at most one charge
# chunk and the upload's reservation; the transfer run again resumes and
# verifies; the daemon keeps serving.  Bounded: 3 victims x 2 directions
# x ROUNDS rounds, each cut within 1 s.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_quota.sh
. "$(dirname "$0")/lib_quota.sh"

FTPUSER_QUOTA=$top_builddir/ftpuser-quota
W=$T/work
MiB=1048576
CHUNK=$((1024 * 1024)) # MFTP_QUOTA_CHUNK
SIZE=$((192 * MiB))
ROUNDS=${MFTP_TEST_KILL_ROUNDS:-2}
CLIENT_TIMEOUT=120

pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 2G --quota-files 1000
uid=$(user_uid alice)
home=$(user_home alice)
start_daemon

head -c "$SIZE" /dev/urandom >"$W/new" || fail "cannot make the new file"
head -c $((SIZE / 2)) /dev/urandom >"$W/old" || fail "cannot make the old file"

# The server's copy of "target" starts as the old file each round.
reset_server() {
	rm -f "$home/target" "$home/.target.mftp-part"
	cp "$W/old" "$home/target"
	chown "$uid:$(user_gid alice)" "$home/target"
	"$FTPUSER_QUOTA" -c "$CONF" --recount alice >/dev/null ||
		fail "ftpuser-quota --recount"
}

# The accounting file against the home: never below, and above (bytes)
# by at most one chunk plus the upload in flight's reservation; one file
# above.  A kill between the commit's rename and the credit of the file
# it replaced leaves the file high by that file, with a removal line
# (lib/quota.h), which the next login settles: so the check comes after
# one (settle_login).
accounting_sane() { # WHAT
	local a r ab af rb rf res
	a=$(acct alice) || fail "$1: the accounting file is unreadable"
	r=$(recount "$home")
	res=$(acct_reserved alice)
	ab=${a% *} af=${a#* } rb=${r% *} rf=${r#* }
	((ab >= rb)) || fail "$1: accounting $ab bytes < real $rb"
	((ab <= rb + CHUNK + res)) ||
		fail "$1: accounting $ab bytes > real $rb + a chunk + $res reserved"
	((af >= rf && af <= rf + 1)) || fail "$1: accounting $af files, real $rf"
}

# A login of alice, which settles a removal a killed session left.
settle_login() { # WHAT
	[ "$(acct_pending alice)" = "0 0" ] ||
		note "$1: the kill fell in a removal; the login settles it"
	run_client alice "$pw" <<<"pwd"
	expect_rc 0 "$1: a login after the cut"
	[ "$(acct_pending alice)" = "0 0" ] ||
		fail "$1: the login left the removal line"
}

# One of the two copies, whole: the old one or the new one.
old_or_new() { # FILE WHAT
	cmp -s "$1" "$W/old" || cmp -s "$1" "$W/new" ||
		fail "$2: $1 is neither the old file nor the new one"
}

# cut_victim VICTIM CLIENT_PID PART: once the transfer has begun (PART,
# the partial file it writes, has data), SIGKILL the victim after a
# random pause, so at a random byte offset.
cut_victim() {
	local ms=$((RANDOM % 300)) sp
	wait_for 20 _has_data "$3" || fail "the transfer did not begin"
	sleep "$(printf '0.%03d' "$ms")"
	case $1 in
	client) kill -KILL "$2" 2>/dev/null ;;
	serving)
		sp=$(serving_pid_of "$uid")
		[ -n "$sp" ] && kill -KILL "$sp" 2>/dev/null
		;;
	master)
		# Its sessions go on alone; revive waits for them.
		ORPHANS=$(descendants_of "$DAEMON_PID")
		kill -KILL "$DAEMON_PID" 2>/dev/null
		MASTER_KILLED=1
		;;
	esac
	CUT_MS=$ms
}
_has_data() { [ -s "$1" ] || ! kill -0 "$CLIENT_PID" 2>/dev/null; }

# After the master was killed: its sessions went on alone; start a new
# one on the same configuration once they are gone.
revive() {
	local p
	# Not daemon_alive: a master SIGKILLed a moment ago may not be
	# gone yet.  wait reaps it, however long its end takes.
	if [ -n "$MASTER_KILLED" ]; then
		MASTER_KILLED=
		wait "$DAEMON_PID" 2>/dev/null
		for p in $ORPHANS; do
			wait_for 30 _not_running "$p" ||
				fail "session $p outlived the test's wait"
		done
		DAEMON_PID=
		start_daemon
	fi
	wait_for 10 _no_session_of_uid || fail "a session of alice is left"
}
_no_session_of_uid() { [ -z "$(serving_pids_of "$uid")" ]; }
ORPHANS=
MASTER_KILLED=

mftp_bg() { # COMMANDS: a batch client in the background; CLIENT_PID
	"$MFTP" -q -P "$PORT" --password-fd 3 "alice@$HOST" \
	    3<<<"$pw" <<<"$1" >"$T/bg.out" 2>&1 &
	CLIENT_PID=$!
}

for ((round = 1; round <= ROUNDS; round++)); do
	for victim in client serving master; do
		# ------------------------------------------------- upload
		reset_server
		mftp_bg "put $W/new target"
		cut_victim "$victim" "$CLIENT_PID" "$home/.target.mftp-part"
		wait "$CLIENT_PID" 2>/dev/null
		revive
		part=0
		[ -f "$home/.target.mftp-part" ] &&
			part=$(stat -c %s "$home/.target.mftp-part")
		note "upload, $victim killed ${CUT_MS} ms in: $part bytes kept"
		old_or_new "$home/target" "upload cut ($victim)"
		settle_login "upload cut ($victim)"
		accounting_sane "upload cut ($victim)"
		# What the administrator's recount is for: exact again.
		"$FTPUSER_QUOTA" -c "$CONF" --recount alice >/dev/null ||
			fail "ftpuser-quota --recount"
		run_client alice "$pw" <<<"put $W/new target"
		expect_rc 0 "the upload run again ($victim)"
		expect_same_file "$home/target" "$W/new" "resumed upload ($victim)"
		accounting_sane "after the resumed upload ($victim)"

		# ----------------------------------------------- download
		cp "$W/new" "$home/target"
		chown "$uid:$(user_gid alice)" "$home/target"
		rm -f "$W/local" "$W/local.part" "$W/.local.part.key"
		cp "$W/old" "$W/local"
		mftp_bg "get target $W/local"
		cut_victim "$victim" "$CLIENT_PID" "$W/local.part"
		wait "$CLIENT_PID" 2>/dev/null
		revive
		part=0
		[ -f "$W/local.part" ] && part=$(stat -c %s "$W/local.part")
		note "download, $victim killed ${CUT_MS} ms in: $part bytes kept"
		old_or_new "$W/local" "download cut ($victim)"
		run_client alice "$pw" <<<"get target $W/local"
		expect_rc 0 "the download run again ($victim)"
		expect_same_file "$W/local" "$W/new" "resumed download ($victim)"
		[ ! -e "$W/local.part" ] || fail "a .part left after the download"
	done
done
ok "$((ROUNDS * 3)) cut uploads and downloads: old or new, never torn; all resumed"

wait_for 10 _no_zombies || fail "zombie children of the master"
check_log_clean
