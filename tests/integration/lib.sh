# lib.sh: what every integration test shares; sourced by t_*.sh.
#
# Runs as: root (the daemon binds, forks, chroots and changes uid); a test
# skips with status 77 otherwise.  Each test gets its own temporary
# directory, port, configuration, user database and daemon, so tests may
# run in parallel (make -j2 check).  Everything a test starts is stopped by
# pid from the EXIT trap; every wait is bounded in count and in time.
#
# Variables a test may set before start_daemon: LOGIN_TIMEOUT,
# IDLE_TIMEOUT, MAX_SESSIONS, MAX_SESSIONS_PER_IP, MAX_SESSIONS_PER_USER
# (by default MAX_SESSIONS: a test that raises it for one user's many
# sessions, t_load, raises both), CLIENT_TIMEOUT.
# KEEP_TMP=1 in the environment keeps the temporary directory.
# shellcheck shell=bash disable=SC2034

set -u
set -o pipefail

if [ -z "${BASH_VERSION:-}" ]; then
	echo "lib.sh: needs bash" >&2
	exit 99
fi

# Debian's tools, as scripts/check.sh runs the suite (a test run by hand
# too): not a python3 or openssl that the caller's PATH puts first.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: $(basename "$0") needs root (it starts mftpd)"
	exit 77
fi

_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$_lib_dir/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# A build in build/ (scripts/check.sh) when run by hand from the tree.
if [ ! -x "$top_builddir/mftpd" ] && [ -x "$top_srcdir/build/mftpd" ]; then
	top_builddir=$top_srcdir/build
fi

MFTPD=$top_builddir/mftpd
MFTPD_AUTH=$top_builddir/mftpd-auth
# MFTP is a wrapper (made below) that checks the pins in KNOWN_HOSTS,
# which start_daemon fills; MFTP_BIN is the client itself.
MFTP_BIN=$top_builddir/mftp
FTPUSER_ADD=$top_builddir/ftpuser-add
RAWPEER=$top_builddir/tests/integration/rawpeer
TLSPROXY=$top_builddir/tests/integration/tlsproxy
FAKESERVER=$top_builddir/tests/integration/fakeserver
MFTPD_SIGN=$top_builddir/mftpd-sign

TEST_NAME=$(basename "$0" .sh)
HOST=127.0.0.1
PORT=
DAEMON_PID=
BG_PIDS=()
# File systems a test mounted under $T: unmounted before $T is removed.
CLEANUP_MOUNTS=()
RC=0
OUT=
ERR=

: "${LOGIN_TIMEOUT:=30}"
: "${IDLE_TIMEOUT:=300}"
: "${MAX_SESSIONS:=50}"
: "${MAX_SESSIONS_PER_IP:=50}"
: "${CLIENT_TIMEOUT:=60}"
: "${UID_MIN:=61000}"
: "${UID_MAX:=61999}"
PREAUTH_USER=_mftptest

# ---------------------------------------------------------------- output

note() {
	echo "# $*"
}

ok() {
	[ ! -e "$T/.lookup-failed" ] || fail "a user lookup failed (above)"
	echo "ok: $*"
}

# fail MSG: report (with the last client run, if any) and end the test.
fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	if [ -n "${_last_client:-}" ]; then
		{
			echo "--- last client run: $_last_client (exit $RC)"
			echo "--- stdout:"
			printf '%s\n' "$OUT" | head -n 40
			echo "--- stderr:"
			printf '%s\n' "$ERR" | head -n 40
		} >&2
	fi
	exit 1
}

