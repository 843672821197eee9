#!/usr/bin/env bash
# t_get_dir_modes: get -r and mget -r make each directory with the
# remote directory's permissions (with owner rwx, so the files can go
# in), less the umask, as put -r makes the remote ones from the local
# modes.  They were made 0777 less the umask: a private directory
# (0700) whose files are readable (0644), kept private by the directory
# alone, came down open to every local user, names and contents.  A
# directory that is already there keeps its mode.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
uid=$(user_uid alice)
gid=$(user_gid alice)
home=$(user_home alice)
start_daemon
L=$T/local
mkdir -p "$L" "$home/p/shared" "$home/p/ro"
echo "private, by its directory" >"$home/p/notes"
echo "in a group directory" >"$home/p/shared/g"
echo "in a read-only directory" >"$home/p/ro/r"
chmod 644 "$home/p/notes" "$home/p/shared/g" "$home/p/ro/r"
chown -R "$uid:$gid" "$home"
chmod 700 "$home/p"
chmod 750 "$home/p/shared"
chmod 555 "$home/p/ro"

# modes DIR: "p shared ro" modes under DIR.
modes() {
	stat -c %a "$1/p" "$1/p/shared" "$1/p/ro" | tr '\n' ' '
}

mkdir -p "$L/a" "$L/b"
run_client alice "$pw" <<<"lcd $L/a
lumask 022
get -r p"
expect_rc 0 "get -r p ($ERR)"
expect_eq "$(modes "$L/a")" "700 750 755 " "the modes after get -r"
expect_same_file "$L/a/p/ro/r" "$home/p/ro/r" "p/ro/r"
run_client alice "$pw" <<<"lcd $L/b
lumask 077
mget -r p"
expect_rc 0 "mget -r p ($ERR)"
expect_eq "$(modes "$L/b")" "700 700 700 " "the modes after mget -r, umask 077"
ok "get -r, mget -r: directories get the remote modes, with owner rwx, less the umask"

# An existing directory keeps its own mode.
mkdir -p "$L/c/p"
chmod 711 "$L/c/p"
run_client alice "$pw" <<<"lcd $L/c
get -r p"
expect_rc 0 "get -r p into an existing p ($ERR)"
expect_eq "$(stat -c %a "$L/c/p")" 711 "the existing directory's mode"
ok "an existing directory keeps its mode"
