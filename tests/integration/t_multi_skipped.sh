#!/usr/bin/env bash
# t_multi_skipped: mput and mget whose every match is skipped (symbolic
# links, which they do not follow; directories without -r) say so and
# fail, so that a script does not take "mput *.iso" over links for done.
# They used to print the notes and exit 0, nothing sent.  With one match
# sent beside the skipped ones, the command succeeds as before.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
L=$T/local
mkdir -p "$L/ldir" "$home/rt/rdir"
echo "a file" >"$L/real"
ln -s real "$L/uplink"
echo "a remote file" >"$home/rt/f"
ln -s f "$home/rt/flink"
chown -R "$uid:$gid" "$home"

for cmd in "mput uplink" "mput ldir" "mget rt/flink" "mget rt/rdir"; do
	run_client alice "$pw" <<<"lcd $L
$cmd"
	expect_rc 1 "$cmd, every match skipped"
	expect_contains "$ERR" "skipping" "$cmd: the note"
	expect_match "$ERR" "nothing to (up|down)load: every match was skipped" \
	    "$cmd: the failure"
done
if [ -e "$home/uplink" ] || [ -e "$L/flink" ]; then
	fail "a link was sent"
fi
ok "mput and mget with every match skipped fail, saying so"

run_client alice "$pw" <<<"lcd $L
mput uplink real
mget rt/flink rt/f"
expect_rc 0 "mput and mget with one match sent ($ERR)"
expect_same_file "$home/real" "$L/real" "real"
expect_same_file "$L/f" "$home/rt/f" "f"
ok "with one match sent beside the skipped ones, they succeed"

check_log_clean
