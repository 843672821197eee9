#!/usr/bin/env bash
# t_put_resume: an interrupted upload keeps its data in .NAME.mftp-part
# and never touches the file it would replace; the next PUT of the same
# source (same size and mtime) goes on from there and is verified with
# the whole file's hash; another source starts over; a kept part altered
# meanwhile is caught; a second session uploading the same file at once
# gets ERROR LOCKED; the serving process killed mid-upload leaves the old
# file intact and the accounting at most one chunk high; an upload that
# needs room another one reserved is refused before its data; a quota
# used up mid-way (the reservation dropped by a recount) stops the
# writing, not the stream.  The partial is never followed through a link
# or opened as a FIFO.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon
home=$(user_home alice)
uid=$(user_uid alice)
owner="$uid:$(user_gid alice)"
part=$home/.doc.mftp-part

# The file an upload would replace.
head -c 1000 /dev/urandom >"$home/doc"
chown "$owner" "$home/doc"
cp "$home/doc" "$T/old"
quota_reset alice

head -c 3000000 /dev/urandom >"$T/src"
size=3000000
half=1500000
hash=$(sha256_of "$T/src")

# put_start MTIME: a PUT of src as doc; RAW_OFFSET from PUT_READY.
put_start() {
	raw_send "$(hex_put doc "$size" 420 "$1")"
	raw_expect 0x87 "PUT doc mtime $1"
	RAW_OFFSET=$(raw_u64 0)
}

_part_has() { # BYTES
	[ -f "$part" ] && [ "$(stat -c %s "$part")" = "$1" ]
}

# Half the data, then the connection is closed.
raw_open alice "$pw"
put_start 1700000000
expect_eq "$RAW_OFFSET" 0 "first PUT: offset"
raw_send_file "$T/src" 0 "$half"
raw_close
wait_for 10 _no_sessions || fail "the session did not end after the close"
_part_has "$half" || fail "partial: $(stat -c %s "$part" 2>&1) bytes, not $half"
cmp -s -n "$half" "$part" "$T/src" || fail "the partial holds other bytes"
expect_same_file "$T/old" "$home/doc" "target after an interrupted PUT"
expect_quota_exact alice "after an interrupted PUT"
ok "interrupted PUT: the partial keeps the bytes, the target is intact"

# The same source again: resumed from the kept bytes.
raw_open alice "$pw"
put_start 1700000000
expect_eq "$RAW_OFFSET" "$half" "resumed PUT: offset"
raw_send_file "$T/src" "$half" $((size - half))
raw_send "$(hex_data_end "$hash")"
raw_expect 0x80 "resumed PUT"
expect_same_file "$T/src" "$home/doc" "target after the resumed PUT"
[ ! -e "$part" ] || fail "the partial is still there after the commit"
expect_quota_exact alice "after the resumed PUT"
ok "resumed PUT: byte-identical, verified"

# Another source (a different mtime) starts over.
cp "$home/doc" "$T/old"
put_start 1700000000
raw_send_file "$T/src" 0 1000
raw_close
wait_for 10 _no_sessions || fail "the session did not end"
_part_has 1000 || fail "no partial of 1000 bytes"
raw_open alice "$pw"
put_start 1700000099
expect_eq "$RAW_OFFSET" 0 "PUT with another mtime: offset"
_part_has 0 || fail "the stale partial was not emptied"
raw_send_file "$T/src" 0 "$size"
raw_send "$(hex_data_end "$hash")"
raw_expect 0x80 "PUT with another mtime"
expect_same_file "$T/src" "$home/doc" "target after starting over"
expect_quota_exact alice "after starting over"
ok "another source: offset 0"

# A kept part altered before the resume: the hash catches it.
cp "$home/doc" "$T/old"
put_start 1700000100
raw_send_file "$T/src" 0 "$half"
raw_close
wait_for 10 _no_sessions || fail "the session did not end"
flip_byte "$part" 1000
raw_open alice "$pw"
put_start 1700000100
expect_eq "$RAW_OFFSET" "$half" "PUT over an altered partial: offset"
raw_send_file "$T/src" "$half" $((size - half))
raw_send "$(hex_data_end "$hash")"
raw_expect_error 20 "PUT over an altered partial"
expect_same_file "$T/old" "$home/doc" "target after an altered resume"
[ ! -e "$part" ] || fail "the altered partial was kept"
# The client's retry from 0 then works.
put_start 1700000100
expect_eq "$RAW_OFFSET" 0 "retry after ERROR HASH: offset"
raw_send_file "$T/src" 0 "$size"
raw_send "$(hex_data_end "$hash")"
raw_expect 0x80 "retry after ERROR HASH"
expect_quota_exact alice "after the retry"
ok "an altered kept part: ERROR HASH, then a full PUT"

