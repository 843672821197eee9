#!/usr/bin/env bash
# t_link_cmds: mftp's chmod, ln -s and symlink, in batch mode.  chmod
# MODE PATH... sets the modes stat shows in the home; a setuid mode, a
# missing path, a symbolic mode and a link are refused with the reason,
# exit status 1, and "-chmod" lets the run go on.  ln -s and symlink
# make links (dangling ones too) that ls -l shows as "name -> target",
# (ls of a link whose target is too long to follow shows the link),
# charged 4 KiB and one file, past the quota refused with the server's
# message; rm gives the link back and the accounting equals a recount.
# A target with control characters is printed escaped.  help shows the
# three commands.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

pw=$(rand_pw)
# Room for f, d and exactly two links.
add_user alice "$pw" --quota-bytes $((100 + 3 * ENTRY_BYTES))
start_daemon
home=$(user_home alice)
owner="$(user_uid alice):$(user_gid alice)"

head -c 100 /dev/urandom >"$home/f"
echo x >"$home/g"
truncate -s 0 "$home/g"
mkdir "$home/d"
chmod 644 "$home/f" "$home/g"
chmod 755 "$home/d"
chown -R "$owner" "$home"
quota_reset alice

# --------------------------------------------------------------- chmod
run_client alice "$pw" <<<$'chmod 600 f g\nchmod 0700 d'
expect_rc 0 "chmod"
expect_eq "$(stat -c %a "$home/f") $(stat -c %a "$home/g")" "600 600" \
    "chmod 600 f g"
expect_eq "$(stat -c %a "$home/d")" 700 "chmod 0700 d"
run_client alice "$pw" <<<$'ls -l f'
expect_match "$OUT" '^-rw------- ' "ls -l shows the new mode"

run_client alice "$pw" <<<$'chmod 4755 f'
expect_rc 1 "chmod 4755"
expect_contains "$ERR" "mftp: chmod: f: mode 4755 refused" "the refusal"
expect_contains "$ERR" "setuid, setgid and sticky bits are not allowed" \
    "the refusal says why"
expect_eq "$(stat -c %a "$home/f")" 600 "the refused chmod changed nothing"

run_client alice "$pw" <<<$'chmod 644 missing'
expect_rc 1 "chmod of a missing path"
expect_contains "$ERR" "mftp: chmod: missing: No such file or directory" \
    "chmod of a missing path: the message"

run_client alice "$pw" <<<$'chmod u+x f'
expect_rc 1 "chmod with a symbolic mode"
expect_contains "$ERR" "u+x: not an octal mode" "a symbolic mode: the message"
run_client alice "$pw" <<<$'chmod 9 f'
expect_rc 1 "chmod 9"
expect_contains "$ERR" "9: not an octal mode" "not octal: the message"
# Octal digits only: strtoul would skip a blank and take a sign.
run_client alice "$pw" <<<$'chmod " 644" f'
expect_rc 1 "chmod with a blank before the mode"
expect_contains "$ERR" " 644: not an octal mode" "a blank: the message"

# Batch mode: the first failure ends the run unless the line starts
# with "-".
run_client alice "$pw" <<<$'chmod 644 missing\nchmod 640 f'
expect_rc 1 "a failed chmod ends the batch"
expect_eq "$(stat -c %a "$home/f")" 600 "nothing after the failure ran"
run_client alice "$pw" <<<$'-chmod 644 missing\nchmod 640 f'
expect_rc 0 "-chmod may fail"
expect_eq "$(stat -c %a "$home/f")" 640 "the command after -chmod ran"
ok "chmod sets modes; setuid, missing paths and symbolic modes refused"

# --------------------------------------------------------- ln -s, ls -l
run_client alice "$pw" <<<$'ln -s f l1\nsymlink no/such/thing l2\nls -l'
expect_rc 0 "ln -s and symlink"
expect_eq "$(readlink "$home/l1")" f "ln -s made the link"
expect_eq "$(readlink "$home/l2")" no/such/thing "symlink made a dangling link"
expect_match "$OUT" '^l[-rwx]{9}  +[0-9]+ [0-9-]+ [0-9:]+ l1 -> f$' \
    "ls -l shows l1 -> f"
expect_match "$OUT" '^l[-rwx]{9}  +[0-9]+ [0-9-]+ [0-9:]+ l2 -> no/such/thing$' \
    "ls -l shows a dangling link's target"
