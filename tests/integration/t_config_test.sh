#!/usr/bin/env bash
# t_config_test: mftpd -t, run as root, checks what the file names as a
# start does (the pre-auth account, the helpers, the host key and its
# certificate) and makes nothing, so that a restart or a reload after a
# good -t does not fail on one of them.  Before, -t read the file's
# syntax and values only and passed a configuration whose host key was
# missing, and still passed one whose users_file was missing, open to
# others or malformed, which refuses every login.  Without root, -t says
# that it read the file alone.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# run_t CONF: mftpd -t on it; sets TRC, TOUT (stdout) and TERR.
run_t() {
	TRC=0
	"$MFTPD" -t -c "$1" >"$T/t.out" 2>"$T/t.err" || TRC=$?
	TOUT=$(cat "$T/t.out")
	TERR=$(cat "$T/t.err")
}

# variant NAME KEY VALUE: the test's configuration with KEY set to VALUE.
variant() {
	sed "/^$2 *=/d" "$CONF" >"$T/etc/$1.conf"
	echo "$2 = $3" >>"$T/etc/$1.conf"
	echo "$T/etc/$1.conf"
}

# A good file, whose pre-auth chroot does not exist yet: ok, not made.
conf=$(variant fresh preauth_chroot "$T/fresh-chroot")
run_t "$conf"
expect_eq "$TRC" 0 "mftpd -t of a good configuration ($TERR)"
expect_eq "$TOUT" "mftpd: $conf: configuration ok" "its output"
[ ! -e "$T/fresh-chroot" ] || fail "mftpd -t made the pre-auth chroot"
ok "a good configuration passes and nothing is made"

conf=$(variant nokey host_key "$T/hostkey/missing.key")
run_t "$conf"
expect_eq "$TRC" 1 "mftpd -t with a missing host key"
expect_contains "$TERR" "$T/hostkey/missing.key" "the reason"
ok "a missing host key fails -t"

# The key of another pair than the certificate's.
mkdir "$T/other"
conf=$(variant otherkey host_key "$T/other/host.key")
sed -i "/^host_cert *=/d" "$conf"
echo "host_cert = $T/other/host.crt" >>"$conf"
"$MFTPD" -c "$conf" --generate-host-key other >/dev/null ||
	fail "a second host key pair"
sed -i "/^host_cert *=/d" "$conf"
echo "host_cert = $T/hostkey/host.crt" >>"$conf"
run_t "$conf"
expect_eq "$TRC" 1 "mftpd -t with a key that is not the certificate's"
expect_contains "$TERR" \
    "host_key $T/other/host.key (SHA256:" "the reason names the key"
expect_contains "$TERR" "is not the key of host_cert $T/hostkey/host.crt (SHA256:" \
    "and the certificate"
expect_not_contains "$TERR" "meanwhile" "nothing changed meanwhile"
# A start says the same, with the status of a configuration error.
RC=0
timeout -k 5 20 "$MFTPD" -f -e -c "$conf" >/dev/null 2>"$T/start.err" || RC=$?
expect_eq "$RC" 1 "mftpd started with a key that is not the certificate's"
expect_contains "$(cat "$T/start.err")" "is not the key of host_cert" \
    "what the start says"
ok "a key that is not the certificate's fails -t and the start (exit 1): $TERR"

conf=$(variant nohelper auth_helper "$T/no-such-helper")
run_t "$conf"
expect_eq "$TRC" 1 "mftpd -t with a missing auth helper"
expect_contains "$TERR" "auth helper $T/no-such-helper" "the reason"
ok "a missing helper fails -t"

conf=$(variant nouser preauth_user mftp-no-such-user)
run_t "$conf"
expect_eq "$TRC" 1 "mftpd -t with a pre-auth user that does not exist"
expect_contains "$TERR" "pre-auth user mftp-no-such-user does not exist" \
    "the reason"
ok "a missing pre-auth user fails -t"

conf=$(variant rootuser preauth_user root)
run_t "$conf"
expect_eq "$TRC" 1 "mftpd -t with root as the pre-auth user"
expect_contains "$TERR" "pre-auth user root must not be root (uid 0, gid 0)" \
    "the reason"
ok "root as the pre-auth user fails -t"

# -t with --fingerprint (or another of the one-shot options): a usage
# error, not one of them done and the other ignored.
RC=0
"$MFTPD" -c "$CONF" -t --fingerprint >"$T/t.out" 2>"$T/t.err" || RC=$?
expect_eq "$RC" 2 "mftpd -t --fingerprint"
expect_contains "$(cat "$T/t.err")" "go one at a time" "the reason"
expect_eq "$(cat "$T/t.out")" "" "what mftpd -t --fingerprint printed"
ok "-t and --fingerprint together are a usage error"

# What a start would fail on, -t fails on: a chroot or a pid file more
# than one directory away from one that is there, a pid file that is a
# directory.  One directory away is made at start: ok.
conf=$(variant deepchroot preauth_chroot "$T/nonexist/a/b")
run_t "$conf"
expect_eq "$TRC" 1 "mftpd -t with a pre-auth chroot two directories deep"
expect_contains "$TERR" \
    "preauth_chroot $T/nonexist/a/b: $T/nonexist does not exist (a start makes $T/nonexist/a, not more)" \
    "the reason"
