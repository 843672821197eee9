#!/usr/bin/env python3
"""synced_first.py TRACE PART: whether an strace log (-e trace=openat,
fsync,fdatasync,rename*) shows the file named ...PART synced through a
descriptor it was opened on before it was renamed.  Exit 0: synced
first; 1: renamed unsynced; 2: never renamed."""
import re
import sys

trace, part = sys.argv[1], sys.argv[2]
fds, synced = set(), set()
for line in open(trace, encoding="utf-8", errors="replace"):
    m = re.search(r'openat\(.*"([^"]*)", [^)]*\)\s+=\s+(\d+)', line)
    if m and m.group(1).endswith(part):
        fds.add(m.group(2))
    m = re.search(r'f(?:data)?sync\((\d+)\)\s+=\s+0', line)
    if m and m.group(1) in fds:
        synced.add(m.group(1))
    if re.search(r'rename\w*\(.*"[^"]*' + re.escape(part) + '"', line):
        sys.exit(0 if synced else 1)
sys.exit(2)
