#!/usr/bin/env bash
# t_get_no_dir: a download whose local directory is missing (or is a
# file) fails before its GET is sent, naming LOCAL: it was found out
# only when the data came, the whole file was received and thrown away
# (8 MiB here, as many GB for a large file), and the message named
# LOCAL.part, a file the user never typed.
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
