#!/bin/busybox sh
# shellcheck shell=dash disable=SC2154,SC2016
# (SC2154: the kernel sets mftp_vm_*; SC2016: the new root's shell
# expands them.)
# vm_init.sh: the first process of the virtual machine that lib_vm.sh
# boots (the /init of its initramfs).  It builds the machine's root from
# the host's own, read-only over 9p, under an overlay whose writes land
# on a scratch ext4 disk (tmpfs here has no user.* attributes, which
# mftpd keeps on files), then runs the script named in the kernel's
# command line (mftp_vm_run=) and powers off.  Its last line on the
# console is "mftp-vm: exit STATUS", which lib_vm.sh waits for.
#
# The kernel passes what it does not know from its command line to this
# process as environment: mftp_vm_run (the script) and mftp_vm_kernel
# (the directory with the modules of the kernel that runs).

/bin/busybox --install -s
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

finish() { # STATUS
	echo "mftp-vm: exit $1"
	sync
	poweroff -f
}

die() {
	echo "mftp-vm: $*"
	finish 99
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

for m in virtio_pci virtio_blk 9pnet_virtio 9p overlay crc32c_generic ext4; do
	modprobe "$m" || die "modprobe $m failed"
done
mkdir -p /host /disk /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=524288 hostroot \
	/host || die "the host's root (9p) does not mount"
# The disk's node comes when its driver has probed it: wait (10 s).
i=0
while [ ! -b /dev/vda ] && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
mount -t ext4 /dev/vda /disk || die "the scratch disk does not mount"
mkdir -p /disk/upper /disk/work
mount -t overlay -o lowerdir=/host,upperdir=/disk/upper,workdir=/disk/work \
	overlay /newroot || die "the overlay root does not mount"

for d in proc sys dev; do
	mount --move "/$d" "/newroot/$d" || die "no /$d in the new root"
done
# Fresh where the host keeps its own state (pid files, sockets).  /tmp
# stays the overlay's: it holds the script, and tmpfs would lose the
# attributes.
mount -t tmpfs -o mode=0755 tmpfs /newroot/run
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts devpts /newroot/dev/pts
mount -t tmpfs -o mode=1777 tmpfs /newroot/dev/shm

# This kernel's modules where modprobe (busybox's: the host may have
# no kmod) looks for them, for the script and for the kernel's own
# requests (a cipher for kTLS, say).
release=$(uname -r)
mods=/newroot$mftp_vm_kernel/lib/modules/$release
[ -d "$mods" ] || die "no modules in $mods"
mkdir -p "/newroot/lib/modules/$release"
mount --bind "$mods" "/newroot/lib/modules/$release"
if [ ! -e /newroot/usr/sbin/modprobe ]; then
	ln -s /usr/bin/busybox /newroot/usr/sbin/modprobe ||
		die "no modprobe in the new root"
fi
[ -f "/newroot$mftp_vm_run" ] || die "no script $mftp_vm_run"

exec switch_root /newroot /bin/sh -c '
	ip link set lo up
	bash "$mftp_vm_run"
	echo "mftp-vm: exit $?"
	sync
	exec busybox poweroff -f'