expect_eq() { # GOT WANT WHAT
	[ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
}

expect_ne() { # GOT UNWANTED WHAT
	[ "$1" != "$2" ] || fail "$3: got '$1', which it must not be"
}

expect_rc() { # WANT WHAT  (checks RC of the last run_client)
	[ "$RC" = "$1" ] || fail "$2: expected exit $1, got $RC"
}

# The needle or pattern of the four below must not be empty: an empty one
# is in every text (or matches every line), so a check of a variable that
# came out empty would pass whatever the text said.
_expect_needle() { # NEEDLE WHAT
	[ -n "$1" ] || fail "$2: the text to look for is empty"
}

expect_contains() { # HAYSTACK NEEDLE WHAT  (fixed string)
	_expect_needle "$2" "$3"
	case $1 in
	*"$2"*) ;;
	*) fail "$3: '$2' not found in: $(printf '%s' "$1" | head -c 2000)" ;;
	esac
}

expect_not_contains() { # HAYSTACK NEEDLE WHAT
	_expect_needle "$2" "$3"
	case $1 in
	*"$2"*) fail "$3: '$2' must not appear in: $(printf '%s' "$1" |
		head -c 2000)" ;;
	esac
}

expect_match() { # HAYSTACK ERE WHAT
	_expect_needle "$2" "$3"
	# An ERE that matches an empty line (a|, x*, (y)?) matches every
	# line; no text could fail it.
	if grep -Eq -- "$2" <<<""; then
		fail "$3: /$2/ matches an empty line, so any text"
	fi
	grep -Eq -- "$2" <<<"$1" ||
		fail "$3: no line matches /$2/ in: $(printf '%s' "$1" |
			head -c 2000)"
}

expect_no_match() { # HAYSTACK ERE WHAT
	_expect_needle "$2" "$3"
	if grep -Eq -- "$2" <<<"$1"; then
		fail "$3: a line matches /$2/: $(printf '%s\n' "$1" |
			grep -E -- "$2" | head -n 5)"
	fi
}

expect_fail() { # CMD...: the command must fail, not crash or be missing
	local rc=0
	"$@" >/dev/null 2>&1 || rc=$?
	[ "$rc" != 0 ] || fail "expected failure: $*"
	((rc < 126)) || fail "expected failure, got exit $rc: $*"
}

expect_same_file() { # A B WHAT
	[ -f "$1" ] || fail "$3: $1 missing"
	[ -f "$2" ] || fail "$3: $2 missing"
	cmp -s -- "$1" "$2" || fail "$3: $1 and $2 differ"
}

# -------------------------------------------------------------- waiting

# wait_for SECONDS CMD...: retry CMD every 0.1 s until it succeeds; 1 if
# it never did.  Bounded by a count and by the wall clock.
wait_for() {
	local secs=$1 i end
	shift
	end=$((SECONDS + secs + 1))
	for ((i = 0; i < secs * 10 + 1; i++)); do
		"$@" && return 0
		[ "$SECONDS" -ge "$end" ] && break
		sleep 0.1
	done
	"$@"
}

# wait_pid PID SECONDS: wait for a background job; its exit status, or
# 124 after killing it when it outlived SECONDS.
wait_pid() {
	local pid=$1 rc=0
	if ! wait_for "$2" _not_running "$pid"; then
		kill_tree "$pid"
		wait "$pid" 2>/dev/null
		return 124
	fi
	wait "$pid" 2>/dev/null || rc=$?
	return "$rc"
}

_not_running() {
	! kill -0 "$1" 2>/dev/null
}

fsize() { # FILE: its size, 0 if missing
	stat -c %s "$1" 2>/dev/null || echo 0
}

# flip_byte FILE OFFSET: the byte at OFFSET replaced by its complement,
# in place: always another byte (a fixed one written over the same byte
# of random data alters nothing, once in 256 runs).
flip_byte() {
	local b
	b=$(od -An -tu1 -j"$2" -N1 "$1" | tr -d ' ')
	[ -n "$b" ] || fail "flip_byte: $1 has no byte at $2"
	# shellcheck disable=SC2059 # the format is the byte's escape
	printf "\\$(printf '%03o' $((255 - b)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none ||
		fail "flip_byte: cannot write $1"
}

# xattr_hex FILE NAME: an extended attribute's value, in hex ("" if none).
xattr_hex() {
	python3 -c 'import os, sys
try:
    print(os.getxattr(sys.argv[1], sys.argv[2]).hex())
except OSError:
    print("")' "$1" "$2"
}

