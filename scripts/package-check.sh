#!/usr/bin/env bash
# package-check.sh: build the Debian packages, check them with lintian,
# install them, try the installed programs, purge them and check that
# nothing of them is left but the users' homes.
#
#   bash scripts/package-check.sh [--keep]
#
# The packages are built in a copy of the tree (the files git knows, or
# the whole tree less build products when it is not a checkout), so the
# source tree is never configured in place.  --keep keeps the work
# directory (the .deb files and the logs).
#
# Runs as: root (it installs and purges packages and starts mftpd).  It
# changes the system: it installs mftp-server and mftp-client, and purges
# them again at the end, also when a step fails.  So it runs only on a
# machine without mftp of its own: where either package is installed, or
# /etc/mftp or /var/lib/mftp exists, and an earlier run did not leave
# them (its mark, /var/lib/mftp-package-check.installed), it changes
# nothing and exits 77 (skipped).  Exits 0 when every step passed; its
# last line is "package-check: ok" or "package-check: FAILED: reason".
set -euo pipefail

cd "$(dirname "$0")/.."
top=$(pwd)
keep=
[ "${1:-}" = --keep ] && keep=1

if [ "$(id -u)" != 0 ]; then
	echo "package-check: needs root (it installs packages)" >&2
	exit 77
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/mftp-pkg.XXXXXX")
chmod 0755 "$W"
DAEMON_PID=
installed=
PURGED=
# Set while the packages this script installed may be on the system:
# "installing", then which install of dpkg's it was (mark_id), so that a
# later installation of the machine's own is not taken for this one.
MARK=/var/lib/mftp-package-check.installed
STANDINS=
KEEPER_HOME=
PAIR_MOVED=

step() {
	echo "package-check: $*"
}

die() {
	echo "package-check: FAILED: $*" >&2
	exit 1
}

mark_id() {
	stat -c '%i %Y' /var/lib/dpkg/info/mftp-server.list \
	    /var/lib/dpkg/info/mftp-client.list 2>/dev/null || true
}

purge_packages() {
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -q \
	    mftp-server mftp-client >"$W/purge.log" 2>&1
}

cleanup() {
	local rc=$?
	trap - EXIT
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -TERM "$DAEMON_PID" 2>/dev/null || true
		for _ in $(seq 50); do
			kill -0 "$DAEMON_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$DAEMON_PID" 2>/dev/null || true
	fi
	# The package's pair and configuration, set aside for a step.
	if [ -n "$PAIR_MOVED" ]; then
		cp -p "$W/pkg-pair/mftpd.conf" /etc/mftp/mftpd.conf || true
		mv "$W/pkg-pair/host.key" "$W/pkg-pair/host.crt" /etc/mftp/ ||
			true
		mv "$W/pkg-pair/host-key.made" /var/lib/mftp/ || true
	fi
	if [ -n "$installed" ] && [ -z "$PURGED" ]; then
		echo "package-check: purging the packages after a failure" >&2
		purge_packages && rm -f "$MARK"
	fi
	# The stand-ins for an administrator's own key pair and copy of the
	# user database, if this run made them.
	if [ -n "$STANDINS" ]; then
		rm -f /etc/mftp/own.key /etc/mftp/own.crt /etc/mftp/users.backup
		[ -d /etc/mftp ] && rmdir --ignore-fail-on-non-empty /etc/mftp
	fi
	# The test user's home, which a purge rightly leaves.
	if [ -n "$KEEPER_HOME" ]; then
		rm -rf -- "$KEEPER_HOME"
	fi
	if [ "$rc" = 0 ]; then
		echo "package-check: ok"
	fi
	if [ -n "$keep" ]; then
		echo "package-check: kept $W" >&2
	else
		rm -rf -- "$W"
	fi
	exit "$rc"
}
trap cleanup EXIT

# Left over from an earlier run that was cut short (its mark is there):
# purge it first, so that the checks below see this build's packages
# only.  Anything else is an installation of the machine's own, which
# this script must not touch.
foreign=
ours=
if [ -f "$MARK" ]; then
	mark=$(cat "$MARK")
	{ [ "$mark" = installing ] || [ "$mark" = "$(mark_id)" ]; } && ours=1
