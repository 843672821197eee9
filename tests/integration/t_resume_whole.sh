#!/usr/bin/env bash
# t_resume_whole: reget and reput of one file that is already complete
# (the same size and checksum on both ends) leave it as it is, with the
# line "NAME: already complete, checksum matches", as reget -r and
# reput -r do for a tree's files.  Before, both sent the whole file
# again.  A file of the same size with other bytes, or of another size,
# is still sent and ends up right; an interrupted upload still resumes;
# plain get and put still send the file; -q says nothing; a link named
# for reput is compared as the file it leads to, as put reads it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
L=$T/local
mkdir -p "$L"

head -c 3000000 /dev/urandom >"$home/down"
chown "$uid:$gid" "$home/down"
cp "$home/down" "$L/down"
head -c 2000000 /dev/urandom >"$L/up"

# gets PATH / puts PATH: how many GETs (PUTs) of PATH the server logged.
gets() { log_count " op=get path=$1 "; }
puts() { log_count " op=put path=$1 "; }
inode() { stat -c '%i %Y' "$1"; }

# reget of a file already here whole: no GET, not rewritten.
b=$(inode "$L/down")
CLIENT_LOUD=1 run_client alice "$pw" <<<"lcd $L
reget down"
expect_rc 0 "reget down, complete"
expect_eq "$(gets down)" 0 "GETs of down, complete"
expect_eq "$(inode "$L/down")" "$b" "down's inode and mtime"
expect_contains "$OUT" "down: already complete, checksum matches" \
    "the line of reget's skip"
ok "reget of a complete file leaves it as it is"

# The same size, another byte: fetched, and right.
flip_byte "$L/down" 1000
run_client alice "$pw" <<<"lcd $L
reget down"
expect_rc 0 "reget down, one byte changed"
expect_eq "$(gets down)" 1 "GETs of down, one byte changed"
expect_same_file "$L/down" "$home/down" "down after reget"
# Plain get fetches a complete file again.
run_client alice "$pw" <<<"lcd $L
get down"
expect_rc 0 "get down, complete"
expect_eq "$(gets down)" 2 "GETs of down by get"
ok "reget fetches a file that differs; get fetches a complete one"

# put, then reput of the same: no PUT, the server's file not replaced.
run_client alice "$pw" <<<"lcd $L
put up"
expect_rc 0 "put up"
expect_same_file "$home/up" "$L/up" "up after put"
b=$(inode "$home/up")
CLIENT_LOUD=1 run_client alice "$pw" <<<"lcd $L
reput up"
expect_rc 0 "reput up, complete"
expect_eq "$(puts up)" 1 "PUTs of up after reput of a complete file"
expect_eq "$(inode "$home/up")" "$b" "the server's up: inode and mtime"
expect_contains "$OUT" "up: already complete, checksum matches" \
    "the line of reput's skip"
# put -c, and -q: the same, without the line.
run_client alice "$pw" <<<"lcd $L
put -c up"
expect_rc 0 "put -c up, complete"
expect_eq "$(puts up)" 1 "PUTs of up after put -c"
expect_eq "$OUT" "" "put -c's output with -q"
# Through a link of the user's to it, under another name.
ln -s "$L/up" "$L/uplink"
run_client alice "$pw" <<<"lcd $L
reput uplink up"
expect_rc 0 "reput uplink up"
expect_eq "$(puts up)" 1 "PUTs of up after reput through a link"
expect_eq "$(inode "$home/up")" "$b" "up after reput through a link"
ok "reput of a file complete on the server leaves it there as it is"

# The same size, another byte: sent, and right; another size too.
flip_byte "$L/up" 5000
run_client alice "$pw" <<<"lcd $L
reput up"
expect_rc 0 "reput up, one byte changed"
expect_eq "$(puts up)" 2 "PUTs of up, one byte changed"
expect_same_file "$home/up" "$L/up" "up after reput of a changed file"
head -c 1000 /dev/urandom >>"$L/up"
run_client alice "$pw" <<<"lcd $L
reput up"
expect_rc 0 "reput up, longer"
expect_eq "$(puts up)" 3 "PUTs of up, longer"
expect_same_file "$home/up" "$L/up" "up after reput of a longer file"
# Plain put sends a complete file again.
run_client alice "$pw" <<<"lcd $L
put up"
expect_rc 0 "put up, complete"
expect_eq "$(puts up)" 4 "PUTs of up by put"
ok "reput sends a file that differs; put sends a complete one"

# A reput of a file the server has no copy of: sent as put sends it.
run_client alice "$pw" <<<"lcd $L
reput down fresh"
expect_rc 0 "reput down fresh"
expect_same_file "$home/fresh" "$L/down" "fresh after reput"
ok "reput of a file the server lacks sends it"
