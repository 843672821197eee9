#!/usr/bin/env bash
# t_version: mftp, mftpd and every ftpuser tool print "NAME VERSION" for
# --version and exit 0, with the version configure gave the build.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

want=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' \
    "$top_builddir/ac_config.h")
[ -n "$want" ] || fail "no PACKAGE_VERSION in $top_builddir/ac_config.h"
for p in mftp mftpd ftpuser-add ftpuser-del ftpuser-mod ftpuser-list \
    ftpuser-quota; do
	RC=0
	out=$("$top_builddir/$p" --version 2>&1) || RC=$?
	expect_rc 0 "$p --version"
	expect_eq "$out" "$p $want" "$p --version"
done
ok "--version on mftp, mftpd and the ftpuser tools"
