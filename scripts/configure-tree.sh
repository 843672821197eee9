#!/usr/bin/env bash
# configure-tree.sh [BUILDDIR]: make the build system (autoreconf) and
# configure BUILDDIR (default: build) when they are not there yet.
# Recovers from a run that was interrupted half-way: autoreconf writes
# configure before Makefile.in and ac_config.h.in, so a configure alone
# does not mean a complete tree; and if configure still fails, the build
# system is made again from scratch once before giving up.
#
# Runs as: whoever builds; used by demo.sh.
set -euo pipefail

cd "$(dirname "$0")/.."
build=${1:-build}

complete() {
	[ -x configure ] && [ -f Makefile.in ] && [ -f ac_config.h.in ] &&
		[ -f build-aux/install-sh ]
}

complete || autoreconf -fi
mkdir -p "$build"
if [ ! -f "$build/Makefile" ]; then
	if ! (cd "$build" && ../configure); then
		echo "configure-tree: configure failed; making the build" \
		    "system again and retrying once" >&2
		rm -f "$build/config.status"
		autoreconf -fi
		(cd "$build" && ../configure)
	fi
fi
