#!/usr/bin/env bash
# t_cwd_deep: a directory whose path within the home is longer than the
# 4096 bytes PATH carries (2050 levels of "d") is no working directory.
# CWD into it is ERROR(INVALID) "File name too long" and the session
# stays where it was, also when it was in such a directory already
# (another session moved it that deep); PWD there says the same.  Neither reads a directory to find the path
# it cannot give.  Before, glibc's getcwd, refused by the kernel, fell
# back to climbing ".." and reading every directory above the session's
# (2048 openat and getdents64 for one request, more the more entries the
# user put in them), then failed with ERANGE, said as ERROR(IO)
# "Numerical result out of range".
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
home=$(user_home alice)
case $home in
"$T"/home/?*) ;;
*) fail "alice's home $home is not under $T/home" ;;
esac

# d/ 1000 times: a relative path of 2000 bytes.
d1000=$(printf 'd/%.0s' $(seq 1000))
# The tree: 2050 levels, made 1000 (then 50) at a time.
(
	cd "$home" || exit 1
	for step in 1000 1000 50; do
		p=$(printf 'd/%.0s' $(seq "$step"))
		mkdir -p "$p" && cd "$p" || exit 1
	done
) || fail "cannot make the tree in $home"
# x/ 60 times, for the second session to move the tree into.
x59=$(printf 'x/%.0s' $(seq 59))
mkdir -p "$home/x/$x59" || fail "mkdir x/x/..."
chown -R "$uid:$(user_gid alice)" "$home"
start_daemon

raw_open alice "$pw"
A=$RAW_FD
raw_send "$(hex_path_req 11 "$d1000")"
raw_expect 0x83 "CWD 1000 deep"
raw_send "$(hex_path_req 11 "$d1000")"
raw_expect 0x83 "CWD 2000 deep"
at2000=$RAW_HEX
wait_serving_pid "$uid"
S1=$SERVING_PID

# count_reads HEX: send the request HEX to session A with its
# serving process traced; TRACED: how many directories it read.
count_reads() {
	local out=$T/strace.$RANDOM
	strace_attach "$S1" "$out" -e trace=getdents64
	RAW_FD=$A
	raw_send "$1"
	raw_recv
	kill "$STRACE_PID" 2>/dev/null
	wait "$STRACE_PID" 2>/dev/null
	TRACED=$(grep -c getdents64 "$out")
}

count_reads "$(hex_path_req 11 "d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/")"
[ "$RAW_TYPE" = 0x81 ] || fail "CWD 2050 deep: $RAW_TYPE, not ERROR"
expect_eq "$RAW_CODE" 16 "CWD 2050 deep: the status (INVALID); $RAW_TEXT"
expect_contains "$RAW_TEXT" "File name too long" "CWD 2050 deep"
expect_eq "$TRACED" 0 "directories read by the refused CWD"
raw_send "$(hex_frame 10)"
raw_expect 0x83 "PWD after the refused CWD"
expect_eq "$RAW_HEX" "$at2000" "the directory after the refused CWD"
ok "CWD past 4096 bytes is refused as too long, reading nothing"

# Another session moves the tree 60 levels down: A's directory, 2000
# deep, is now 2060 deep.
raw_open alice "$pw"
raw_req "$(hex_rename d "x/${x59}d")" 0 "RENAME d deeper"
raw_close
count_reads "$(hex_frame 10)"
[ "$RAW_TYPE" = 0x81 ] || fail "PWD 2060 deep: $RAW_TYPE, not ERROR"
expect_eq "$RAW_CODE" 16 "PWD 2060 deep: the status (INVALID); $RAW_TEXT"
expect_contains "$RAW_TEXT" "File name too long" "PWD 2060 deep"
expect_eq "$TRACED" 0 "directories read by PWD"
RAW_FD=$A
raw_req "$(hex_path_req 11 d)" 16 "CWD one deeper than 2060"
expect_contains "$RAW_TEXT" "File name too long" "CWD one deeper than 2060"
raw_req "$(hex_mkdir here 493)" 0 "MKDIR where A is"
# Over 4096 bytes from /: looked at from half-way.
(cd "$home/x/$x59$d1000" && [ -d "${d1000}here" ]) ||
	fail "A's MKDIR did not land where A is"
raw_close
check_log_clean
ok "PWD in a directory moved past 4096 bytes says so, reading nothing; a CWD from there that is refused stays there"
