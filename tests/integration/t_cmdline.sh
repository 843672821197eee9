#!/usr/bin/env bash
# t_cmdline: mftp's command line, as scp and sftp read theirs.
# user@host:path [LOCAL] fetches a file (-r a tree) and exits;
# FILE... user@host:[DIR] sends files; host:dir starts a session in dir;
# mftp://user@host:port/path is understood, other URLs are refused;
# host:2121 is still a port; host:a:b names the path a:b.  --version; option errors start with "mftp:".
# At a terminal (tmux): "Connected to HOST." and a wrong password asked
# again, up to the server's three tries, then an error naming what failed.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || fail "tmux is needed (scripts/deps.sh)"
pw=$(rand_pw)
add_user alice "$pw"
start_daemon
home=$(user_home alice)
owner="$(user_uid alice):$(user_gid alice)"
W=$T/work
mkdir -p "$home/d/sub" "$home/up"
head -c 70000 /dev/urandom >"$home/d/f"
echo deep >"$home/d/sub/g"
chown -R "$owner" "$home"
printf '%s\n' "$pw" >"$T/pw"

# one [mftp arguments]: a one-shot run in $W; sets RC, OUT, ERR.
one() {
	_last_client="mftp $*"
	RC=0
	(cd "$W" && timeout -k 5 "$CLIENT_TIMEOUT" "$MFTP" -q -P "$PORT" \
	    --password-fd 3 "$@" 3<"$T/pw" </dev/null \
	    >"$T/one.out" 2>"$T/one.err") || RC=$?
	OUT=$(cat "$T/one.out")
	ERR=$(cat "$T/one.err")
}

# ------------------------------------------------------------- fetch
one "alice@$HOST:d/f" "$W/copy"
expect_rc 0 "user@host:path local"
expect_same_file "$W/copy" "$home/d/f" "the fetched file"
one "alice@$HOST:d/f"
expect_rc 0 "user@host:path"
expect_same_file "$W/f" "$home/d/f" "fetched under its name"
one -r "alice@$HOST:d" "$W/tree"
expect_rc 0 "-r user@host:dir local"
expect_same_file "$W/tree/sub/g" "$home/d/sub/g" "a fetched tree"
one "alice@$HOST:nothing"
expect_rc 1 "fetching a missing file"
expect_match "$ERR" "^mftp: get: .*nothing" "the error names the file"
ok "user@host:path [LOCAL] fetches a file, -r a tree"

# -------------------------------------------------------------- send
echo one >"$W/a"
echo two >"$W/b"
one "$W/a" "$W/b" "alice@$HOST:up"
expect_rc 0 "file... user@host:dir"
expect_same_file "$home/up/a" "$W/a" "sent into the directory"
expect_same_file "$home/up/b" "$W/b" "the second file"
one "$W/a" "alice@$HOST:"
expect_rc 0 "file user@host:"
expect_same_file "$home/a" "$W/a" "sent home"
one "$W/a" "alice@$HOST:renamed"
expect_same_file "$home/renamed" "$W/a" "one file sent under a new name"
mkdir -p "$W/t/u" && echo x >"$W/t/u/v"
one -r "$W/t" "alice@$HOST:up"
expect_rc 0 "-r dir user@host:dir"
expect_same_file "$home/up/t/u/v" "$W/t/u/v" "a sent tree"
# As scp: a file that cannot be sent is named, and the others still go;
# the exit status says that one failed.
echo three >"$W/c"
mkdir "$home/up2" && chown "$owner" "$home/up2"
one "$W/a" "$W/missing" "$W/c" "alice@$HOST:up2"
expect_rc 1 "file... user@host:dir with a missing file"
expect_contains "$ERR" "missing" "the error names the missing file"
expect_same_file "$home/up2/a" "$W/a" "the file before the missing one"
expect_same_file "$home/up2/c" "$W/c" "the file after the missing one"
ok "file... user@host:[dir] sends files, -r trees"

# An '@' after the colon is the path's, not the user's.
one "$W/a" "alice@$HOST:mail@home"
expect_rc 0 "file user@host:name@with-at"
expect_same_file "$home/mail@home" "$W/a" "sent under a name with an @"
one "alice@$HOST:mail@home" "$W/at"
expect_rc 0 "user@host:name@with-at local"
expect_same_file "$W/at" "$W/a" "fetched a name with an @"
ok "an @ in the remote path"

