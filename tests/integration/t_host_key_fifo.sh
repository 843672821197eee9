#!/usr/bin/env bash
# t_host_key_fifo: host_key, host_cert or the configuration file that is
# not a regular file (a FIFO put at the path, by whoever may write in its
# directory) is refused at once, never waited on: a start says why, a
# reload fails and keeps the pair in force, --fingerprint and
# "mftpd-sign -c" give up, and the master goes on accepting and reaping
# meanwhile.  An open(2) of a FIFO
# blocks until a writer comes: in the root master, on SIGHUP, that would
# stop every new connection of the server.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon
dir=$T/hostkey

login_ok() { # WHAT
	run_client alice "$pw" <<<"pwd"
	expect_rc 0 "$1"
}

# reload_fails WHAT: SIGHUP, and the master must say within 10 s that
# the reload failed (not hang in an open).
reload_fails() {
	local n
	n=$(log_count 'reload failed')
	kill -HUP "$DAEMON_PID" || fail "kill -HUP"
	_failed() { [ "$(log_count 'reload failed')" -gt "$n" ]; }
	wait_for 10 _failed || fail "$1: no 'reload failed' 10 s after SIGHUP"
	expect_contains "$(grep 'reload failed' "$DAEMON_LOG" | tail -n 1)" \
	    "not a regular file" "$1: the reason"
}

login_ok "before any change"

for f in host.key host.crt; do
	mv "$dir/$f" "$dir/$f.real"
	mkfifo -m 600 "$dir/$f" || fail "mkfifo"
	reload_fails "a FIFO as $f"
	daemon_alive || fail "mftpd died with a FIFO as $f"
	login_ok "a login after the failed reload (FIFO as $f)"
	out=$(timeout 10 "$MFTPD" -c "$CONF" --fingerprint 2>&1)
	rc=$?
	[ "$rc" != 124 ] || fail "--fingerprint waited on a FIFO as $f"
	if [ "$f" = host.crt ]; then
		expect_ne "$rc" 0 "--fingerprint with a FIFO as $f"
		expect_contains "$out" "not a regular file" "--fingerprint's reason"
	fi
	out=$(timeout 10 "$MFTPD_SIGN" -c "$dir/host.crt" "$dir/host.key" 2>&1)
	rc=$?
	[ "$rc" != 124 ] || fail "mftpd-sign -c waited on a FIFO as $f"
	expect_ne "$rc" 0 "mftpd-sign -c with a FIFO as $f"
	# A start with it fails, and says why.
	out=$(timeout 10 "$MFTPD" -f -e -c "$CONF" 2>&1)
	rc=$?
	[ "$rc" != 124 ] || fail "mftpd waited at its start on a FIFO as $f"
	expect_ne "$rc" 0 "a start with a FIFO as $f"
	expect_contains "$out" "not a regular file" "the start's reason ($f)"
	rm -f "$dir/$f"
	mv "$dir/$f.real" "$dir/$f"
	ok "a FIFO as $f is refused at once: start, reload, tools"
done

# The configuration file itself, read again on SIGHUP.
mv "$CONF" "$CONF.real"
mkfifo -m 644 "$CONF" || fail "mkfifo"
reload_fails "a FIFO as the configuration file"
login_ok "a login after the failed reload (FIFO as the configuration)"
rm -f "$CONF"
mv "$CONF.real" "$CONF"
ok "a FIFO as the configuration file fails the reload at once"

stop_daemon
check_log_clean
