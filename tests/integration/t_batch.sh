#!/usr/bin/env bash
# t_batch: the client's batch mode, from -b FILE and from stdin.  All
# commands succeed: exit 0.  The first failing command stops the run: exit
# 1, one line "mftp: CMD: reason", and nothing after it is run.  quit ends
# the run with 0.  A ! command killed by Ctrl-C ends it with 130.  Bad
# usage is exit 2.  With standard output and error closed, what would be
# printed goes nowhere, not into the connection.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

W=$T/work
pw=$(rand_pw)
add_user alice "$pw"
home=$(user_home alice)
start_daemon

one_line() { # TEXT WHAT
	expect_eq "$(printf '%s\n' "$1" | grep -c .)" 1 "$2: lines on stderr"
}

printf 'mkdir a\ncd a\npwd\n' >"$W/ok.cmds"
run_client alice "$pw" -b "$W/ok.cmds" </dev/null
expect_rc 0 "a batch file whose commands all succeed"
expect_match "$OUT" '/a"?$' "pwd in the batch file"
expect_eq "$ERR" "" "stderr of a successful batch"
[ -d "$home/a" ] || fail "mkdir in the batch file did not happen"
ok "-b FILE: all succeed, exit 0"

run_client alice "$pw" <<'EOF'
mkdir b
cd b
pwd
EOF
expect_rc 0 "commands on stdin that all succeed"
expect_match "$OUT" '/b"?$' "pwd on stdin"
[ -d "$home/b" ] || fail "mkdir on stdin did not happen"
ok "stdin: all succeed, exit 0"

run_client alice "$pw" </dev/null
expect_rc 0 "an empty batch"

run_client alice "$pw" <<'EOF'
mkdir c
cd no-such-dir
mkdir d
EOF
expect_rc 1 "a failing command on stdin"
expect_match "$ERR" '^mftp: cd: ' "the reason"
one_line "$ERR" "a failing command on stdin"
[ -d "$home/c" ] || fail "the command before the failing one did not run"
[ ! -e "$home/d" ] || fail "a command after the failing one was run"
ok "stdin: the first failure stops the run, exit 1, one line"

printf 'mkdir e\nget no-such-file %s\nmkdir f\n' "$W/x" >"$W/fail.cmds"
run_client alice "$pw" -b "$W/fail.cmds" </dev/null
expect_rc 1 "a failing command in a batch file"
expect_match "$ERR" '^mftp: get: ' "the reason"
one_line "$ERR" "a failing command in a batch file"
[ -d "$home/e" ] || fail "the command before the failing one did not run"
[ ! -e "$home/f" ] || fail "a command after the failing one was run"
[ ! -e "$W/x" ] || fail "the failed get left a local file"
ok "-b FILE: the first failure stops the run, exit 1, one line"

run_client alice "$pw" <<'EOF'
frobnicate now
mkdir g
EOF
expect_rc 1 "an unknown command"
expect_match "$ERR" '^mftp: frobnicate' "the reason for an unknown command"
[ ! -e "$home/g" ] || fail "a command after an unknown one was run"
ok "an unknown command fails the run"

run_client alice "$pw" <<'EOF'
pwd
quit
mkdir h
EOF
expect_rc 0 "quit"
[ ! -e "$home/h" ] || fail "a command after quit was run"
ok "quit ends the run with exit 0"

# Line ends: CR LF is a line end, and so is the end of the file.
printf 'mkdir crlf1\r\nmkdir crlf2' >"$W/crlf.cmds"
run_client alice "$pw" -b "$W/crlf.cmds" </dev/null
expect_rc 0 "CR LF line ends, no newline at the end"
[ -d "$home/crlf1" ] && [ -d "$home/crlf2" ] ||
	fail "a CR LF batch file did not run both commands"
ok "CR LF line ends and no final newline"

# A file with CR line ends (or a stray CR) is one line to getline: the
# commands after the first CR must not vanish without a word.
printf 'mkdir cr1\rmkdir cr2\r' >"$W/cr.cmds"
run_client alice "$pw" -b "$W/cr.cmds" </dev/null
expect_rc 1 "a carriage return inside a line"
expect_match "$ERR" '^mftp: .*carriage return' "the reason for a stray CR"
one_line "$ERR" "a stray CR"
[ ! -e "$home/cr1" ] && [ ! -e "$home/cr2" ] ||
	fail "a line with a stray CR was run in part"
ok "a carriage return inside a line is an error"

# A NUL byte would cut the line short where C strings end.
printf 'mkdir nul1\0mkdir nul2\nmkdir nul3\n' >"$W/nul.cmds"
run_client alice "$pw" -b "$W/nul.cmds" </dev/null
expect_rc 1 "a NUL byte in a line"
expect_match "$ERR" '^mftp: .*NUL byte' "the reason for a NUL byte"
one_line "$ERR" "a NUL byte"
[ ! -e "$home/nul1" ] && [ ! -e "$home/nul3" ] ||
	fail "a line with a NUL byte was run, or the run went on"
ok "a NUL byte in a command line is an error"

# Ctrl-C at the terminal kills a ! command with SIGINT, and reaches
# mftp too: the run ends with 130, as after any Ctrl-C in batch mode,
# even after a command whose failure is tolerated ("-!").  The command
# kills itself here, as the terminal would.
for line in '!kill -INT $$' '-!kill -INT $$'; do
	run_client alice "$pw" <<EOF
$line
mkdir after-intr
EOF
	expect_rc 130 "a batch whose $line was killed by Ctrl-C"
	expect_contains "$ERR" "mftp: interrupted" "the reason after $line"
	[ ! -e "$home/after-intr" ] || fail "the run went on after $line"
done
ok "Ctrl-C that kills a ! command ends the run with 130"

run_client alice "$pw" <<'EOF'
help
EOF
expect_rc 0 "help"
[ -n "$OUT" ] || fail "help printed nothing"

RC=0
"$MFTP" </dev/null >/dev/null 2>"$T/err" || RC=$?
expect_eq "$RC" 2 "mftp without a host"
RC=0
"$MFTP" --no-such-option "alice@$HOST" </dev/null >/dev/null 2>"$T/err" ||
	RC=$?
expect_eq "$RC" 2 "mftp with an unknown option"
ok "bad usage: exit 2"

# Standard output and error closed (">&- 2>&-", to silence a script):
# the connection must not take descriptor 1 or 2, or every line printed
# (pwd, a tolerated failure's message) would go into the TLS stream, in
# clear, and end the session.
RC=0
client alice "$pw" >&- 2>&- <<'EOF' || RC=$?
pwd
-cd no-such-dir
mkdir closed-std
EOF
expect_eq "$RC" 0 "a run with standard output and error closed"
[ -d "$home/closed-std" ] ||
	fail "the command after output to a closed stdout and stderr did not run"
ok "closed standard output and error: the session is not written into"

daemon_alive || fail "mftpd died"
check_log_clean