fi
for p in mftp-server mftp-client; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	{ [ -n "$st" ] && [ "$st" != not-installed ]; } || continue
	if [ -n "$ours" ]; then
		step "purging $p ($st) left from an earlier run"
		purge_packages || die "cannot purge the installed $p"
	else
		foreign="$foreign $p"
	fi
done
if [ -f "$MARK" ] && [ -z "$foreign" ]; then
	# That run's stand-ins and test user's home (see below), which a
	# purge rightly leaves.
	rm -f /etc/mftp/own.key /etc/mftp/own.crt /etc/mftp/users.backup
	[ ! -d /etc/mftp ] || rmdir --ignore-fail-on-non-empty /etc/mftp
	rm -rf /srv/mftp/pkgcheck[0-9]* /srv/mftp/pkgkeep[0-9]*
	rm -f "$MARK"
fi
for d in /etc/mftp /var/lib/mftp; do
	[ ! -e "$d" ] || foreign="$foreign $d"
done
if [ -n "$foreign" ]; then
	echo "package-check: skipped: this machine has mftp of its own" \
	    "(${foreign# }); the check installs and purges the packages," \
	    "so it runs only where mftp is not installed" >&2
	exit 77
fi

# ------------------------------------------------------------- build

step "copying the tree to $W/src"
mkdir -p "$W/src"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# Tracked files and new ones not ignored: what a clean checkout of
	# this work would hold.
	# (A file deleted but not yet committed is left out.)
	git -C "$top" ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			if [ -e "$top/$f" ] || [ -L "$top/$f" ]; then
				printf '%s\0' "$f"
			fi
		done | tar -C "$top" --null -T - -cf - | tar -C "$W/src" -xf -
else
	tar -C "$top" --exclude=./build --exclude=./.git \
	    --exclude=autom4te.cache -cf - . | tar -C "$W/src" -xf -
fi
[ -f "$W/src/debian/control" ] || die "no debian/control in the copy"

step "dpkg-buildpackage -us -uc -b (log: build.log)"
if ! (cd "$W/src" && DEB_BUILD_OPTIONS="parallel=${JOBS:-2}" \
	dpkg-buildpackage -us -uc -b) >"$W/build.log" 2>&1; then
	tail -n 60 "$W/build.log" >&2
	die "dpkg-buildpackage failed"
fi
changes=$(ls "$W"/mftp_*.changes)
server_deb=$(ls "$W"/mftp-server_*.deb)
client_deb=$(ls "$W"/mftp-client_*.deb)
# The hardening flags reached the compiler (and -Werror did not).
grep -q -- '-fstack-protector-strong' "$W/build.log" ||
	die "the build did not use dpkg-buildflags' hardening flags"

step "lintian"
lintian --display-info "$changes" >"$W/lintian.log" 2>&1 || true
cat "$W/lintian.log"
if grep -Eq '^[EW]: ' "$W/lintian.log"; then
	die "lintian reports errors or warnings"
fi

# ------------------------------------------------------------ install

step "apt-get install ./mftp-server_*.deb ./mftp-client_*.deb"
installed=1
echo installing >"$MARK"
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	"$server_deb" "$client_deb" >"$W/install.log" 2>&1; then
	cat "$W/install.log" >&2
	die "installing the packages failed"
fi
mark_id >"$MARK"
dpkg -L mftp-server mftp-client | sort -u >"$W/files.list"

for f in /usr/sbin/mftpd /usr/libexec/mftp/mftpd-auth \
    /usr/libexec/mftp/mftpd-sign /usr/bin/mftp \
    /usr/sbin/ftpuser-add /usr/sbin/ftpuser-del /usr/sbin/ftpuser-mod \
    /usr/sbin/ftpuser-list /usr/sbin/ftpuser-quota; do
	[ -x "$f" ] || die "$f is not installed"
done
[ -f /lib/systemd/system/mftpd.service ] || die "no mftpd.service"
[ -f /etc/fail2ban/filter.d/mftpd.conf ] || die "no fail2ban filter"
getent passwd _mftp >/dev/null || die "postinst did not create _mftp"
[ "$(stat -c '%U %a' /var/lib/mftp/quota)" = "root 700" ] ||
	die "/var/lib/mftp/quota is not root 0700"
[ -d /srv/mftp ] || die "postinst did not create /srv/mftp"
[ "$(stat -c '%U %a' /etc/mftp/host.key)" = "root 600" ] ||
	die "postinst did not make /etc/mftp/host.key, root 0600"
