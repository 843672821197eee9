#!/usr/bin/env bash
# bench/run.sh: mftp alone, measured against a throw-away instance.
#
# Builds a release tree (-O2, no -Werror) in a temporary directory unless
# MFTP_BUILD names a built one, starts mftpd on 127.0.0.1 with everything
# in a temporary directory (the integration tests' setup, lib.sh), and
# prints one table: MB/s for 1 GiB up and down (to a file and to
# /dev/null), files/s for 1000 x 4 KiB up and down in one session,
# sessions/s for sequential logins, the PSS of an idle logged-in session,
# and the CPU-seconds per GiB of client and server for each bulk transfer.
# For the side-by-side run against other servers see README.md here.
#
# Runs as: root (mftpd).  Env: BIG_MB (1024), SMALL_N (1000),
# SESSIONS_N (50), IDLE_N (20), RUNS (3: the median is printed),
# VERIFY (the session's checksum: xxh128, the default, or sha256).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
BIG_MB=${BIG_MB:-1024}
SMALL_N=${SMALL_N:-1000}
SESSIONS_N=${SESSIONS_N:-50}
IDLE_N=${IDLE_N:-20}
RUNS=${RUNS:-3}
VERIFY=${VERIFY:-xxh128}

if [ "$(id -u)" != 0 ]; then
	echo "bench: run this as root (mftpd needs it)" >&2
	exit 1
fi
if [ -z "${MFTP_BUILD:-}" ]; then
	bash "$top/scripts/deps.sh" >/dev/null
	src=$(mktemp -d /tmp/mftp-bench-src.XXXXXX)
	git -C "$top" archive HEAD | tar -C "$src" -xf -
	(cd "$src" && autoreconf -fi >/dev/null 2>&1 && mkdir build &&
		cd build && ../configure CFLAGS=-O2 >/dev/null &&
		make -j"${JOBS:-2}" >/dev/null) || {
		echo "bench: the release build failed" >&2
		exit 1
	}
	MFTP_BUILD=$src/build
fi

top_srcdir=$top
top_builddir=$MFTP_BUILD
# The tests' TLS relay is not built by a release build, nor needed.
NO_TLSPROXY=1
MAX_SESSIONS=$((IDLE_N + 20))
MAX_SESSIONS_PER_IP=$((IDLE_N + 20))
MAX_SESSIONS_PER_USER=$((IDLE_N + 20))
set +e
# shellcheck source=../tests/integration/lib.sh
. "$top/tests/integration/lib.sh"
set +u

pw=$(rand_pw)
add_user bench "$pw" --quota-bytes 100G --quota-files 1000000
home=$(user_home bench)
owner="$(user_uid bench):$(user_gid bench)"
start_daemon
W=$T/work
mkdir -p "$W/small" "$home/small"
head -c $((BIG_MB * 1048576)) /dev/urandom >"$W/big"
for ((i = 0; i < SMALL_N; i++)); do
	head -c 4096 /dev/urandom >"$W/small/f$i"
done
cp "$W/big" "$home/big"
cp "$W/small/"* "$home/small/"
chown -R "$owner" "$home"

cl() { # commands on stdin: one batch session, quiet
	"$MFTP" -q -o "Verify=$VERIFY" -P "$PORT" --password-fd 3 \
	    "bench@$HOST" 3<<<"$pw"
}
# The master's children's CPU (ticks), which a session's counts join
# when it is reaped.
srv_ticks() { awk '{ print $16 + $17 }' "/proc/$DAEMON_PID/stat"; }
hz=$(getconf CLK_TCK)

