#!/usr/bin/env bash
# t_quota_concurrent: two sessions of one user, both logged in, each start
# an upload of 60% of the quota at the same moment.  At most one of them
# succeeds, the accounting file (read under its lock while they run) never
# passes the limit, nor does what is stored, and at the end the accounting
# file equals a fresh recount of the home (kept partial uploads included).
# The upload that lost goes through once there is room.  Three rounds.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_quota.sh
. "$(dirname "$0")/lib_quota.sh"

FTPUSER_QUOTA=$top_builddir/ftpuser-quota
W=$T/work
MiB=1048576
LIMIT=$((50 * MiB))
SIZE=$((30 * MiB))
LOGIN_TIMEOUT=60
CLIENT_TIMEOUT=120

[ -x "$FTPUSER_QUOTA" ] || fail "$FTPUSER_QUOTA is not built"

# locked_used NAME: bytes used, read by ftpuser-quota under the shared
# lock (so never a half-written line).
locked_used() {
	local out
	out=$("$FTPUSER_QUOTA" -c "$CONF" "$1" 2>&1) || return 1
	[[ $out =~ \(([0-9]+)\ of\ [0-9]+\) ]] || return 1
	echo "${BASH_REMATCH[1]}"
}

pw=$(rand_pw)
add_user alice "$pw" --quota-bytes "$LIMIT"
uid=$(user_uid alice)
home=$(user_home alice)
start_daemon
head -c "$SIZE" /dev/urandom >"$W/f1" || fail "cannot make f1"
head -c "$SIZE" /dev/urandom >"$W/f2" || fail "cannot make f2"

_two_in() {
	[ "$(serving_pids_of "$uid" | wc -l)" -eq 2 ]
}

for round in 1 2 3; do
	# Start from an empty home, counted.
	find "$home" -mindepth 1 -delete
	"$FTPUSER_QUOTA" -c "$CONF" --recount alice >/dev/null ||
		fail "round $round: the recount of the empty home"
	exact alice "round $round: the empty home"

	# Two sessions, logged in and waiting.
	race_fifos
	for i in 1 2; do
		race_client "$i" client alice "$pw"
	done
	wait_for 30 _two_in || fail "round $round: the two sessions did not log in"

	# Both uploads at once.
	race_put_both

	# While they run: the accounting file (under its lock) and the
	# bytes stored never pass the limit.
	max_acct=0
	max_real=0
	samples=0
	end=$((SECONDS + 120))
	while ! _not_running "${pids[1]}" || ! _not_running "${pids[2]}"; do
		[ "$SECONDS" -lt "$end" ] || fail "round $round: uploads hang"
		if used=$(locked_used alice); then
			((used > max_acct)) && max_acct=$used
			samples=$((samples + 1))
		fi
		real=$(recount "$home")
		real=${real% *}
		((real > max_real)) && max_real=$real
	done
	# No sample, no check: the limit above held for nothing read.
	[ "$samples" -gt 0 ] ||
		fail "round $round: the accounting file was never read under" \
		    "its lock while the uploads ran; ftpuser-quota says:" \
		    "$("$FTPUSER_QUOTA" -c "$CONF" alice 2>&1 | head -c 300)"
	declare -a rcs=()
	for i in 1 2; do
		rcs[i]=0
		wait_pid "${pids[i]}" 30 || rcs[i]=$?
		note "round $round: session $i exit ${rcs[i]}: $(head -c 300 \
			"$T/err$i")"
	done
	won=0
	for i in 1 2; do
		case ${rcs[i]} in
		0)
			won=$((won + 1))
			winner=$i
			expect_same_file "$home/f$i" "$W/f$i" \
			    "round $round: the upload that succeeded"
			;;
		1)
			loser=$i
			expect_match "$(cat "$T/err$i")" '^mftp: put: .*quota' \
			    "round $round: the refusal of session $i"
			[ ! -e "$home/f$i" ] ||
				fail "round $round: the refused f$i was stored"
			;;
		*)
			fail "round $round: session $i exit ${rcs[i]}: $(cat \
				"$T/err$i")"
			;;
		esac
	done
	[ "$won" -le 1 ] || fail "round $round: both uploads of 60% succeeded"
	((max_acct <= LIMIT)) ||
		fail "round $round: the accounting file said $max_acct > $LIMIT"
	((max_real <= LIMIT)) ||
		fail "round $round: $max_real bytes stored > $LIMIT"
	a=$(acct alice)
	((${a% *} <= LIMIT)) || fail "round $round: accounting $a > $LIMIT"
	exact alice "round $round: after the race"
	note "round $round: $won succeeded, $samples locked samples, max" \
	    "accounted $max_acct, max stored $max_real (limit $LIMIT)"

	# The refused upload goes through once there is room: the winner's
	# file removed, or (both stopped at the limit, each keeping its
	# partial) the other partial removed by the administrator.  A kept
	# partial is resumed.
	if [ "$round" = 1 ]; then
		if [ "$won" = 1 ]; then
			retry=$loser
			run_client alice "$pw" <<<"rm f$winner"
			expect_rc 0 "round 1: rm of the winner's file"
		else
			retry=1
			rm -f "$home/.f2.mftp-part"
			"$FTPUSER_QUOTA" -c "$CONF" --recount alice >/dev/null ||
				fail "round 1: the recount after removing a partial"
		fi
		exact alice "round 1: before the second try"
		run_client alice "$pw" <<<"put $W/f$retry f$retry"
		expect_rc 0 "round 1: the refused upload, once there is room"
		expect_same_file "$home/f$retry" "$W/f$retry" \
		    "round 1: the upload that had been refused"
		[ ! -e "$home/.f$retry.mftp-part" ] ||
			fail "round 1: a partial is left after the second try"
		exact alice "round 1: after the second try"
	fi
done
ok "three races of two 60% uploads: at most one succeeded each time," \
    "never over the limit, accounting == recount"

daemon_alive || fail "mftpd died"
check_log_clean
