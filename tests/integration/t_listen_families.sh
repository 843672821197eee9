#!/usr/bin/env bash
# t_listen_families: on a kernel without IPv6 (booted with
# ipv6.disable=1: socket(2) for AF_INET6 fails with EAFNOSUPPORT, played
# here by the noinet6 seccomp wrapper), the default listen (0.0.0.0 ::)
# must not keep mftpd from starting: an address of a family the kernel
# lacks is skipped with a warning while another one is listened on.
# With no address left, mftpd does not start and says why.  (The test
# listens on 127.0.0.1 and ::1, never on every address.)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

NOINET6=$top_builddir/tests/integration/noinet6
[ -x "$NOINET6" ] || fail "$NOINET6 is not built (make check builds it)"

pw=$(rand_pw)
add_user alice "$pw"

# ------------------------------------------- one family of two missing
DAEMON_PREFIX=("$NOINET6")
DAEMON_EXTRA_CONF="listen = 127.0.0.1 ::1"
start_daemon
expect_match "$(cat "$DAEMON_LOG")" \
    'listen ::1: Address family not supported by protocol; not listening on it' \
    "the log says which address is skipped and why"
expect_match "$(cat "$DAEMON_LOG")" "listening on 127\.0\.0\.1 port $PORT" \
    "the IPv4 address is listened on"
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login over IPv4 with IPv6 missing"
stop_daemon
expect_eq "$DAEMON_RC" 0 "mftpd's exit status"
ok "an address of a family the kernel lacks is skipped"

# --------------------------------------------------- no address left
DAEMON_EXTRA_CONF="listen = ::1"
write_config
RC=0
timeout 20 "$NOINET6" "$MFTPD" -f -e -c "$CONF" >"$T/fg.out" 2>"$T/fg.err" || RC=$?
ERR=$(cat "$T/fg.err")
expect_ne "$RC" 0 "mftpd with its only address's family missing"
expect_contains "$ERR" "::1" "stderr names the address"
expect_contains "$ERR" "Address family not supported" "stderr says why"
ok "no address that can be listened on: mftpd does not start"
