#!/usr/bin/env bash
# t_demo_tree: scripts/configure-tree.sh, which demo.sh builds with,
# recovers from a run interrupted half-way: autoreconf stopped after it
# wrote configure but before Makefile.in (the next run used to fail in
# configure), and a configure cut short while it was written.  Works on
# a copy of the source tree.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

for t in autoreconf tar; do
	command -v "$t" >/dev/null || fail "$t is needed (scripts/deps.sh)"
done
src=$T/src
mkdir "$src"
tar -C "$top_srcdir" --exclude=./build --exclude=./.git \
    --exclude='./build-*' -cf - . | tar -C "$src" -xf - ||
	fail "cannot copy the source tree"
# A built tree's copy has its configure already (autoreconf takes
# seconds of CPU); a bare checkout's is made first, as the interruption
# below comes after configure was written.
[ -x "$src/configure" ] ||
	(cd "$src" && autoreconf -fi >/dev/null 2>&1) || fail "autoreconf"

# configure_tree: run the script on the copy; RC, ERR.
configure_tree() {
	rm -rf "$src/b"
	RC=0
	timeout 300 bash "$src/scripts/configure-tree.sh" b \
	    >"$T/ct.out" 2>"$T/ct.err" || RC=$?
	ERR=$(cat "$T/ct.err")
}

# autoreconf interrupted after autoconf: configure, no Makefile.in.
rm -f "$src/Makefile.in" "$src/ac_config.h.in"
configure_tree
expect_rc 0 "configure-tree after an interrupted autoreconf"
[ -f "$src/b/Makefile" ] || fail "no Makefile: $ERR"
ok "a tree autoreconf left half-made is made again"

# configure itself cut short: the tree looks complete, configure fails.
head -c 4000 "$src/configure" >"$src/configure.cut"
mv "$src/configure.cut" "$src/configure"
chmod +x "$src/configure"
configure_tree
expect_rc 0 "configure-tree with a truncated configure"
expect_contains "$ERR" "making the build system again" "it says what it does"
[ -f "$src/b/Makefile" ] || fail "no Makefile: $ERR"
ok "a configure that fails is made again once"
