#!/usr/bin/env bash
# t_termsafe: a server's names and messages never write a control
# character to the client's terminal.  Files whose names hold ESC, CSI as
# UTF-8 (c2 9b), a raw CSI byte (9b) and a bidi override (U+202E) are put
# straight into a user's home; ls, ls -l, stat, mget (with its
# "verified" lines and, under a pseudo-terminal, its progress bar) and
# the server's error messages about them show ESC and CSI escaped or as
# '?', the override as \u202e, and a printable UTF-8 name as itself;
# tab completion at the prompt lists them escaped and inserts none; the
# password prompt shows a URL's user name the same way.
# The output is checked byte by byte.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

W=$T/work
pw=$(rand_pw)
# The user's rate limit (ftpuser-add --rate) makes the transfers last
# long enough to be caught in mid-transfer however fast the machine is;
# the first eighth of a second's worth goes at once (the bucket's burst).
add_user alice "$pw" --rate 256M
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)
start_daemon

n_esc=$'esc\e[31mred'
n_csi=$'csi\xc2\x9b2Jx'
n_raw=$'raw\x9b2Jy'
n_bidi=$'evil\xe2\x80\xaetxt.exe'
n_all=$'all\e]0;t\a\xc2\x9d\xc2\x85\xe2\x81\xa6z'
n_ok=$'caf\xc3\xa9_\xe6\x97\xa5\xe6\x9c\xac'
for n in "$n_esc" "$n_csi" "$n_raw" "$n_bidi" "$n_all" "$n_ok"; do
	printf 'data of %s\n' "$n" >"$home/$n" || fail "cannot make a file"
	chown "$uid:$gid" "$home/$n"
done

# hexdump FILE: its bytes as hex pairs, each followed by a blank, so
# that a sequence is found only on byte boundaries.
hexdump() {
	od -An -v -tx1 "$1" | tr -s ' \n' '  ' | sed 's/^ *//; s/$/ /'
}

# expect_safe FILE WHAT: no ESC, BEL, CSI or OSC (as UTF-8 or raw), no
# NEL, no bidi override or isolate in FILE.
expect_safe() {
	local h b
	h=$(hexdump "$1")
	for b in '1b ' '07 ' '9b ' '9d ' 'c2 9b ' 'c2 9d ' 'c2 85 ' \
	    'e2 80 ae ' 'e2 81 a6 '; do
		case " $h" in
		*" $b"*) fail "$2: the bytes '$b' reached the output: $h" ;;
		esac
	done
}

# ------------------------------------------------------- ls, ls -l, stat
cat >"$W/b1" <<'CMDS'
ls
ls -l
stat $'esc\e[31mred' $'csi\xc2\x9b2Jx' $'raw\x9b2Jy' $'evil\xe2\x80\xaetxt.exe'
CMDS
run_client alice "$pw" -b "$W/b1" </dev/null
expect_rc 0 "ls, ls -l and stat of the odd names"
expect_safe "$T/client.out" "ls, ls -l, stat (stdout)"
expect_safe "$T/client.err" "ls, ls -l, stat (stderr)"
for l in "\$'esc\\x1b[31mred'" "\$'csi\\xc2\\x9b2Jx'" "\$'raw\\x9b2Jy'" \
    "\$'evil\\u202etxt.exe'" \
    "\$'all\\x1b]0;t\\x07\\xc2\\x9d\\xc2\\x85\\u2066z'" "$n_ok"; do
	grep -qxF -- "$l" <<<"$OUT" ||
		fail "ls: no line '$l' in: $OUT"
done
expect_eq "$(printf '%s\n' "$OUT" | grep -cF "evil\\u202etxt.exe")" 3 \
    "the override shown escaped in ls, ls -l and stat"
expect_eq "$(printf '%s\n' "$OUT" | grep -cF -- "$n_ok")" 2 \
    "printable UTF-8 shown as itself in ls and ls -l"
ok "ls, ls -l and stat show control and bidi characters escaped"

# ----------------------------------------- mget: the "verified" lines
mkdir "$W/get"
printf 'lcd %s\nmget *\n' "$W/get" >"$W/b2"
# Not quiet: each transfer ends with a line naming the file.
RC=0
timeout -k 5 "$CLIENT_TIMEOUT" "$MFTP" -P "$PORT" --password-fd 3 \
    -b "$W/b2" "alice@$HOST" 3<<<"$pw" </dev/null >"$T/client.out" \
    2>"$T/client.err" || RC=$?