[ "$(stat -c '%U %a' /etc/mftp/host.crt)" = "root 644" ] ||
	die "postinst did not make /etc/mftp/host.crt, root 0644"
fp=$(mftpd --fingerprint | cut -d' ' -f1)
grep -q "host key fingerprint $fp" "$W/install.log" ||
	die "the install did not print the host key's fingerprint $fp"
# Configuring again never replaces the key.
key_sum=$(sha256sum </etc/mftp/host.key)
dpkg-reconfigure -f noninteractive mftp-server >/dev/null 2>&1 ||
	die "dpkg-reconfigure mftp-server failed"
[ "$(sha256sum </etc/mftp/host.key)" = "$key_sum" ] ||
	die "configuring again replaced the host key"
/usr/sbin/mftpd -t >/dev/null || die "the installed mftpd.conf is not valid"
# An upgrade from a version that took a users file others may read:
# made 0600 (mftpd now refuses it), and said so; 0600 stays as it is.
chmod 0644 /etc/mftp/users
/var/lib/dpkg/info/mftp-server.postinst configure 0.0.1 \
    >"$W/upgrade.log" 2>&1 || die "postinst configure (an upgrade) failed"
[ "$(stat -c %a /etc/mftp/users)" = 600 ] ||
	die "an upgrade left /etc/mftp/users readable by others"
grep -q "could be read by others (mode 644)" "$W/upgrade.log" ||
	die "the upgrade did not say it made /etc/mftp/users 0600"
/var/lib/dpkg/info/mftp-server.postinst configure 0.0.1 \
    >"$W/upgrade.log" 2>&1 || die "postinst configure (an upgrade) failed"
! grep -q "could be read" "$W/upgrade.log" ||
	die "an upgrade spoke of a users file that was already 0600"
/usr/sbin/mftpd -t >/dev/null || die "mftpd -t after the upgrade"

# A pair of the administrator's own elsewhere (a CA's, as certbot puts
# it), named in mftpd.conf, and none in /etc/mftp: configuring uses it,
# makes no pair, and records none for the purge to remove.
step "dpkg-reconfigure with host_key and host_cert elsewhere"
CA_DIR=$W/ca-pair
mkdir -p "$CA_DIR" "$W/pkg-pair"
cp -p /etc/mftp/mftpd.conf "$W/pkg-pair/mftpd.conf"
mv /etc/mftp/host.key /etc/mftp/host.crt /var/lib/mftp/host-key.made \
    "$W/pkg-pair/"
PAIR_MOVED=1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj /CN=ca.example -days 2 -keyout "$CA_DIR/privkey.pem" \
    -out "$CA_DIR/fullchain.pem" 2>/dev/null || die "openssl req failed"
chmod 600 "$CA_DIR/privkey.pem"
printf 'host_key = %s\nhost_cert = %s\n' "$CA_DIR/privkey.pem" \
    "$CA_DIR/fullchain.pem" >>/etc/mftp/mftpd.conf
ca_fp=$(mftpd --fingerprint | cut -d' ' -f1)
if ! dpkg-reconfigure -f noninteractive mftp-server >"$W/reconf.log" 2>&1; then
	cat "$W/reconf.log" >&2
	die "dpkg-reconfigure failed with host_key and host_cert elsewhere"
fi
grep -q "host key fingerprint $ca_fp" "$W/reconf.log" ||
	die "configuring did not print the configured pair's fingerprint"
if [ -e /etc/mftp/host.key ] || [ -e /etc/mftp/host.crt ]; then
	die "configuring made /etc/mftp/host.* though the pair is elsewhere"
fi
[ ! -e /var/lib/mftp/host-key.made ] ||
	die "configuring recorded a pair it did not make"
# The configured pair missing: made there, and recorded for the purge.
rm "$CA_DIR/privkey.pem" "$CA_DIR/fullchain.pem"
dpkg-reconfigure -f noninteractive mftp-server >"$W/reconf.log" 2>&1 ||
	die "dpkg-reconfigure failed to make the configured pair"
[ "$(stat -c '%U %a' "$CA_DIR/privkey.pem")" = "root 600" ] ||
	die "configuring did not make the configured host_key"
grep -q "$CA_DIR/privkey.pem" /var/lib/mftp/host-key.made ||
	die "configuring did not record the pair it made"
