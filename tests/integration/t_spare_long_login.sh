#!/usr/bin/env bash
# t_spare_long_login: with the longest login_timeout the configuration
# allows (here 86000 s), the spare mftpd-sign the master keeps ready
# waits login_timeout plus its ten minutes unused, more than a day: it
# must take that wait (mftpd-sign -t), stay up, and sign the next
# login, rather than end at its start over and over.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

LOGIN_TIMEOUT=86000
pw=$(rand_pw)
add_user alice "$pw"
pu=$(id -u "$PREAUTH_USER")
start_daemon

_spare_ready() {
	local p
	p=$(signers_of "$DAEMON_PID")
	[ -n "$p" ] && [ "$(proc_uid "$p" 2>/dev/null)" = "$pu" ]
}
wait_for 10 _spare_ready || fail "no spare mftpd-sign: $(tail -n 5 "$DAEMON_LOG")"
s1=$(signers_of "$DAEMON_PID")
expect_contains "$(tr '\0' ' ' <"/proc/$s1/cmdline")" "-t 86600" \
    "the spare's wait"
sleep 2
kill -0 "$s1" 2>/dev/null || fail "the spare $s1 ended while it waited"
expect_not_contains "$(cat "$DAEMON_LOG")" "ended at its start" "the log"
ok "the spare $s1 waits login_timeout + 600 s and stays up"

run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login signed by the spare"
_s1_gone() { ! kill -0 "$s1" 2>/dev/null; }
wait_for 10 _s1_gone || fail "the spare $s1 did not sign and end"
_next() {
	local p
	p=$(signers_of "$DAEMON_PID")
	[ -n "$p" ] && [ "$p" != "$s1" ]
}
wait_for 10 _next || fail "no new spare after the login"
ok "it signed the login, and a new one replaced it"
stop_daemon
check_log_clean
