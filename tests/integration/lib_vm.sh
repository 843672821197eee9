# lib_vm.sh: run a test script inside a virtual machine of its own, on
# Debian's kernel, for the paths this machine's kernel cannot take (its
# kTLS: the tls module, which a kernel without modules lacks).  Sourced
# by t_*.sh after lib.sh.
#
# The machine: qemu (software emulation; no KVM needed), the kernel and
# its modules unpacked by scripts/vm-kernel.sh, an initramfs of
# busybox and the modules of its first steps (vm_init.sh is its /init),
# the host's root read-only over 9p under an overlay that writes to a
# scratch ext4 disk in $T.  So the script sees the build tree, the
# tests and Debian's tools as they are here, as root of a machine whose
# kernel it may load modules into.  Its console (its output) is a file;
# the machine powers itself off, and qemu is bounded by a timeout.
# shellcheck shell=bash disable=SC2154 # top_srcdir, top_builddir, T: lib.sh

QEMU=${QEMU:-qemu-system-x86_64}
: "${VM_KERNEL_DIR:=/var/cache/mftp-tests/kernel}"
# TCG runs the guest's code a few times slower than the host: a VM test
# takes tens of seconds, more when the suite's other tests share the
# cores.
: "${VM_TIMEOUT:=600}"

# Whether this machine can boot the test VM: qemu, busybox, the kernel.
_vm_missing() {
	if ! command -v "$QEMU" >/dev/null; then
		echo "$QEMU is not installed (scripts/deps.sh installs it)"
	elif ! command -v busybox >/dev/null; then
		echo "busybox is not installed (scripts/deps.sh installs it)"
	elif [ ! -f "$VM_KERNEL_DIR/ready" ]; then
		echo "no kernel in $VM_KERNEL_DIR (scripts/vm-kernel.sh" \
			"unpacks one; scripts/check.sh runs it)"
	else
		return 1
	fi
}

# The initramfs: busybox, the modules that vm_init.sh loads with all
# they depend on (modules.dep lists each module's whole closure), the
# module index for busybox's modprobe, and /init.
_vm_initramfs() { # RELEASE OUT
	local release=$1 out=$2 mods dir f
	mods=$VM_KERNEL_DIR/lib/modules/$release
	dir=$T/vm/initramfs
	rm -rf "$dir"
	mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys} \
		"$dir/lib/modules/$release"
	cp "$(command -v busybox)" "$dir/bin/busybox"
	cp "$top_srcdir/tests/integration/vm_init.sh" "$dir/init"
	chmod 0755 "$dir/init"
	cp "$mods"/modules.* "$dir/lib/modules/$release/"
	awk -F'[: ]+' '
	    $1 ~ /\/(virtio_pci|virtio_blk|9pnet_virtio|9p|overlay|crc32c_generic|ext4)\.ko$/ {
		for (i = 1; i <= NF; i++)
			if ($i != "")
				print $i
	    }' "$mods/modules.dep" | sort -u | while read -r f; do
		mkdir -p "$dir/lib/modules/$release/$(dirname "$f")"
		cp "$mods/$f" "$dir/lib/modules/$release/$f"
	done
	(cd "$dir" && find . | busybox cpio -o -H newc 2>/dev/null) >"$out"
}

# vm_run SCRIPT: run SCRIPT (a path on this machine) in the VM with
# MFTP_IN_VM=1, top_builddir, top_srcdir and KEEP_TMP as here, from the
# current directory; print its output; VM_RC is its exit status.  A
# machine that cannot boot the VM skips the test (77), with the reason.
vm_run() {
	local script=$1 why release console
	if why=$(_vm_missing); then
		echo "SKIP: $why"
		exit 77
	fi
	release=$(cat "$VM_KERNEL_DIR/ready")
	mkdir -p "$T/vm"
	_vm_initramfs "$release" "$T/vm/initramfs.cpio" ||
		fail "could not build the VM's initramfs"
	# The scratch disk: sparse, so only what the VM writes takes room.
	truncate -s 4G "$T/vm/disk.img"
	mkfs.ext4 -q -F "$T/vm/disk.img" || fail "mkfs.ext4 of the VM's disk"
	{
		printf 'export MFTP_IN_VM=1 top_builddir=%q top_srcdir=%q\n' \
			"$top_builddir" "$top_srcdir"
		[ -z "${KEEP_TMP:-}" ] || echo "export KEEP_TMP=1"
		printf 'cd %q || exit 99\n' "$PWD"
		printf 'exec bash %q\n' "$(realpath "$script")"
	} >"$T/vm/run.sh"
	console=$T/vm/console
	VM_RC=0
	timeout -k 10 "$VM_TIMEOUT" "$QEMU" -nodefaults -display none \
		-monitor none -no-reboot -cpu max -smp 2 -m 1536 \
		-kernel "$VM_KERNEL_DIR/boot/vmlinuz-$release" \
		-initrd "$T/vm/initramfs.cpio" \
		-append "console=ttyS0 panic=-1 quiet loglevel=3 mftp_vm_run=$T/vm/run.sh mftp_vm_kernel=$VM_KERNEL_DIR" \
		-serial "file:$console" \
		-drive "file=$T/vm/disk.img,format=raw,if=virtio" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap \
		</dev/null >"$T/vm/qemu.out" 2>&1 || VM_RC=$?
	# The console's lines, without the carriage returns of a tty.
	tr -d '\r' <"$console" >"$T/vm/console.txt" 2>/dev/null
	grep -v '^mftp-vm: exit ' "$T/vm/console.txt"
	if [ "$VM_RC" = 124 ]; then
		fail "the VM did not power off within $VM_TIMEOUT s"
	elif [ "$VM_RC" != 0 ]; then
		fail "qemu failed ($VM_RC): $(tail -n 5 "$T/vm/qemu.out")"
	fi
	VM_RC=$(sed -n 's/^mftp-vm: exit \([0-9][0-9]*\)$/\1/p' \
		"$T/vm/console.txt" | tail -n 1)
	[ -n "$VM_RC" ] || fail "the VM ended without its script's status"
}
