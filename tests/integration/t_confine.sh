#!/usr/bin/env bash
# t_confine: alice is locked into her home.  No path, absolute, relative,
# through the host path of bob's home, or through symlinks planted in her
# home by the admin, reaches bob's files or the host's /etc/passwd: paths
# resolve inside her chroot, where a planted etc/passwd is the one she gets.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

W=$T/work
pw_a=$(rand_pw)
pw_b=$(rand_pw)
add_user alice "$pw_a"
add_user bob "$pw_b"
ahome=$(user_home alice)
bhome=$(user_home bob)
# Files are planted below as root: never anywhere but in the test's homes.
for h in "$ahome" "$bhome"; do
	[[ $h == "$T"/home/?* ]] || fail "home $h is not under $T/home"
done
start_daemon

host_sum=$(sha256sum </etc/passwd)
secret="bob's secret $(rand_pw)"
printf '%s\n' "$secret" >"$W/bob-secret.txt"
run_client bob "$pw_b" <<<"put $W/bob-secret.txt bob-secret.txt"
expect_rc 0 "bob's upload"
expect_same_file "$bhome/bob-secret.txt" "$W/bob-secret.txt" "bob's file"
echo marker >"$W/alice-marker"
run_client alice "$pw_a" <<<"put $W/alice-marker alice-marker"
expect_rc 0 "alice's upload"

# What alice got must be neither the host's passwd nor bob's secret.
not_leaked() { # LOCALFILE WHAT
	[ -e "$1" ] || return 0
	cmp -s "$1" /etc/passwd && fail "$2: got the host's /etc/passwd"
	grep -q '^root:' "$1" && fail "$2: got a passwd file with root in it"
	grep -qF "$secret" "$1" && fail "$2: got bob's secret"
	return 0
}

# alice_get PATH: try to download PATH as alice into $W/got; RC, OUT, ERR.
alice_get() {
	rm -f "$W/got"
	run_client alice "$pw_a" <<<"get $1 $W/got"
	not_leaked "$W/got" "get $1"
}

# The admin plants symlinks in alice's home that point outside it.
ln -s /etc/passwd "$ahome/pw-link"
ln -s "$bhome" "$ahome/bob-link"
ln -s ../bob "$ahome/bob-rel-link"
ln -s "$bhome/bob-secret.txt" "$ahome/secret-link"

passwd_paths=(/etc/passwd ../../../../etc/passwd /../../etc/passwd
	..//..//etc/passwd ./../etc/passwd "$ahome/../../../../etc/passwd"
	pw-link)
secret_paths=("$bhome/bob-secret.txt" ../bob/bob-secret.txt
	/../bob/bob-secret.txt "../../home/bob/bob-secret.txt"
	bob-link/bob-secret.txt bob-rel-link/bob-secret.txt secret-link)

for p in "${passwd_paths[@]}" "${secret_paths[@]}"; do
	alice_get "$p"
	expect_rc 1 "get $p (nothing of that name in alice's chroot)"
	[ ! -e "$W/got" ] || fail "get $p left a local file"
done
ok "no path reaches /etc/passwd or bob's file"

run_client alice "$pw_a" <<'EOF'
cd ..
cd ../../..
pwd
ls
EOF
expect_rc 0 "cd .. at the root"
expect_match "$OUT" '(^|[[:space:]"])/"?$' "pwd after cd .. at the root"
expect_match "$OUT" '(^|[[:space:]])alice-marker([[:space:]]|$)' \
    "ls after cd .. at the root shows alice's own files"
expect_no_match "$OUT" '(^|[[:space:]])(usr|proc|boot|bob)/?([[:space:]]|$)' \
    "ls after cd .. at the root"
ok "cd .. at the root stays at alice's /"

# Each path's answer, so that a session that ended or never began does
# not pass for one that kept bob's files out: nothing of that name; a
# link whose target is not in the chroot, listed as itself and no
# directory to enter; or alice's own root.
for d in ../bob "$bhome" bob-link bob-rel-link /.. ../..; do
	run_client alice "$pw_a" <<<"ls $d"
	expect_not_contains "$OUT" bob-secret "ls $d"
	case $d in
	bob-*)
		expect_rc 0 "ls $d"
		expect_eq "$OUT" "$d" "ls $d: the link alone"
		;;
	*..)
		expect_rc 0 "ls $d"
		expect_contains "$OUT" alice-marker "ls $d: alice's root"
		;;
	*)
		expect_rc 1 "ls $d"
		expect_contains "$ERR" "$d: No such file or directory" "ls $d"
		;;
	esac
	run_client alice "$pw_a" <<<"cd $d
ls"
	expect_not_contains "$OUT" bob-secret "cd $d; ls"
	case $d in
	*..)
		expect_rc 0 "cd $d; ls"
		expect_contains "$OUT" alice-marker "cd $d; ls: alice's root"
		;;
	*)
		expect_rc 1 "cd $d"
		expect_contains "$ERR" "$d: No such file or directory" "cd $d"
		;;
	esac
done
ok "no listing shows bob's files"

echo evil >"$W/evil"
for target in bob-link/evil bob-rel-link/evil "$bhome/evil" ../bob/evil; do
	run_client alice "$pw_a" <<<"put $W/evil $target"
	expect_rc 1 "put $target"
done
run_client alice "$pw_a" <<<"mkdir bob-link/newdir"
expect_rc 1 "mkdir through a symlink to bob's home"
extra=$(find "$bhome" -mindepth 1 ! -name bob-secret.txt)
[ -z "$extra" ] || fail "something appeared in bob's home: $extra"
expect_same_file "$bhome/bob-secret.txt" "$W/bob-secret.txt" \
    "bob's file after alice's attempts"
ok "nothing written into bob's home"

# A file planted at etc/passwd in alice's home is what she sees as
# /etc/passwd: paths resolve in the chroot, not on the host.
mkdir "$ahome/etc"
echo "planted in alice's home" >"$ahome/etc/passwd"
for p in /etc/passwd ../../../../etc/passwd /../../etc/passwd \
    "$ahome/../../../../etc/passwd"; do
	alice_get "$p"
	if [ "$p" = "$ahome/../../../../etc/passwd" ] && [ "$RC" = 1 ]; then
		# Resolved in the kernel: the host path does not exist there.
		continue
	fi
	expect_rc 0 "get $p with etc/passwd planted in the chroot"
	expect_same_file "$W/got" "$ahome/etc/passwd" "get $p"
done
alice_get pw-link
if [ "$RC" = 0 ]; then
	expect_same_file "$W/got" "$ahome/etc/passwd" "get pw-link"
fi
ok "/etc/passwd is the chroot's own"

# The planted etc/ is root's: alice can't replace it, nor anything else.
run_client alice "$pw_a" <<<"put $W/evil /etc/passwd"
expect_rc 1 "put over a root-owned file in the chroot"
expect_eq "$(cat "$ahome/etc/passwd")" "planted in alice's home" \
    "the planted file after a put over it"
expect_eq "$(sha256sum </etc/passwd)" "$host_sum" "the host's /etc/passwd"
ok "the host's /etc/passwd is untouched"

daemon_alive || fail "mftpd died"
check_log_clean
