#!/usr/bin/env bash
# t_interrupt_commit: in batch mode a Ctrl-C that comes after the last
# bytes of a get, while the download is being put into place, still ends
# the script with status 130: the get completes (its file is whole), and
# the next command (an rm) does not run.  strace holds the client in the
# rename that puts the file into place for 3 s; SIGINT goes to mftp, not
# to strace.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || fail "strace is needed (scripts/deps.sh)"
pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
home=$(user_home alice)
start_daemon
L=$T/local
mkdir -p "$L"
head -c 300000 /dev/urandom >"$home/m"
echo "not to be removed" >"$home/keep"
chown "$uid:$(user_gid alice)" "$home/m" "$home/keep"

_has_mftp_child() { # PID: its child is mftp (strace has started it)
	local c
	c=$(children_of "$1")
	[ -n "$c" ] && [ "$(readlink "/proc/$c/exe" 2>/dev/null)" = "$(readlink -f "$MFTP_BIN")" ]
}

# held_int ARGS...: mftp ARGS (its standard input this function's) under
# strace, which holds each rename for 3 s; SIGINT to mftp once FILE
# ($HELD_FILE) is in place; RC, ERR.
held_int() {
	local held mpid
	strace -f -qq -o /dev/null -e trace=rename,renameat,renameat2 \
	    -e inject=rename,renameat,renameat2:delay_exit=3000000 \
	    "$MFTP" -P "$PORT" -q --password-fd 3 "$@" 3<<<"$pw" \
	    >"$T/held.out" 2>"$T/held.err" &
	held=$!
	BG_PIDS+=("$held")
	wait_for 20 _has_mftp_child "$held" || fail "strace did not start mftp"
	mpid=$(children_of "$held")
	wait_for 20 test -f "$HELD_FILE" ||
		fail "the held get did not rename its part"
	kill -INT "$mpid"
	RC=0
	wait_pid "$held" 60 || RC=$?
	ERR=$(cat "$T/held.err")
}

HELD_FILE=$L/m
held_int "alice@$HOST" <<<"lcd $L
get m
rm keep"
expect_eq "$RC" 130 "the script whose get got Ctrl-C in its rename ($ERR)"
expect_contains "$ERR" "mftp: interrupted" "what mftp says"
expect_same_file "$L/m" "$home/m" "m, put into place before the Ctrl-C was seen"
[ -e "$home/keep" ] || fail "the rm after the interrupted get ran"
ok "a Ctrl-C while a get puts its file into place ends the script (130)"

# The same for a get on the command line: it ends with 130 too.
HELD_FILE=$L/m2
held_int "alice@$HOST:m" "$L/m2" </dev/null
expect_eq "$RC" 130 "mftp host:m whose get got Ctrl-C in its rename ($ERR)"
expect_same_file "$L/m2" "$home/m" "m2, put into place before the Ctrl-C was seen"
ok "a Ctrl-C while a command line's get puts its file into place: 130"
check_log_clean
