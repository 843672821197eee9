#!/usr/bin/env bash
# t_local_tilde: a leading ~ or ~/ in a local name stands for the home
# directory ($HOME, or the passwd entry's home without it), and ~USER/
# for USER's, as in sftp and a shell: lcd, lls, lmkdir, get's and put's
# LOCAL, mput's patterns, get -r into ~.  They made or looked for a
# directory literally named '~' in the local working directory.  An
# unknown ~USER fails, naming the user.  As in a shell, a quoted or
# escaped ~ ('~', \~, as lls prints such a name) and ./~ name a file
# '~'.  Remote names are not expanded.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)
start_daemon
L=$T/local
mkdir -p "$L" "$home/d/sub"
# HOME is the test's own ($T/client-home, lib.sh); it is written into.
case $HOME in "$T"/?*) ;; *) fail "HOME ($HOME) is not under $T" ;; esac
mkdir -p "$HOME/sub"
printf 'remote f\n' >"$home/f"
printf 'remote d/sub/g\n' >"$home/d/sub/g"
printf 'local up\n' >"$HOME/up"
printf 'm1\n' >"$HOME/m1.txt"
printf 'm2\n' >"$HOME/m2.txt"
chown -R "$uid:$gid" "$home"

run_client alice "$pw" <<<"lcd $L
lcd ~
lpwd
lcd ~/sub
lpwd
lcd $L
get f ~/x
get f ~
put ~/up
lls ~
lmkdir ~/made
get -r d ~
mput ~/m*.txt"
expect_rc 0 "the commands with ~ ($ERR)"
expect_eq "$(sed -n 1p <<<"$OUT")" "$HOME" "lpwd after lcd ~"
expect_eq "$(sed -n 2p <<<"$OUT")" "$HOME/sub" "lpwd after lcd ~/sub"
expect_same_file "$HOME/x" "$home/f" "get f ~/x"
expect_same_file "$HOME/f" "$home/f" "get f ~ (into the home)"
expect_same_file "$home/up" "$HOME/up" "put ~/up"
expect_contains "$OUT" "m1.txt" "lls ~ lists the home"
[ -d "$HOME/made" ] || fail "lmkdir ~/made did not make it"
expect_same_file "$HOME/d/sub/g" "$home/d/sub/g" "get -r d ~"
expect_same_file "$home/m1.txt" "$HOME/m1.txt" "mput ~/m*.txt (m1)"
expect_same_file "$home/m2.txt" "$HOME/m2.txt" "mput ~/m*.txt (m2)"
[ ! -e "$L/~" ] || fail "a file or directory '~' was made in $L"
ok "lcd, lls, lmkdir, get, put, get -r and mput expand a leading ~"

# ~USER: the passwd entry's home; an unknown user fails.
roothome=$(getent passwd root | cut -d: -f6)
[ -n "$roothome" ] || fail "no home for root in passwd"
run_client alice "$pw" <<<"lcd ~root
lpwd"
expect_rc 0 "lcd ~root ($ERR)"
expect_eq "$OUT" "$roothome" "lpwd after lcd ~root"
run_client alice "$pw" <<<"lcd $L
lmkdir ~nosuch-user-zz/x"
expect_rc 1 "lmkdir ~nosuch-user-zz/x"
expect_contains "$ERR" "nosuch-user-zz" "the reason names the user"
expect_contains "$ERR" "no such user" "the reason"
[ ! -e "$L/~nosuch-user-zz" ] || fail "'~nosuch-user-zz' was made in $L"
ok "~USER is USER's home; an unknown one fails"

# Without HOME: the passwd entry's home (root runs the test).
RC=0
env -u HOME timeout -k 5 "$CLIENT_TIMEOUT" "$MFTP" -P "$PORT" -q --password-fd 3 "alice@$HOST" \
    3<<<"$pw" <<<"lcd ~
lpwd
lcd /
lcd
lpwd" >"$T/nohome.out" 2>"$T/nohome.err" || RC=$?
expect_eq "$RC" 0 "lcd ~ and a bare lcd without HOME ($(cat "$T/nohome.err"))"
expect_eq "$(cat "$T/nohome.out")" "$roothome"$'\n'"$roothome" \
    "lpwd after lcd ~, and after a bare lcd, without HOME"
ok "without HOME, ~ and a bare lcd are the passwd entry's home"

# ./~, '~' and \~ name a file '~', as lls prints it; a remote '~' is
# not expanded.
for word in "./~" "'~'" "\\~" "'~x'"; do
	run_client alice "$pw" <<<"lcd $L
lmkdir $word
lls"
	expect_rc 0 "lmkdir $word ($ERR)"
	[ -n "$(find "$L" -mindepth 1 -maxdepth 1 -name '~*' -type d)" ] ||
	    fail "lmkdir $word did not make it in $L"
	expect_match "$OUT" "^'~x?'\$" "lls quotes the name"
	rm -rf -- "${L:?}/~" "${L:?}/~x"
done
printf 'tilde\n' >"$home/~"
chown "$uid:$gid" "$home/~"
run_client alice "$pw" <<<"lcd $L
get ~ plain"
expect_rc 0 "get ~ plain ($ERR)"
expect_same_file "$L/plain" "$home/~" "the remote file named '~'"
ok "./~ names a local '~'; a remote ~ is a name as it is"

# -o UserKnownHostsFile takes ~ and ~USER as a local name does: without
# HOME, the passwd entry's home.  It took "~/" from HOME alone, and
# without HOME opened "~/..." in the working directory.  The file named
# is the home itself ("~/."), a directory: refused before a byte is
# read or written, the message naming the path; StrictHostKeyChecking
# =yes never writes a pin.
# shellcheck disable=SC2088 # the ~ is for mftp
for kh in "~/." "~root/."; do
	RC=0
	(cd "$T" && env -u HOME timeout -k 5 "$CLIENT_TIMEOUT" "$MFTP" -P "$PORT" -q \
	    -o "UserKnownHostsFile=$kh" -o StrictHostKeyChecking=yes \
	    --password-fd 3 "alice@$HOST" 3<<<"$pw" <<<"pwd") \
	    >"$T/kh.out" 2>"$T/kh.err" || RC=$?
	expect_eq "$RC" 3 "-o UserKnownHostsFile=$kh without HOME"
	expect_contains "$(cat "$T/kh.err")" "$roothome/.: not a known_hosts file" \
	    "-o UserKnownHostsFile=$kh is in the passwd entry's home"
done
RC=0
"$MFTP" -P "$PORT" -o "UserKnownHostsFile=~nosuch-user-zz/kh" "alice@$HOST" \
    </dev/null >"$T/kh.out" 2>"$T/kh.err" || RC=$?
expect_eq "$RC" 2 "-o UserKnownHostsFile=~nosuch-user-zz/kh"
expect_contains "$(cat "$T/kh.err")" "~nosuch-user-zz: no such user" \
    "the reason names the user"
ok "-o UserKnownHostsFile's ~ is the home as a local name's, HOME or not"
