# lib_quota.sh: the accounting file as the quota tests see it (the format
# is in lib/quota.h); sourced after lib.sh.
# shellcheck shell=bash

# acct NAME: "bytes files" from the accounting file; fails on a bad one.
# The file is the usage line, then while uploads hold a reservation
# "MFTPR2 <reserved> <set>", then while a removal is under way (or was,
# when its process was killed) "MFTPP1 <bytes> <files>" (lib/quota.h).
acct() {
	local f=$T/quota/$1 line l2='' l3='' size want=49
	[ -f "$f" ] || fail "no accounting file $f"
	size=$(stat -c %s "$f")
	{
		read -r line
		read -r l2 || :
		read -r l3 || :
	} <"$f"
	if [[ $l2 =~ ^MFTPR2\ [0-9]{20}\ [0-9]{20}$ ]]; then
		want=$((want + 49))
	else
		l3=$l2
	fi
	if [[ $l3 =~ ^MFTPP1\ [0-9]{20}\ [0-9]{20}$ ]]; then
		want=$((want + 49))
	fi
	[ "$size" = "$want" ] ||
		fail "accounting file $f: $size bytes, not the $want its lines make"
	[[ $line =~ ^MFTPQ1\ ([0-9]{20})\ ([0-9]{20})$ ]] ||
		fail "accounting file $f: bad line '$line'"
	echo "$((10#${BASH_REMATCH[1]})) $((10#${BASH_REMATCH[2]}))"
}

# acct_reserved NAME: the bytes reserved by uploads in progress (0 when
# the file has no reservation line).
acct_reserved() {
	local f=$T/quota/$1 res=
	{
		read -r _
		read -r res || :
	} <"$f"
	if [[ $res =~ ^MFTPR2\ ([0-9]{20})\ [0-9]{20}$ ]]; then
		echo "$((10#${BASH_REMATCH[1]}))"
	else
		echo 0
	fi
}

# acct_pending NAME: "bytes files" of the removal under way that the
# file records ("0 0" when it has no removal line).
acct_pending() {
	local f=$T/quota/$1 l
	while read -r l; do
		if [[ $l =~ ^MFTPP1\ ([0-9]{20})\ ([0-9]{20})$ ]]; then
			echo "$((10#${BASH_REMATCH[1]})) $((10#${BASH_REMATCH[2]}))"
			return
		fi
	done <"$f"
	echo "0 0"
}

# What a directory or a symbolic link counts for (QUOTA_ENTRY_BYTES).
ENTRY_BYTES=4096

# recount HOME: "bytes files" as the accounting file should say: the
# sizes of the regular files and ENTRY_BYTES a directory or link (bytes),
# and every entry (files), below the home; the home itself is not
# counted.
recount() {
	# One line an entry, "f SIZE", "d", "l" or "o" (no name printed, so
	# a name holding a newline cannot split one).
	find "$1" -mindepth 1 \( -type f -printf 'f %s\n' \) -o \
	    \( -type d -printf 'd\n' \) -o \( -type l -printf 'l\n' \) -o \
	    -printf 'o\n' |
		awk -v e="$ENTRY_BYTES" '{ n++ }
		    $1 == "f" { s += $2 } $1 == "d" || $1 == "l" { s += e }
		    END { printf "%d %d\n", s, n }'
}

_acct_is_exact() { # NAME
	[ "$(acct "$1")" = "$(recount "$(user_home "$1")")" ]
}

# exact NAME WHAT: the accounting file equals a recount (waiting a moment
# for a session that is still settling).
exact() {
	wait_for 5 _acct_is_exact "$1" ||
		fail "$2: accounting '$(acct "$1")' != recount '$(recount \
			"$(user_home "$1")")' (bytes files) for $1"
}

# hold_lock NAME [SECONDS]: hold NAME's accounting lock (an OFD write
# lock, as the sessions and the recount take it) in the background for
# SECONDS (120 by default) or until release_lock; LOCK_PID.
LOCK_PID=
hold_lock() {
	_lock_holder "$1" "${2:-120}" now
	wait_for 10 test -e "$T/locked" || fail "the lock was not taken"
}

# arm_lock NAME SECONDS, then fire_lock: the same hold, taken within
# milliseconds of fire_lock, for a moment a test only sees coming
# (hold_lock's start, python's, can take a second on a busy machine).
arm_lock() {
	_lock_holder "$1" "$2" armed
	wait_for 10 test -e "$T/armed" || fail "the lock holder did not start"
}

fire_lock() {
	kill -USR1 "$LOCK_PID" || fail "the lock holder is gone"
	wait_for 10 test -e "$T/locked" || fail "the lock was not taken"
}

# _lock_holder NAME SECONDS now|armed: the holder in the background;
# armed, it takes the lock at SIGUSR1 (blocked before $T/armed says it
# waits, so none is lost).
_lock_holder() {
	rm -f "$T/locked" "$T/armed"
	python3 -c '
import fcntl, os, signal, struct, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
if sys.argv[4] == "armed":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    open(sys.argv[5], "w").close()
    signal.sigwait({signal.SIGUSR1})
fcntl.fcntl(fd, fcntl.F_OFD_SETLKW,
            struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 0, 0))
open(sys.argv[2], "w").close()
time.sleep(float(sys.argv[3]))
' "$T/quota/$1" "$T/locked" "$2" "$3" "$T/armed" &
	LOCK_PID=$!
	BG_PIDS+=("$LOCK_PID")
}

release_lock() {
	kill "$LOCK_PID" 2>/dev/null
	wait "$LOCK_PID" 2>/dev/null
	LOCK_PID=
}

# The quota races: two sessions of one user, each reading its commands
# from a FIFO that this shell holds open.  race_fifos makes them
# ($T/fifo1, $T/fifo2) and opens them on the descriptors in fds[1..2];
# race_client I CMD... runs CMD (a client) in the background on FIFO I,
# without this shell's other FIFO descriptors, output in $T/outI and
# $T/errI, its pid in pids[I], and sends it "pwd" to log in;
# race_put_both sends both their "put $W/fI fI" at once and ends their
# input.
race_fifos() {
	local i fd
	declare -ga fds=() pids=()
	for i in 1 2; do
		rm -f "$T/fifo$i"
		mkfifo "$T/fifo$i" || fail "mkfifo"
		exec {fd}<>"$T/fifo$i"
		fds[i]=$fd
	done
}

# shellcheck disable=SC2034 # pids is the caller's
race_client() {
	local i=$1
	shift
	(
		for f in "${fds[@]}"; do
			exec {f}>&-
		done
		"$@" <"$T/fifo$i" >"$T/out$i" 2>"$T/err$i"
	) &
	pids[i]=$!
	BG_PIDS+=("$!")
	printf 'pwd\n' >&"${fds[i]}"
}

race_put_both() {
	local i fd
	for i in 1 2; do
		printf 'put %s f%s\n' "$W/f$i" "$i" >&"${fds[i]}"
	done
	for i in 1 2; do
		fd=${fds[i]}
		exec {fd}>&-
	done
}

