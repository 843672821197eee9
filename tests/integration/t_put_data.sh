#!/usr/bin/env bash
# t_put_data: small files without a round trip each (PUT_DATA).
#  - Raw: four PUT_DATA requests with their data in one write; the second
#    names a partial (refused), the third carries a wrong checksum
#    (discarded): the first and the fourth are stored and verified, the
#    replies come in order, nothing of the others is left, the accounting
#    equals a recount.
#  - Raw: PUT_DATA whose DATA_END has no checksum, or one of the other
#    algorithm's length: refused, nothing left, and the text says the
#    data was discarded (before, PUT's "the data was kept", which for
#    PUT_DATA is not so).
#  - Raw: PUT_DATA without the HELLO feature, or larger than it may
#    carry, ends the session with a clear error (BAD_FRAME).
#  - Client: mput and put -r of many small files and a large one: with
#    the serving process stopped, mput sends requests ahead (the
#    server's socket fills) instead of waiting for a reply; all verify; with a file-count quota that lets
#    only some in, those are stored, the others refused with the quota's
#    message, each naming its file (the server's text does not), and the
#    accounting equals a recount; so is a large file (PUT) that the byte
#    quota refuses.  A FIFO named to put
#    is refused at once, not waited on.
#  - Client: a local file that cannot be read, behind a file the server
#    refuses while its reply is still to come: both failures are said
#    (before, the refusal answered later took the local one's place, and
#    the unreadable file was never named).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

W=$T/work
pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 100M --quota-files 1000
add_user bob "$pw" --quota-bytes 100M --quota-files 25
add_user carol "$pw" --quota-bytes 20M
home=$(user_home alice)
start_daemon

# PUT_DATA's bit, with SHA-256 checksums (what sha256sum gives).
FEAT_PUT_DATA=4
hex_put_data() { # PATH SIZE MODE MTIME
	hex_frame "23$(hex_str "$1")$(hex_u64 "$2")$(hex_u32 "$3")$(hex_u64 "$4")"
}
file_hex() { od -An -v -tx1 "$1" | tr -d ' \n'; }
sha() { sha256sum "$1" | cut -c1-64; }
put_data_hex() { # NAME FILE [HASH (given empty: none)]: request, bytes, DATA_END
	printf '%s%s%s' "$(hex_put_data "$1" "$(stat -c %s "$2")" 420 1700000000)" \
	    "$(file_hex "$2")" "$(hex_data_end "${3-$(sha "$2")}")"
}

for f in a b c d; do head -c $((3000 + RANDOM % 2000)) /dev/urandom >"$W/$f"; done

# -------------------------------------------------- raw: four at once
RAW_FEATURES=$FEAT_PUT_DATA raw_open alice "$pw"
(((RAW_GRANTED & FEAT_PUT_DATA) != 0)) || fail "PUT_DATA was not granted"
wrong=$(printf '%064d' 0)
raw_send "$(put_data_hex a "$W/a")$(put_data_hex .b.mftp-part "$W/b")$(put_data_hex c "$W/c" "$wrong")$(put_data_hex d "$W/d")"
raw_expect 0x80 "PUT_DATA a"
raw_expect_error 16 "PUT_DATA of a partial's name"
raw_expect_error 20 "PUT_DATA with a wrong checksum"
raw_expect 0x80 "PUT_DATA d, behind two refused"
raw_send "$(hex_frame 10)"
raw_expect 0x83 "PWD after them: the stream is in step"
raw_close
expect_same_file "$home/a" "$W/a" "the first file"
expect_same_file "$home/d" "$W/d" "the fourth file"
[ ! -e "$home/.b.mftp-part" ] || fail "the refused partial name was written"
if [ -e "$home/c" ] || [ -e "$home/.c.mftp-part" ]; then
	fail "the file with a wrong checksum was kept"
fi
exact alice "after four PUT_DATA"
ok "four PUT_DATA in one write: two stored, two refused, in step"

# A DATA_END without a checksum, or with XXH3-128's length in this
# SHA-256 session: refused, and, PUT_DATA leaving no partial, the text
# must not say that the data was kept (PUT's does: its partial stays).
RAW_FEATURES=$FEAT_PUT_DATA raw_open alice "$pw"
raw_send "$(put_data_hex e "$W/a" "")$(put_data_hex f "$W/a" "$(printf '%032d' 0)")"
for f in e f; do
	raw_expect_error 16 "PUT_DATA $f without a SHA-256"
	expect_not_contains "$RAW_TEXT" "kept" "PUT_DATA $f refused: the text"
	expect_contains "$RAW_TEXT" "discarded" "PUT_DATA $f refused: the text"
	if [ -e "$home/$f" ] || [ -e "$home/.$f.mftp-part" ]; then
		fail "PUT_DATA $f without a SHA-256 left a file"
	fi
done
raw_close
exact alice "after PUT_DATA without a checksum"
ok "PUT_DATA without a checksum: refused, said to be discarded"

# ------------------------------------------ raw: not agreed, too large
# With a body large enough that the server closes while it is still
# being sent: the ERROR comes through all the same.
head -c 300000 /dev/urandom >"$W/e"
RAW_FEATURES=0 raw_open alice "$pw"
raw_send "$(put_data_hex e "$W/e")"
raw_expect_error 1 "PUT_DATA without the feature"
expect_contains "$RAW_TEXT" "not agreed in HELLO" "the error's text"
raw_recv
[ "$RAW_TYPE" = closed ] || fail "the session went on after PUT_DATA unasked"
raw_close
[ ! -e "$home/e" ] || fail "PUT_DATA without the feature stored a file"

