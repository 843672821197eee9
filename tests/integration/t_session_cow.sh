#!/usr/bin/env bash
# t_session_cow: an idle session shares the master's heap.  A serving
# process is a fork of the master: every page of the master's heap it
# writes to becomes a private copy, its own memory from then on.  The
# master fills libcrypto's caches with one handshake in memory
# (lib/tls_warm.c), compiles the serving process's seccomp filter
# (privsep/sandbox.c), so a session's own handshake and sandbox only
# read those tables, and takes the holes its setup left in its heap
# (daemon/heap_holes.c), so a session's allocations are packed onto
# fresh pages rather than spread over the master's.  This counts, through /proc/PID/pagemap (the
# physical page behind each address, readable by root), the pages of
# the master's heap that an idle logged-in session no longer shares
# with it, and bounds them.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

# Without any of the three, a session copied 61 of the master's heap
# pages; with the cache filling, 47; with the filter too, 39; with the
# holes taken, 30.
MAX_COPIED=${MAX_COPIED:-34}

# heap_range PID: the start and end of its [heap], in hex.
heap_range() {
	awk '$6 == "[heap]" { split($1, r, "-"); print r[1], r[2] }' \
	    "/proc/$1/maps"
}

# frames PID START NPAGES: the physical page behind each page from
# START, one a line (0 for a page not present).
frames() {
	local word v
	# dd seeks; od would read its way to the offset, through terabytes.
	for word in $(dd if="/proc/$1/pagemap" bs=8 skip=$((0x$2 / 4096)) \
	    count="$3" status=none | od -An -v -t x8); do
		v=$((0x$word))
		if ((((v >> 63) & 1) == 1)); then
			echo $((v & ((1 << 55) - 1)))
		else
			echo 0
		fi
	done
}

# copied SERVING MASTER: the master's heap pages that SERVING has
# present at another physical page than the master's.
copied() {
	local s m pages
	read -r s _ < <(heap_range "$1")
	read -r m mend < <(heap_range "$2")
	[ "$s" = "$m" ] || fail "the session's heap starts elsewhere ($s, $m)"
	pages=$(((0x$mend - 0x$m) / 4096))
	paste <(frames "$1" "$s" "$pages") <(frames "$2" "$m" "$pages") |
	    awk '$1 != 0 && $1 != $2 { n++ } END { print n + 0 }'
}

pw=$(rand_pw)
add_user alice "$pw"
start_daemon

_answered() { grep -q "^/" "$SESS_OUT"; }

session_open alice "$pw"
session_send pwd
wait_serving_pid "$(user_uid alice)"
wait_for 10 _answered || fail "no answer to pwd"
sleep 0.3
# The frames are physical page numbers: both must be non-zero to mean
# anything (root reads them; anyone else reads zeros).
[ "$(frames "$DAEMON_PID" "$(heap_range "$DAEMON_PID" | cut -d' ' -f1)" 1)" != 0 ] ||
	fail "pagemap shows no frames (not root?)"
n=$(copied "$SERVING_PID" "$DAEMON_PID")
session_close
note "the idle session copied $n pages of the master's heap"
((n <= MAX_COPIED)) ||
	fail "an idle session copied $n pages of the master's heap (at most $MAX_COPIED)"
ok "an idle session copied $n pages of the master's heap (at most $MAX_COPIED)"
