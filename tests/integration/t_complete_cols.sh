#!/usr/bin/env bash
# t_complete_cols: the names Tab lists are laid out in columns that fit
# the terminal and line up as the names show, not as their bytes count.
# The listing was laid out for 80 columns whatever the terminal (at 40,
# names were cut across lines) and padded by bytes (a name of CJK
# characters, 3 bytes and 2 columns each, pushed its neighbours out).
# In mget's and mput's patterns Tab makes [, * and ? match themselves.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_tmux.sh
. "$(dirname "$0")/lib_tmux.sh"

pw=$(rand_pw)
add_user alice "$pw"
home=$(user_home alice)
names=("m-日本語の長い名前" "m-plain-name-x" "m2" "m-é-accent" "m-ab")
for n in "${names[@]}"; do
	printf 'x\n' >"$home/$n"
done
printf 'remote\n' >"$home/br[1]*.txt"
printf 'local\n' >"$T/lb[2]?.txt"
chown "$(user_uid alice):$(user_gid alice)" "$home"/m* "$home"/br*
start_daemon

sock=$T/tmux.sock
TMUX_MFTP_ENV=LC_ALL=C.UTF-8 tmux_mftp "$sock" "$T" alice "$pw"
tmux -S "$sock" resize-window -x 40 -y 20
# A new prompt, at which libedit has the new width.
n=$(tmux_prompts "$sock")
tmux -S "$sock" send-keys Enter
wait_for 10 tmux_more_prompts "$sock" "$n" || fail "no new prompt: $(tmux_screen "$sock")"
tmux -S "$sock" send-keys -l "ls m"
tmux -S "$sock" send-keys Tab
wait_for 10 tmux_has "$sock" "m-plain-name-x" ||
	fail "no listing: $(tmux_screen "$sock")"
screen=$(tmux_screen "$sock")
for n in "${names[@]}"; do
	expect_contains "$screen" "$n" "$n whole on one line of the listing"
done
# The widest shows in 18 columns: two columns of 20 fit in 40, and the
# second name of each row starts at column 20, as the terminal shows it.
rows=$(grep -cE '^m[-2]' <<<"$screen")
expect_eq "$rows" 3 "the listing's rows at 40 columns"
starts=$(grep -E '^m[-2]' <<<"$screen" | python3 -c '
import sys, unicodedata
def cols(t):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in t)
for line in sys.stdin:
    line = line.rstrip("\n")
    i = line.find(" m")
    if i >= 0:
        print(cols(line[:line.index("m", i)]))')
expect_eq "$(sort -u <<<"$starts" | tr '\n' ' ')" "20 " \
    "the column where each row's second name starts"
ok "Tab's listing fits the terminal's columns, CJK names included"

# In mget's and mput's patterns, Tab makes '[', '*' and '?' match
# themselves ("[[]"): "\[" lost its backslash to the line's quoting, and
# the pattern then matched nothing.
tmux -S "$sock" send-keys C-u
for c in "mget br:mget br[[]1][*].txt" "mput lb:mput lb[[]2][?].txt"; do
	n=$(tmux_prompts "$sock")
	tmux -S "$sock" send-keys -l "${c%%:*}"
	tmux -S "$sock" send-keys Tab
	wait_for 10 tmux_has "$sock" "mftp> ${c#*:}" ||
		fail "Tab after '${c%%:*}': $(tmux_screen "$sock")"
	tmux -S "$sock" send-keys Enter
	wait_for 10 tmux_more_prompts "$sock" "$n" ||
		fail "no prompt after '${c#*:}': $(tmux_screen "$sock")"
done
expect_eq "$(cat "$T/br[1]*.txt" 2>&1)" remote "the file mget fetched"
expect_eq "$(cat "$home/lb[2]?.txt" 2>&1)" local "the file mput sent"
expect_not_contains "$(tmux_screen "$sock")" "no match" "the screen"
ok "Tab makes [, * and ? in mget's and mput's patterns match themselves"

tmux -S "$sock" send-keys C-u
tmux -S "$sock" send-keys -l "quit"
tmux -S "$sock" send-keys Enter
wait_for 10 tmux_has "$sock" "EXIT=0" || fail "quit: $(tmux_screen "$sock")"
