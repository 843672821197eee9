#!/usr/bin/env bash
# t_sftp_cmds: the commands sftp and lftp users reach for.  ls hides
# dotfiles and partial uploads without -a and takes -l -h -1 -t -S -r;
# rename is mv; mv FILE DIR moves into DIR; df [-h] shows the quota;
# lmkdir, lumask, progress, version, ? (help); mkdir -p; rm -r (asked
# first at a terminal, not with -f); cd alone goes home.  In batch mode a
# command prefixed with - may fail without ending the run, and -v echoes
# each command.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

pw=$(rand_pw)
add_user alice "$pw" --quota-bytes 10M
start_daemon
home=$(user_home alice)
owner="$(user_uid alice):$(user_gid alice)"
W=$T/work

head -c 1536 /dev/urandom >"$home/k"
head -c 100 /dev/urandom >"$home/small"
head -c 5000 /dev/urandom >"$home/large"
echo x >"$home/.hidden"
echo x >"$home/.up.mftp-part"
mkdir "$home/d"
touch -d '2020-01-01 00:00' "$home/large"
touch -d '2021-01-01 00:00' "$home/k"
touch -d '2022-01-01 00:00' "$home/small"
chown -R "$owner" "$home"
quota_reset alice

# ------------------------------------------------------------------ ls
run_client alice "$pw" <<<$'ls\nls -a'
expect_rc 0 "ls"
plain=$(sed -n '1,/^small$/p' <<<"$OUT")
expect_eq "$plain" $'d\nk\nlarge\nsmall' "ls without -a"
expect_contains "$OUT" $'.hidden\n.up.mftp-part' "ls -a shows dotfiles and partials"
run_client alice "$pw" <<<$'ls .hidden\nls d/../.up.mftp-part'
expect_eq "$OUT" $'.hidden\n.up.mftp-part' "a dotfile named on its own is shown"
run_client alice "$pw" <<<$'ls -t\nls -S\nls -r -1'
expect_eq "$OUT" $'d\nsmall\nk\nlarge\nlarge\nd\nk\nsmall\nsmall\nlarge\nk\nd' \
    "ls -t (newest first), -S (largest first), -r -1 (reversed)"
run_client alice "$pw" <<<$'ls -lh'
expect_match "$OUT" '^-rw.* 1\.5 KiB 2021-01-01 00:00 k$' "ls -lh: 1.5 KiB"
expect_match "$OUT" '^-rw.* 100 B 2022-01-01 00:00 small$' "ls -lh: bytes below 1 KiB"
run_client alice "$pw" <<<$'ls -x'
expect_rc 1 "ls -x"
expect_contains "$ERR" "unknown option '-x'" "an unknown option"
ok "ls: -a -l -h -1 -t -S -r; dotfiles and partial uploads hidden"

# ------------------------------------------------ rename, mv into a dir
run_client alice "$pw" <<<$'rename small s2\nmv s2 d\nmv d/s2 d/s3'
expect_rc 0 "rename and mv"
[ -f "$home/d/s3" ] || fail "mv FILE DIR did not move into the directory"
[ ! -e "$home/small" ] && [ ! -e "$home/s2" ] || fail "the old names remain"
ok "rename is mv; mv FILE DIR moves into DIR"

# ------------------------------------------------------------------ df
run_client alice "$pw" <<<$'df\ndf -h'
expect_rc 0 "df"
expect_match "$OUT" '^ +1K-blocks +Used +Avail +Use%$' "df's header"
expect_match "$OUT" '^ +10240 +[0-9]+ +[0-9]+ +[0-9]+%$' "df in 1K blocks"
expect_match "$OUT" '^ +Size +Used +Avail +Use%$' "df -h's header"
expect_match "$OUT" '^ +10 MiB +[0-9.]+ KiB +[0-9.]+ MiB +[0-9]+%$' "df -h"
ok "df [-h] shows the quota"

# ---------------------------------- local commands, version, ?, progress
mkdir -p "$W"
run_client alice "$pw" <<<$'lcd '"$W"$'\nlumask 027\nlmkdir ld\nlumask\nget k\nprogress\nprogress\nversion\n? get'
expect_rc 0 "local commands"
[ -d "$W/ld" ] || fail "lmkdir made no directory"
expect_eq "$(stat -c %a "$W/ld")" 750 "lmkdir's mode under lumask 027"
expect_contains "$OUT" "0027" "lumask shows the umask"
expect_eq "$(stat -c %a "$W/k")" 640 "a download's mode under lumask 027"
expect_contains "$OUT" $'Progress bar on.\nProgress bar off.' "progress toggles"
expect_match "$OUT" '^mftp [0-9][^,]*, protocol 2; server: mftpd' "version"
expect_contains "$OUT" "usage: get [-acrT] REMOTE [LOCAL]" "? is help"
for m in +22 ' 22' 1000; do
	run_client alice "$pw" <<<"lumask '$m'"
	expect_rc 1 "lumask '$m'"
	expect_contains "$ERR" "$m: not an octal mode" "lumask '$m': the message"
