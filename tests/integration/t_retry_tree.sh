#!/usr/bin/env bash
# t_retry_tree: --retry of get -r REMOTE LOCAL and put -r LOCAL REMOTE
# whose LOCAL (REMOTE) did not exist.  The first try makes the
# directory; the connection is then lost in the middle of the big file
# (its serving process SIGKILLed, as in t_retry).  The retry must save
# into the same place, not into LOCAL/BASE (REMOTE/BASE) because the
# directory now exists: the big file resumes (the server logs offset
# > 0), the tree is whole where the first try put it, no .part is left
# and there is no nested copy; the same for mftp -r DIR host:REMOTE.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_retry.sh
. "$(dirname "$0")/lib_retry.sh"

mkdir -p "$W/src/sub"
head -c $((BIG_MB * 1048576)) /dev/urandom >"$W/src/big" ||
	fail "cannot make a $BIG_MB MiB file"
echo "a small one" >"$W/src/a"
echo "in a subdirectory" >"$W/src/sub/s"
cp -a "$W/src" "$home/tree"
chown -R "$uid:$(user_gid alice)" "$home/tree"

# same_tree A B WHAT: the files of A and B are the same, and so are the
# names (a nested copy or a .part left over is a difference).
same_tree() {
	local f
	for f in big a sub/s; do
		expect_same_file "$2/$f" "$1/$f" "$3: $f"
	done
	expect_eq "$(cd "$2" && find . | sort)" "$(cd "$1" && find . | sort)" \
	    "$3: the names"
}

# ------------------------------------------------------ get -r
slow_client "get -r tree $W/out
pwd" --retry 2
run_slices "$W/out/big.part" "$CUT" ||
	fail "the get -r did not reach $CUT bytes"
kill_serving get
expect_rc 0 "the get -r with --retry whose server was killed"
expect_contains "$ERR" "reconnecting to resume (1 of 2)" "what mftp says"
[ ! -e "$W/out/tree" ] || fail "the retry saved into out/tree: $(ls -R "$W/out")"
[ ! -e "$W/out/big.part" ] || fail "out/big.part was left behind"
same_tree "$W/src" "$W/out" "the tree got with --retry"
expect_match "$OUT" '^/$' "the command after the resumed one"
expect_resumed get tree/big "big in the get -r"
ok "a get -r cut by a killed server resumes in LOCAL with --retry (at $RESUMED_AT)"

# ------------------------------------------------------ put -r
slow_client "put -r $W/src up
pwd" --retry 2
run_slices "$home/up/.big.mftp-part" "$CUT" ||
	fail "the put -r did not reach $CUT bytes"
kill_serving put
expect_rc 0 "the put -r with --retry whose server was killed"
expect_contains "$ERR" "reconnecting to resume (1 of 2)" "what mftp says"
[ ! -e "$home/up/src" ] || fail "the retry saved into up/src: $(ls -R "$home/up")"
[ ! -e "$home/up/.big.mftp-part" ] || fail "up/.big.mftp-part was left behind"
same_tree "$W/src" "$home/up" "the tree put with --retry"
expect_match "$OUT" '^/$' "the command after the resumed one"
expect_resumed put up/big "big in the put -r"
ok "a put -r cut by a killed server resumes in REMOTE with --retry (at $RESUMED_AT)"
# ------------------------------------------- put -r on the command line
slow_mftp -r --retry 1 "$W/src" "alice@$HOST:up3" </dev/null
run_slices "$home/up3/.big.mftp-part" "$CUT" ||
	fail "mftp -r did not reach $CUT bytes"
kill_serving put
expect_rc 0 "mftp -r --retry 1 DIR host:up3 whose server was killed"
expect_contains "$ERR" "reconnecting to resume (1 of 1)" "what mftp says"
[ ! -e "$home/up3/src" ] || fail "the retry saved into up3/src: $(ls -R "$home/up3")"
same_tree "$W/src" "$home/up3" "the tree sent by mftp -r --retry"
expect_resumed put up3/big "big in mftp -r"
ok "mftp -r DIR host:REMOTE cut by a killed server resumes in REMOTE (at $RESUMED_AT)"
check_log_clean