expect_match "$OUT" '^-rw-r----- .* f$' "ls -l shows files as before"
run_client alice "$pw" <<<$'ls -l l1\nls l1'
expect_match "$OUT" ' l1 -> f$' "ls -l of the link itself"
expect_match "$OUT" '^l1$' "ls without -l shows the name alone"
# A link whose target is too long to follow lists as itself too, as a
# dangling one does (the server's open of it fails ENAMETOOLONG).
long=$(printf '%4095s' '' | tr ' ' a)
ln -s "$long" "$home/llong"
run_client alice "$pw" <<<$'ls llong\nls -l llong'
rm -f "$home/llong"
expect_rc 0 "ls of a link whose target is too long to follow"
expect_match "$OUT" '^llong$' "ls lists that link by its name"
expect_match "$OUT" '^l[-rwx]{9} .* llong -> aaaa' "ls -l shows that link and its target"
expect_eq "$(acct alice)" "$((100 + 3 * ENTRY_BYTES)) 5" \
    "two links charged 4 KiB and one file each"
expect_recount_agrees alice "after ln -s"
# get of a dangling link says so, not "not a regular file"; an empty
# REMOTE names no file, for get and put alike (STAT "" gives the
# working directory: get said "is a directory", put put the file there).
run_client alice "$pw" <<<"get l2 $T/l2.got"
expect_rc 1 "get of a dangling link"
expect_eq "$ERR" "mftp: get: l2: a symbolic link to nothing (its target is missing)" \
    "what get says of a dangling link"
printf 'local\n' >"$T/loc"
for c in "get ''" "get -r ''" "put $T/loc ''" "put -r $T ''"; do
	run_client alice "$pw" <<<"$c"
	expect_rc 1 "$c"
	expect_eq "$ERR" "mftp: ${c%% *}: an empty REMOTE names no file (the working directory is .)" \
	    "what $c says"
done
[ ! -e "$home/loc" ] || fail "put with an empty REMOTE stored the file"

run_client alice "$pw" <<<$'ln -s f l3'
expect_rc 1 "ln -s past the quota"
expect_match "$ERR" '^mftp: ln: l3: quota exceeded: .* used, 4(\.0)? KiB more needed$' \
    "the over-quota message"
[ ! -L "$home/l3" ] || fail "the refused ln -s made a link"
run_client alice "$pw" <<<$'ln f l3'
expect_rc 1 "ln without -s"
expect_contains "$ERR" "only symbolic links" "ln without -s: the message"
run_client alice "$pw" <<<$'ln -s f l1'
expect_rc 1 "ln -s onto an existing name"
expect_contains "$ERR" "l1: File exists" "an existing name: the message"
run_client alice "$pw" <<<$'chmod 777 l1'
expect_rc 1 "chmod of a link"
expect_contains "$ERR" "l1: is a symbolic link" "chmod of a link: the message"
expect_eq "$(stat -c %a "$home/f")" 640 "chmod of a link left its target alone"

run_client alice "$pw" <<<$'rm l1 l2'
expect_rc 0 "rm of the links"
[ -f "$home/f" ] || fail "rm of a link removed its target"
expect_eq "$(acct alice)" "$((100 + ENTRY_BYTES)) 3" "rm gives the links back"
expect_recount_agrees alice "after rm of the links"
ok "ln -s and symlink make links, ls -l shows targets, charged and given back"

# -------------------------------------- a hostile target, printed safely
run_client alice "$pw" <<<"symlink \$'a\\e[2Jb' esc"$'\nls -l esc'
expect_rc 0 "a link whose target holds an escape sequence"
expect_eq "$(readlink "$home/esc")" $'a\e[2Jb' "the target as given"
expect_not_contains "$OUT" $'\e' "no raw escape reaches the terminal"
expect_contains "$OUT" 'esc -> ' "the link is listed with its target"
run_client alice "$pw" <<<$'rm esc'

# ---------------------------------------------------------------- help
run_client alice "$pw" <<<$'help chmod\nhelp ln\nhelp symlink\nhelp'
expect_contains "$OUT" "usage: chmod MODE PATH..." "help chmod"
expect_contains "$OUT" "usage: ln -s TARGET LINK" "help ln"
expect_contains "$OUT" "usage: symlink TARGET LINK" "help symlink"
ok "a hostile target is escaped; help knows chmod, ln and symlink"

daemon_alive || fail "mftpd died"
check_log_clean
