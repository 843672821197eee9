#!/usr/bin/env bash
# t_reload_conf_link: SIGHUP reads the configuration file by the name
# mftpd was given, as a start does.  A configuration that is a symbolic
# link (to a file kept by configuration management, say) and is then
# pointed at another file, or replaced by a regular file (as "sed -i"
# does to a link), is read anew at the reload.  The master used to
# resolve the link once at start and read the old target at every
# reload, saying "configuration reloaded" with nothing changed.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# The configuration is a link to a file in a directory of versions.
mkdir -p "$T/etc/v1" "$T/etc/v2"
write_config
mv "$CONF" "$T/etc/v1/mftpd.conf"
ln -s v1/mftpd.conf "$CONF"
# start_daemon writes $CONF through the link: into v1.
start_daemon
[ -L "$CONF" ] || fail "the configuration is no longer a link"

# The link now leads to a file whose value is bad: the reload must read
# it, fail and say why (it read v1 and said "reloaded").
cp "$T/etc/v1/mftpd.conf" "$T/etc/v2/mftpd.conf"
echo "idle_timeout = banana" >>"$T/etc/v2/mftpd.conf"
ln -sfn v2/mftpd.conf "$CONF"
hup 'reload failed: .*idle_timeout.*banana|configuration reloaded'
expect_eq "$(log_count 'reload failed: .*idle_timeout.*banana')" 1 \
    "a reload after the link was pointed at a bad file"
ok "SIGHUP: a link pointed at another file is followed anew"

# The link replaced by a regular file (sed -i on it): read, not v1.
rm -f "$CONF"
cp "$T/etc/v1/mftpd.conf" "$CONF"
echo "port = banana" >>"$CONF"
hup 'reload failed: .*port.*banana|configuration reloaded'
expect_eq "$(log_count 'reload failed: .*port.*banana')" 1 \
    "a reload after the link was replaced by a file"
ok "SIGHUP: a link replaced by a regular file is read"

# A good file again: reloaded, and serving.
cp "$T/etc/v1/mftpd.conf" "$CONF"
hup 'configuration reloaded'
pw=$(rand_pw)
add_user link "$pw"
run_client link "$pw" <<<"pwd"
expect_rc 0 "a login after the reloads"
check_log_clean
ok "SIGHUP: serving after the reloads"