cp -p "$W/pkg-pair/mftpd.conf" /etc/mftp/mftpd.conf
mv "$W/pkg-pair/host.key" "$W/pkg-pair/host.crt" /etc/mftp/
mv "$W/pkg-pair/host-key.made" /var/lib/mftp/
PAIR_MOVED=
for page in mftpd.8 mftpd-auth.8 mftpd-sign.8 mftpd.conf.5 mftp.1 ftpuser.8 \
    ftpuser-add.8 ftpuser-del.8 ftpuser-mod.8 ftpuser-list.8 \
    ftpuser-quota.8; do
	man -w "${page%.*}" >/dev/null 2>&1 || die "no man page $page"
done
step "systemd-analyze verify /lib/systemd/system/mftpd.service"
systemd-analyze verify /lib/systemd/system/mftpd.service ||
	die "systemd-analyze verify failed"

# ------------------------------------------------------------- smoke

step "smoke test through the installed programs"
port=
for _ in $(seq 50); do
	p=$((20000 + RANDOM % 40000))
	if ! ss -Htan "sport = :$p" | grep -q .; then
		port=$p
		break
	fi
done
[ -n "$port" ] || die "no free port"
# No auth_helper: the default compiled into mftpd must be the helper the
# package installed.
conf=$W/mftpd.conf
cat >"$conf" <<EOF
listen = 127.0.0.1
port = $port
users_file = $W/users
quota_dir = $W/quota
session_dir = $W/sessions
home_base = /srv/mftp
pid_file = $W/run/mftpd.pid
preauth_chroot = $W/run/empty
uid_min = 62000
uid_max = 62999
EOF
mkdir -p "$W/run" "$W/sessions"
# The tools add to a user database and put accounting files in
# quota_dir; they never make either.
install -d -m 0700 "$W/quota"
install -m 0600 /dev/null "$W/users"
srv_made=
[ -n "$(ls -A /srv/mftp 2>/dev/null)" ] || srv_made=1
user=pkgcheck$$
pw="pw-$RANDOM-$RANDOM-$RANDOM"
home=/srv/mftp/$user
printf '%s\n' "$pw" | ftpuser-add -c "$conf" --password-stdin "$user" ||
	die "ftpuser-add failed"
[ "$(stat -c '%a' "$home")" = 700 ] || die "the new home is not 0700"

/usr/sbin/mftpd -f -e -c "$conf" 2>"$W/mftpd.log" &
DAEMON_PID=$!
for _ in $(seq 100); do
	ss -Hltn "sport = :$port" | grep -q . && break
	kill -0 "$DAEMON_PID" 2>/dev/null || break
	sleep 0.1
done
ss -Hltn "sport = :$port" | grep -q . || {
	cat "$W/mftpd.log" >&2
	die "the installed mftpd did not listen"
}

mkdir -p "$W/local"
head -c 300000 /dev/urandom >"$W/local/up.bin"
# The client pins the key the package made (as a user who compared the
# fingerprint would).
echo "127.0.0.1 $port $fp" >"$W/known_hosts"
if ! (cd "$W/local" && printf 'put up.bin\nget up.bin down.bin\nls -l\n' |
	timeout 60 mftp -q -P "$port" --password-fd 3 \
	    -o UserKnownHostsFile="$W/known_hosts" "$user@127.0.0.1" \
	    3<<<"$pw") >"$W/client.log" 2>&1; then
	cat "$W/client.log" "$W/mftpd.log" >&2
	die "mftp batch put/get failed"
fi
cmp -s "$W/local/up.bin" "$W/local/down.bin" ||
	die "the file downloaded differs from the one uploaded"
cmp -s "$W/local/up.bin" "$home/up.bin" ||
	die "the upload is not in the user's home"

kill -TERM "$DAEMON_PID"
for _ in $(seq 100); do
	kill -0 "$DAEMON_PID" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$DAEMON_PID" 2>/dev/null && die "mftpd did not stop on SIGTERM"
wait "$DAEMON_PID" || die "mftpd exited non-zero on SIGTERM"
DAEMON_PID=
grep -q "login user=$user" "$W/mftpd.log" || die "no login line in the log"

ftpuser-del -c "$conf" --remove-home "$user" || die "ftpuser-del failed"
[ ! -e "$home" ] || die "ftpuser-del --remove-home left $home"
grep -q "^$user:" "$W/users" && die "ftpuser-del left the user"