OUT=$(cat "$T/client.out")
ERR=$(cat "$T/client.err")
_last_client="alice -b $W/b2 (not quiet)"
expect_rc 0 "mget of the odd names"
for n in "$n_esc" "$n_csi" "$n_raw" "$n_bidi" "$n_all" "$n_ok"; do
	expect_same_file "$W/get/$n" "$home/$n" "the file fetched"
done
expect_safe "$T/client.out" "mget (stdout)"
expect_safe "$T/client.err" "mget (stderr)"
expect_match "$OUT" '^esc\?\[31mred: .* verified$' "ESC as '?' in a final line"
expect_match "$OUT" '^csi\?2Jx: .* verified$' "CSI as '?' in a final line"
expect_match "$OUT" '^raw\?2Jy: .* verified$' "raw CSI as '?' in a final line"
expect_match "$OUT" '^evil\\u202etxt\.exe: .* verified$' \
    "the override escaped in a final line"
expect_contains "$OUT" "$n_ok: " "printable UTF-8 as itself in a final line"
ok "the lines that end transfers show names safely"

# ------------------------ the server's own messages name the path given
cat >"$W/b3" <<'CMDS'
get $'gone\e[2J\xc2\x9b2J\x9b2J\xe2\x80\xae'
CMDS
run_client alice "$pw" -b "$W/b3" </dev/null
expect_rc 1 "get of a missing file"
expect_safe "$T/client.err" "the server's error message"
expect_contains "$ERR" 'gone?[2J?2J?2J\u202e' "the message, made safe"
cat >"$W/b4" <<'CMDS'
cd $'evil\xe2\x80\xaetxt.exe'
CMDS
run_client alice "$pw" -b "$W/b4" </dev/null
expect_rc 1 "cd into a file"
expect_safe "$T/client.err" "the server's error message about cd"
expect_contains "$ERR" 'evil\u202etxt.exe' "the override escaped in a message"
ok "the server's error messages show control and bidi characters safely"

# ---------------------- the client's own messages name the server's file
# A server's name whose download cannot start here: files of the
# user's own already have its NAME.part and NAME.mftp-part.  The
# client's own error names it, made safe like the rest.
mkdir "$home/long" "$W/long"
long=$'\e[2J\xc2\x9b2J\xe2\x80\xae'$(printf 'n%.0s' $(seq 42))
: >"$home/long/$long"
chown -R "$uid:$gid" "$home/long"
echo "the user's own" >"$W/long/$long.part"
echo "the user's own" >"$W/long/$long.mftp-part"
printf 'lcd %s\ncd long\nmget *\n' "$W/long" >"$W/b4l"
run_client alice "$pw" -b "$W/b4l" </dev/null
expect_rc 1 "mget of a name whose parts are the user's own files"
expect_safe "$T/client.err" "the client's own error about the server's name"
expect_contains "$ERR" '?[2J?2J\u202ennn' "the name in the client's message"
ok "the client's own error messages show the server's names safely"

# ------------------------------------------ the progress bar, on a pty
# script(1) gives the client a pty; it is in bsdutils, Essential in
# Debian, so a system without it is broken, not one to skip on.
command -v script >/dev/null 2>&1 ||
	fail "script(1) is needed to check the progress bar on a pty (bsdutils)"
big=$'big\e[2J\xc2\x9b\xe2\x80\xae'
head -c $((512 * 1048576)) /dev/zero >"$home/$big" ||
	fail "cannot make a large file"
chown "$uid:$gid" "$home/$big"
printf '%s\n' "$pw" >"$T/pw"
chmod 600 "$T/pw"
mkdir "$W/tty"
printf 'lcd %s\nmget big*\n' "$W/tty" >"$W/b5"
cmd=$(printf '%q ' "$MFTP" -P "$PORT" --password-fd 3 -b "$W/b5" \
    "alice@$HOST")
timeout -k 5 "$CLIENT_TIMEOUT" script -qfec "$cmd 3<$T/pw" /dev/null \
    </dev/null >"$T/tty.out" 2>&1 &
