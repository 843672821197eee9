#!/usr/bin/env bash
# t_long_path_errors: an ERROR about a path longer than the 1024 bytes
# its text may have still says what went wrong: the text is cut in the
# middle of the path, keeping its start and the reason at the end, and
# so is the reason of a transfer's log line.  Before, the text was cut
# at its end: a request naming a path of 1200 bytes (4096 are allowed)
# got only the first 1024 bytes of the path back, and no reason at all
# (GET, REMOVE, RENAME, PUT, HASH alike), nor did the log say one.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_raw.sh
. "$(dirname "$0")/lib_raw.sh"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon
home=$(user_home alice)

# 1206 bytes: a/ 600 times, then a name.
long=$(printf 'a/%.0s' $(seq 600))nofile
raw_open alice "$pw"

# said CODE REASON WHAT: the last reply is ERROR(CODE), its text within
# the limit, starting with the path and ending with REASON.
said() {
	[ "$RAW_TYPE" = 0x81 ] || fail "$3: $RAW_TYPE, not ERROR"
	expect_eq "$RAW_CODE" "$1" "$3: the status ($RAW_TEXT)"
	[ "${#RAW_TEXT}" -le 1024 ] ||
		fail "$3: a text of ${#RAW_TEXT} bytes"
	expect_eq "${RAW_TEXT:0:8}" "a/a/a/a/" "$3: the start of the text"
	expect_match "$RAW_TEXT" "$2\$" "$3: the end of the text"
}

raw_send "$(hex_get "$long" 0)"
raw_recv
said 10 "nofile: No such file or directory" "GET"
raw_send "$(hex_path_req 15 "$long")"
raw_recv
said 10 "nofile: No such file or directory" "HASH"
raw_send "$(hex_path_req 16 "$long")"
raw_recv
said 10 "nofile: No such file or directory" "REMOVE"
raw_send "$(hex_rename "$long" "${long}2")"
raw_recv
said 10 "nofile: No such file or directory" "RENAME"
raw_send "$(hex_put "$long" 6 420 1)"
raw_recv
said 10 "nofile: No such file or directory" "PUT"
raw_close
[ -z "$(ls -A "$home")" ] || fail "something was made in the home"
_logged() { [ "$(log_count "$1")" -gt 0 ]; }
wait_for 10 _logged 'op=get .*reason="a/a/.*nofile: No such file or directory"' ||
	fail "the GET's log line does not say why"
check_log_clean
ok "an error about a long path keeps its start and says why"
