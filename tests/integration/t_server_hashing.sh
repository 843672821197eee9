#!/usr/bin/env bash
# t_server_hashing: the server reads a file back to hash it before its
# reply (a GET or HASH of a file its hash cache cannot hold, here one
# that is not the user's own), and on slow storage that takes longer
# than the client waits for a silent server.  Here strace holds each of
# the serving process's reads for 0.15 s, 7.2 s for a 12 MiB file, and
# the client waits 5 s (-o Timeout=5): the server sends WORKING (how far
# it is) between pieces of 4 MiB when the client asked for it in HELLO,
# the client takes each for a sign of life, and the GET and the HASH
# complete, verified.  Before, the client gave up after 5 s ("server not
# responding") with nothing to show for the wait, every time.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v xxhsum >/dev/null || fail "xxhsum is needed (scripts/deps.sh)"
pw=$(rand_pw)
add_user alice "$pw"
home=$(user_home alice)
start_daemon
SIZE=$((12 * 1048576))
head -c "$SIZE" /dev/urandom >"$home/big"
# root's, readable: the hash cache cannot be written on it, so every
# GET and HASH reads it back whole.
chmod 0644 "$home/big"

session_open alice "$pw" -o Timeout=5
session_send pwd
wait_serving_pid "$(user_uid alice)"
strace_attach "$SERVING_PID" "$T/strace.out" -f -e trace=pread64 \
    -e inject=pread64:delay_enter=150000
t0=$(date +%s)
session_send "get big $T/big"
session_send "hash big"
session_close 90
t1=$(date +%s)
kill "$STRACE_PID" 2>/dev/null
wait "$STRACE_PID" 2>/dev/null
[ "$SESS_RC" = 0 ] ||
	fail "the session failed (exit $SESS_RC): $(cat "$SESS_ERR")"
expect_same_file "$home/big" "$T/big" "the download"
# The session's checksum, XXH3-128, as xxhsum -H2 writes it.
expect_contains "$(cat "$SESS_OUT")" \
    "$(xxhsum -H2 "$home/big" | cut -d' ' -f1)" "the hash command's answer"
reads=$(grep -c 'pread64(' "$T/strace.out")
((reads >= 2 * SIZE / 262144)) ||
	fail "only $reads reads were slowed: the file was not read back twice"
ok "a GET and a HASH that the server hashes for $((t1 - t0)) s outlive a 5 s timeout ($reads slowed reads)"
check_log_clean
