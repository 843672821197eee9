# memscan.py PID HEX [--reverse]: how many times the bytes appear in the
# readable memory of process PID (with --reverse, their reverse counts
# too: a little-endian BIGNUM stores a key's scalar so).  Run as root.
import sys

pid, needle = sys.argv[1], bytes.fromhex(sys.argv[2])
needles = [needle]
if "--reverse" in sys.argv[3:]:
    needles.append(needle[::-1])
found = 0
with open("/proc/%s/maps" % pid) as maps, open("/proc/%s/mem" % pid, "rb", 0) as mem:
    for line in maps:
        f = line.split()
        if "r" not in f[1] or (len(f) > 5 and f[5] in ("[vvar]", "[vsyscall]")):
            continue
        lo, hi = (int(x, 16) for x in f[0].split("-"))
        try:
            mem.seek(lo)
            data = mem.read(hi - lo)
        except OSError:
            continue
        for n in needles:
            found += data.count(n)
print(found)
