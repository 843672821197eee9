# shellcheck shell=bash disable=SC2034
# lib_proc.sh: the integration tests' look at processes through /proc
# (the master's sessions and signers, a user's serving processes, the
# pre-auth workers and helpers, zombies) and the background jobs the
# EXIT trap stops.  Sourced by lib.sh; uses its DAEMON_PID, BG_PIDS,
# wait_for and fail.

# _proc_stat PID: set _st_state and _st_ppid (no fork: read builtins).
_proc_stat() {
	local line rest
	read -r line 2>/dev/null <"/proc/$1/stat" || return 1
	rest=${line##*) }
	read -r _st_state _st_ppid _ <<<"$rest"
}

children_of() { # PID: its child pids, one a line
	local f=/proc/$1/task/$1/children d pid c
	if [ -r "$f" ]; then
		c=()
		read -r -a c 2>/dev/null <"$f"
		[ "${#c[@]}" -gt 0 ] && printf '%s\n' "${c[@]}"
		return 0
	fi
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		_proc_stat "$pid" || continue
		[ "$_st_ppid" = "$1" ] && echo "$pid"
	done
	return 0
}

descendants_of() { # PID: all descendants, children first
	local c
	for c in $(children_of "$1"); do
		echo "$c"
		descendants_of "$c"
	done
}

# mftp_below JOB: the mftp process below the background job JOB (a
# subshell that runs it, through timeout), in CPID; 1 if none is.
mftp_below() {
	local p
	CPID=
	for p in $(descendants_of "$1"); do
		[ "$(readlink "/proc/$p/exe")" = "$(readlink -f "$MFTP_BIN")" ] &&
			CPID=$p
	done
	[ -n "$CPID" ]
}

# kill_tree PID: TERM a process and its descendants (by pid), then KILL
# whatever is left after a bounded wait.
kill_tree() {
	local pids p
	pids="$1 $(descendants_of "$1")"
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null
	for p in $pids; do
		wait_for 5 _not_running "$p" || kill -KILL "$p" 2>/dev/null
	done
	return 0
}

# proc_status PID FIELD: the value of a /proc/PID/status line, its
# whitespace squeezed to single spaces ("" when the field is empty).
proc_status() {
	local k v a
	while IFS=: read -r k v; do
		if [ "$k" = "$2" ]; then
			read -r -a a <<<"$v"
			echo "${a[*]}"
			return 0
		fi
	done <"/proc/$1/status"
	return 1
}

# expect_unsent PID SIZE WHAT: the sender PID (the serving process of
# a get, the client of a put) has written fewer than SIZE bytes in all
# (/proc/PID/io wchar, TLS records and log lines included), so its
# transfer of SIZE bytes cannot have ended: a kill now cuts it.  A
# stopped receiver does not stop the sender at once; socket buffers can
# hold the rest of a file that is too small for the test.
expect_unsent() {
	local k v sent=
	while read -r k v; do
		[ "$k" = "wchar:" ] && sent=$v
	done <"/proc/$1/io"
	[ -n "$sent" ] || fail "$3: no wchar for pid $1"
	((sent < $2)) ||
		fail "$3: the sender had written $sent bytes before the kill," \
		    "the whole file ($2); the test needs a larger one"
	UNSENT_WROTE=$sent
}

# mem_count PID HEX [--reverse] [--also HEX]... [--present HEX]: how
# many times the bytes HEX (and each --also HEX) appear in the readable
# memory of PID (memscan.py); the test fails if it cannot read it, and
# with --present if those bytes, which PID is known to hold, are not
# found (a scan that saw nothing must not pass for a clean one).
mem_count() {
	python3 "$(dirname "${BASH_SOURCE[0]}")/memscan.py" "$@" ||
		fail "the memory scan of $1 failed"
}

proc_uid() { # PID: the real uid
	local a
	a=$(proc_status "$1" Uid) || return 1
	echo "${a%% *}"
}

# _runs PID EXE: PID runs the program EXE (the same file: -ef compares
# device and inode, with no readlink or realpath started at every poll).
_runs() {
	[ "/proc/$1/exe" -ef "$2" ]
}

# signers_of PID: its children that run mftpd-sign (the master's: the
# spare it keeps ready, and those handed to connections not yet reaped).
signers_of() {
	local p
	for p in $(children_of "$1"); do
		_runs "$p" "$MFTPD_SIGN" && echo "$p"
	done
	return 0
}

# The session processes: the master's children but its signers.
sessions() {
	local p
	for p in $(children_of "$DAEMON_PID"); do
		_runs "$p" "$MFTPD_SIGN" || echo "$p"
	done
	return 0
}

# serving_pids_of UID: the master's children running as UID (logged in).
serving_pids_of() {
	local p
	for p in $(sessions); do
		[ "$(proc_uid "$p" 2>/dev/null)" = "$1" ] && echo "$p"
	done
	return 0
}

serving_pid_of() { # UID: the first one
	serving_pids_of "$1" | head -n 1
}

_has_serving() {
	[ -n "$(serving_pids_of "$1")" ]
}

# wait_serving_pid UID [SECONDS]: wait until a session of UID is being
# served; sets SERVING_PID.  (It sets a variable rather than printing, so
# that its fail() ends the test, not a command substitution.)
wait_serving_pid() {
	wait_for "${2:-10}" _has_serving "$1" ||
		fail "no serving process with uid $1 under master $DAEMON_PID"
	SERVING_PID=$(serving_pid_of "$1")
}

# helper_of EXE: the first process running EXE under a session.
helper_of() {
	local s p
	for s in $(sessions); do
		for p in $(children_of "$s"); do
			_runs "$p" "$1" && echo "$p" && return 0
		done
	done
	return 0
}

# preauth_pids: the master's grandchildren that run mftpd as the pre-auth
# user (the auth helper, another program, may run as that user too).
preauth_pids() {
	local s p uid
	uid=$(id -u "$PREAUTH_USER")
	for s in $(sessions); do
		for p in $(children_of "$s"); do
			[ "$(proc_uid "$p" 2>/dev/null)" = "$uid" ] &&
				_runs "$p" "$MFTPD" && echo "$p"
		done
	done
	return 0
}

_has_preauth() {
	[ -n "$(preauth_pids)" ]
}

zombies_of() { # PID: its children in state Z
	local c
	for c in $(children_of "$1"); do
		_proc_stat "$c" && [ "$_st_state" = Z ] && echo "$c"
	done
	return 0
}

_no_zombies() {
	[ -z "$(zombies_of "$DAEMON_PID")" ]
}

_no_sessions() {
	[ -z "$(sessions)" ]
}

# count_sessions: how many children the master has now.
count_sessions() {
	sessions | wc -l
}

# spawn CMD...: start a background job that the EXIT trap will stop.
spawn() {
	# An explicit <&0: without it bash gives a background job /dev/null
	# as its input, not the caller's here-string.
	"$@" <&0 &
	BG_PIDS+=("$!")
	BG_PID=$!
}
