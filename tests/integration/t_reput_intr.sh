#!/usr/bin/env bash
# t_reput_intr: Ctrl-C in batch mode while reput -r (put -rc, mput -c)
# compares a local file with the server's checksum stops the run with
# status 130 and the line that says where, as reget -r does; before,
# the comparison ran outside any transfer, and the signal killed mftp
# without a word.  The command after it does not run.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
user_vars alice
start_daemon
L=$T/local
# Two large sparse files, the same on both sides: hashing one in
# SHA-256 takes minutes (two at 2 GB/s), far longer than the wait below
# for it to begin, so that the ^C comes in the middle however fast the
# machine.  A ^C costs no more with larger files: the hash stops within
# a slice.
mkdir -p "$L/r" "$home/r"
for f in big1 big2; do
	truncate -s 256G "$L/r/$f"
	truncate -s 256G "$home/r/$f"
done
chown -R "$uid:$gid" "$home/r"

# hashing: mftp holds r/big1 or r/big2 open, as it hashes it for the
# comparison; its name in HASHED.  reput -r and put -rc take the files
# in the directory's order, which may put big2 first: a wait for big1
# alone then also waited for both ends to hash big2, which on a busy
# machine outlasted it.
hashing() {
	local f
	mftp_below "$job" || return 1
	for f in big1 big2; do
		if find "/proc/$CPID/fd" -lname "$L/r/$f" 2>/dev/null |
		    grep -q .; then
			HASHED=r/$f
			return 0
		fi
	done
	return 1
}

# (mput puts under the base names: into r, from r.)
for cmd in "reput -r r" "put -rc r" "cd r
mput -c r/big1 r/big2"; do
	batch_bg alice "$pw" "$T" "lcd $L
$cmd
pwd" -o Verify=sha256
	job=$JOB
	wait_for 30 hashing || fail "$cmd: mftp did not come to hash a file"
	kill -INT "$CPID"
	rc=0
	wait_pid "$job" 30 || rc=$?
	expect_eq "$rc" 130 "$cmd: the status of a batch run stopped by ^C"
	expect_contains "$(cat "$T/b.err")" \
	    "${HASHED#r/}: interrupted while it was compared with the server's" \
	    "$cmd: the line"
	! grep -q "^/" "$T/b.out" ||
		fail "$cmd: the command after the ^C ran: $(cat "$T/b.out")"
	expect_eq "$(log_count " op=put ")" 0 "$cmd: uploads"
done
ok "^C while reput -r, put -rc or mput -c compares: 130 and the line"
check_log_clean
