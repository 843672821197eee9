#!/usr/bin/env bash
# t_mget_dirs_rest: mget -r goes on past a directory it matched that
# fails on its own (the server will not list it; its local name is a
# file here), downloads the others, and then fails, naming it, as get
# -r does with such a directory below its top.  It stopped there: the
# directories matched after it were not downloaded.  A full local disk
# or a lost session still stop it at once (t_get_rest).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
L=$T/local

# m1 m2 m3 m4, each with a file and a subdirectory; m2 not listable by
# alice, m4's local name a file.
for d in m1 m2 m3 m4; do
	mkdir -p "$home/$d/sub"
	printf '%s\n' "$d" >"$home/$d/f"
	printf '%s\n' "$d/sub" >"$home/$d/sub/g"
done
chown -R "$uid:$gid" "$home"/m?
chmod 000 "$home/m2"

mkdir -p "$L"
printf 'mine\n' >"$L/m4"
run_client alice "$pw" <<<"lcd $L
mget -r m*"
chmod 755 "$home/m2"
expect_rc 1 "mget -r m* with m2 unlistable and m4 a local file"
for d in m1 m3; do
	expect_same_file "$L/$d/f" "$home/$d/f" "$d/f"
	expect_same_file "$L/$d/sub/g" "$home/$d/sub/g" "$d/sub/g"
done
expect_eq "$(cat "$L/m4")" "mine" "the local file m4, left as it was"
expect_match "$ERR" "^mftp: mget: m2: .*[Pp]ermission denied" \
    "the refusal of m2's listing, said at once"
expect_match "$ERR" "^mftp: mget: .*m4" "m4's local failure, said at once"
expect_contains "$ERR" \
    "mftp: mget: 2 files or directories were not downloaded (the first: m2); the rest was" \
    "the failure counts them and names the first"
ok "mget -r goes on past matched directories that fail on their own"
