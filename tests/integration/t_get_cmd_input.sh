#!/usr/bin/env bash
# t_get_cmd_input: a download is never written into the pipe or FIFO
# mftp reads its commands from.  get a /dev/stdin (or /dev/fd/0) with
# the commands on a pipe, or get into the FIFO given to -b, wrote the
# file where the next commands were read, and mftp ran what the server's
# file said as its own commands, ! (a local shell command) among them.
# Now the get fails, saying why, and nothing of the file is read as a
# command; the session's next commands are its own.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)
start_daemon
L=$T/local
mkdir -p "$L"
printf '!touch %q\n' "$T/injected" >"$home/a"
chown -R "$uid:$gid" "$home"

# Commands on a pipe (not a here-string: bash may make that a file).
for name in /dev/stdin /dev/fd/0 /proc/self/fd/0; do
	RC=0
	printf 'lcd %s\nget a %s\n' "$L" "$name" |
	    client alice "$pw" >"$T/out" 2>"$T/err" || RC=$?
	ERR=$(cat "$T/err")
	[ ! -e "$T/injected" ] || fail "get a $name: the file ran as commands"
	expect_eq "$RC" 1 "get a $name, the commands on a pipe ($ERR)"
	expect_contains "$ERR" "commands" "the reason for $name"
done
ok "get into the pipe of the commands fails, and nothing of it runs"

# Commands from a FIFO given to -b: get into that FIFO.
mkfifo "$T/cmds.fifo"
printf 'lcd %s\nget a %s\n' "$L" "$T/cmds.fifo" >"$T/cmds"
# The writer keeps the FIFO open a while, so that what the get would
# write there could still be read back.
(cat "$T/cmds"; sleep 3) >"$T/cmds.fifo" &
BG_PIDS+=("$!")
RC=0
client alice "$pw" -b "$T/cmds.fifo" </dev/null >"$T/out" 2>"$T/err" || RC=$?
ERR=$(cat "$T/err")
[ ! -e "$T/injected" ] || fail "get into the -b FIFO: the file ran as commands"
expect_eq "$RC" 1 "get into the -b FIFO ($ERR)"
expect_contains "$ERR" "commands" "the reason"
ok "get into the FIFO of -b fails, and nothing of it runs"

# A pipe that is not the commands' is still written into.
RC=0
printf 'lcd %s\nget a /dev/stdout\n' "$L" |
    client alice "$pw" 2>"$T/err" | cat >"$T/piped" || RC=$?
expect_eq "$RC" 0 "get a /dev/stdout into a pipe ($(cat "$T/err"))"
expect_same_file "$T/piped" "$home/a" "the file through the pipe"
ok "standard output on a pipe still receives a download"
