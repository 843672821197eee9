# shellcheck shell=bash
# lib_tmux.sh: a program run at a terminal, under tmux, for the tests of
# what a person at one sees and types.  Sourced after lib.sh; each
# session has its own server on a socket in $T, which the EXIT trap
# stops.

command -v tmux >/dev/null || fail "tmux is needed (scripts/deps.sh)"

# tmux_start SOCK CMD: run the shell command CMD on a 200x50 terminal.
tmux_start() {
	tmux -S "$1" new-session -d -x 200 -y 50 "$2"
	BG_PIDS+=("$(tmux -S "$1" display-message -p '#{pid}')")
}

# tmux_screen SOCK: what the terminal shows, with 50 lines scrolled off.
tmux_screen() {
	tmux -S "$1" capture-pane -p -S -50
}

# tmux_has SOCK TEXT: whether the terminal shows TEXT.
tmux_has() {
	tmux_screen "$1" | grep -qF -- "$2"
}

# tmux_mftp SOCK DIR NAME PASS [mftp options]: mftp at a terminal in DIR,
# logged in as NAME (PASS from a file); returns once its prompt shows.
# The shell says EXIT=STATUS when mftp ends.  TMUX_MFTP_ENV: assignments
# for mftp's environment (LC_ALL=C.UTF-8).
tmux_mftp() {
	local sock=$1 dir=$2 name=$3 pass=$4
	shift 4
	printf '%s\n' "$pass" >"$T/tmux-pw"
	tmux_start "$sock" "cd $(printf %q "$dir") && \
${TMUX_MFTP_ENV:+env $TMUX_MFTP_ENV }$(printf '%q ' "$MFTP" -P "$PORT" "$@" \
	    --password-fd 3 "$name@$HOST") 3<$T/tmux-pw 2>&1; \
echo EXIT=\$?; sleep 60"
	wait_for 15 tmux_has "$sock" "mftp>" ||
		fail "no prompt: $(tmux_screen "$sock")"
}

# tmux_type SOCK TEXT: TEXT typed at the terminal, then Enter.
tmux_type() {
	tmux -S "$1" send-keys -l "$2"
	tmux -S "$1" send-keys Enter
}

# tmux_prompts SOCK: how many prompts the terminal shows.
tmux_prompts() {
	tmux_screen "$1" | grep -cE "^mftp>"
}

# tmux_more_prompts SOCK N: whether it shows more than N (for wait_for).
tmux_more_prompts() {
	[ "$(tmux_prompts "$1")" -gt "$2" ]
}
