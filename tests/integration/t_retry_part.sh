#!/usr/bin/env bash
# t_retry_part: --retry never takes up a .part of the user's own.
# In "mget *" the user's own a.part (no resume record) is not a download
# in progress: a is downloaded beside it; the connection is then lost in
# the middle of z (its serving process SIGKILLed, as in t_retry);
# --retry runs the mget again and resumes z, but a.part is
# byte-identical afterwards and a was never made from it.
#
# The client is slowed down as in t_retry (lib_retry.sh).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_retry.sh
. "$(dirname "$0")/lib_retry.sh"

head -c 100000 /dev/urandom >"$home/a"
head -c $((BIG_MB * 1048576)) /dev/urandom >"$home/z" ||
	fail "cannot make a $BIG_MB MiB file"
chown "$uid:$(user_gid alice)" "$home/a" "$home/z"
# Smaller than a: get -c would append to it.
echo "the user's own notes, not a download" >"$W/a.part"
cp "$W/a.part" "$T/a.part.orig"

slow_client "lcd $W
mget *" --retry 2
run_slices "$W/z.part" "$CUT" || fail "the mget did not reach $CUT bytes"
kill_serving get
_last_client="mget * --retry 2"
expect_contains "$ERR" "reconnecting to resume (1 of 2)" "what mftp says"
expect_same_file "$W/a.part" "$T/a.part.orig" "the user's a.part"
expect_same_file "$W/a" "$home/a" "a, downloaded beside the user's a.part"
expect_eq "$RC" 0 "the retried mget ($ERR)"
expect_same_file "$W/z" "$home/z" "z, resumed"
ok "the retried mget resumed z and left the user's a.part as it was"
check_log_clean