# plant_hash FILE ALG HEX: the server's cached checksum of FILE (ALG
# xxh128 or sha256) set to HEX, for its size and mtime, with a change
# time far ahead (setting it changes FILE's): believed until the size or
# mtime change (daemon/hashcache.c).
plant_hash() {
	python3 -c 'import os, struct, sys
st = os.stat(sys.argv[1])
os.setxattr(sys.argv[1], "user.mftp." + sys.argv[2],
    bytes.fromhex(sys.argv[3]) + struct.pack(">QqIqI", st.st_size,
        st.st_mtime_ns // 10**9, st.st_mtime_ns % 10**9, 4102444800, 0))' \
	    "$1" "$2" "$3" || fail "cannot plant a cached $2 in $1"
}

# run_slices FILE BYTES: let the stopped client CPID run in 20 ms slices
# until FILE holds at least BYTES, so that a transfer is caught in its
# middle whatever the machine's speed; it is left stopped.  1 if it ended
# first or took too long (30 s of slices).
run_slices() {
	local i
	for ((i = 0; i < 1500; i++)); do
		[ "$(fsize "$1")" -ge "$2" ] && return 0
		kill -CONT "$CPID" 2>/dev/null || return 1
		sleep 0.02
		kill -STOP "$CPID" 2>/dev/null || return 1
	done
	return 1
}

# _ended PID: not running, or a zombie (an orphan's new parent may never
# reap it).
_ended() {
	_not_running "$1" || { _proc_stat "$1" && [ "$_st_state" = Z ]; }
}

# ------------------------------------------------------------ processes

# shellcheck source-path=SCRIPTDIR source=lib_proc.sh
. "$_lib_dir/lib_proc.sh"

# ------------------------------------------------------------- network

have_ipv6() {
	[ -r /proc/net/if_inet6 ] &&
		grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6
}

port_listening() { # PORT [ADDR]
	local addr=${2:-127.0.0.1}
	if command -v ss >/dev/null 2>&1; then
		[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
	else
		(exec 9<>"/dev/tcp/$addr/$1") 2>/dev/null
	fi
}

# pick_port: a port in 20000-60000 that nothing listens on.
pick_port() {
	local i p
	for ((i = 0; i < 100; i++)); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40001))
		if command -v ss >/dev/null 2>&1; then
			# Any socket on it, listening or not.
			ss -Htan "sport = :$p" 2>/dev/null | grep -q . &&
				continue
		elif port_listening "$p"; then
			continue
		fi
		echo "$p"
		return 0
	done
	return 1
}

# ------------------------------------------------------ daemon, config

ensure_preauth_user() {
	local i group
	for ((i = 0; i < 20; i++)); do
		getent passwd "$PREAUTH_USER" >/dev/null && return 0
		# A group of that name left behind (a userdel that kept it):
		# useradd would refuse to make it again.
		group=()
		getent group "$PREAUTH_USER" >/dev/null &&
			group=(--gid "$PREAUTH_USER")
		# Parallel tests may race here; useradd takes a lock on
		# /etc/passwd and the loser just retries.
		useradd --system --no-create-home --home-dir /nonexistent \
		    --shell /usr/sbin/nologin "${group[@]}" "$PREAUTH_USER" \
		    2>/dev/null
		getent passwd "$PREAUTH_USER" >/dev/null && return 0
		sleep 0.5
	done
	fail "cannot create the system user $PREAUTH_USER"
}

write_config() {
	local listen=127.0.0.1
	have_ipv6 && listen="127.0.0.1 ::1"
	cat >"$CONF" <<EOF
# written by $TEST_NAME
listen = $listen
port = $PORT
max_sessions = $MAX_SESSIONS
max_sessions_per_ip = $MAX_SESSIONS_PER_IP
max_sessions_per_user = ${MAX_SESSIONS_PER_USER:-$MAX_SESSIONS}
login_timeout = $LOGIN_TIMEOUT
idle_timeout = $IDLE_TIMEOUT
users_file = $USERS
quota_dir = $T/quota
session_dir = $T/sessions
home_base = $T/home
preauth_user = $PREAUTH_USER
preauth_chroot = $T/empty
pid_file = $T/run/mftpd.pid
auth_helper = $MFTPD_AUTH
sign_helper = $MFTPD_SIGN
host_cert = $T/hostkey/host.crt
host_key = $T/hostkey/host.key
uid_min = $UID_MIN
uid_max = $UID_MAX
${DAEMON_EXTRA_CONF:-}
EOF
}

# start_daemon: write the configuration, start mftpd in the foreground
# (in the background of this shell) and wait until it listens.  A port
# taken in the meantime by a parallel test is retried with another.
# DAEMON_PREFIX (an array, empty by default): a command that runs mftpd,
# such as (setpriv --bounding-set -dac_override) for the capabilities
# of the shipped unit; it must exec mftpd, keeping its pid.  Set it
# after sourcing this file.
start_daemon() {
	local try
	[ -x "$MFTPD" ] || fail "$MFTPD not built"
	for ((try = 1; try <= 3; try++)); do
		PORT=$(pick_port) || fail "no free port"
		write_config
		echo "--- start $try on port $PORT" >>"$DAEMON_LOG"
		"${DAEMON_PREFIX[@]}" "$MFTPD" -f -e -c "$CONF" \
		    2>>"$DAEMON_LOG" &
		DAEMON_PID=$!
		if _wait_daemon_up; then
			note "mftpd pid $DAEMON_PID on port $PORT"
			pin_host_key
			# A benchmark (bench/run.sh) speaks mftp only.
			[ -n "${NO_TLSPROXY:-}" ] || proxy_up
			return 0
		fi
		if kill -0 "$DAEMON_PID" 2>/dev/null; then
			kill_tree "$DAEMON_PID"
		fi
		wait "$DAEMON_PID" 2>/dev/null
		DAEMON_PID=
		grep -qi 'address already in use' "$DAEMON_LOG" || break
	done
	echo "--- mftpd log:" >&2
	tail -n 50 "$DAEMON_LOG" >&2
	fail "mftpd did not start listening within 10 s"
}

# start_node2 ADDR [PORT]: a second mftpd on ADDR and PORT (the first
# one's PORT by default), sharing the first one's users, quota directory,
# session directory, homes and host key (two nodes of one site, as
# behind a load balancer); its own pid file and log ($DAEMON2_LOG).
# DAEMON_EXTRA_CONF applies to it too.  Sets DAEMON2_PID and NODE2_PORT; the
# EXIT trap stops it.  A PORT of its own lets both nodes listen on
# 127.0.0.1 (pick_port gives one).
DAEMON2_PID=
NODE2_PORT=
start_node2() {
	local conf=$T/etc/mftpd2.conf i
	NODE2_PORT=${2:-$PORT}
	write_config
	cp "$CONF" "$conf"
	printf 'listen = %s\nport = %s\npid_file = %s\n' "$1" "$NODE2_PORT" \
	    "$T/run/mftpd2.pid" >>"$conf"
	DAEMON2_LOG=$T/mftpd2.log
	"$MFTPD" -f -e -c "$conf" 2>>"$DAEMON2_LOG" &
	DAEMON2_PID=$!
	BG_PIDS+=("$DAEMON2_PID")
	for ((i = 0; i < 100; i++)); do
		kill -0 "$DAEMON2_PID" 2>/dev/null || break
		[ -n "$(ss -Hltn "src $1 and sport = :$NODE2_PORT" 2>/dev/null)" ] &&
			return 0
		sleep 0.1
	done
	tail -n 20 "$DAEMON2_LOG" >&2
	fail "the second mftpd did not start listening on $1 port $NODE2_PORT"
}

# Up to 10 s for the port to listen; gives up at once if mftpd exited.
_wait_daemon_up() {
	local i end=$((SECONDS + 11))
	for ((i = 0; i < 100; i++)); do
		kill -0 "$DAEMON_PID" 2>/dev/null || return 1
		port_listening "$PORT" && return 0
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
	return 1
}

# pin_host_key: the clients' known_hosts names this daemon's key for
# every address the tests use, so that a client run checks the pin.
pin_host_key() {
	local fp h
	fp=$("$MFTPD" -c "$CONF" --fingerprint | cut -d' ' -f1) ||
		fail "mftpd --fingerprint failed"
	: >"$KNOWN_HOSTS"
	for h in 127.0.0.1 ::1 localhost; do
		echo "$h $PORT $fp" >>"$KNOWN_HOSTS"
	done
	HOST_FP=$fp
}

daemon_alive() {
	[ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null &&
		_proc_stat "$DAEMON_PID" && [ "$_st_state" != Z ]
}

# stop_daemon: SIGTERM, bounded wait, then SIGKILL; sets DAEMON_RC.
stop_daemon() {
	local pid=$DAEMON_PID
	DAEMON_RC=
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	if ! wait_for 10 _not_running "$pid"; then
		echo "# mftpd $pid ignored SIGTERM for 10 s; killing it" >&2
		kill -KILL "$pid" 2>/dev/null
	fi
	DAEMON_RC=0
	wait "$pid" 2>/dev/null || DAEMON_RC=$?
	DAEMON_PID=
}

# A line in the daemon's log that means a process crashed.
CRASH_RE='signal (6|7|11|31)|killed by its sandbox|SIG(SEGV|ABRT|BUS|FPE|ILL)|[Ss]egmentation|core dumped|[Ss]anitizer|stack smashing|overflow detected|double free|corrupted|[Aa]ssertion'

log_count() { # ERE: how many lines of the daemon's log match
	grep -cE -- "$1" "$DAEMON_LOG"
}

# hup ERE: SIGHUP to the daemon, then wait for one more log line
# matching ERE; fails if none comes within 10 s or mftpd died.
hup() {
	_hup_re=$1
	_hup_n=$(log_count "$_hup_re")
	kill -HUP "$DAEMON_PID" || fail "kill -HUP"
	wait_for 10 eval '[ "$(log_count "$_hup_re")" -gt "$_hup_n" ]' ||
		fail "no log line /$_hup_re/ after SIGHUP"
	daemon_alive || fail "mftpd died on SIGHUP"
}

# last_offset OP PATH: the offset the server's last transfer of PATH
# (op get or put, any user) began at, from its log.
last_offset() {
	grep -F "transfer user=" "$DAEMON_LOG" | grep -F " op=$1 path=$2 " |
		tail -n 1 | sed -n 's/.* offset=\([0-9]*\).*/\1/p'
}

# norename_client: $T/bin/mftp-norename, mftp whose every rename fails
# (EACCES, injected by strace): a download that cannot be put in place
# keeps its part and the record in it, as an interruption after the last
# byte would.
norename_client() {
	command -v strace >/dev/null ||
		fail "strace is needed (scripts/deps.sh installs it)"
	mkdir -p "$T/bin"
	printf '#!/bin/sh\nexec strace -qq -f -o /dev/null -e trace=rename,renameat,renameat2 \\\n    -e inject=rename,renameat,renameat2:error=EACCES %q "$@"\n' \
	    "$MFTP" >"$T/bin/mftp-norename"
	chmod 0755 "$T/bin/mftp-norename"
}

# expect_resumed OP PATH WHAT: the server's last transfer of PATH began
# past its start; RESUMED_AT.
expect_resumed() {
	RESUMED_AT=$(last_offset "$1" "$2")
	if [ -z "$RESUMED_AT" ] || [ "$RESUMED_AT" -eq 0 ]; then
		fail "$3 did not resume (offset '$RESUMED_AT')"
	fi
}

check_log_clean() {
	if grep -Eq "$CRASH_RE" "$DAEMON_LOG"; then
		grep -E "$CRASH_RE" "$DAEMON_LOG" | head -n 10 >&2
		fail "the daemon's log shows a crash"
	fi
}

# ---------------------------------------------------------------- users

rand_pw() {
	head -c 18 /dev/urandom | base64 | tr -d '/+=\n'
}

# add_user NAME PASS [ftpuser-add options]
add_user() {
	local name=$1 pass=$2 err
	shift 2
	err=$("$FTPUSER_ADD" -c "$CONF" --password-stdin "$@" "$name" \
	    2>&1 <<<"$pass") || fail "ftpuser-add $name failed: $err"
}

# user_field NAME N: field N (1-based) of the user's line.  No such user
# is a broken test, and the lookup runs in $(...), where fail cannot end
# it: the failure is recorded (ok and the end of the test then fail) and
# what it prints is a path under $T that does not exist, so a test that
# goes on (home=$(user_home x), then a write into "$home/...", as root)
# can never write outside $T.
user_field() {
	local v
	if ! v=$(awk -F: -v n="$1" -v f="$2" \
	    '$1 == n { print $f; found = 1; exit } END { exit !found }' \
	    "$USERS"); then
		echo "FAIL: $TEST_NAME: no user '$1' in $USERS" >&2
		: >"$T/.lookup-failed"
		v=$T/no-such-user/$1
	fi
	printf '%s\n' "$v"
}

has_user() { # NAME: whether the users file has a line for NAME
	awk -F: -v n="$1" '$1 == n { found = 1; exit } END { exit !found }' \
	    "$USERS"
}

user_uid() { user_field "$1" 3; }
user_gid() { user_field "$1" 4; }
user_home() { user_field "$1" 5; }

# user_vars NAME: NAME's home, uid and gid into home, uid and gid; fails
# unless the home is under $T, where a test may then write as root.
user_vars() {
	home=$(user_home "$1")
	uid=$(user_uid "$1")
	gid=$(user_gid "$1")
	case $home in
	"$T"/*) ;;
	*) fail "$1's home $home is not under $T" ;;
	esac
}

# tool PROG [args...]: run an admin tool (ftpuser-*) on this test's
# configuration; sets RC, OUT, ERR.
tool() {
	local prog=$1
	shift
	RC=0
	"$prog" -c "$CONF" "$@" >"$T/tool.out" 2>"$T/tool.err" || RC=$?
	OUT=$(cat "$T/tool.out")
	ERR=$(cat "$T/tool.err")
}

# --------------------------------------------------------------- client

# client NAME PASS [mftp options]: batch mode, commands on stdin, the
# password on descriptor 3.
client() {
	local name=$1 pass=$2 quiet=(-q)
	shift 2
	if [ -t 0 ]; then
		echo "client: give the commands on stdin" >&2
		return 2
	fi
	# CLIENT_LOUD=1: without -q, the lines of each file on stdout.
	[ "${CLIENT_LOUD:-0}" = 1 ] && quiet=()
	timeout -k 5 "$CLIENT_TIMEOUT" "$MFTP" -P "$PORT" "${quiet[@]}" \
	    --password-fd 3 "$@" "$name@$HOST" 3<<<"$pass"
}

# batch_bg NAME PASS DIR COMMANDS [mftp options]: a batch mftp (-b -)
# from DIR, in the background, its output in $T/b.out and $T/b.err;
# the job in JOB (mftp_below finds the client).  BATCH_MFTP: another
# binary (a wrapper) in place of mftp.
batch_bg() {
	local name=$1 pass=$2 dir=$3 cmds=$4
	shift 4
	(
		cd "$dir" && exec timeout -k 5 "$CLIENT_TIMEOUT" \
		    "${BATCH_MFTP:-$MFTP}" -P "$PORT" "$@" --password-fd 3 -b - \
		    "$name@$HOST" 3<<<"$pass" <<<"$cmds" >"$T/b.out" 2>"$T/b.err"
	) &
	JOB=$!
	BG_PIDS+=("$JOB")
}

# run_client NAME PASS [mftp options] <<<commands: sets RC, OUT, ERR.
run_client() {
	_last_client="$1 $(printf '%q ' "${@:3}")"
	RC=0
	client "$@" >"$T/client.out" 2>"$T/client.err" || RC=$?
	OUT=$(cat "$T/client.out")
	ERR=$(cat "$T/client.err")
	if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then
		fail "mftp did not finish within $CLIENT_TIMEOUT s"
	fi
	return 0
}

# run_traced NAME PASS OUT <<<commands: as run_client, mftp run under
# strace, its socket I/O into OUT (for round_trips).
run_traced() {
	local name=$1 pass=$2 out=$3
	command -v strace >/dev/null ||
		fail "strace is needed (scripts/deps.sh installs it)"
	_last_client="$name (traced)"
	RC=0
	timeout -k 5 "$CLIENT_TIMEOUT" strace -qq -f -yy -o "$out" \
	    -e trace=read,write,recvfrom,sendto,recvmsg,sendmsg \
	    "$MFTP" -P "$PORT" -q --password-fd 3 "$name@$HOST" 3<<<"$pass" \
	    >"$T/client.out" 2>"$T/client.err" || RC=$?
	OUT=$(cat "$T/client.out")
	ERR=$(cat "$T/client.err")
}

# round_trips OUT: how many times the client traced by run_traced read
# from the connection after writing to it (reads that found nothing do
# not count): one per request when each waits for its reply, far fewer
# when pipelined.
round_trips() {
	awk '/TCP:\[/ && $0 !~ /= -1/ {
		if ($0 ~ /(write|sendto|sendmsg)\(/)
			w = 1
		else if ($0 ~ /(read|recvfrom|recvmsg)\(/ && w) {
			n++
			w = 0
		}
	}
	END { print n + 0 }' "$1"
}

# A session held open: mftp reads its commands from a FIFO that this
# shell keeps open on descriptor 8, so the test decides when to send the
# next command and when the client sees end of input.
session_open() { # NAME PASS [mftp options]
	SESS_FIFO=$T/session.fifo
	SESS_OUT=$T/session.out
	SESS_ERR=$T/session.err
	rm -f "$SESS_FIFO"
	mkfifo "$SESS_FIFO" || fail "mkfifo"
	# Read-write: the open does not wait for a reader.
	exec 8<>"$SESS_FIFO"
	client "$@" <"$SESS_FIFO" >"$SESS_OUT" 2>"$SESS_ERR" 8>&- &
	SESS_PID=$!
	BG_PIDS+=("$SESS_PID")
}

session_send() { # COMMAND...
	printf '%s\n' "$*" >&8
}

# strace_attach PID OUT STRACE-OPTIONS...: strace PID into OUT in the
# background (it ends with PID), once attached; STRACE_PID.
strace_attach() {
	local pid=$1 out=$2
	shift 2
	command -v strace >/dev/null ||
		fail "strace is needed (scripts/deps.sh installs it)"
	strace -qq -o "$out" -p "$pid" "$@" 2>/dev/null 8>&- &
	STRACE_PID=$!
	wait_for 10 _traced "$pid" || fail "strace did not attach to $pid"
}

# sleeps_held MS CMD...: run CMD with each of its sleeps (nanosleep,
# clock_nanosleep) held MS ms longer by strace: the time a busy machine
# may put between two steps of a tool.
sleeps_held() {
	local ms=$1
	shift
	command -v strace >/dev/null ||
		fail "strace is needed (scripts/deps.sh installs it)"
	strace -f -qq -o /dev/null -e trace=nanosleep,clock_nanosleep \
	    -e inject=nanosleep,clock_nanosleep:delay_enter=$((ms * 1000)) "$@"
}

_traced() { # PID: a tracer is attached to it
	[ "$(awk '/^TracerPid:/ { print $2 }' "/proc/$1/status" 2>/dev/null)" \
	    -gt 0 ] 2>/dev/null
}

# session_close [SECONDS]: end of input; wait for the client; SESS_RC.
session_close() {
	exec 8>&-
	SESS_RC=0
	wait_pid "$SESS_PID" "${1:-20}" || SESS_RC=$?
	[ "$SESS_RC" = 124 ] && fail "the held client did not exit"
	return 0
}

# ------------------------------------------------------- raw protocol

# tlsproxy, rawpeer and the frames in hex: lib_peer.sh.
# shellcheck source-path=SCRIPTDIR source=lib_peer.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib_peer.sh"

# -------------------------------------------------------- setup, cleanup

_cleanup() {
	local rc=$? p
	trap - EXIT
	if [ "$rc" = 0 ] && [ -e "${T:-/nonexistent}/.lookup-failed" ]; then
		echo "FAIL: $TEST_NAME: a user lookup failed (above)" >&2
		rc=1
	fi
	exec 8>&-
	for p in "${BG_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null && kill_tree "$p"
		wait "$p" 2>/dev/null
	done
	if [ -n "$DAEMON_PID" ]; then
		local left
		left=$(descendants_of "$DAEMON_PID")
		stop_daemon
		for p in $left; do
			kill -0 "$p" 2>/dev/null && kill_tree "$p"
		done
	fi
	if [ "$rc" != 0 ] && [ "$rc" != 77 ] && [ -s "${DAEMON_LOG:-}" ]; then
		echo "--- mftpd log (last 60 lines):" >&2
		tail -n 60 "$DAEMON_LOG" >&2
	fi
	for p in "${CLEANUP_MOUNTS[@]}"; do
		umount "$p" 2>/dev/null
	done
	if [ -n "${KEEP_TMP:-}" ]; then
		echo "# kept $T" >&2
	elif [ -n "${T:-}" ] && [ -d "$T" ]; then
		rm -rf -- "$T"
	fi
	exit "$rc"
}

for _p in "$MFTPD" "$MFTPD_AUTH" "$MFTPD_SIGN" "$MFTP_BIN" "$FTPUSER_ADD"; do
	if [ ! -x "$_p" ]; then
		echo "FAIL: $TEST_NAME: $_p is not built" >&2
		exit 99
	fi
done

T=$(mktemp -d "${TMPDIR:-/tmp}/mftp-$TEST_NAME.XXXXXX") ||
	{ echo "mktemp failed" >&2; exit 99; }
trap _cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
chmod 0755 "$T"
mkdir -p "$T/etc" "$T/hostkey" "$T/home" "$T/quota" "$T/run" "$T/sessions" \
    "$T/work"
# The clients' dotfiles (~/.mftp_history, which every session at a
# prompt writes; ~/.netrc; ~/.config/mftp) are this test's own, never
# those of the home of whoever runs it.  A test may still set HOME for
# one command.
export HOME=$T/client-home
mkdir -p "$HOME"
CONF=$T/etc/mftpd.conf
USERS=$T/etc/users
# Empty, as the package makes it: the tools add to it, and never make
# one (it could be a bare mount point's).
install -m 0600 /dev/null "$USERS"
KNOWN_HOSTS=$T/known_hosts
mkdir -p "$T/bin"
MFTP=$T/bin/mftp
# sh, not bash, which takes longer to start: it runs before each client.
printf '#!/bin/sh\nexec %q -o UserKnownHostsFile=%q \\\n    -o StrictHostKeyChecking=yes "$@"\n' \
    "$MFTP_BIN" "$KNOWN_HOSTS" >"$MFTP"
chmod 0755 "$MFTP"
DAEMON_LOG=$T/mftpd.log
: >"$DAEMON_LOG"
ensure_preauth_user
PORT=$(pick_port) || fail "no free port"
write_config
"$MFTPD" -c "$CONF" --generate-host-key localhost >/dev/null ||
	fail "mftpd --generate-host-key failed"
note "$TEST_NAME: temporary directory $T"