# Two sessions, one file: the second is refused while the first runs.
put_start 1700000200
raw_send_file "$T/src" 0 1000
first=$RAW_FD
raw_open alice "$pw"
raw_send "$(hex_put doc "$size" 420 1700000200)"
raw_expect_error 22 "a second PUT of the same file"
# It may be the user's own, from a connection lost without a word: the
# message says how long that would hold it (keepalive, 120 s by default,
# here below idle_timeout).
expect_eq "$RAW_TEXT" \
    "doc: another session is uploading this file (one that lost its connection holds it for up to $((IDLE_TIMEOUT < 120 ? IDLE_TIMEOUT : 120)) s)" \
    "the refusal's message"
raw_send "$(hex_frame 10)" # PWD: the session goes on
raw_expect 0x83 "PWD after ERROR LOCKED"
# Nor may the upload's partial be discarded under it.
raw_send "$(hex_path_req 16 .doc.mftp-part)"
raw_expect_error 22 "REMOVE of a partial an upload holds"
[ -f "$part" ] || fail "a held partial was removed"
second=$RAW_FD
RAW_FD=$first
raw_send_file "$T/src" 1000 $((size - 1000))
raw_send "$(hex_data_end "$hash")"
raw_expect 0x80 "the first PUT"
RAW_FD=$second
raw_put "$T/old" doc 1700000300
expect_eq "$RAW_TYPE" 0x80 "a PUT after the first ended"
expect_same_file "$T/old" "$home/doc" "the second session's upload"
raw_close
RAW_FD=$first
raw_close
wait_for 10 _no_sessions || fail "sessions did not end"
expect_quota_exact alice "after concurrent PUTs"
ok "concurrent PUTs of one file: ERROR LOCKED"