# A colon in the remote path: host:a:b is the host and the path a:b,
# as for scp (a word that is an IPv6 address whole is still a host).
one "$W/a" "alice@$HOST:up:x"
expect_rc 0 "file user@host:name:with-colon"
expect_same_file "$home/up:x" "$W/a" "sent under a name with a colon"
one "alice@$HOST:up:x" "$W/colon"
expect_rc 0 "user@host:name:with-colon local"
expect_same_file "$W/colon" "$W/a" "fetched a name with a colon"
one "alice@[$HOST]:up:x" "$W/colon2"
expect_rc 0 "user@[host]:name:with-colon local"
expect_same_file "$W/colon2" "$W/a" "fetched a name with a colon, host in []"
if have_ipv6; then
	one "alice@::1"
	expect_rc 0 "user@::1: a bare IPv6 address is the host, whole ($ERR)"
	expect_ne "$(log_count 'login user=alice addr=::1 ')" 0 \
	    "logins from ::1"
	one "alice@[::1]:up:x" "$W/colon3"
	expect_rc 0 "user@[::1]:name:with-colon local"
	expect_same_file "$W/colon3" "$W/a" "fetched a name with a colon from [::1]"
fi
ok "a colon in the remote path"

# -------------------------------------------------------------- URLs
one "mftp://alice@$HOST:$PORT/d/f" "$W/viaurl"
expect_rc 0 "an mftp:// URL"
expect_same_file "$W/viaurl" "$home/d/f" "fetched through a URL"
one "mftp://alice@$HOST:$PORT/d/%66" "$W/viaurl2"
expect_same_file "$W/viaurl2" "$home/d/f" "a URL's %XX escapes"
# user:password@ is refused before anything is sent: the password would
# go to the server as part of a user name, and into its log.
one "mftp://alice:s3cr3t@$HOST:$PORT/d/f" "$W/viapw"
expect_rc 2 "a password in an mftp:// URL"
expect_contains "$ERR" "password" "the refusal names the password"
expect_not_contains "$ERR" "s3cr3t" "the refusal repeats the password"
expect_eq "$(log_count 's3cr3t')" 0 "the password in the server's log"
one "sftp://alice@$HOST/d/f"
expect_rc 2 "another scheme"
expect_contains "$ERR" "mftp: sftp://: not an mftp URL" "the refusal"
ok "mftp:// URLs are understood; others are refused"

# -------------------------------------- host:dir and host:port sessions
RC=0
OUT=$(cd "$W" && timeout 30 "$MFTP" -P "$PORT" --password-fd 3 \
    "alice@$HOST:d" 3<"$T/pw" <<<'pwd' 2>"$T/s.err") || RC=$?
expect_rc 0 "user@host:dir with commands on stdin"
expect_eq "$OUT" "/d" "a session that starts in dir"
RC=0
OUT=$(timeout 30 "$MFTP" --password-fd 3 "alice@$HOST:$PORT" 3<"$T/pw" \
    <<<'pwd' 2>"$T/s.err") || RC=$?
expect_rc 0 "user@host:port"
expect_eq "$OUT" "/" "host:PORT is still a port"
# A batch file runs in host:dir's session too; host:path of a file, or a
# transfer, is no session for it.
printf 'pwd\n' >"$T/batch"
RC=0
OUT=$(timeout 30 "$MFTP" -P "$PORT" --password-fd 3 -b "$T/batch" \
    "alice@$HOST:d" 3<"$T/pw" 2>"$T/s.err") || RC=$?
expect_rc 0 "-b FILE user@host:dir ($(cat "$T/s.err"))"
expect_eq "$OUT" "/d" "a batch file run in dir"
mkdir "$W/bf"
RC=0
OUT=$(cd "$W/bf" && timeout 30 "$MFTP" -P "$PORT" --password-fd 3 \
    -b "$T/batch" "alice@$HOST:d/f" 3<"$T/pw" 2>"$T/s.err") || RC=$?
expect_rc 1 "-b FILE user@host:file"
expect_contains "$(cat "$T/s.err")" "d/f: Not a directory" \
    "the refusal of -b with a file"
expect_eq "$OUT" "" "what -b with a file ran"
[ ! -e "$W/bf/f" ] || fail "-b with host:file fetched the file"
RC=0
timeout 30 "$MFTP" -P "$PORT" --password-fd 3 -b "$T/batch" \
    "alice@$HOST:d" "$W/x" 3<"$T/pw" >/dev/null 2>"$T/s.err" || RC=$?