tty_job=$!
BG_PIDS+=("$tty_job")
_has_data() {
	[ "$(stat -c %s "$W/tty/$big.part" 2>/dev/null || echo 0)" -gt 0 ]
}
wait_for 30 _has_data || fail "the get under a terminal did not start"
# Hold the server a moment so that the bar is drawn.
sp=$(serving_pid_of "$uid")
[ -n "$sp" ] || fail "no serving process"
kill -STOP "$sp"
sleep 1
kill -CONT "$sp"
wait_pid "$tty_job" 60 || fail "the get under a terminal failed"
expect_same_file "$W/tty/$big" "$home/$big" "the large file"
expect_safe "$T/tty.out" "the terminal during a transfer"
TTY=$(tr '\r' '\n' <"$T/tty.out")
expect_match "$TTY" '^big\?\[2J\?\\u202e +.*[0-9]+%' \
    "the bar names the file safely"
ok "the progress bar shows the name safely"

# ------------------------------------------- completion, at the prompt
# Keys go to the shell through a FIFO, each after the shell has answered
# the one before (bounded waits on its output).
mkfifo "$T/keys"
exec 7<>"$T/keys"
cmd=$(printf '%q ' "$MFTP" -P "$PORT" --password-fd 3 "alice@$HOST")
timeout -k 5 "$CLIENT_TIMEOUT" script -qfec "$cmd 3<$T/pw" /dev/null \
    <"$T/keys" >"$T/comp.out" 2>&1 7>&- &
comp_job=$!
BG_PIDS+=("$comp_job")
_shown() { [ "$(grep -c -F -- "$1" "$T/comp.out")" -ge "$2" ]; }
wait_for 20 _shown 'mftp> ' 1 || fail "no prompt on the terminal"
# Tab after a prefix whose only match goes on with CSI, an override or
# ESC: nothing of it is inserted, the match is listed, quoted.
printf 'ls csi\t' >&7
wait_for 10 _shown "\$'csi\\xc2\\x9b2Jx'" 1 ||
	fail "completion did not list the name with CSI"
printf '\025ls evil\t' >&7
wait_for 10 _shown "\$'evil\\u202etxt.exe'" 1 ||
	fail "completion did not list the name with the override"
printf '\025ls esc\t' >&7
wait_for 10 _shown "\$'esc\\x1b[31mred'" 1 ||
	fail "completion did not list the name with ESC"
printf '\025quit\n' >&7
wait_pid "$comp_job" 20 || fail "the shell did not quit"
exec 7>&-
# The line editor writes escapes of its own: look for the names' bytes.
h=$(hexdump "$T/comp.out")
for b in 'c2 9b ' '9b 32 4a ' 'e2 80 ae ' '1b 5b 33 31 6d '; do
	case " $h" in
	*" $b"*) fail "completion: the bytes '$b' reached the terminal: $h" ;;
	esac
done
ok "completion lists such names escaped and inserts none of them"

# --------------------------------------- the password prompt, on a pty
# The user name of a URL comes %XX-decoded (a link on a web page): the
# prompt that names it shows ESC as '?' and an override as \u202e, so
# that it cannot pass for another user's or host's prompt.
mkfifo "$T/pwkeys"
exec 6<>"$T/pwkeys"
cmd=$(printf '%q ' "$MFTP" -n -P "$PORT" \
    "mftp://al%1b%5b2J%e2%80%aeice@$HOST/")
timeout -k 5 "$CLIENT_TIMEOUT" script -qfec "$cmd" /dev/null \
    <"$T/pwkeys" >"$T/pw.out" 2>&1 6>&- &
pw_job=$!
BG_PIDS+=("$pw_job")
_asked() { grep -qF "password:" "$T/pw.out"; }
wait_for 20 _asked || fail "no password prompt: $(cat "$T/pw.out")"
printf '\n' >&6
wait_pid "$pw_job" 20
exec 6>&-
expect_safe "$T/pw.out" "the password prompt"
expect_contains "$(cat "$T/pw.out")" \
    "al?[2J\\u202eice@$HOST's password:" "the prompt's user name"
ok "the password prompt shows the user name safely"
check_log_clean