# timed COMMANDS: one batch session; prints "milliseconds client-user
# client-sys server-ticks".
timed() {
	local t0 t1 s0 s1
	s0=$(srv_ticks)
	t0=$(date +%s%N)
	/usr/bin/time -f '%U %S' -o "$T/time" "$MFTP" -q -o "Verify=$VERIFY" \
	    -P "$PORT" --password-fd 3 "bench@$HOST" 3<<<"$pw" <<<"$1" \
	    >/dev/null 2>&1 || {
		echo "bench: a transfer failed: $1" >&2
		exit 1
	}
	t1=$(date +%s%N)
	sleep 0.3
	s1=$(srv_ticks)
	echo "$(((t1 - t0) / 1000000)) $(tail -n 1 "$T/time") $((s1 - s0))"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

declare -A R
measure() { # NAME GIB COMMANDS
	local i out ms cu cs sv
	: >"$T/m.$1"
	for ((i = 0; i < RUNS; i++)); do
		out=$(timed "$3")
		read -r ms cu cs sv <<<"$out"
		echo "$ms $cu $cs $sv" >>"$T/m.$1"
	done
	R[$1]=$(awk '{ print $1 }' "$T/m.$1" | median)
	R[$1.c]=$(awk -v g="$2" '{ printf "%.2f\n", ($2 + $3) / (g ? g : 1) }' "$T/m.$1" | median)
	R[$1.s]=$(awk -v g="$2" -v hz="$hz" '{ printf "%.2f\n", $4 / hz / (g ? g : 1) }' "$T/m.$1" | median)
}

gib=$(awk -v m="$BIG_MB" 'BEGIN { printf "%.3f", m / 1024 }')
echo "hash big" | cl >/dev/null # the server's hash cache, as after an upload
measure dl_null "$gib" "get big /dev/null"
measure dl_file "$gib" "get big $W/down"
measure ul "$gib" "put $W/big up"
measure small_up 0 "lcd $W/small
cd small
mput *"
measure small_down 0 "lcd $T
!mkdir -p $T/sd
lcd $T/sd
cd small
mget *"
rm -rf "$T/sd"

# Sessions: sequential logins with a listing each.
t0=$(date +%s%N)
for ((i = 0; i < SESSIONS_N; i++)); do
	echo pwd | cl >/dev/null || { echo "bench: a login failed" >&2; exit 1; }
done
t1=$(date +%s%N)
sessions_s=$(awk -v n="$SESSIONS_N" -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", n / (ns / 1e9) }')

# Idle sessions: IDLE_N held open, each reading its commands from a FIFO
# this shell keeps open; the PSS of each serving process.
hold=()
fds=()
for ((i = 0; i < IDLE_N; i++)); do
	mkfifo "$T/in.$i"
	# Without the other FIFOs' write ends: each ends at its own EOF.
	(
		for f in "${fds[@]}"; do eval "exec $f>&-"; done
		exec "$MFTP" -q -o "Verify=$VERIFY" -P "$PORT" \
		    --password-fd 3 "bench@$HOST" 3<<<"$pw" <"$T/in.$i" \
		    >/dev/null 2>&1
	) &
	hold+=("$!")
	exec {fd}>"$T/in.$i"
	fds+=("$fd")
	echo pwd >&"$fd"
done
sleep 3
pss=0 n=0
for p in $(sessions); do
	[ "$(proc_uid "$p")" = "$(user_uid bench)" ] || continue
	k=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup")
	pss=$((pss + k))
	n=$((n + 1))
done
for fd in "${fds[@]}"; do
	eval "exec $fd>&-"
done
for p in "${hold[@]}"; do wait "$p" 2>/dev/null; done
idle=$([ "$n" -gt 0 ] && echo $((pss / n)) || echo "?")

mbs() { awk -v m="$BIG_MB" -v ms="$1" 'BEGIN { printf "%.0f", m * 1.048576 / (ms / 1000) }'; }
fps() { awk -v n="$SMALL_N" -v ms="$1" 'BEGIN { printf "%.0f", n / (ms / 1000) }'; }
cat <<EOF
mftp $(git -C "$top" rev-parse --short HEAD), $(nproc) cores, checksum $VERIFY, medians of $RUNS runs

| metric | value | client CPU-s/GiB | server CPU-s/GiB |
| --- | --- | --- | --- |
| $BIG_MB MiB download to /dev/null | $(mbs "${R[dl_null]}") MB/s | ${R[dl_null.c]} | ${R[dl_null.s]} |
| $BIG_MB MiB download to a file | $(mbs "${R[dl_file]}") MB/s | ${R[dl_file.c]} | ${R[dl_file.s]} |
| $BIG_MB MiB upload | $(mbs "${R[ul]}") MB/s | ${R[ul.c]} | ${R[ul.s]} |
| $SMALL_N x 4 KiB upload, one session | $(fps "${R[small_up]}") files/s | | |
| $SMALL_N x 4 KiB download, one session | $(fps "${R[small_down]}") files/s | | |
| sessions (login, pwd, quit), sequential | $sessions_s /s | | |
| idle logged-in session ($n held) | $idle KiB PSS, 1 process | | |
EOF
