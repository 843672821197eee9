#!/usr/bin/env bash
# t_get_no_dir: a download whose local directory is missing (or is a
# file) fails before its GET is sent, naming LOCAL: it was found out
# only when the data came, the whole file was received and thrown away
# (8 MiB here, as many GB for a large file), and the message named
# LOCAL.part, a file the user never typed.  So does a file of get -r
# whose name is a directory there: its data was received whole, then
# failed "Is a directory", leaving a .part.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
home=$(user_home alice)
start_daemon
L=$T/local
mkdir -p "$L"
printf 'x\n' >"$L/file"
head -c $((8 << 20)) /dev/urandom >"$home/big"
chown "$(user_uid alice):$(user_gid alice)" "$home/big"

for dest in "$L/nodir/x" "$L/file/x"; do
	run_client alice "$pw" <<<"get big $dest"
	expect_rc 1 "get big $dest"
	expect_match "$ERR" "^mftp: get: $dest: (No such file or directory|Not a directory)\$" \
	    "the reason names LOCAL"
done
expect_eq "$(grep -c ' op=get path=big ' "$DAEMON_LOG")" 0 \
    "GETs of big sent for a LOCAL that cannot be made"
ok "get into a missing directory fails before the GET, naming LOCAL"

# get -r, where a directory of the user's is in the way of a file of the
# tree: the same, before that file's GET (the others come).
mkdir -p "$home/t" "$L/t/big"
cp "$home/big" "$home/t/big"
printf 's\n' >"$home/t/small"
chown -R "$(user_uid alice):$(user_gid alice)" "$home/t"
run_client alice "$pw" <<<"lcd $L
get -r t"
expect_rc 1 "get -r t with a directory t/big in the way"
expect_contains "$ERR" "t/big: Is a directory" "the reason names the file"
expect_eq "$(grep -c ' op=get path=t/big ' "$DAEMON_LOG")" 0 \
    "GETs of t/big sent where a directory is in the way"
[ ! -e "$L/t/big.part" ] || fail "a t/big.part was left"
[ -d "$L/t/big" ] || fail "the directory in the way is gone"
ok "get -r with a directory in a file's way fails before its GET"
