#!/usr/bin/env bash
# t_put_tree_intr: Ctrl-C between the files of put -r (at the prompt)
# stops it before the next file, and the line gives the command that
# sends the rest in place, "reput -rT LOCAL DEST"; typed back, it sends
# the files not sent and leaves the one sent as it is (compared, not
# sent again).  strace holds mftp 3 s at each open of a file in tree
# (put -r opens its files in their directory's descriptor), and the
# test presses Ctrl-C (SIGINT to mftp) during the first; at the prompt,
# then in batch mode.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || fail "strace is needed (scripts/deps.sh)"
command -v tmux >/dev/null || fail "tmux is needed (scripts/deps.sh)"
pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
W=$T/work
mkdir -p "$W/tree"
for f in a b c; do
	echo "file $f" >"$W/tree/$f"
done
printf '%s\n' "$pw" >"$T/pw"
chmod 600 "$T/pw"

out=$T/strace.out
: >"$out"
printf '#!/bin/sh\nexec strace -qq -f -o %q -P %q -e trace=openat \\\n    -e inject=openat:delay_enter=3000000 %q "$@"\n' \
    "$out" "$W/tree" "$MFTP" >"$T/bin/mftp-traced"
chmod 0755 "$T/bin/mftp-traced"

sock=$T/tmux.sock
screen() { tmux -S "$sock" capture-pane -p -S -200; }
_screen_has() { screen | grep -qF -- "$1"; }
prompts() { screen | grep -c "^mftp>"; }
_more_prompts() { [ "$(prompts)" -gt "$1" ]; }
tmux -S "$sock" new-session -d -x 200 -y 50 -c "$W" \
    "$(printf '%q ' "$T/bin/mftp-traced" -P "$PORT" --password-fd 3 "alice@$HOST") 3<$T/pw 2>&1; echo EXIT=\$?; sleep 60"
BG_PIDS+=("$(tmux -S "$sock" display-message -p '#{pid}')")
wait_for 15 _screen_has "mftp>" || fail "no prompt: $(screen)"

n=$(prompts)
tmux -S "$sock" send-keys -l "put -r tree dest"
tmux -S "$sock" send-keys Enter
_at_file() { grep -qE 'openat\([0-9]+, "[abc]"' "$out"; }
wait_for 30 _at_file || fail "mftp did not reach a file of tree: $(screen) $(cat "$out")"
cpid=$(awk '/openat\(/ { print $1; exit }' "$out")
kill -INT "$cpid"
wait_for 30 _more_prompts "$n" || fail "no prompt after ^C: $(screen)"
expect_match "$(screen)" \
    "interrupted before tree/[abc]: the files before it were sent, it and the rest were not; reput -rT tree dest sends the rest" \
    "the line of a put -r stopped between files"
expect_eq "$(find "$home/dest" -type f | wc -l)" 1 "files sent before the ^C took"
first=$(basename "$(find "$home/dest" -type f)")
ok "^C between the files of put -r: the line gives reput -rT tree dest"

n=$(prompts)
tmux -S "$sock" send-keys -l "reput -rT tree dest"
tmux -S "$sock" send-keys Enter
wait_for 30 _more_prompts "$n" || fail "no prompt after reput: $(screen)"
for f in a b c; do
	expect_same_file "$home/dest/$f" "$W/tree/$f" "dest/$f"
done
[ ! -e "$home/dest/tree" ] || fail "reput -rT went inside dest"
expect_eq "$(log_count " op=put path=dest/$first ")" 1 "uploads of dest/$first, sent first"
expect_eq "$(log_count ' op=put ')" 3 "uploads in all"
tmux -S "$sock" send-keys quit Enter
wait_for 10 _screen_has "EXIT=0" || fail "quit: $(screen)"
tmux -S "$sock" kill-server 2>/dev/null
ok "reput -rT tree dest sends the rest in place, not what was sent"

# Batch mode: the same line and status 130.  Ctrl-C between two files
# used to find no transfer running, and ended mftp by the signal,
# without a word.
: >"$out"
BATCH_MFTP=$T/bin/mftp-traced batch_bg alice "$pw" "$W" $'put -r tree dest2\npwd'
job=$JOB
wait_for 30 _at_file || fail "batch: mftp did not reach a file of tree: $(cat "$out")"
cpid=$(awk '/openat\(/ { print $1; exit }' "$out")
kill -INT "$cpid"
rc=0
wait_pid "$job" 30 || rc=$?
expect_eq "$rc" 130 "the status of a batch put -r stopped between files"
expect_match "$(cat "$T/b.err")" \
    "interrupted before tree/[abc]: the files before it were sent, it and the rest were not; reput -rT tree dest2 sends the rest" \
    "batch: the line"
! grep -q "^/" "$T/b.out" || fail "batch: the command after the ^C ran"
ok "batch mode: ^C between the files of put -r gives 130 and the line"
check_log_clean
