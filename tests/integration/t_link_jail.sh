#!/usr/bin/env bash
# t_link_jail: symbolic links a user makes with ln -s lead nowhere out
# of the home.  alice links to the host's /etc, to bob's home (absolute
# and through ..), to a file of bob's, and to a world-writable directory
# outside every home.  Through them GET finds nothing, ls shows nothing
# of the host's, cd fails, PUT writes nothing outside the home; a link
# to her own file works.  The tools that run as root do not follow them
# either: ftpuser-quota --recount charges each link 4 KiB and one file
# (the accounting equals the test's recount, which does not follow), and
# ftpuser-del --remove-home removes the links and leaves what they name
# (bob's files, the outside directory, /etc) untouched.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

FTPUSER_DEL=$top_builddir/ftpuser-del
[ -x "$FTPUSER_DEL" ] || fail "$FTPUSER_DEL is not built"
W=$T/work
OUTSIDE=$T/outside
mkdir -p "$W" "$OUTSIDE"
# Writable by anyone: only the chroot, not the uid, keeps alice out.
chmod 1777 "$OUTSIDE"
echo "keep me" >"$OUTSIDE/keep"
chmod 666 "$OUTSIDE/keep"

pw_a=$(rand_pw)
pw_b=$(rand_pw)
add_user alice "$pw_a" --quota-bytes 10M
add_user bob "$pw_b"
ahome=$(user_home alice)
bhome=$(user_home bob)
start_daemon

secret="bob's secret $(rand_pw)"
printf '%s\n' "$secret" >"$bhome/secret.txt"
chown "$(user_uid bob):$(user_gid bob)" "$bhome/secret.txt"
echo "alice's own" >"$W/own"
passwd_sum=$(sha256sum </etc/passwd)

run_client alice "$pw_a" <<EOF
put $W/own own
ln -s /etc etc_link
ln -s /etc/passwd pw
ln -s ../../../../../../etc/passwd pw_up
ln -s $bhome bob_abs
ln -s ../bob bob_rel
ln -s $bhome/secret.txt sec
ln -s $OUTSIDE out
ln -s $OUTSIDE/new.txt out_file
ln -s $OUTSIDE/keep out_keep
ln -s own own_link
EOF
expect_rc 0 "alice makes her links"
for l in etc_link pw pw_up bob_abs bob_rel sec out out_file out_keep own_link; do
	[ -L "$ahome/$l" ] || fail "ln -s $l made no link"
done

# What alice got must be neither the host's passwd nor bob's secret.
not_leaked() { # LOCALFILE WHAT
	[ -e "$1" ] || return 0
	cmp -s "$1" /etc/passwd && fail "$2: got the host's /etc/passwd"
	grep -q '^root:' "$1" && fail "$2: got a passwd file with root in it"
	grep -qF "$secret" "$1" && fail "$2: got bob's secret"
	grep -qF "keep me" "$1" && fail "$2: got a file from outside the home"
	return 0
}

for p in etc_link/passwd pw pw_up bob_abs/secret.txt bob_rel/secret.txt sec \
    out/keep out_keep; do
	rm -f "$W/got"
	run_client alice "$pw_a" <<<"get $p $W/got"
	expect_rc 1 "get $p (it leads nowhere inside the chroot)"
	not_leaked "$W/got" "get $p"
done
run_client alice "$pw_a" <<<"get own_link $W/got"
expect_rc 0 "get through a link to her own file"
expect_same_file "$W/got" "$W/own" "what a link inside the home gives"
ok "GET through links out of the home finds nothing; inside it works"

run_client alice "$pw_a" <<<$'-ls -l etc_link/\n-ls bob_abs/\n-ls bob_rel\n-ls out/\n-ls -l etc_link\n-ls pw'
expect_no_match "$OUT" 'passwd|shadow|secret\.txt|keep' \
    "ls through the links shows nothing from outside the home"
expect_match "$OUT" ' etc_link -> /etc$' "ls -l etc_link shows the link itself"
expect_match "$OUT" '^pw$' "ls of a link out of the home: the link alone"
for d in etc_link bob_abs bob_rel out; do
	run_client alice "$pw_a" <<<"cd $d"
	expect_rc 1 "cd $d"
done
ok "ls and cd through the links stay in the home"

echo "written through a link" >"$W/up"
for p in out/new.txt out_file out_keep bob_abs/planted bob_rel/planted; do
	run_client alice "$pw_a" <<<"put $W/up $p"
	case $p in
	out_*) expect_rc 0 "put $p (the link's name, in the home)" ;;
	*)
		expect_rc 1 "put $p (no such directory in the chroot)"
		expect_contains "$ERR" "$p: No such file or directory" "put $p"
		;;
	esac
	expect_eq "$(cat "$OUTSIDE/keep")" "keep me" "put $p: the outside file"
done
[ ! -e "$OUTSIDE/new.txt" ] || fail "a PUT through a link wrote outside the home"
[ ! -e "$bhome/planted" ] || fail "a PUT through a link wrote into bob's home"
expect_eq "$(ls -A "$OUTSIDE")" keep "nothing new outside the home"
# A PUT onto a link's name replaces the link with the file, in the home.
for l in out_file out_keep; do
	if [ ! -f "$ahome/$l" ] || [ -L "$ahome/$l" ]; then
		fail "put $l: the link was not replaced by the upload"
	fi
	expect_same_file "$ahome/$l" "$W/up" "put $l: the file in the home"
done
ok "PUT through links writes nothing outside the home"

# ------------------------------------------------- the tools run as root
expect_recount_agrees alice "links to /etc, bob and outside, not followed"
links=$(find "$ahome" -type l | wc -l)
expect_eq "$links" 8 "the links left to count"

out=$("$FTPUSER_DEL" -c "$CONF" --remove-home alice 2>&1) ||
	fail "ftpuser-del --remove-home alice: $out"
[ ! -e "$ahome" ] || fail "alice's home is still there"
expect_eq "$(cat "$bhome/secret.txt")" "$secret" "bob's file after ftpuser-del"
expect_eq "$(cat "$OUTSIDE/keep")" "keep me" "the outside file after ftpuser-del"
expect_eq "$(sha256sum </etc/passwd)" "$passwd_sum" "/etc/passwd after ftpuser-del"
[ -d /etc ] || fail "/etc is gone"
ok "ftpuser-quota --recount and ftpuser-del do not follow a user's links"

daemon_alive || fail "mftpd died"
check_log_clean
