#!/usr/bin/env bash
# t_interrupt: Ctrl-C.  At the prompt (under tmux) it drops the line
# being typed and gives a fresh prompt; during a get or a put it stops
# that transfer with one line that says how far it came and what resumes
# it, and the prompt comes back, still logged in and in the same remote
# directory; reget and reput then resume, keeping what was transferred.
# In batch mode Ctrl-C during a transfer ends the run with status 130
# after the same one line, the partial kept.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || fail "tmux is needed (scripts/deps.sh)"
CLIENT_TIMEOUT=120
W=$T/work

pw=$(rand_pw)
# The user's rate limit (ftpuser-add --rate) makes the transfers last
# long enough to be caught in mid-transfer however fast the machine is;
# the first eighth of a second's worth goes at once (the bucket's burst).
add_user alice "$pw" --rate 256M
uid=$(user_uid alice)
home=$(user_home alice)
start_daemon

mkdir "$home/d"
# Large enough that a transfer is still going when ^C comes (two
# seconds at the rate limit); zeros, so that making them costs nothing.
head -c $((512 * 1048576)) /dev/zero >"$home/d/big"
chown -R "$uid:$(user_gid alice)" "$home/d"
quota_reset alice 2>/dev/null || true
head -c $((512 * 1048576)) /dev/zero >"$W/up"
printf '%s\n' "$pw" >"$T/pw"
chmod 600 "$T/pw"

sock=$T/tmux.sock
_screen_has() { # TEXT
	tmux -S "$sock" capture-pane -p -S -200 | grep -qF -- "$1"
}
screen() { tmux -S "$sock" capture-pane -p -S -200; }
_size_of() { stat -c %s "$1" 2>/dev/null || echo 0; }
_has_data() { [ "$(_size_of "$1")" -gt 0 ]; }
# type_line TEXT: type a command and wait for the prompt after it.
prompts() { screen | grep -c "^mftp>"; }
type_line() {
	local n
	n=$(prompts)
	tmux -S "$sock" send-keys -l "$1"
	tmux -S "$sock" send-keys Enter
	wait_for 30 _more_prompts "$n" ||
		fail "no prompt after '$1': $(screen)"
}
_more_prompts() { [ "$(prompts)" -gt "$1" ]; }
_more_lines() { [ "$(screen | grep -cE "interrupted (at|after)")" -gt "$1" ]; }
_one_session() { [ "$(serving_pids_of "$uid" | wc -l)" -le 1 ]; }

tmux -S "$sock" new-session -d -x 200 -y 50 -c "$W" \
    "$(printf '%q ' "$MFTP" -P "$PORT" --password-fd 3 "alice@$HOST") 3<$T/pw 2>&1; echo EXIT=\$?; sleep 60"
BG_PIDS+=("$(tmux -S "$sock" display-message -p '#{pid}')")
wait_for 15 _screen_has "mftp>" || fail "no prompt: $(screen)"

# ------------------------------------------------------ at the prompt
tmux -S "$sock" send-keys -l "garbage words"
wait_for 5 _screen_has "garbage words" || fail "typing: $(screen)"
n=$(prompts)
tmux -S "$sock" send-keys C-c
wait_for 5 _more_prompts "$n" || fail "no fresh prompt after ^C: $(screen)"
type_line "cd d"
type_line "pwd"
_screen_has "unknown command" && fail "the line ^C dropped was run: $(screen)"
_screen_has "garbage" && ! screen | grep -q '^mftp> garbage words' &&
	fail "odd screen: $(screen)"
expect_contains "$(screen)" "mftp> pwd
/d" "the session after ^C at the prompt"
ok "^C at the prompt drops the line and gives a fresh prompt"

# -------------------------------------------------------- during get
# interrupt SIZEFILE: wait for data in SIZEFILE, stop the server, ^C,
# wait for the one line, let the server go on.
interrupt() {
	local sp n
	wait_for 30 _has_data "$1" || fail "the transfer did not start: $(screen)"
	sp=$(serving_pid_of "$uid")
	[ -n "$sp" ] || fail "no serving process"
	kill -STOP "$sp"
	n=$(prompts)
	i=$(screen | grep -cE "interrupted (at|after)")
	tmux -S "$sock" send-keys C-c
	# The line comes before the new login, which may wait for the old
	# session (stopped here, it holds the accounting file's lock).
	wait_for 15 _more_lines "$i" || fail "no line after ^C: $(screen)"
	kill -CONT "$sp"
	wait_for 15 _more_prompts "$n" || fail "no prompt after ^C: $(screen)"
}
tmux -S "$sock" send-keys -l "get big back"
tmux -S "$sock" send-keys Enter
interrupt "$W/back.part"
expect_match "$(screen)" '^(\^C)?mftp: get: back: interrupted at [0-9.]+ [KM]iB of 512 MiB; reget big back resumes it$' \
    "the one line of an interrupted get"
