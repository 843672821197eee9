#!/usr/bin/env bash
# t_resume_advice: the command that an interrupted transfer's message
# says resumes it does, typed back as it is given, and leaves nothing
# beside the file.  It used to be "reget resumes it" or "reput resumes
# it" after the file's local name (or the remote one): for "get f1 ff1"
# that was "ff1: ...; reget resumes it", and "reget ff1" failed; for a
# file of "get -r" or "put -r" into another name, "reget rt/d2/g1"
# downloaded a second copy into ./g1 and left the part, and "reput
# bigtree/u" sent all of it again to ./u, the server's partial left.
# Inside get -r and put -r it is now the whole tree's: "reget -rT REMOTE
# DEST", "reput -rT LOCAL DEST", DEST the tree the first try made.
# Each transfer is stopped by SIGINT (Ctrl-C in batch mode) while its
# serving process is stopped, so that it is caught half-way.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw" --rate 256M
user_vars alice
start_daemon
W=$T/work
mkdir -p "$home/rt/d2" "$W/bigtree/sub"
# Zeros cost nothing to make; at 256 MiB/s, two seconds each.
head -c $((512 << 20)) /dev/zero >"$home/f1"
head -c $((512 << 20)) /dev/zero >"$home/rt/d2/g1"
head -c $((512 << 20)) /dev/zero >"$W/bigtree/sub/u"
chown -R "$uid:$gid" "$home"

# stopped CMDS WATCH: run CMDS in batch mode from $W, and SIGINT the
# client once WATCH (a file) has data; ADVICE: the command it gives.
stopped() {
	local job sp
	batch_bg alice "$pw" "$W" "$1"
	job=$JOB
	_grown() { [ "$(fsize "$1")" -gt 0 ]; }
	wait_for 30 _grown "$2" || fail "'$1' did not start: $(cat "$T/b.err")"
	sp=$(serving_pid_of "$uid")
	kill -STOP "$sp"
	mftp_below "$job" || fail "no client process"
	kill -INT "$CPID"
	wait_pid "$job" 30
	kill -CONT "$sp"
	ADVICE=$(sed -n 's/.*; \(\(re\|m\)[gp][eu]t .*\) resumes it$/\1/p' "$T/b.err")
	[ -n "$ADVICE" ] || fail "no command given: $(cat "$T/b.err")"
	_idle() { [ -z "$(serving_pids_of "$uid")" ]; }
	wait_for 15 _idle || fail "the stopped session did not end"
}

# follow OP PATH: run ADVICE; it must resume PATH (server log, OP).
follow() {
	run_client alice "$pw" <<<"lcd $W
$ADVICE"
	expect_rc 0 "'$ADVICE' ($ERR)"
	expect_resumed "$1" "$2" "'$ADVICE'"
}

stopped "get f1 ff1" "$W/ff1.part"
expect_eq "$ADVICE" "reget f1 ff1" "what get f1 ff1 says resumes it"
follow get f1
expect_same_file "$W/ff1" "$home/f1" "ff1"
ok "get f1 ff1: 'reget f1 ff1' resumes it"

# In a tree, the command given goes on with the whole tree, into the
# directory the first try made (-T: not inside it, which a plain
# reget -r rt dl would now do, dl being there).
stopped "get -r rt dl" "$W/dl/d2/g1.part"
expect_eq "$ADVICE" "reget -rT rt dl" "what get -r says resumes it"
follow get rt/d2/g1
expect_same_file "$W/dl/d2/g1" "$home/rt/d2/g1" "dl/d2/g1"
[ ! -e "$W/g1" ] || fail "a second copy was made in ./g1"
[ ! -e "$W/dl/rt" ] || fail "a second copy was made in dl/rt"
[ ! -e "$W/dl/d2/g1.part" ] || fail "the part is left"
ok "get -r into another name: the command given resumes the tree in place"

# Into a directory that was there: the tree is below it, and the command
# names that.
mkdir -p "$W/ex"
stopped "get -r rt ex" "$W/ex/rt/d2/g1.part"
expect_eq "$ADVICE" "reget -rT rt ex/rt" "what get -r into a directory says"
follow get rt/d2/g1
expect_same_file "$W/ex/rt/d2/g1" "$home/rt/d2/g1" "ex/rt/d2/g1"
[ ! -e "$W/ex/rt/rt" ] || fail "a second copy was made in ex/rt/rt"
ok "get -r into a directory: the command given resumes the tree below it"

stopped "put -r bigtree bt2" "$home/bt2/sub/.u.mftp-part"
expect_eq "$ADVICE" "reput -rT bigtree bt2" "what put -r says resumes it"
follow put bt2/sub/u
expect_same_file "$home/bt2/sub/u" "$W/bigtree/sub/u" "bt2/sub/u"
[ ! -e "$home/u" ] || fail "a second copy was sent to ./u"
[ ! -e "$home/bt2/bigtree" ] || fail "a second copy was sent to bt2/bigtree"
expect_eq "$(find "$home" -name '*.mftp-part' | wc -l)" 0 "partials left"
ok "put -r into another name: the command given resumes the tree in place"

# mget and mput: the command with -c and the same patterns, which goes
# on with every file (a plain reget of the one cut off left the rest).
rm -f "$W/f1" "$W/f1.part"
stopped "mget f1 rt/d2/g*" "$W/f1.part"
expect_eq "$ADVICE" "mget -c f1 'rt/d2/g*'" "what mget says resumes it"
follow get f1
expect_same_file "$W/f1" "$home/f1" "f1 after the mget -c given"
expect_same_file "$W/g1" "$home/rt/d2/g1" "g1 after the mget -c given"
ok "mget: the command given resumes the file and fetches the rest"

mkdir -p "$home/mp"
chown "$uid:$gid" "$home/mp"
stopped "cd mp
mput bigtree/sub/u" "$home/mp/.u.mftp-part"
expect_eq "$ADVICE" "mput -c bigtree/sub/u" "what mput says resumes it"
run_client alice "$pw" <<<"lcd $W
cd mp
$ADVICE"
expect_rc 0 "'$ADVICE' ($ERR)"
expect_resumed put u "'$ADVICE' (in mp, the log says u)"
expect_same_file "$home/mp/u" "$W/bigtree/sub/u" "mp/u"
ok "mput: the command given resumes the file"
check_log_clean
