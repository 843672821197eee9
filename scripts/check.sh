#!/usr/bin/env bash
# check.sh: install the dependencies, build mftp in build/ with warnings
# as errors, and run the whole test suite (unit tests, then the integration
# tests, which need root).  Exits non-zero on any failure; its last line is
# "N passed, N failed, N skipped".
#
# Runs as: root for the full suite (the integration tests skip otherwise).
set -euo pipefail

# Debian's tools, the ones deps.sh installs, before whatever the
# caller's PATH puts first: another python3 or openssl would test
# something else than the packages do, and a version manager's shim
# costs time at every start (pyenv's python3 takes 0.46 s of CPU to
# start, Debian's 0.04 s: t_digest alone took 17.3 CPU-s, now 12.2).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

cd "$(dirname "$0")/.."
top=$(pwd)
jobs=${JOBS:-2}
# Most of the integration tests' time is waiting (paced transfers,
# timeouts, a server held stopped): four run at once on two cores.  On
# a machine whose system calls are dear (a paravirtualised guest), the
# suite took 847 s of a CI run with three and 793 s with four (in a
# built tree, make -j4 check kept the two cores busy 159% of the time).
test_jobs=${TEST_JOBS:-4}

bash scripts/deps.sh
# Debian's kernel for the tests that boot a VM (t_ktls: this machine's
# own kernel may have no tls module).
bash scripts/vm-kernel.sh

echo "check: autoreconf"
autoreconf -fi

mkdir -p build
cd build
echo "check: configure"
../configure --enable-werror
echo "check: build"
make -j"$jobs"

echo "check: test suite"
rm -f test-suite.log
status=0
make -j"$test_jobs" check VERBOSE=1 || status=$?

count() { # KEY: the "# KEY: N" count from test-suite.log
	local n
	n=$(sed -n "s/^# $1: *\\([0-9][0-9]*\\)\$/\\1/p" test-suite.log |
		head -n 1)
	echo "${n:-0}"
}

if [ ! -f test-suite.log ]; then
	echo "check: no test-suite.log in $top/build" >&2
	exit 1
fi
pass=$(count PASS)
fail=$(($(count FAIL) + $(count ERROR) + $(count XPASS)))
skip=$(count SKIP)

# The Debian packages: build, lintian, install, smoke test, purge.  It
# changes the system, so it needs root; it counts as one test.
cd "$top"
if [ "$(id -u)" = 0 ]; then
	echo "check: package-check (scripts/package-check.sh)"
	rc=0
	bash scripts/package-check.sh || rc=$?
	if [ "$rc" = 0 ]; then
		pass=$((pass + 1))
	elif [ "$rc" = 77 ]; then
		echo "check: package-check skipped (mftp is installed here)"
		skip=$((skip + 1))
	else
		echo "check: package-check FAILED" >&2
		fail=$((fail + 1))
	fi
else
	echo "check: package-check skipped (needs root)"
	skip=$((skip + 1))
fi

# The fuzz harnesses (tests/fuzz/) under ASan and UBSan: every seed of
# the committed corpora once, then a short run of fixed length each; it
# counts as one test.
echo "check: fuzz replay (scripts/fuzz.sh --replay)"
if bash scripts/fuzz.sh --replay; then
	pass=$((pass + 1))
else
	echo "check: fuzz replay FAILED" >&2
	fail=$((fail + 1))
fi

# A long output may be read only by its start and its end: each failed
# test's reason comes again here, just before the summary line.  An
# integration test's is its "FAIL: " line and what follows it (the last
# client's output, then the daemon's log); any other's, its last lines.
if [ "$fail" != 0 ]; then
	find build -name '*.trs' -exec \
		grep -l '^:test-result: \(FAIL\|ERROR\|XPASS\)' {} + 2>/dev/null |
		sort | while read -r trs; do
		log=${trs%.trs}.log
		echo "check: ${trs%.trs} failed:"
		if grep -q '^FAIL: ' "$log"; then
			awk '/^FAIL: / { f = 1 } f && n++ < 25' "$log"
		else
			tail -n 25 "$log"
		fi | sed 's/^/  | /'
	done || : # only words: they never change the outcome
fi

if [ "$status" = 0 ] && [ "$fail" != 0 ]; then
	status=1
fi
echo "${pass} passed, ${fail} failed, ${skip} skipped"
exit "$status"