# ------------------------------------------------------------- purge

# A home made by ftpuser-add with the installed configuration, with a
# file in it: purging must leave it.
keeper=pkgkeep$$
KEEPER_HOME=/srv/mftp/$keeper
printf '%s\n' "$pw" | ftpuser-add --password-stdin "$keeper" ||
	die "ftpuser-add with the installed configuration failed"
echo "user data" >"/srv/mftp/$keeper/data.txt"
[ -f /etc/mftp/users ] || die "no /etc/mftp/users"
# A key pair of the administrator's own next to the package's: purge
# removes only the pair the package made.  Likewise a copy of the user
# database the administrator made (users.backup) stays, and a temporary
# that a crash of a tool left (.users.tmp-XXXXXX) goes.
STANDINS=1
cp /etc/mftp/host.key /etc/mftp/own.key
cp /etc/mftp/host.crt /etc/mftp/own.crt
cp -p /etc/mftp/users /etc/mftp/users.backup
cp -p /etc/mftp/users /etc/mftp/.users.tmp-AbC123

step "apt-get purge mftp-server mftp-client"
purge_packages || {
	cat "$W/purge.log" >&2
	die "apt-get purge failed"
}
PURGED=1
rm -f "$MARK"
[ -f /etc/mftp/own.key ] && [ -f /etc/mftp/own.crt ] ||
	die "purge removed the administrator's own key pair"
[ -f /etc/mftp/users.backup ] ||
	die "purge removed the administrator's /etc/mftp/users.backup"
[ ! -e /etc/mftp/host.key ] && [ ! -e /etc/mftp/host.crt ] ||
	die "purge left the key pair the package made"
[ "$(ls -A /etc/mftp)" = "$(printf 'own.crt\nown.key\nusers.backup')" ] ||
	die "purge left in /etc/mftp: $(ls -A /etc/mftp)"
rm -f /etc/mftp/own.key /etc/mftp/own.crt /etc/mftp/users.backup
rmdir /etc/mftp
STANDINS=
left=
while IFS= read -r f; do
	[ "$f" = /. ] && continue
	[ -e "$f" ] || [ -L "$f" ] || continue
	# A directory still there must belong to another package too.
	if [ -d "$f" ] && dpkg-query -S "$f" >/dev/null 2>&1; then
		continue
	fi
	left="$left $f"
done <"$W/files.list"
[ -z "$left" ] || die "left after purge:$left"
for d in /etc/mftp /var/lib/mftp /run/mftpd /usr/libexec/mftp \
    /usr/share/doc/mftp-server /etc/fail2ban/filter.d/mftpd.conf \
    /etc/systemd/system/multi-user.target.wants/mftpd.service \
    /var/lib/systemd/deb-systemd-helper-enabled/mftpd.service.dsh-also; do
	[ ! -e "$d" ] || die "$d is still there after purge"
done
[ -f "/srv/mftp/$keeper/data.txt" ] ||
	die "purge removed a user's home (/srv/mftp/$keeper)"
rm -rf -- "$KEEPER_HOME"
KEEPER_HOME=
# /srv/mftp itself, when it was empty before this run.
[ -z "$srv_made" ] || rmdir /srv/mftp 2>/dev/null || true
step "purged: nothing left but the users' homes"

# An administrator who moved to a pair of their own and removed the
# package's key: the purge still removes the certificate the package
# made, untouched.
step "install, remove the package's host.key, purge"
echo installing >"$MARK"
PURGED=
DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    "$server_deb" "$client_deb" >"$W/install2.log" 2>&1 || {
	cat "$W/install2.log" >&2
	die "installing the packages again failed"
}
mark_id >"$MARK"
[ -f /etc/mftp/host.crt ] || die "the second installation made no host.crt"
rm /etc/mftp/host.key
purge_packages || {
	cat "$W/purge.log" >&2
	die "apt-get purge failed"
}
PURGED=1
rm -f "$MARK"
[ ! -e /etc/mftp/host.crt ] ||
	die "purge left the package's host.crt when its host.key was gone"
[ ! -e /etc/mftp ] || die "purge left /etc/mftp: $(ls -A /etc/mftp)"
[ -z "$srv_made" ] || rmdir /srv/mftp 2>/dev/null || true
step "purged: the certificate went without its key"
