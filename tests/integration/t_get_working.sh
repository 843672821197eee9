#!/usr/bin/env bash
# t_get_working: while the server reads a file back to hash it before it
# answers a GET (no checksum cached: seconds for gigabytes), mftp at a
# terminal shows how far it is, "NAME: the server checksums it", from
# the server's WORKING; the download's own bar follows.  The wait was
# silent: 18 s for 5 GiB on this machine, which looked like a hang.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_tmux.sh
. "$(dirname "$0")/lib_tmux.sh"

pw=$(rand_pw)
add_user alice "$pw"
home=$(user_home alice)
# Sparse: no disk, and SHA-256 (1-2 GB/s) takes half a minute and more
# to hash it: far longer than the look at the bar and the Ctrl-C need,
# however fast the machine (6 GiB, 4 s here, left a busy machine little).
truncate -s 64G "$home/big"
chown "$(user_uid alice):$(user_gid alice)" "$home/big"
start_daemon

sock=$T/tmux.sock
tmux_mftp "$sock" "$T" alice "$pw" -o Verify=sha256
tmux -S "$sock" send-keys -l "get big /dev/null"
tmux -S "$sock" send-keys Enter
wait_for 20 tmux_has "$sock" "big: the server checksums it" ||
	fail "no bar while the server hashes: $(tmux_screen "$sock")"
expect_match "$(tmux_screen "$sock" | grep -F 'the server checksums it' | tail -n 1)" \
    'big: the server checksums it .*[0-9]+% .* / 64 GiB' "the checksum's bar"
ok "a bar says how far the server is in hashing the file"
# Ctrl-C ends that wait, as it stops a transfer.
tmux -S "$sock" send-keys C-c
wait_for 20 tmux_has "$sock" "mftp: get: big: interrupted" ||
	fail "Ctrl-C while the server hashes: $(tmux_screen "$sock")"
tmux -S "$sock" send-keys -l "quit"
tmux -S "$sock" send-keys Enter
wait_for 15 tmux_has "$sock" "EXIT=0" || fail "quit: $(tmux_screen "$sock")"
expect_not_contains "$(tmux_screen "$sock" | grep -F 'the server checksums it' | tail -n 1)" \
    "%" "a bar left on the screen after the interrupt"
ok "Ctrl-C stops the wait, and the bar goes"
