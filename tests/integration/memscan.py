# memscan.py PID HEX [--reverse] [--also HEX]... [--present HEX]: how many
# times the bytes HEX appear in the readable memory of process PID (with
# --reverse, their reverse counts too: a little-endian BIGNUM stores a
# key's scalar so; each --also HEX is counted as well).  Run as root.
#
# A scan that read nothing is no answer: it fails (exit 2) when no region
# could be read, when a region the maps list as readable could not be
# read and is still mapped (the kernel's [vvar*] and [vsyscall] pages
# aside), and, with --present HEX, when those bytes, which the process is
# known to hold, were not found (exit 3).  Why goes to stderr.
import sys

SPECIAL = ("[vvar", "[vsyscall]")


def regions(pid):
    """The readable mappings: (lo, hi, perms, name)."""
    out = []
    with open("/proc/%s/maps" % pid) as maps:
        for line in maps:
            f = line.split()
            name = f[5] if len(f) > 5 else ""
            if "r" not in f[1] or name.startswith(SPECIAL):
                continue
            lo, hi = (int(x, 16) for x in f[0].split("-"))
            out.append((lo, hi, f[1], name))
    return out


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: memscan.py PID HEX [--reverse] [--also HEX]... "
                 "[--present HEX]")
    pid, needle = argv[1], bytes.fromhex(argv[2])
    needles = [needle]
    present = None
    rest = argv[3:]
    while rest:
        opt = rest.pop(0)
        if opt == "--reverse":
            needles.append(needle[::-1])
        elif opt == "--also" and rest:
            needles.append(bytes.fromhex(rest.pop(0)))
        elif opt == "--present" and rest:
            present = bytes.fromhex(rest.pop(0))
        else:
            sys.exit("memscan.py: bad option %s" % opt)
    found = seen = read = 0
    failed = []
    with open("/proc/%s/mem" % pid, "rb", 0) as mem:
        for lo, hi, perms, name in regions(pid):
            try:
                mem.seek(lo)
                data = mem.read(hi - lo)
            except OSError as e:
                failed.append((lo, hi, perms, name, e))
                continue
            read += 1
            for n in needles:
                found += data.count(n)
            if present is not None:
                seen += data.count(present)
    if failed:
        # One unmapped since the maps were read is gone, not unread.
        still = set(r[:4] for r in regions(pid))
        left = [r for r in failed if r[:4] in still]
        if left:
            for lo, hi, perms, name, e in left:
                print("memscan: %s: %x-%x %s %s: %s" % (pid, lo, hi, perms,
                      name, e), file=sys.stderr)
            sys.exit(2)
    if read == 0:
        print("memscan: %s: no region could be read" % pid, file=sys.stderr)
        sys.exit(2)
    if present is not None and seen == 0:
        print("memscan: %s: the bytes it must hold were not found in %d "
              "regions" % (pid, read), file=sys.stderr)
        sys.exit(3)
    print(found)


main(sys.argv)