conf=$(variant deeppid pid_file "$T/no/such/x.pid")
run_t "$conf"
expect_eq "$TRC" 1 "mftpd -t with a pid file two directories deep"
expect_contains "$TERR" "pid_file $T/no/such/x.pid: $T/no does not exist" "the reason"
mkdir "$T/piddir"
conf=$(variant dirpid pid_file "$T/piddir")
run_t "$conf"
expect_eq "$TRC" 1 "mftpd -t with a pid file that is a directory"
expect_contains "$TERR" "pid_file $T/piddir is not a regular file" "the reason"
conf=$(variant newpid pid_file "$T/newrun/x.pid")
run_t "$conf"
expect_eq "$TRC" 0 "mftpd -t with a pid file whose directory a start makes ($TERR)"
[ ! -e "$T/newrun" ] || fail "mftpd -t made the pid file's directory"
ok "-t fails where a start would: chroot and pid file too deep, a pid file that is a directory"

# --generate-host-key NAME: a host name or an IP address (which the
# certificate names as such); anything else is refused, and nothing made.
mkdir "$T/gen"
conf=$(variant gen host_key "$T/gen/host.key")
sed -i "/^host_cert *=/d" "$conf"
echo "host_cert = $T/gen/host.crt" >>"$conf"
for bad in 'a/CN=evil,O=x' '' 'a..b' "$(head -c 254 /dev/zero | tr '\0' a)"; do
	RC=0
	ERR=$("$MFTPD" -c "$conf" --generate-host-key "$bad" 2>&1 >/dev/null) ||
		RC=$?
	expect_eq "$RC" 1 "--generate-host-key '${bad:0:20}' ($ERR)"
	expect_contains "$ERR" "is not a host name or an IP address" "the reason"
	[ -z "$(ls -A "$T/gen")" ] || fail "a bad name made $(ls "$T/gen")"
done
"$MFTPD" -c "$conf" --generate-host-key 192.0.2.7 >/dev/null ||
	fail "--generate-host-key of an IP address"
expect_contains "$(openssl x509 -in "$T/gen/host.crt" -noout -ext subjectAltName)" \
    "IP Address:192.0.2.7" "the certificate names the address as one"
ok "--generate-host-key takes a host name or an address, and refuses the rest"

# The user database, as mftpd-auth takes it: a file that is missing
# (shared storage not mounted), that others may write, or that does not
# parse refuses every login, so -t fails on it; a start goes on, and
# says so (the storage may be mounted later).
conf=$(variant nousers users_file "$T/mnt/users")
run_t "$conf"
expect_eq "$TRC" 1 "mftpd -t with a users_file that does not exist"
expect_contains "$TERR" "$T/mnt/users: No such file or directory" "the reason"
for m in "0666 others may write" "0644 others may read"; do
	install -m "${m%% *}" /dev/null "$T/etc/users.${m%% *}"
	conf=$(variant "users${m%% *}" users_file "$T/etc/users.${m%% *}")
	run_t "$conf"
	expect_eq "$TRC" 1 "mftpd -t with a users_file ${m#* }"
	expect_contains "$TERR" "$T/etc/users.${m%% *} must be a regular file owned by root that no one else may read or write" \
	    "the reason"
done
install -m 0600 /dev/null "$T/etc/users.bad"
echo "garbage" >"$T/etc/users.bad"
conf=$(variant badusers users_file "$T/etc/users.bad")
run_t "$conf"
expect_eq "$TRC" 1 "mftpd -t with a users_file that does not parse"
expect_contains "$TERR" "$T/etc/users.bad: line 1:" "the reason"
run_t "$CONF"
expect_eq "$TRC" 0 "mftpd -t with an empty users_file ($TERR)"
ok "a users_file mftpd-auth could not use fails -t"

mv "$USERS" "$T/users.away"
start_daemon
grep -qF "$USERS: No such file or directory; every login is refused" \
    "$DAEMON_LOG" || fail "no warning at start of the missing users_file"
stop_daemon
mv "$T/users.away" "$USERS"
ok "a start without the users_file goes on, and says so"

# One that does not parse: a start and a reload say it too (the parse
# runs in a child of the master), and go on.
cp -p "$USERS" "$T/users.good"
echo "garbage" >>"$USERS"
start_daemon
grep -qF "$USERS: line " "$DAEMON_LOG" &&
	grep -q "every login is refused until it is mended" "$DAEMON_LOG" ||
	fail "no warning at start of a users_file that does not parse"
cp -p "$T/users.good" "$USERS"
before=$(log_count 'every login is refused')
hup "configuration reloaded"
echo "garbage" >>"$USERS"
hup "configuration reloaded"
expect_eq "$(log_count 'every login is refused')" "$((before + 1))" \
    "warnings after a reload with the file mended, then one with it broken"
daemon_alive || fail "mftpd ended at a reload with a users_file that does not parse"
stop_daemon
cp -p "$T/users.good" "$USERS"
ok "a start or a reload with a users_file that does not parse goes on, and says so"

# Without root: the file only, and said so.
mkdir -m 0755 "$T/pub"
install -m 0644 "$CONF" "$T/pub/mftpd.conf"
TRC=0
TOUT=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$MFTPD" -t -c "$T/pub/mftpd.conf" 2>"$T/t.err") || TRC=$?
expect_eq "$TRC" 0 "mftpd -t as nobody ($(cat "$T/t.err"))"
expect_contains "$TOUT" "the files it names are checked as root" \
    "what -t as nobody says"
ok "without root, -t says it read the file alone"
