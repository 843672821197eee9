#!/usr/bin/env bash
# t_package_guard: scripts/package-check.sh (run by check.sh, the
# README's test command) installs and purges the packages, so on a
# machine with mftp of its own it must change nothing: with an
# /etc/mftp it did not make (here holding an administrator's
# users.backup), it exits 77 (skipped) at once, says why, and the
# administrator's file is still there.  What an earlier run cut short
# left (its mark, its stand-ins in /etc/mftp) is its own to clean up.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

if [ -e /etc/mftp ] || [ -e /var/lib/mftp ] ||
	[ -e /var/lib/mftp-package-check.installed ]; then
	note "SKIP: /etc/mftp, /var/lib/mftp or package-check's mark exists on this machine"
	exit 77
fi
for p in mftp-server mftp-client; do
	case $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) in
	'' | not-installed) ;;
	*)
		note "SKIP: $p is installed on this machine"
		exit 77
		;;
	esac
done
mkdir /etc/mftp
_guard_cleanup() {
	rm -rf -- /etc/mftp /var/lib/mftp
	rm -f /var/lib/mftp-package-check.installed
}
trap '_guard_cleanup; _cleanup' EXIT
echo "the administrator's own copy" >/etc/mftp/users.backup
cp /etc/mftp/users.backup "$T/backup.orig"

RC=0
timeout 120 bash "$top_srcdir/scripts/package-check.sh" \
    >"$T/pc.out" 2>"$T/pc.err" || RC=$?
ERR=$(cat "$T/pc.err")
expect_eq "$RC" 77 "package-check on a machine with /etc/mftp ($ERR)"
expect_contains "$ERR" "skipped: this machine has mftp of its own (/etc/mftp)" \
    "the reason"
expect_same_file /etc/mftp/users.backup "$T/backup.orig" \
    "the administrator's users.backup"
[ ! -e /var/lib/mftp-package-check.installed ] ||
	fail "package-check left its mark"
ok "package-check leaves a machine with mftp of its own alone"

# A run killed after it made its stand-ins: its mark and own.key are
# there; the next run removes them.  (/var/lib/mftp, the machine's own
# here, still makes it skip, untouched.)
rm -rf /etc/mftp
mkdir -p /etc/mftp /var/lib/mftp
echo "a stand-in key" >/etc/mftp/own.key
echo "the machine's" >/var/lib/mftp/notes
echo installing >/var/lib/mftp-package-check.installed
RC=0
timeout 120 bash "$top_srcdir/scripts/package-check.sh" \
    >"$T/pc.out" 2>"$T/pc.err" || RC=$?
ERR=$(cat "$T/pc.err")
expect_eq "$RC" 77 "package-check after a run cut short ($ERR)"
expect_contains "$ERR" "(/var/lib/mftp)" "the reason"
[ ! -e /etc/mftp ] || fail "the earlier run's stand-ins are left: $(ls -A /etc/mftp)"
[ ! -e /var/lib/mftp-package-check.installed ] ||
	fail "the earlier run's mark is left"
expect_eq "$(cat /var/lib/mftp/notes)" "the machine's" "/var/lib/mftp/notes"
ok "package-check removes what a run cut short left, and only that"
