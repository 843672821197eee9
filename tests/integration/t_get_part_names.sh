#!/usr/bin/env bash
# t_get_part_names: a download of many files (get -r, mget) where one
# file's name is another's LOCAL.part: X and X.part side by side, as a
# browser's download in progress leaves them, or X.part and X.part.part.
# Every file arrives, with its own content: X.part is saved only once
# X no longer needs that name for its download, never found by X's
# download as a .part without a record (which it must refuse) nor
# renamed over X's part while X is written into it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

W=$T/work
pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
home=$(user_home alice)
start_daemon

case $home in
"$T"/*) ;;
*) fail "alice's home '$home' is not under $T" ;;
esac

# Enough pairs that the listing's order puts some X.part first.
mkdir -p "$home/dl/sub"
for i in 1 2 3 4 5 6 7 8; do
	printf 'file %s\n' "$i" >"$home/dl/f$i"
	printf 'part of %s, longer\n' "$i" >"$home/dl/f$i.part"
done
printf 'x\n' >"$home/dl/sub/x"
printf 'x.part\n' >"$home/dl/sub/x.part"
printf 'x.part.part\n' >"$home/dl/sub/x.part.part"
chown -R "$uid" "$home/dl"

# same_tree DIR WHAT: DIR holds every file of the remote dl, as it is.
same_tree() {
	local f
	for f in f1 f2 f3 f4 f5 f6 f7 f8 f1.part f2.part f3.part f4.part \
	    f5.part f6.part f7.part f8.part sub/x sub/x.part sub/x.part.part; do
		expect_same_file "$1/$f" "$home/dl/$f" "$2: $f"
	done
}

run_client alice "$pw" <<EOF
lcd $W
get -r dl
EOF
expect_rc 0 "get -r of a tree with X and X.part"
expect_eq "$ERR" "" "get -r's errors"
same_tree "$W/dl" "get -r"
ok "get -r saves X and X.part (and X.part.part), each as it is"

mkdir "$W/m"
run_client alice "$pw" <<EOF
lcd $W/m
mget dl/f* dl/sub/x*
EOF
expect_rc 0 "mget of X and X.part"
expect_eq "$ERR" "" "mget's errors"
for f in f1 f5 f8.part x x.part x.part.part; do
	g=dl/$f
	[ "${f#x}" = "$f" ] || g=dl/sub/$f
	expect_same_file "$W/m/$f" "$home/$g" "mget: $f"
done
ok "mget saves X and X.part, each as it is"

check_log_clean
