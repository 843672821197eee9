#!/usr/bin/env bash
# t_host_key_links: host_key and host_cert reached through symbolic
# links, as certbot lays them out (live/NAME/privkey.pem ->
# ../../archive/NAME/privkey1.pem) and as mftpd.conf(5) suggests.  mftpd
# starts with them, --fingerprint and "mftpd-sign -c" read them, and the
# key's owner and mode are still checked on the file the link reaches.
# A renewal (a new archive file, the link moved) is used after the
# reload.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || fail "openssl(1) is needed (scripts/deps.sh)"
le=$T/letsencrypt
mkdir -p "$le/archive/h" "$le/live/h"
mv "$T/hostkey/host.key" "$le/archive/h/privkey1.pem"
mv "$T/hostkey/host.crt" "$le/archive/h/fullchain1.pem"
ln -s ../../archive/h/privkey1.pem "$le/live/h/privkey.pem"
ln -s ../../archive/h/fullchain1.pem "$le/live/h/fullchain.pem"
key=$le/live/h/privkey.pem
crt=$le/live/h/fullchain.pem
DAEMON_EXTRA_CONF="host_key = $key
host_cert = $crt"
write_config

# The one-shot commands first.
out=$("$MFTPD" -c "$CONF" --fingerprint 2>&1) ||
	fail "mftpd --fingerprint through a link: $out"
fp=${out%% *}
out=$("$MFTPD_SIGN" -c "$crt" "$key" 2>&1) ||
	fail "mftpd-sign -c through links: $out"
expect_eq "$out" "$fp" "mftpd-sign -c's fingerprint"
ok "--fingerprint and mftpd-sign -c follow the links"

# The checks apply to the file reached.
chmod 644 "$le/archive/h/privkey1.pem"
out=$("$MFTPD_SIGN" -c "$crt" "$key" 2>&1) &&
	fail "mftpd-sign -c took a key that others can read, through a link"
expect_contains "$out" "readable by root only" "a 0644 key through a link"
chmod 600 "$le/archive/h/privkey1.pem"
chown 1:1 "$le/archive/h/privkey1.pem"
out=$("$MFTPD_SIGN" -c "$crt" "$key" 2>&1) &&
	fail "mftpd-sign -c took a key not owned by root, through a link"
expect_contains "$out" "owned by root" "a key of another owner through a link"
chown 0:0 "$le/archive/h/privkey1.pem"
ok "owner and mode are checked on the file the link reaches"

pw=$(rand_pw)
add_user alice "$pw"
start_daemon
expect_eq "$HOST_FP" "$fp" "the fingerprint served"
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login with the pair reached through links"
ok "mftpd starts and serves with the pair reached through links"

# A renewal, as certbot makes it: new archive files, the links moved.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj /CN=localhost -days 2 -keyout "$le/archive/h/privkey2.pem" \
    -out "$le/archive/h/fullchain2.pem" 2>/dev/null ||
	fail "openssl cannot make a key pair"
chmod 600 "$le/archive/h/privkey2.pem"
ln -sfn ../../archive/h/privkey2.pem "$le/live/h/privkey.pem"
ln -sfn ../../archive/h/fullchain2.pem "$le/live/h/fullchain.pem"
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login after the renewal, before the reload"
run_client alice "$pw" <<<"pwd"
expect_rc 0 "another login after the renewal, before the reload"
kill -HUP "$DAEMON_PID" || fail "kill -HUP"
_reloaded() { grep -q 'configuration reloaded' "$DAEMON_LOG"; }
wait_for 10 _reloaded || fail "no reload: $(tail -n 3 "$DAEMON_LOG")"
pin_host_key
expect_ne "$HOST_FP" "$fp" "the fingerprint after the renewal's reload"
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login after the reload, pinned to the renewed key"
ok "a certbot-style renewal is served from the reload on"
stop_daemon
check_log_clean