[ "$(screen | grep -c 'interrupted')" = 1 ] || fail "more than one line: $(screen)"
# The bar is erased, even with the "^C" the terminal echoed after it.
screen | grep -q '\[==' && fail "the progress bar stayed: $(screen)"
kept=$(_size_of "$W/back.part")
[ "$kept" -gt 0 ] || fail "the .part is gone"
[ ! -e "$W/back" ] || fail "an interrupted get made the file"
type_line "pwd"
expect_contains "$(screen)" "mftp> pwd
/d" "logged in again, in the same directory"
type_line "reget big back"
expect_match "$(screen)" '^back: [0-9.]+ MiB in .*, resumed at [0-9.]+ [KM]iB, verified' \
    "reget resumes"
expect_same_file "$W/back" "$home/d/big" "the file after reget"
ok "^C stops a get, keeps the .part, the session goes on, reget resumes"

# -------------------------------------------------------- during put
tmux -S "$sock" send-keys -l "put up"
tmux -S "$sock" send-keys Enter
interrupt "$home/d/.up.mftp-part"
expect_match "$(screen)" '^(\^C)?mftp: put: up: interrupted after [0-9.]+ [KM]iB of 512 MiB sent; reput up resumes it$' \
    "the one line of an interrupted put"
# The old session ends when it sees the connection closed.
wait_for 15 _one_session || fail "the old session did not end"
[ -e "$home/d/up" ] && fail "an interrupted put made the file"
[ "$(_size_of "$home/d/.up.mftp-part")" -gt 0 ] || fail "the server kept nothing"
type_line "reput up"
expect_match "$(screen)" '^up: [0-9.]+ MiB in .*, resumed at [0-9.]+ [KM]iB, verified' \
    "reput resumes"
expect_same_file "$home/d/up" "$W/up" "the file after reput"
tmux -S "$sock" send-keys quit Enter
wait_for 10 _screen_has "EXIT=0" || fail "quit: $(screen)"
tmux -S "$sock" kill-server 2>/dev/null
ok "^C stops a put, the server keeps its part, reput resumes"

# --------------------------------------------------------- batch mode
rm -f "$W/back" "$W/back.part"
batch_bg alice "$pw" "$W" $'cd d\nget big back\npwd'
job=$JOB
wait_for 30 _has_data "$W/back.part" || fail "the batch get did not start"
sp=$(serving_pid_of "$uid")
kill -STOP "$sp"
mftp_below "$job" || fail "no client process"
kill -INT "$CPID"
rc=0
wait_pid "$job" 30 || rc=$?
kill -CONT "$sp"
expect_eq "$rc" 130 "the status of a batch run stopped by ^C"
expect_match "$(cat "$T/b.err")" '^(\^C)?mftp: get: back: interrupted at [0-9.]+ [KM]iB of 512 MiB; reget big back resumes it$' \
    "the one line in batch mode"
expect_eq "$(grep -c . "$T/b.err")" 1 "lines on stderr"
[ "$(_size_of "$W/back.part")" -gt 0 ] || fail "the .part is gone"
expect_not_contains "$(cat "$T/b.out")" "/d" "a command after the ^C ran"
ok "batch mode: ^C during a transfer ends the run with 130, the part kept"

# ------------------------------------------- -a, lftp's name for resume
run_client alice "$pw" <<<$'help put\ncd d\nlcd '"$W"$'\nget -a big back'
expect_rc 0 "get -a"
expect_contains "$OUT" "put [-acrT] LOCAL [REMOTE]" "help put shows -a and -c"
last=$(grep 'op=get path=d/big\|op=get path=big' "$DAEMON_LOG" | tail -n 1)
expect_match "$last" ' offset=[1-9][0-9]* .*result=ok' "get -a resumes the part ^C left"
expect_same_file "$W/back" "$home/d/big" "the file after get -a"
ok "get -a resumes; help put shows -a and -c"