done
ok "lmkdir, lumask, progress, version and ? work"

# The server takes away group and other write from what it makes, as
# mftp(1) says: mkdir under lumask 000 and an upload of a 0666 file.
printf abc >"$W/w666"
chmod 666 "$W/w666"
run_client alice "$pw" <<<$'lcd '"$W"$'\nlumask 000\nmkdir m0\nput w666'
expect_rc 0 "mkdir and put under lumask 000"
expect_eq "$(stat -c %a "$home/m0")" 755 "a remote mkdir under lumask 000"
expect_eq "$(stat -c %a "$home/w666")" 644 "an upload of a 0666 file"
ok "remote mkdir and put never grant group or other write"

# ------------------------------------------------ mkdir -p, rm -r, cd
run_client alice "$pw" <<<$'mkdir -p x/y/z\nmkdir -p x/y/z\nmkdir -p /x/w\ncd x/y\ncd\npwd'
expect_rc 0 "mkdir -p"
[ -d "$home/x/y/z" ] && [ -d "$home/x/w" ] || fail "mkdir -p made no tree"
expect_eq "$OUT" "/" "cd alone goes home"
echo a >"$home/x/y/z/f"
echo b >"$home/x/y/.g"
chown -R "$owner" "$home/x"
run_client alice "$pw" <<<$'rm x'
expect_rc 1 "rm of a directory without -r"
run_client alice "$pw" <<<$'rm -r x\nrm -f nothing\nrm -rf nothing'
expect_rc 0 "rm -r in batch mode (no question)"
[ ! -e "$home/x" ] || fail "rm -r left $(find "$home/x")"
ok "mkdir -p, rm -r, rm -f, cd home"

# rm -r of a link to a directory removes the link, as rm(1) does, and
# nothing of the directory it leads to (STAT follows links).
mkdir -p "$home/docs/sub"
echo keep >"$home/docs/file"
echo keep >"$home/docs/sub/g"
ln -s docs "$home/latest"
chown -hR "$owner" "$home/docs" "$home/latest"
run_client alice "$pw" <<<'rm -r latest'
expect_rc 0 "rm -r of a link to a directory"
[ ! -L "$home/latest" ] || fail "rm -r left the link"
[ -f "$home/docs/file" ] && [ -f "$home/docs/sub/g" ] ||
	fail "rm -r of a link removed what is in its target"
run_client alice "$pw" <<<'rm -r docs'
expect_rc 0 "rm -r of the directory itself"
[ ! -e "$home/docs" ] || fail "rm -r docs left $(find "$home/docs")"
ok "rm -r of a link removes the link alone"

# ".", "..", "/" or a path ending in one of them names no entry to
# remove: rm -r refuses it before its walk, which emptied the directory
# it leads to and only then failed (its RMDIR refused), -f or not; an
# empty name is the server's "empty name", never a walk of the cwd.
# The server says the same in words to REMOVE, RMDIR and RENAME of one.
mkdir -p "$home/keep/sub"
echo keep >"$home/keep/sub/f"
echo keep >"$home/top"
chown -R "$owner" "$home/keep" "$home/top"
_kept() {
	[ -f "$home/keep/sub/f" ] && [ -f "$home/top" ] ||
		fail "$1 removed files: left $(cd "$home" && find . | sort)"
}
for p in . .. / // ./ ./. keep/. keep/sub/.. keep/sub/../ ../keep/..; do
	for o in -r -rf; do
		run_client alice "$pw" <<<"rm $o '$p'"
		expect_rc 1 "rm $o '$p'"
		expect_eq "$ERR" \
		    "mftp: rm: $p: names no entry of a directory (not ., .. or /)" \
		    "rm $o '$p': the error"
		_kept "rm $o '$p'"
	done
done
run_client alice "$pw" <<<"cd keep/sub"$'\n'"rm -r .."
expect_rc 1 "rm -r .. in a subdirectory"
_kept "rm -r .. in a subdirectory"
run_client alice "$pw" <<<"cd keep"$'\n'"rm -r ''"
expect_rc 1 "rm -r ''"
expect_eq "$ERR" "mftp: rm: empty name" "rm -r '': the error"
_kept "rm -r ''"
for c in "rm ." "rm keep/.." "rmdir ." "rmdir keep/sub/.." "mv . x" \
    "mv keep/.. x"; do
	run_client alice "$pw" <<<"$c"
	expect_rc 1 "$c"
	expect_contains "$ERR" "names no entry of a directory (not ., .. or /)" \
	    "$c: the error"
	_kept "$c"
