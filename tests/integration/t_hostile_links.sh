#!/usr/bin/env bash
# t_hostile_links: ls -l of a directory whose links all lead to targets
# of 4 KB (tests/integration/fakeserver, "links": 20000 of them) keeps
# at most 64 MiB of targets and says that the rest are not shown; every
# entry is still listed.  Before, every target was kept until the
# listing was printed: a server's 1,000,000 links would have held 4 GB.
# Ctrl-C while the targets come ("slowlinks") stops the ls at once with
# "interrupted" and nothing printed; before, it went on to the end.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_tmux.sh
. "$(dirname "$0")/lib_tmux.sh"

W=$T/work
cd "$W" || fail "no $W"

fake_up links
run_client alice pw <<<'ls -l'
expect_rc 0 "ls -l of 20000 links to long targets"
expect_eq "$(grep -c ' l[0-9]\{5\}' <<<"$OUT")" 20000 "entries listed"
shown=$(grep -c ' l[0-9]\{5\} -> t' <<<"$OUT")
# 64 MiB of 4095-byte targets, and the window of requests in flight.
if [ "$shown" -lt 16000 ] || [ "$shown" -ge 17000 ]; then
	fail "targets shown: $shown, not about 64 MiB of them"
fi
expect_contains "$ERR" ".: the link targets past the first 64 MiB are not shown" \
    "the note of the targets left out"
ok "ls -l keeps 64 MiB of link targets at most, and says so"

fake_up slowlinks
sock=$T/tmux.sock
tmux_mftp "$sock" "$W" alice pw
tmux_type "$sock" 'ls -l'
# Some targets asked for and answered: the ls is fetching them.
wait_for 15 fake_logged READLINK 40 ||
	fail "no READLINKs: $(tail -3 "$T/fakeserver.log")"
tmux -S "$sock" send-keys C-c
wait_for 10 tmux_has "$sock" "mftp: ls: interrupted" ||
	fail "Ctrl-C did not stop ls -l: $(tmux_screen "$sock" | tail -5)"
wait_for 5 tmux_more_prompts "$sock" 1 ||
	fail "no prompt after Ctrl-C: $(tmux_screen "$sock" | tail -5)"
tmux_has "$sock" " l00000" && fail "the listing was printed after Ctrl-C"
ok "Ctrl-C while ls -l asks for link targets stops it"
