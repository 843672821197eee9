#!/usr/bin/env bash
# t_spare_signer: the master keeps one mftpd-sign ready for the next
# connection (daemon/spare_signer.c), so that the signer's start is not
# on a login's path.  Before any connection it is there, dropped to the
# pre-auth user, not dumpable and under its seccomp list; a connection
# takes it (its monitor starts no signer of its own) and, once it has
# signed and ended, a new one replaces it; a reload replaces it (the key
# may have changed); one that ends at its start is not restarted for a
# while, and logins go on with the monitor's own signer meanwhile.  It
# links no libssl.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

LOGIN_TIMEOUT=60
pw=$(rand_pw)
add_user alice "$pw"
pu=$(id -u "$PREAUTH_USER")
start_daemon

_spare() { [ "$(signers_of "$DAEMON_PID" | wc -l)" = 1 ]; }
_ready() { # PID: dropped and under its list
	[ "$(proc_uid "$1" 2>/dev/null)" = "$pu" ] &&
		[ "$(proc_status "$1" Seccomp 2>/dev/null)" = 2 ]
}
_logged() { grep -Eq -- "$1" "$DAEMON_LOG"; }

# --- before any connection
wait_for 10 _spare || fail "no spare mftpd-sign under the master"
s1=$(signers_of "$DAEMON_PID")
wait_for 10 _ready "$s1" || fail "the spare $s1 did not drop or has no filter"
# Not dumpable: its /proc files stay root's after the drop to the
# pre-auth user, who thus cannot read its memory.
expect_eq "$(stat -c %u "/proc/$s1/mem")" 0 "owner of /proc/$s1/mem"
su -s /bin/sh -c "cat /proc/$s1/environ" "$PREAUTH_USER" >/dev/null 2>&1 &&
	fail "the pre-auth user can read the spare's memory"
ok "before any connection the master has a spare mftpd-sign $s1: the pre-auth user, not dumpable, Seccomp 2"
# Its own process group: a terminal's Ctrl-C to mftpd -f (the master's
# group) does not reach it.
pgid() { local a; read -r -a a <"/proc/$1/stat"; echo "${a[4]}"; }
expect_ne "$(pgid "$s1")" "$(pgid "$DAEMON_PID")" \
    "the spare's process group (the master's is $(pgid "$DAEMON_PID"))"
# ... and, out of the terminal's foreground group, it ignores SIGTTOU,
# so that a log line to that terminal under 'stty tostop' does not stop
# it mid-login.
sigign=$(awk '/^SigIgn:/ { print $2 }' "/proc/$s1/status")
(((0x$sigign >> (22 - 1)) & 1)) ||
	fail "the spare does not ignore SIGTTOU (SigIgn $sigign)"
# Its standard output is not the master's (the terminal of mftpd -f -e,
# here the test's): it writes nothing there.
expect_eq "$(readlink "/proc/$s1/fd/1")" /dev/null "the spare's standard output"
ok "the spare is not in the master's process group, and ignores SIGTTOU"
# It holds the host key and signs digests: no TLS library in it (nor its
# load, relocation and set-up at each start, one per connection).
[ -r "/proc/$s1/maps" ] || fail "cannot read /proc/$s1/maps"
if grep -q 'libssl' "/proc/$s1/maps"; then
	fail "the spare $s1 has libssl mapped: $(grep -m 1 libssl "/proc/$s1/maps")"
fi
grep -q 'libcrypto' "/proc/$s1/maps" ||
	fail "the spare $s1 has no libcrypto either: is this mftpd-sign?"
ok "the spare $s1 maps libcrypto and no libssl"

# --- a connection takes it: its monitor starts no signer of its own.
spawn rawpeer_direct --hold 30 </dev/null >/dev/null
_monitor() { [ -n "$(sessions)" ]; }
wait_for 10 _monitor || fail "no monitor for the held connection"
mon=$(sessions | head -n 1)
_monitor_ready() { # the worker and mftpd-auth are up
	[ "$(children_of "$mon" | wc -l)" -ge 2 ]
}
wait_for 10 _monitor_ready || fail "the monitor $mon did not start its worker"
for p in $(children_of "$mon"); do
	_runs "$p" "$MFTPD_SIGN" &&
		fail "the monitor $mon started a signer ($p) though the master had a spare"
done
kill -0 "$s1" 2>/dev/null || fail "the spare $s1 ended before the handshake"
kill_tree "$BG_PID"
ok "a connection takes the spare $s1; its monitor $mon starts no signer"

# --- a login: the spare signs, ends, and another is made.
_s1_gone() { ! kill -0 "$s1" 2>/dev/null; }
wait_for 10 _s1_gone || fail "the spare $s1 did not end with its connection"
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login with the spare's signature"
_new_spare() {
	local p
	p=$(signers_of "$DAEMON_PID")
	[ -n "$p" ] && [ "$p" != "$1" ] && _ready "$p"
}
wait_for 10 _new_spare "$s1" || fail "no new spare after the connections"
s2=$(signers_of "$DAEMON_PID")
ok "after the connections a new spare $s2 is ready"

_s2_gone() { ! kill -0 "$s2" 2>/dev/null; }

# --- the spare's first signature is made while it waits: a request is
# answered at once, with no lookup of the ECDSA code and no seeding of
# the random generator (getrandom, heap growth) between the two.
command -v strace >/dev/null || fail "strace is needed"
strace -qq -p "$s2" -o "$T/sign.trace" &
st=$!
_traced() { [ "$(proc_status "$s2" TracerPid 2>/dev/null)" = "$st" ]; }
wait_for 10 _traced || fail "strace did not attach to the spare $s2"
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login signed by the traced spare"
wait_for 10 _s2_gone || fail "the spare $s2 did not end after signing"
wait "$st"
if ! grep -q '^recvfrom(0,' "$T/sign.trace" ||
	! grep -q '^sendto(0,' "$T/sign.trace"; then
	fail "no request and answer in the spare's trace: $(cat "$T/sign.trace")"
fi
between=$(awk '/^recvfrom\(0,/ { on = 1; next }
	on && /^sendto\(0,/ { exit }
	on { print }' "$T/sign.trace")
if grep -Eq '^(getrandom|brk|mmap|munmap|openat)\(' <<<"$between"; then
	fail "the spare $s2 was not ready to sign: between request and answer: $between"
fi
wait_for 10 _new_spare "$s2" || fail "no new spare after the traced login"
s2=$(signers_of "$DAEMON_PID")
ok "the spare signs at once: its first signature was made while it waited"

# --- a reload replaces it.
kill -HUP "$DAEMON_PID" || fail "kill -HUP"
wait_for 10 _s2_gone || fail "the spare $s2 outlived the reload"
wait_for 10 _new_spare "$s2" || fail "no spare after the reload"
s3=$(signers_of "$DAEMON_PID")
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login after the reload"
ok "a reload replaces the spare ($s2 -> $s3)"

# --- one that ends at its start: no restart for a while, and logins
# go on with the monitor's own signer.
_young_spare() { [ -n "$(signers_of "$DAEMON_PID")" ]; }
wait_for 10 _young_spare || fail "no spare"
# shellcheck disable=SC2046
kill -KILL $(signers_of "$DAEMON_PID")
wait_for 10 _logged "mftpd-sign ended at its start \(signal 9\)" ||
	fail "the master did not see its spare end at its start"
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login while the master has no spare"
expect_eq "$(signers_of "$DAEMON_PID" | wc -l)" 0 "spares during the pause"
ok "a spare that ends at its start is not restarted at once; logins go on"
check_log_clean
