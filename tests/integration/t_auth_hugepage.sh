#!/usr/bin/env bash
# t_auth_hugepage: mftpd-auth asks for transparent huge pages for
# yescrypt's region (privsep/auth_hugepage.c): libxcrypt's mapping of
# 16 MiB and more starts on a 2 MiB boundary and is advised
# MADV_HUGEPAGE, under the helper's seccomp list, and the verification
# gives the same verdicts as before; a second task of the helper then
# faults the region in while the first computes (auth_prefault.c).
# Seen with strace on the helper as the monitor runs it (authtime), for
# a right password and for an unknown user (the dummy hash).  Whether
# the kernel then gives huge pages is its own matter (the system's THP
# setting), so only the alignment and the advice are checked, not the
# time.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

AUTHTIME=$top_builddir/tests/integration/authtime
[ -x "$AUTHTIME" ] || fail "$AUTHTIME is not built"
command -v strace >/dev/null || fail "strace is needed"

pw=$(rand_pw)
add_user alice "$pw"
pre_uid=$(id -u "$PREAUTH_USER")
pre_gid=$(id -g "$PREAUTH_USER")

traced() { # USER PASSWORD OUT: the verdict; the helper's madvise calls in OUT
	strace -f -qq -e trace=madvise -o "$3" "$AUTHTIME" "$MFTPD_AUTH" \
	    "$USERS" "$pre_uid" "$pre_gid" 1 "$1" "$2" 2>>"$T/authtime.err" |
		awk '{ print $2 }'
}

# advised OUT: "TID ADDR" of the first madvise(ADDR, LEN >= 16 MiB,
# MADV_HUGEPAGE) = 0 in the trace, and the task that made it.
advised() {
	awk '/madvise\(.*MADV_HUGEPAGE\) += 0/ {
		a = $0; sub(/^[^(]*\(/, "", a); sub(/,.*/, "", a)
		n = $0; sub(/^[^,]*, */, "", n); sub(/,.*/, "", n)
		if (n + 0 >= 16 * 1024 * 1024) { print $1, a; exit }
	}' "$1"
}

# hugepage_advised OUT: that region starts on a 2 MiB boundary (the
# kernel gives huge pages only to the aligned 2 MiB stretches of it).
hugepage_advised() {
	local tid addr
	read -r tid addr <<<"$(advised "$1")"
	[ -n "$addr" ] && [ $((addr % 0x200000)) = 0 ]
}

# prefaulted OUT: the same region, at the same address, is then faulted
# in by another task of the helper (its prefault thread,
# privsep/auth_prefault.c): madvise(ADDR, LEN, MADV_POPULATE_WRITE) = 0,
# from a task other than the one that advised MADV_HUGEPAGE.
prefaulted() {
	local tid addr
	read -r tid addr <<<"$(advised "$1")"
	[ -n "$addr" ] && awk -v a="$addr" -v t="$tid" '
	    $1 != t && index($0, "madvise(" a ",") &&
	    /MADV_POPULATE_WRITE\) += 0/ { found = 1 }
	    END { exit !found }' "$1"
}

v=$(traced alice "$pw" "$T/good.trace")
expect_eq "$v" ok "the right password, with the helper traced"
hugepage_advised "$T/good.trace" ||
	fail "no MADV_HUGEPAGE for an aligned yescrypt region: $(cat "$T/good.trace")"
ok "a verification's 16 MiB region is 2 MiB-aligned and advised MADV_HUGEPAGE"
prefaulted "$T/good.trace" ||
	fail "the region was not faulted in by a second task: $(cat "$T/good.trace")"
ok "a second task of the helper faults the region in (MADV_POPULATE_WRITE)"

v=$(traced nosuchuser "x$pw" "$T/unknown.trace")
expect_eq "$v" fail "an unknown user, with the helper traced"
hugepage_advised "$T/unknown.trace" ||
	fail "no MADV_HUGEPAGE for the dummy hash: $(cat "$T/unknown.trace")"
prefaulted "$T/unknown.trace" ||
	fail "the dummy hash's region was not faulted in: $(cat "$T/unknown.trace")"
ok "an unknown user's dummy verification does the same"

# The logins themselves, through the daemon and its sandboxes.
start_daemon
run_client alice "$pw" <<<"pwd"
expect_rc 0 "a login ($ERR)"
ok "a login works with the advice under the helper's seccomp list"