done
rm -rf "$home/keep" "$home/top"
ok "rm -r, rm, rmdir and mv of ., .. or / refused, nothing removed"

# An empty name is an error, as for mkdir, not a walk past its end.
run_client alice "$pw" <<<$'mkdir -p \'\'\nmkdir after'
expect_rc 1 "mkdir -p ''"
expect_eq "$ERR" "mftp: mkdir: empty name" "mkdir -p '': the error"
[ ! -e "$home/after" ] || fail "the run went on after mkdir -p ''"
ok "mkdir -p of an empty name fails"

# ------------------------------------------- rm -r asks at a terminal
mkdir -p "$home/t/u"
chown -R "$owner" "$home/t"
printf '%s\n' "$pw" >"$T/pw"
sock=$T/tmux.sock
_screen_has() { tmux -S "$sock" capture-pane -p | grep -qF -- "$1"; }
_not_there() { [ ! -e "$1" ]; }
tmux -S "$sock" new-session -d -x 200 -y 50 \
    "$(printf '%q ' "$MFTP" -P "$PORT" --password-fd 3 "alice@$HOST") 3<$T/pw 2>&1; echo EXIT=\$?; sleep 30"
BG_PIDS+=("$(tmux -S "$sock" display-message -p '#{pid}')")
wait_for 15 _screen_has "mftp>" || fail "no prompt"
tmux -S "$sock" send-keys "rm -r t" Enter
wait_for 10 _screen_has "remove directory t and everything in it? (y/N)" ||
	fail "no question: $(tmux -S "$sock" capture-pane -p)"
tmux -S "$sock" send-keys "n" Enter
wait_for 10 _screen_has "mftp: rm: t: not removed" ||
	fail "after n: $(tmux -S "$sock" capture-pane -p)"
[ -d "$home/t/u" ] || fail "'n' removed the tree"
tmux -S "$sock" send-keys "rm -r t" Enter
_asked_twice() { [ "$(tmux -S "$sock" capture-pane -p | grep -c 'remove directory t')" -ge 2 ]; }
wait_for 10 _asked_twice || fail "no second question: $(tmux -S "$sock" capture-pane -p)"
tmux -S "$sock" send-keys "y" Enter
wait_for 10 _not_there "$home/t" || fail "'y' did not remove the tree"
tmux -S "$sock" send-keys "quit" Enter
wait_for 10 _screen_has "EXIT=0" || fail "after y: $(tmux -S "$sock" capture-pane -p)"
[ ! -e "$home/t" ] || fail "'y' did not remove the tree"
tmux -S "$sock" kill-server 2>/dev/null
ok "rm -r asks at a terminal"

# ------------------------------------------- batch: -command, -v echo
run_client alice "$pw" <<<$'-rm nothing\npwd'
expect_rc 0 "a failing command prefixed with -"
expect_contains "$ERR" "mftp: rm: " "its error is still shown"
expect_eq "$OUT" "/" "the run went on"
run_client alice "$pw" <<<$'rm nothing\npwd'
expect_rc 1 "a failing command without -"
expect_eq "$OUT" "" "the run stopped"
# Whatever fails on a - line: a local command, a line that does not split.
run_client alice "$pw" <<<$'-!false\n-rm \'open quote\npwd'
expect_rc 0 "-!false and a - line with an open quote"
expect_eq "$OUT" "/" "the run went on after -! and a bad - line"
expect_match "$ERR" "unterminated single quote" "the bad line's error"
# As sftp reads it: blanks may follow the -, then a command, a ! or a
# comment, as on any line.
run_client alice "$pw" <<<$'- rm nothing\n-\t!false\n-  # a comment\npwd'
expect_rc 0 "- with blanks after it"
expect_eq "$OUT" "/" "the run went on after '- rm', '- !' and '- #'"
expect_contains "$ERR" "mftp: rm: nothing: " "'- rm nothing' ran rm"
expect_not_contains "$ERR" "unknown command" "a - line with blanks"
run_client alice "$pw" <<<$'!false\npwd'
expect_rc 1 "a failing ! without -"
run_client alice "$pw" -v <<<$'pwd\ncd d'
expect_eq "$OUT" $'mftp> pwd\n/\nmftp> cd d' "-v echoes each batch command"
ok "batch: -command may fail; -v echoes"
