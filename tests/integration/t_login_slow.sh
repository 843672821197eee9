#!/usr/bin/env bash
# t_login_slow: a person who takes their time at the terminal, longer
# than the server's login_timeout: reading the first-connect question
# (comparing the fingerprint, as mftp(1) asks them to), or typing the
# password.  The server has given up on that connection by then; mftp
# connects again, to the key just checked, and goes on: the key answered
# "yes" to is pinned once, the password typed is not asked again, and
# the session starts.  Under tmux, with login_timeout = 3 s.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib_tmux.sh
. "$(dirname "$0")/lib_tmux.sh"

LOGIN_TIMEOUT=3
pw=$(rand_pw)
add_user alice "$pw"
start_daemon

KH=$T/kh
printf '%s\n' "$pw" >"$T/pw"
# slow NAME WAITFOR KEYS [mftp options]: start mftp under tmux, wait for
# WAITFOR, let the login deadline pass, type KEYS and Enter, and expect
# the session's prompt; SCREEN is what was shown.
slow() {
	local name=$1 waitfor=$2 keys=$3 sock=$T/tmux.$1.sock
	shift 3
	tmux_start "$sock" \
	    "$(printf '%q ' "$MFTP_BIN" -P "$PORT" -o UserKnownHostsFile="$KH" \
		"$@" "alice@$HOST") 3<$T/pw 2>&1; echo EXIT=\$?; sleep 30"
	wait_for 10 tmux_has "$sock" "$waitfor" ||
		fail "$name: no '$waitfor': $(tmux_screen "$sock")"
	sleep $((LOGIN_TIMEOUT + 2))
	tmux -S "$sock" send-keys "$keys" Enter
	wait_for 10 tmux_has "$sock" "mftp>" ||
		fail "$name: no session: $(tmux_screen "$sock")"
	tmux -S "$sock" send-keys pwd Enter quit Enter
	wait_for 10 tmux_has "$sock" "EXIT=0" ||
		fail "$name: the session did not end well: $(tmux_screen "$sock")"
	SCREEN=$(tmux_screen "$sock")
	tmux -S "$sock" kill-server 2>/dev/null
}

rm -f "$KH"
slow question "(yes/no/[fingerprint])?" yes --password-fd 3
expect_eq "$(cat "$KH")" "127.0.0.1 $PORT $HOST_FP" "the pin, once"
expect_not_contains "$SCREEN" "timed out" "the screen"
ok "a question answered after the login deadline: the session starts"

slow password "password:" "$pw"
expect_not_contains "$SCREEN" "timed out" "the screen"
expect_eq "$(grep -c 'password:' <<<"$SCREEN")" 1 "password prompts"
expect_eq "$(grep -c 'login user=alice' "$DAEMON_LOG")" 2 \
    "logins the server saw"
ok "a password typed after the login deadline: the session starts"