RAW_FEATURES=$FEAT_PUT_DATA raw_open alice "$pw"
raw_send "$(hex_put_data big $((2 * 1048576)) 420 0)"
raw_expect_error 1 "PUT_DATA larger than it carries"
expect_contains "$RAW_TEXT" "use PUT" "the error's text"
raw_close
ok "PUT_DATA unasked or too large: BAD_FRAME, session ended"

# --------------------------------------- client: mput and put -r
mkdir -p "$W/many/sub"
for i in $(seq 1 150); do
	head -c $((1 + RANDOM % 8192)) /dev/urandom >"$W/many/f$i"
done
for i in $(seq 1 20); do
	head -c 4096 /dev/urandom >"$W/many/sub/g$i"
done
head -c $((3 * 1048576)) /dev/urandom >"$W/many/large"

# The serving process stopped: a client that waits for each reply
# sends one request and stops; one that pipelines fills the socket.
_server_recvq() { # the bytes waiting in the serving side's socket
	ss -tnH state established "( sport = :$PORT )" |
		awk '{ n += $1 } END { print n + 0 }'
}
_queued() { (($(_server_recvq) >= 65536)); }
session_open alice "$pw"
session_send "mkdir up"
session_send "cd up"
session_send "lcd $W/many"
session_send "pwd"
wait_serving_pid "$(user_uid alice)"
# Every command above answered: pwd printed the new directory.
_in_up() { grep -q '/up' "$SESS_OUT"; }
wait_for 10 _in_up || fail "the session did not reach up/: $(cat "$SESS_ERR")"
kill -STOP "$SERVING_PID"
session_send "mput f*"
wait_for 10 _queued
queued=$(_server_recvq)
kill -CONT "$SERVING_PID"
session_close 60
[ "$SESS_RC" = 0 ] || fail "mput failed: $(cat "$SESS_ERR")"
note "mput, the server stopped: $queued bytes of requests sent ahead"
((queued >= 65536)) ||
	fail "mput sent only $queued bytes while the server did not answer"
for i in $(seq 1 150); do
	cmp -s "$home/up/f$i" "$W/many/f$i" || fail "up/f$i differs after mput"
done
ok "mput sends small files without waiting for replies; all verify"

run_client alice "$pw" <<<"cd up
lcd $W/many
mput large f1"
expect_rc 0 "mput of a large file and a small one"
expect_same_file "$home/up/large" "$W/many/large" "the large file after mput"

run_client alice "$pw" <<<"put -r $W/many tree"
expect_rc 0 "put -r"
diff -r "$W/many" "$home/tree" >/dev/null || fail "put -r: the trees differ"
exact alice "after mput and put -r"
ok "put -r of small files and a large one: the tree arrives whole"

# ----------------------------------- client: a quota that stops some
run_client bob "$pw" <<<"lcd $W/many
mput f*"
expect_rc 1 "mput past the file-count quota"
expect_contains "$ERR" "quota" "the refusal says why"
# Each refusal names its file, which the server's text does not.
expect_no_match "$ERR" '^mftp: (mput: )?quota' "a refusal without its file"
expect_match "$ERR" '^mftp: mput: f[0-9]+: quota exceeded: ' \
    "the command's refusal, with its file"
stored=$(find "$(user_home bob)" -type f | wc -l)
((stored > 0 && stored <= 25)) ||
	fail "bob's quota of 25 files: $stored stored"
for f in "$(user_home bob)"/f*; do
	cmp -s "$f" "$W/many/${f##*/}" || fail "$f differs"
done
[ -z "$(find "$(user_home bob)" -name '*.mftp-part')" ] ||
	fail "a refused PUT_DATA left a partial"
exact bob "after a refused mput"
ok "mput past the quota: $stored stored and verified, the rest refused"

# A larger file (PUT) refused by the byte quota is named too.
mkdir -p "$W/big"
for i in 1 2 3; do head -c $((8 * 1048576)) /dev/zero >"$W/big/big$i"; done
run_client carol "$pw" <<<"lcd $W/big
mput big*"
expect_rc 1 "mput past the byte quota"
expect_match "$ERR" '^mftp: mput: big3: quota exceeded: ' \
    "the refusal of a large file, with its file"
exact carol "after mput past the byte quota"
ok "mput past the byte quota: the refused large file is named"

# ----------------------------------- client: a FIFO is refused, not waited on
mkfifo "$W/fifo"
CLIENT_TIMEOUT=20 run_client alice "$pw" <<<"lcd $W
put fifo"
expect_rc 1 "put of a FIFO"
expect_contains "$ERR" "fifo: not a regular file" "the refusal says why"
ok "put of a FIFO is refused at once, not waited on"

# ------------------- client: a local failure behind a refusal in flight
# The client without the capabilities that read any file: a file of
# mode 000 is then unreadable to it.
mkdir -p "$W/two" "$T/nocap"
printf 'a\n' >"$W/two/isdir"
printf 'secret\n' >"$W/two/unread"
chmod 000 "$W/two/unread"
printf '#!/bin/sh\nexec setpriv --inh-caps=-dac_override,-dac_read_search --bounding-set=-dac_override,-dac_read_search %q "$@"\n' \
    "$MFTP" >"$T/nocap/mftp"
chmod +x "$T/nocap/mftp"
run_client alice "$pw" <<<"mkdir isdir"
expect_rc 0 "mkdir isdir"
MFTP=$T/nocap/mftp run_client alice "$pw" <<<"lcd $W/two
mput isdir unread"
expect_rc 1 "mput of a file refused and one unreadable"
expect_contains "$ERR" "isdir: is a directory" "the server's refusal"
expect_contains "$ERR" "unread: Permission denied" "the local failure"
ok "a local failure behind a refusal in flight: both are said"
