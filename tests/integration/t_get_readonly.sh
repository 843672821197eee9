#!/usr/bin/env bash
# t_get_readonly: get does not replace a local file the user may not
# write (made read-only, mode 0444, or another user's), as sftp, lftp
# and ftp fail there with "Permission denied": it fails before the data
# comes, saying how to replace it, and the file stays as it was.  get
# wrote a .part and renamed it over the file, which needs only the
# directory's write permission.  get -r and mget refuse such a file the
# same way; a writable file is replaced as before, and so is a
# read-only one once the user made it writable.  The client runs as
# nobody (root may write any file, as with sftp).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v setpriv >/dev/null || fail "setpriv(1) (util-linux) is needed"
pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)
start_daemon
L=$T/local
mkdir -p "$L/d" "$home/d"
printf 'new f\n' >"$home/f"
printf 'new g\n' >"$home/d/g"
chown -R "$uid:$gid" "$home"
chmod 0644 "$KNOWN_HOSTS"

# as_nobody COMMANDS: mftp as nobody (local files in $L are nobody's),
# under $TRACE if set.
as_nobody() {
	RC=0
	${TRACE:+"${TRACE[@]}"} setpriv --reuid=65534 --regid=65534 --clear-groups \
	    timeout -k 5 "$CLIENT_TIMEOUT" "$MFTP" -P "$PORT" -q \
	    --password-fd 3 "alice@$HOST" 3<<<"$pw" <<<"lcd $L
$1" >"$T/client.out" 2>"$T/client.err" || RC=$?
	OUT=$(cat "$T/client.out")
	ERR=$(cat "$T/client.err")
}

printf 'mine\n' >"$L/f"
printf 'mine g\n' >"$L/d/g"
chmod 0444 "$L/f" "$L/d/g"
chown -R 65534:65534 "$L"
for cmd in "get f" "reget f" "mget f" "get -r d ."; do
	as_nobody "$cmd"
	expect_rc 1 "$cmd onto a read-only file"
	expect_contains "$ERR" "read-only" "the reason ($cmd)"
	expect_contains "$ERR" "chmod u+w" "how to replace it ($cmd)"
	expect_eq "$(cat "$L/f")" "mine" "f after $cmd"
	expect_eq "$(cat "$L/d/g")" "mine g" "d/g after $cmd"
	[ -z "$(find "$L" -name '*.part*')" ] || fail "a .part was left ($cmd)"
done
ok "get, reget, mget and get -r refuse to replace a read-only file"

# Another user's file (root's, 0644) in the user's directory.
rm -f "$L/f"
printf 'roots\n' >"$L/f"
chmod 0644 "$L/f"
as_nobody "get f"
expect_rc 1 "get f onto root's file"
expect_eq "$(cat "$L/f")" "roots" "root's f after get"
rm -f "$L/f"
ok "get refuses to replace another user's file it may not write"

# Made read-only while the data comes (strace holds mftp 2 s in the
# open of f.part): the download stays in the .part, f as it was.
printf 'mine\n' >"$L/f"
chown 65534:65534 "$L/f"
chmod 0644 "$L/f"
TRACE=(strace -qq -f -o "$T/strace.out" -P "$L/f.part" -e trace=openat
    -e inject=openat:delay_enter=2000000)
as_nobody "get f $L/f" &
TRACE=()
getpid=$!
BG_PIDS+=("$getpid")
wait_for 20 grep -qs "f.part" "$T/strace.out" || fail "mftp did not reach f.part"
chmod 0444 "$L/f"
wait_pid "$getpid" 30 || true
ERR=$(cat "$T/client.err")
expect_contains "$ERR" "read-only" "the reason (made read-only meanwhile)"
expect_contains "$ERR" "kept in" "where the download is"
expect_eq "$(cat "$L/f")" "mine" "f made read-only during the get"
ok "a file made read-only during the download is not replaced"

# Once made writable, it is replaced; the kept part is only verified.
chmod 0644 "$L/f"
as_nobody "get f"
expect_rc 0 "get f onto a writable file ($ERR)"
expect_same_file "$L/f" "$home/f" "f"
ok "a writable file is replaced"
