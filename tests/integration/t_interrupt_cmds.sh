#!/usr/bin/env bash
# t_interrupt_cmds: Ctrl-C at the prompt (under tmux) during a command
# that sends the server many requests stops it before the next one: rm
# -r of a tree leaves what it had not yet removed, rm of several names
# leaves the names after the one in flight, and the command fails with
# "interrupted"; the session goes on.  The serving process is stopped
# while ^C comes, so that the command is caught in the middle however
# fast the machine is.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || fail "tmux is needed (scripts/deps.sh)"
W=$T/work

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)
case $home in "$T"/*) ;; *) fail "home '$home' is not under $T" ;; esac
start_daemon

for d in 1 2 3; do
	mkdir -p "$home/tree/d$d"
	for f in $(seq 1 50); do
		: >"$home/tree/d$d/f$f"
	done
done
for f in 1 2 3 4; do
	: >"$home/f$f"
done
chown -R "$uid:$gid" "$home/tree" "$home"/f?
printf '%s\n' "$pw" >"$T/pw"
chmod 600 "$T/pw"

sock=$T/tmux.sock
screen() { tmux -S "$sock" capture-pane -p -S -200; }
_screen_has() { screen | grep -qF -- "$1"; }
prompts() { screen | grep -cE "^(\^C)?mftp>"; }
_more_prompts() { [ "$(prompts)" -gt "$1" ]; }
_stopped() { [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = T ]; }

tmux -S "$sock" new-session -d -x 200 -y 50 -c "$W" \
    "$(printf '%q ' "$MFTP" -P "$PORT" --password-fd 3 "alice@$HOST") 3<$T/pw 2>&1; echo EXIT=\$?; sleep 60"
BG_PIDS+=("$(tmux -S "$sock" display-message -p '#{pid}')")
wait_for 15 _screen_has "mftp>" || fail "no prompt: $(screen)"

# stop_and_interrupt KEYS...: with the serving process stopped, send
# KEYS (the line that starts the requests), then ^C; then let the server
# go on and wait for the prompt.
stop_and_interrupt() {
	local sp n
	sp=$(serving_pid_of "$uid")
	[ -n "$sp" ] || fail "no serving process"
	kill -STOP "$sp"
	wait_for 5 _stopped "$sp" || fail "the serving process did not stop"
	n=$(prompts)
	tmux -S "$sock" send-keys "$@"
	sleep 0.5
	tmux -S "$sock" send-keys C-c
	sleep 0.5
	kill -CONT "$sp"
	wait_for 30 _more_prompts "$n" || fail "no prompt after ^C: $(screen)"
}

# ----------------------------------------------------------- rm -r TREE
n=$(prompts)
tmux -S "$sock" send-keys -l "rm -r tree"
tmux -S "$sock" send-keys Enter
wait_for 15 _screen_has "(y/N)" || fail "rm -r did not ask: $(screen)"
stop_and_interrupt y Enter
expect_contains "$(screen)" "mftp: rm: interrupted" "the reason rm -r gives"
left=$(find "$home/tree" -type f | wc -l)
expect_eq "$left" 150 "files left of the tree after ^C in rm -r"
ok "^C stops rm -r before its next request; the rest of the tree stays"

# --------------------------------------------------------- rm A B C D
tmux -S "$sock" send-keys -l "rm f1 f2 f3 f4"
stop_and_interrupt Enter
expect_eq "$(screen | grep -c "mftp: rm: interrupted")" 2 \
    "the reason rm of several names gives"
expect_not_contains "$(screen)" "^Cmftp" "a line after ^C"
[ -e "$home/f4" ] || fail "rm went on after ^C"
[ -e "$home/f2" ] || fail "rm went on to f2 after ^C"
ok "^C stops rm of several names after the one in flight"

# ------------------------------------- ^C at rm -r's question (y/N)
n=$(prompts)
tmux -S "$sock" send-keys -l "rm -r tree"
tmux -S "$sock" send-keys Enter
wait_for 15 _screen_has "remove directory tree and everything in it? (y/N)" ||
	fail "rm -r did not ask: $(screen)"
tmux -S "$sock" send-keys C-c
wait_for 15 _more_prompts "$n" || fail "no prompt after ^C at the question: $(screen)"
expect_match "$(screen)" '^mftp: rm: tree: not removed$' \
    "the refusal on a line of its own after ^C at the question"
[ -d "$home/tree" ] || fail "rm -r removed the tree after ^C at its question"
ok "^C at rm -r's question removes nothing; the refusal has its own line"

# ------------------------------------------------- the session goes on
n=$(prompts)
tmux -S "$sock" send-keys -l "rm -rf tree"
tmux -S "$sock" send-keys Enter
wait_for 15 _more_prompts "$n" || fail "no prompt after rm -rf: $(screen)"
[ -e "$home/tree" ] && fail "rm -rf after ^C left the tree: $(screen)"
tmux -S "$sock" send-keys quit Enter
wait_for 10 _screen_has "EXIT=0" || fail "quit: $(screen)"
tmux -S "$sock" kill-server 2>/dev/null
ok "the session goes on after ^C stopped a command"