# The serving process killed in the middle of an upload.  It writes
# whole chunks (MFTP_QUOTA_CHUNK, 1 MiB) as they are received: the rest
# of half is in its memory when it dies, and the resume sends it again.
CHUNK=1048576
kept=$((half / CHUNK * CHUNK))
cp "$home/doc" "$T/old"
raw_open alice "$pw"
wait_serving_pid "$uid"
put_start 1700000400
raw_send_file "$T/src" 0 "$half"
wait_for 10 _part_has "$kept" || fail "the data did not reach the partial"
kill -KILL "$SERVING_PID"
wait_for 10 _no_sessions || fail "the killed session is still listed"
raw_close
expect_same_file "$T/old" "$home/doc" "target after SIGKILL"
_part_has "$kept" || fail "the partial did not survive the kill"
read -r _ got_bytes got_files <"$(quota_file alice)"
read -r _ want_bytes want_files <<<"$(recount_line "$home")"
[ $((10#$got_files)) = $((10#$want_files)) ] ||
	fail "files after SIGKILL: $got_files, recount $want_files"
drift=$((10#$got_bytes - 10#$want_bytes))
[[ $drift -ge 0 && $drift -le $CHUNK ]] ||
	fail "bytes after SIGKILL: drift $drift (must be 0 .. $CHUNK)"
note "accounting drift after SIGKILL: $drift bytes"
quota_reset alice
raw_open alice "$pw"
put_start 1700000400
expect_eq "$RAW_OFFSET" "$kept" "PUT after SIGKILL: offset"
raw_send_file "$T/src" "$kept" $((size - kept))
raw_send "$(hex_data_end "$hash")"
raw_expect 0x80 "PUT resumed after SIGKILL"
expect_same_file "$T/src" "$home/doc" "target after the resume"
expect_quota_exact alice "after the resume"
ok "SIGKILL mid-upload: old file intact, drift within a chunk, resumed"

raw_close
wait_for 10 _no_sessions || fail "sessions did not end"

# Two uploads that together need more than the room: the first reserves
# what it announced, so the second is refused before any data.  Then the
# room taken in the middle of an upload (the administrator puts a file in
# the home and recounts, which drops the reservations): the rest is
# charged a chunk at a time, the first chunk past the limit stops the
# writing, the rest is read and dropped, ERROR QUOTA, the written part
# kept.
bpw=$(rand_pw)
add_user bob "$bpw" --quota-bytes 12M
bhome=$(user_home bob)
quota_reset bob
head -c 6000000 /dev/urandom >"$T/b1"
head -c 10000000 /dev/urandom >"$T/b2"
head -c 6000000 /dev/urandom >"$T/b3"
raw_open bob "$bpw"
raw_send "$(hex_put one 6000000 420 1)"
raw_expect 0x87 "bob's first PUT"
first=$RAW_FD
raw_open bob "$bpw"
raw_send "$(hex_put two 10000000 420 2)"
raw_expect_error 18 "bob's second PUT, past the room the first reserved"
expect_match "$RAW_TEXT" '^quota exceeded: 5\.7 MiB of 12 MiB used \(5\.7 MiB of it reserved by uploads in progress\), 9\.5 MiB more needed$' \
    "the refusal before any data"
[ ! -e "$bhome/.two.mftp-part" ] || fail "the refused PUT left a partial"
second=$RAW_FD
RAW_FD=$first
raw_send_file "$T/b1" 0 6000000
raw_send "$(hex_data_end "$(sha256_of "$T/b1")")"
raw_expect 0x80 "bob's first PUT"
RAW_FD=$second
raw_send "$(hex_put three 6000000 420 3)"
raw_expect 0x87 "bob's third PUT, which fits"
head -c 4194304 /dev/urandom >"$bhome/admin"
chown "$(user_uid bob):$(user_gid bob)" "$bhome/admin"
out=$("$top_builddir/ftpuser-quota" -c "$CONF" --recount bob 2>&1) ||
	fail "ftpuser-quota --recount bob: $out"
raw_send_file "$T/b3" 0 6000000
raw_send "$(hex_data_end "$(sha256_of "$T/b3")")"
raw_expect_error 18 "bob's third PUT, past the quota mid-way"
expect_match "$RAW_TEXT" '^quota exceeded: 12 MiB of 12 MiB used, 3\.7 MiB more needed$' \
    "mid-upload refusal text"
raw_send "$(hex_frame 10)"
raw_expect 0x83 "PWD after a mid-upload refusal: the stream is in step"
[ ! -e "$bhome/three" ] || fail "the refused upload was committed"
kept=$(stat -c %s "$bhome/.three.mftp-part") || fail "no partial kept"
cmp -s -n "$kept" "$T/b3" "$bhome/.three.mftp-part" ||
	fail "the kept part holds other bytes"
# Charged a chunk at a time: the second fitted, the third did not.
expect_eq "$kept" $((2 * CHUNK)) "bytes kept of the refused upload"
read -r _ used _ <"$(quota_file bob)"
[ $((10#$used)) -le $((12 * 1024 * 1024)) ] || fail "bob's usage passed the limit: $used"
raw_close
RAW_FD=$first
raw_close
wait_for 10 _no_sessions || fail "sessions did not end"
expect_quota_exact bob "after a mid-upload refusal"
ok "quota exhausted mid-upload: ERROR QUOTA, in step, the part kept"

# The partial's name is the server's: never a link, a FIFO or a link
# count above one.
ln -s doc "$home/.lnk.mftp-part"
mkfifo "$home/.fifo.mftp-part"
ln "$home/doc" "$home/.hard.mftp-part"
chown -h "$owner" "$home/.lnk.mftp-part" "$home/.fifo.mftp-part"
quota_reset alice
raw_open alice "$pw"
cp "$home/doc" "$T/old"
for name in lnk fifo hard; do
	raw_send "$(hex_put "$name" 10 420 1)"
	raw_expect_error 16 "PUT $name over a partial that is not a plain file"
done
expect_same_file "$T/old" "$home/doc" "the file behind the odd partials"
raw_send "$(hex_put x.mftp-part 10 420 1)"
raw_expect_error 16 "PUT of a name ending in .mftp-part"
raw_send "$(hex_put "" 10 420 1)"
raw_expect_error 16 "PUT of an empty name"
raw_send "$(hex_put "dir/" 10 420 1)"
raw_recv
[ "$RAW_TYPE" = 0x81 ] || fail "PUT of dir/ was accepted"
raw_close
wait_for 10 _no_sessions || fail "the session did not end"
expect_quota_exact alice "at the end"
check_log_clean
ok "partials: no links, FIFOs or hard links; reserved names refused"
