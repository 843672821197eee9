#!/usr/bin/env bash
# vm-kernel.sh: unpack Debian's kernel, with its modules, for the tests
# that boot one under qemu (tests/integration/lib_vm.sh): the kernel
# paths this machine's own kernel cannot take (kTLS: its tls module).
#
# Not installed as a package: the image's maintainer scripts would build
# an initramfs and touch the boot loader of a machine that never boots
# it.  apt-get download and dpkg-deb -x put the files in DIR only
# (default /var/cache/mftp-tests/kernel); busybox depmod indexes the
# modules.  Quick when DIR is already there.
#
# Runs as: root (apt-get's archive cache); needs busybox-static
# (scripts/deps.sh).  Prints DIR.
set -euo pipefail

dir=${1:-/var/cache/mftp-tests/kernel}

if [ -f "$dir/ready" ]; then
	echo "$dir"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vm-kernel.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
cd "$work"
# The metapackage names the current image package of the release (the
# package lists first, on a machine that never fetched them).
image_of() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' |
		head -n 1
}
image=$(image_of)
if [ -z "$image" ]; then
	apt-get update -q >&2
	image=$(image_of)
fi
if [ -z "$image" ]; then
	echo "vm-kernel: apt-cache names no image for linux-image-amd64" >&2
	exit 1
fi
echo "vm-kernel: fetching $image into $dir" >&2
# (apt warns that it downloads as root, not as _apt: harmless here.)
apt-get download -q "$image" >&2
mkdir -p root
dpkg-deb -x ./"$image"_*.deb root
release=${image#linux-image-}
if [ ! -f "root/boot/vmlinuz-$release" ] ||
	[ ! -d "root/lib/modules/$release/kernel" ]; then
	echo "vm-kernel: $image has no vmlinuz-$release or modules" >&2
	exit 1
fi
busybox depmod -b "$work/root" "$release"

rm -rf -- "$dir"
mkdir -p "$(dirname "$dir")"
mv root "$dir"
echo "$release" >"$dir/ready"
echo "$dir"
