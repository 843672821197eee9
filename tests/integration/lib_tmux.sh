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