expect_rc 2 "-b FILE user@host:dir LOCAL"
ok "host:dir starts a session there, with -b too; host:port is a port"

# ------------------------------------------------ --version, bad options
expect_match "$("$MFTP_BIN" --version)" '^mftp [0-9]+\.[0-9]+' "mftp --version"
RC=0
"$MFTP_BIN" -Z "alice@$HOST" >/dev/null 2>"$T/o.err" || RC=$?
expect_rc 2 "an unknown option"
expect_eq "$(head -n 1 "$T/o.err")" "mftp: unknown option -Z" "its message"
"$MFTP_BIN" -P 2>"$T/o.err" >/dev/null
expect_eq "$(head -n 1 "$T/o.err")" "mftp: option -P needs an argument" \
    "a missing argument"
# -h names every -o option mftp knows, as mftp(1) does.
help=$("$MFTP_BIN" -h)
for key in StrictHostKeyChecking UserKnownHostsFile Verify BindAddress \
    Retry Timeout Ciphers; do
	expect_contains "$help" "-o $key=" "mftp -h on -o $key"
	expect_match "$(cat "$top_srcdir/client/mftp.1")" "^\.It Cm $key" \
	    "mftp(1) on -o $key"
done
ok "--version; option errors start with mftp:"

# ------------------------------------- the password's descriptor
# Read once, at the login, and then closed: a command run with ! gets no
# way to read the password again (a here-string is a file it could seek
# back to the start of).
# shellcheck disable=SC2016 # $$ is the ! command's shell
run_client alice "$pw" <<<'!if [ -e /proc/$$/fd/3 ]; then echo "fd 3 open: $(cat /proc/$$/fd/3)"; else echo "fd 3 closed"; fi'
expect_rc 0 "a ! command after --password-fd 3"
expect_contains "$OUT" "fd 3 closed" "what the ! command inherits"
expect_no_match "$OUT" "$pw" "the ! command's output"
ok "the --password-fd descriptor is closed once read"

# ------------------------------------- a terminal: retry, Connected to
sock=$T/tmux.sock
screen() { tmux -S "$sock" capture-pane -p; }
_screen_has() { screen | grep -qF -- "$1"; }
_count() { [ "$(screen | grep -cF -- "$1")" -ge "$2" ]; }
tmux_mftp() {
	tmux -S "$sock" new-session -d -x 200 -y 50 \
	    "$(printf '%q ' "$MFTP" -P "$PORT" "alice@$HOST") 2>&1; echo EXIT=\$?; sleep 30"
	BG_PIDS+=("$(tmux -S "$sock" display-message -p '#{pid}')")
}
ask="alice@$HOST's password:"
tmux_mftp
wait_for 15 _screen_has "$ask" || fail "no password prompt: $(screen)"
tmux -S "$sock" send-keys -l "wrong-$pw"
tmux -S "$sock" send-keys Enter
wait_for 15 _screen_has "Permission denied, please try again." ||
	fail "no second chance: $(screen)"
wait_for 10 _count "$ask" 2 || fail "not asked again: $(screen)"
tmux -S "$sock" send-keys -l "$pw"
tmux -S "$sock" send-keys Enter
wait_for 15 _screen_has "mftp>" || fail "no prompt after the right password: $(screen)"
expect_contains "$(screen)" "Connected to $HOST." "the Connected line"
tmux -S "$sock" send-keys quit Enter
wait_for 10 _screen_has "EXIT=0" || fail "quit: $(screen)"
tmux -S "$sock" kill-server 2>/dev/null
ok "a wrong password is asked again; Connected to HOST."

sock=$T/tmux2.sock
tmux_mftp
for i in 1 2 3; do
	wait_for 15 _count "$ask" "$i" || fail "try $i: $(screen)"
	tmux -S "$sock" send-keys -l "wrong$i"
	tmux -S "$sock" send-keys Enter
done
wait_for 20 _screen_has "EXIT=4" || fail "three wrong passwords: $(screen)"
expect_contains "$(screen)" "mftp: login as alice on $HOST failed: login incorrect" \
    "the error names what failed"
expect_eq "$(screen | grep -c "Permission denied")" 2 "second chances"
tmux -S "$sock" kill-server 2>/dev/null
ok "after the server's three tries: exit 4, naming what failed"
