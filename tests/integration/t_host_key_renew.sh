#!/usr/bin/env bash
# t_host_key_renew: a host key pair replaced on disk without a reload.
# The certificate is read at start and on SIGHUP, a signer's key at each
# signer's start; the master keeps the key file it checked open (never
# its contents), and each mftpd-sign reads that file and refuses a key
# whose public half is not the served certificate's.
#   - a pair replaced by new files (certbot's renewal, mv, install):
#     logins go on with the old pair until the reload;
#   - a key file rewritten in place: the signer refuses it, logins fail,
#     and the log says plainly that the key on disk no longer matches the
#     certificate mftpd loaded and to reload;
#   - after SIGHUP the new pair is served.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || fail "openssl(1) is needed (scripts/deps.sh)"
pw=$(rand_pw)
add_user alice "$pw"
start_daemon
dir=$T/hostkey

# new_pair NAME: a fresh P-256 key and self-signed certificate in $T/NAME.
new_pair() {
	mkdir -p "$T/$1"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -subj /CN=localhost -days 2 \
	    -keyout "$T/$1/key" -out "$T/$1/crt" 2>/dev/null ||
		fail "openssl cannot make a key pair"
	chmod 600 "$T/$1/key"
}

login_ok() { # WHAT
	run_client alice "$pw" <<<"pwd"
	expect_rc 0 "$1"
	expect_contains "$OUT" "/" "$1: pwd"
}

# reload: SIGHUP, and wait for its outcome in the log.
reload() {
	local n
	n=$(grep -c 'configuration reloaded' "$DAEMON_LOG")
	kill -HUP "$DAEMON_PID" || fail "kill -HUP"
	_reloaded() {
		[ "$(grep -c 'configuration reloaded' "$DAEMON_LOG")" -gt "$n" ]
	}
	wait_for 10 _reloaded || fail "no reload after SIGHUP"
}

login_ok "before any change"
old_fp=$HOST_FP

# --- replaced by new files, as certbot renews: old pair until the reload
new_pair two
mv "$T/two/key" "$dir/host.key.new"
mv "$dir/host.key.new" "$dir/host.key"
cp "$T/two/crt" "$dir/host.crt.new"
mv "$dir/host.crt.new" "$dir/host.crt"
for i in 1 2 3; do
	login_ok "login $i after the pair was replaced, no reload"
done
expect_no_match "$(cat "$DAEMON_LOG")" 'bad signature|no signature' \
    "the log after the replaced pair"
ok "a pair replaced on disk: logins go on with the old one (pin $old_fp)"

reload
pin_host_key
expect_ne "$HOST_FP" "$old_fp" "the fingerprint after the reload"
login_ok "login after the reload, pinned to the new key"
ok "after the reload the new pair is served"

# --- the key file rewritten in place: refused, with a clear log line
new_pair three
cat "$T/three/key" >"$dir/host.key"
msg='host key on disk no longer matches the certificate mftpd loaded'
_said() { grep -q "$msg" "$DAEMON_LOG"; }
failed=0
for i in 1 2 3 4; do
	run_client alice "$pw" <<<"pwd"
	[ "$RC" = 0 ] || failed=$((failed + 1))
	_said && [ "$failed" -gt 0 ] && break
done
[ "$failed" -gt 0 ] || fail "logins went on with a key that is not the certificate's"
wait_for 10 _said || fail "no log line saying that the key no longer matches"
expect_contains "$(cat "$DAEMON_LOG")" "systemctl reload mftpd" \
    "the log says how to use the new pair"
expect_no_match "$(cat "$DAEMON_LOG")" 'killed by its sandbox' "the log"
ok "a key rewritten in place is refused, and the log says to reload"

cp "$T/three/crt" "$dir/host.crt"
reload
pin_host_key
login_ok "login after the reload with the third pair"
ok "the reload serves the third pair"
stop_daemon
check_log_clean
