#!/usr/bin/env bash
# t_tls_ask: every answer a person may give to the first-connect
# question, under tmux, against what ssh(1) does with the same answer.
# "yes" (any case, blanks around it) and the fingerprint pin the key and
# go on; "no", an empty line and the end of input (Ctrl-D) refuse at
# once, as ssh's "no" does; a fingerprint that is not the server's
# refuses; anything else asks again.  A refusal pins nothing, sends no
# password and exits 3.  The question, host and fingerprint included,
# is on the terminal even when the standard error is not.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_tmux.sh
. "$(dirname "$0")/lib_tmux.sh"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon

KH=$T/kh
printf '%s\n' "$pw" >"$T/pw"

# answer NAME EXPECT KEYS...: start mftp in tmux with no pin, wait for
# its question, type KEYS (tmux send-keys words, one call each), and
# wait for EXPECT on the screen; SCREEN is then what it shows, logins
# the count of logins the server had logged before.  mftp's standard
# error goes to the screen too, or to the file ERR_TO.
answer() {
	local name=$1 expect=$2 sock=$T/tmux.$1.sock k
	shift 2
	rm -f "$KH"
	logins=$(grep -c 'login user=alice' "$DAEMON_LOG")
	tmux_start "$sock" \
	    "$(printf '%q ' "$MFTP_BIN" -P "$PORT" -o UserKnownHostsFile="$KH" \
		--password-fd 3 "alice@$HOST") 3<$T/pw 2>${ERR_TO:-&1}; echo EXIT=\$?; sleep 30"
	wait_for 10 tmux_has "$sock" "(yes/no/[fingerprint])?" ||
		fail "$name: no question: $(tmux_screen "$sock")"
	for k in "$@"; do
		tmux -S "$sock" send-keys "$k"
		sleep 0.2
	done
	wait_for 10 tmux_has "$sock" "$expect" ||
		fail "$name: '$expect' never came: $(tmux_screen "$sock")"
	if [ "$expect" = "mftp>" ]; then
		tmux -S "$sock" send-keys quit Enter
		wait_for 10 tmux_has "$sock" "EXIT=0" ||
			fail "$name: the session did not end"
	fi
	SCREEN=$(tmux_screen "$sock")
	tmux -S "$sock" kill-server 2>/dev/null
}

# refused NAME: the last answer refused the key, at once.
refused() {
	expect_contains "$SCREEN" \
	    "mftp: host key verification failed; nothing was sent" \
	    "$1: the refusal"
	expect_not_contains "$SCREEN" "Please type" "$1: asked again"
	[ ! -s "$KH" ] || fail "$1 pinned the key: $(cat "$KH")"
	expect_eq "$(grep -c 'login user=alice' "$DAEMON_LOG")" "$logins" \
	    "$1: logins the server saw"
}

answer empty EXIT=3 Enter
refused "an empty answer"
answer eof EXIT=3 C-d
refused "the end of input (Ctrl-D)"
answer no EXIT=3 No Enter
refused "'No'"
ok "an empty answer and Ctrl-D refuse at once, as 'no' does (and ssh)"

answer blanks mftp\> "  YES  " Enter
expect_eq "$(cat "$KH")" "127.0.0.1 $PORT $HOST_FP" "the pin after ' YES '"
answer fp mftp\> " $HOST_FP" Enter
expect_eq "$(cat "$KH")" "127.0.0.1 $PORT $HOST_FP" \
    "the pin after the fingerprint"
ok "'yes' in any case, or the fingerprint, with blanks around, pins the key"

answer garbage EXIT=3 maybe Enter no Enter
expect_contains "$SCREEN" "Please type 'yes', 'no' or the fingerprint:" \
    "garbage is asked again"
[ ! -s "$KH" ] || fail "garbage, then no, pinned the key"
answer wrongfp EXIT=3 "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" Enter
expect_contains "$SCREEN" "That fingerprint is not this server's." \
    "a wrong fingerprint"
refused "a wrong fingerprint"
ok "garbage asks again; a wrong fingerprint refuses"

# The standard error elsewhere (2>file, as a script's caller may have
# it): the question still shows what it asks about, on the terminal it
# is asked on, as ssh's does.
ERR_TO=$T/stderr answer stderr EXIT=3 no Enter
expect_contains "$SCREEN" \
    "The authenticity of host '$HOST ($HOST)' port $PORT can't be established." \
    "the question's host, with 2>file"
expect_contains "$SCREEN" "Its key fingerprint is $HOST_FP." \
    "the question's fingerprint, with 2>file"
expect_contains "$(cat "$T/stderr")" "host key verification failed" \
    "the refusal, in the file"
ok "the question shows the host and the fingerprint where it is asked"

check_log_clean
