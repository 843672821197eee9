#!/usr/bin/env bash
# t_retry_tree: --retry of get -r REMOTE LOCAL and put -r LOCAL REMOTE
# whose LOCAL (REMOTE) did not exist.  The first try makes the
# directory; the connection is then lost in the middle of the big file
# (its serving process SIGKILLed, as in t_retry).  The retry must save
# into the same place, not into LOCAL/BASE (REMOTE/BASE) because the
# directory now exists: the big file resumes (the server logs offset
# > 0), the tree is whole where the first try put it, no .part is left
# and there is no nested copy; the same for mftp -r DIR host:REMOTE.
# A file the first try of get -r had downloaded whole is not fetched
# again (only its checksum is compared), nor one put -r had uploaded
# whole sent again.
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

# retried OP PART DEST TRIES PATH WHAT: the slowed client started just
# before reaches CUT bytes in PART, its serving process is killed, and
# the retry (1 of TRIES) saves into DEST, not into DEST/BASE: the tree is
# whole there, no part is left, and PATH (the big file) was resumed.
retried() {
	run_slices "$2" "$CUT" || fail "$6 did not reach $CUT bytes"
	kill_serving "$1"
	expect_rc 0 "$6, whose server was killed"
	expect_contains "$ERR" "reconnecting to resume (1 of $4)" "what mftp says"
	{ [ ! -e "$3/tree" ] && [ ! -e "$3/src" ]; } ||
		fail "the retry saved below $3: $(ls -R "$3")"
	[ ! -e "$2" ] || fail "$2 was left behind"
	same_tree "$W/src" "$3" "$6"
	expect_resumed "$1" "$5" "big in $6"
}

# ------------------------------------------------------ get -r
slow_client "get -r tree $W/out
pwd" --retry 2
retried get "$W/out/big.part" "$W/out" 2 tree/big "get -r with --retry"
expect_match "$OUT" '^/$' "the command after the resumed one"
# a came whole before big was cut: the retry only compares it.
expect_eq "$(grep -c ' op=get path=tree/a ' "$DAEMON_LOG")" 1 \
    "GETs of tree/a, complete before the cut"
ok "a get -r cut by a killed server resumes in LOCAL with --retry (at $RESUMED_AT)"

# ------------------------------------------------------ put -r
slow_client "put -r $W/src up
pwd" --retry 2
retried put "$home/up/.big.mftp-part" "$home/up" 2 up/big "put -r with --retry"
expect_match "$OUT" '^/$' "the command after the resumed one"
# a went whole before big was cut: the retry only compares it.
expect_eq "$(grep -c ' op=put path=up/a ' "$DAEMON_LOG")" 1 \
    "uploads of up/a, complete before the cut"
ok "a put -r cut by a killed server resumes in REMOTE with --retry (at $RESUMED_AT)"

# ------------------------------------------- put -r on the command line
slow_mftp -r --retry 1 "$W/src" "alice@$HOST:up3" </dev/null
retried put "$home/up3/.big.mftp-part" "$home/up3" 1 up3/big "mftp -r --retry 1"
expect_eq "$(grep -c ' op=put path=up3/a ' "$DAEMON_LOG")" 1 \
    "uploads of up3/a, complete before the cut"
ok "mftp -r DIR host:REMOTE cut by a killed server resumes in REMOTE (at $RESUMED_AT)"
check_log_clean
