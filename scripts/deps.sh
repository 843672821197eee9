#!/usr/bin/env bash
# deps.sh: install what building and testing mftp needs on Debian 12.
#
# Runs as: root.  Quick when everything is already there: apt-get runs
# (update, then install) only for packages dpkg does not report installed.
set -euo pipefail

packages=(
	build-essential		# gcc, make, libc headers
	autoconf automake pkg-config
	libbsd-dev		# libbsd-overlay: strtonum, readpassphrase, ...
	libcrypt-dev		# libxcrypt: crypt_rn, yescrypt
	libssl-dev		# libssl, libcrypto: TLS 1.3, SHA-256
	libxxhash-dev		# XXH3-128, the default whole-file checksum
	xxhash			# xxhsum -H2: the tests' independent XXH3-128
	openssl			# t_tls_*: s_client, s_server, a test CA
	libedit-dev		# the client's line editing
	libseccomp-dev		# the daemon's system call allowlists
	libcmocka-dev		# unit tests
	iproute2		# ss: the integration tests find free ports
	procps			# ps, /proc helpers
	passwd			# useradd: the tests' pre-auth user
	coreutils util-linux	# timeout, mktemp, realpath, flock
	python3			# t_admin_tools: holds the user database lock
	mandoc groff		# t_manpages: mandoc -T lint, groff -ww
	man-db			# package-check: man -w of the installed pages
	systemd			# systemd-analyze verify of the unit
	fail2ban		# t_fail2ban: fail2ban-regex
	haproxy			# t_haproxy: two nodes behind a balancer
	debhelper dpkg-dev	# package-check: dpkg-buildpackage, dh
	lintian			# package-check
	strace			# t_chroot_noload, t_quota_settle
	gdb			# t_sandbox: makes the calls the allowlists forbid
	tmux			# t_tls_trust: the first-connect question
	valgrind		# t_narrow_term: libedit on a narrow window
	qemu-system-x86 busybox-static e2fsprogs	# t_ktls: a VM (lib_vm.sh)
	clang libclang-rt-14-dev	# fuzz.sh: libFuzzer, ASan, UBSan
	llvm			# fuzz.sh: llvm-symbolizer for the reports
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
	echo "deps: all ${#packages[@]} packages are installed"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing ${missing[*]}; run this as root" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
