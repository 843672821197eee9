#!/usr/bin/env bash
# t_transfer: put then get gives back the very same bytes for an empty
# file, one byte, 1 MiB and 200 MiB; the stored file belongs to the user;
# get replaces an existing local file, and a failed get leaves it alone
# (nor leaves a .part where an empty LOCAL would have it);
# put replaces an existing remote file, and a failed put leaves it alone.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BIG_MB=${MFTP_TEST_BIG_MB:-200}
CLIENT_TIMEOUT=600
W=$T/work

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)
start_daemon

: >"$W/empty"
printf 'x' >"$W/one"
head -c 1048576 /dev/urandom >"$W/mib"
head -c $((BIG_MB * 1048576)) /dev/urandom >"$W/big" ||
	fail "cannot make a $BIG_MB MiB file"

for f in empty one mib big; do
	run_client alice "$pw" <<EOF
put $W/$f $f
get $f $W/$f.back
EOF
	expect_rc 0 "put and get of $f"
	expect_same_file "$home/$f" "$W/$f" "$f as stored on the server"
	expect_same_file "$W/$f.back" "$W/$f" "$f after the round trip"
	expect_eq "$(stat -c %u "$home/$f")" "$uid" "owner of the stored $f"
	expect_eq "$(stat -c %g "$home/$f")" "$gid" "group of the stored $f"
	rm -f "$W/$f.back"
	ok "$f: byte-identical both ways, owned by uid $uid"
done
rm -f "$W/big" "$home/big"

# get onto an existing, longer local file replaces it whole.
head -c 3145728 /dev/urandom >"$W/existing"
run_client alice "$pw" <<<"get mib $W/existing"
expect_rc 0 "get onto an existing local file"
expect_same_file "$W/existing" "$W/mib" "the replaced local file"
ok "get replaces an existing local file"

# A get that fails touches neither the local file nor its directory.
head -c 4096 /dev/urandom >"$W/keep"
cp "$W/keep" "$W/keep.orig"
before=$(ls -a "$W")
run_client alice "$pw" <<<"get no-such-file $W/keep"
expect_rc 1 "get of a missing remote file"
expect_match "$ERR" '^mftp: get: ' "the reason of the failed get"
expect_same_file "$W/keep" "$W/keep.orig" "the local file after a failed get"
expect_eq "$(ls -a "$W")" "$before" "the local directory after a failed get"
ok "a failed get leaves the local file alone"

# An empty LOCAL names no file: refused before anything moves, with no
# hidden ".part" left in the local directory.
mkdir "$W/empty-local"
for cmd in "get one ''" "get -r . ''"; do
	run_client alice "$pw" <<<"lcd $W/empty-local
$cmd"
	expect_rc 1 "$cmd"
	expect_contains "$ERR" "empty" "$cmd: the reason"
	expect_eq "$(ls -A "$W/empty-local")" "" "the local directory after $cmd"
done
ok "an empty LOCAL is refused, and nothing is left behind"

# put onto an existing, longer remote file replaces it whole.
run_client alice "$pw" <<<"put $W/one mib"
expect_rc 0 "put onto an existing remote file"
expect_same_file "$home/mib" "$W/one" "the replaced remote file"
ok "put replaces an existing remote file"

# A put that fails leaves the remote side alone.
cp "$home/one" "$W/one.orig"
run_client alice "$pw" <<<"put $W/no-such-local one"
expect_rc 1 "put of a missing local file"
expect_same_file "$home/one" "$W/one.orig" "the remote file after a failed put"
run_client alice "$pw" <<<"put $W/one no-such-dir/one"
expect_rc 1 "put into a missing remote directory"
[ ! -e "$home/no-such-dir" ] || fail "put created a directory"
ok "a failed put leaves the remote side alone"

# get into a device or a FIFO writes into it; it never replaces it with a
# file (the device is a null device of the test's own, so a regression
# cannot break the machine's /dev/null).
mknod -m 666 "$W/null" c 1 3
run_client alice "$pw" <<<"get mib $W/null"
expect_rc 0 "get into a null device"
[ -c "$W/null" ] || fail "get replaced the null device with a file"
[ ! -e "$W/null.part" ] || fail "get left a .part beside the device"
mkfifo "$W/fifo"
cat "$W/fifo" >"$W/from-fifo" &
reader=$!
BG_PIDS+=("$reader")
run_client alice "$pw" <<<"get mib $W/fifo"
expect_rc 0 "get into a FIFO"
wait "$reader"
[ -p "$W/fifo" ] || fail "get replaced the FIFO with a file"
expect_same_file "$W/from-fifo" "$home/mib" "what came out of the FIFO"
ok "get into a device or a FIFO writes into it"

daemon_alive || fail "mftpd died"
check_log_clean
