#!/usr/bin/env bash
# fuzz.sh: build the libFuzzer harnesses of tests/fuzz/ and run them.
#
#   bash scripts/fuzz.sh [--run] [NAME...]   fuzz each for FUZZ_SECONDS
#   bash scripts/fuzz.sh --replay [NAME...]  CI: every seed once, then
#                                            FUZZ_RUNS inputs, fixed seed
#   bash scripts/fuzz.sh --build [NAME...]   only build
#   bash scripts/fuzz.sh --merge [NAME...]   add what --run found and
#                                            that covers new code to the
#                                            committed corpus
#   bash scripts/fuzz.sh --seeds             rewrite the generated seeds
#                                            (tests/fuzz/gen_corpus.c)
#
# The harnesses are listed in tests/fuzz/harnesses.  They are built with
# clang (-fsanitize=fuzzer,address,undefined) in their own build
# directory, FUZZ_BUILD (default build-fuzz/ in the tree), configured
# from the same sources with the sanitizers in CFLAGS (like build/, it
# needs a source tree that is not configured in place).  --run writes what
# it finds to FUZZ_BUILD/tests/fuzz/found/NAME/ (never to the committed
# corpus) and crashes to FUZZ_BUILD/tests/fuzz/crash-NAME-*; its log is
# FUZZ_BUILD/tests/fuzz/NAME.log.  Harnesses run FUZZ_JOBS (default 2)
# at a time.  Exits non-zero if any harness failed; the last line is
# "fuzz: N passed, N failed".
#
# Runs as: any user; needs clang and libclang-rt-14-dev (scripts/deps.sh).
set -euo pipefail

cd "$(dirname "$0")/.."
top=$(pwd)
mode=run
case "${1:-}" in
--run | --replay | --build | --merge | --seeds)
	mode=${1#--}
	shift
	;;
-*)
	sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2
	exit 2
	;;
esac

seconds=${FUZZ_SECONDS:-60}
runs=${FUZZ_RUNS:-10000}
jobs=${FUZZ_JOBS:-2}
build=${FUZZ_BUILD:-$top/build-fuzz}
cc=${FUZZ_CC:-clang}
out=$build/tests/fuzz

# No single allocation may pass this: a decoder never allocates what a
# peer announces before it has the bytes.
malloc_limit_mb=1

san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
cflags="-g -O1 -fno-omit-frame-pointer $san -U_FORTIFY_SOURCE"

# The harness list: name, max_len, extra sources.
declare -A maxlen extra
names=()
while read -r name len srcs; do
	case "$name" in '' | '#'*) continue ;; esac
	names+=("$name")
	maxlen[$name]=$len
	extra[$name]=$srcs
done <"$top/tests/fuzz/harnesses"

if [ "$#" -gt 0 ]; then
	for n in "$@"; do
		[ -n "${maxlen[$n]:-}" ] || {
			echo "fuzz: no harness '$n' in tests/fuzz/harnesses" >&2
			exit 2
		}
	done
	names=("$@")
fi

command -v "$cc" >/dev/null || {
	echo "fuzz: $cc not found (scripts/deps.sh installs it)" >&2
	exit 1
}

# The library, built by the project's own Makefile with the sanitizers.
fuzz_build_lib() {
	[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi)
	mkdir -p "$build"
	if [ ! -f "$build/config.status" ]; then
		echo "fuzz: configure in $build"
		(cd "$build" && "$top/configure" CC="$cc" \
			CFLAGS="$cflags -fsanitize=fuzzer-no-link" \
			>configure.log 2>&1) || {
			tail -n 20 "$build/configure.log" >&2
			return 1
		}
	fi
	echo "fuzz: build lib/libmftp.a"
	make -C "$build" -j"$jobs" lib/libmftp.a >"$build/make.log" 2>&1 || {
		tail -n 30 "$build/make.log" >&2
		return 1
	}
}

fuzz_build_one() { # NAME
	local n=$1 src
	local -a srcs=("$top/tests/fuzz/fuzz_$n.c" "$top/tests/fuzz/fuzz.c")
	for src in ${extra[$n]}; do
		srcs+=("$top/$src")
	done
	# shellcheck disable=SC2046,SC2086 # the flags are words
	"$cc" $cflags -fsanitize=fuzzer -Wall -Wextra -Werror \
		-include "$build/ac_config.h" -I"$top/lib" -I"$top/client" \
		-I"$top/privsep" -I"$top/tests/fuzz" \
		$(pkg-config --cflags libbsd-overlay) \
		-o "$out/fuzz_$n" "${srcs[@]}" "$build/lib/libmftp.a" \
		$(pkg-config --libs libbsd-overlay libssl libcrypto libxxhash)
}

fuzz_build() {
	local n
	fuzz_build_lib
	mkdir -p "$out"
	for n in "${names[@]}"; do
		echo "fuzz: build fuzz_$n"
		fuzz_build_one "$n"
	done
}

# The options every run shares.
fuzz_opts() { # NAME
	echo "-max_len=${maxlen[$1]} -malloc_limit_mb=$malloc_limit_mb" \
		"-timeout=10 -artifact_prefix=$out/crash-$1- -print_final_stats=1"
}

# One harness; its status.  The committed corpus is only ever read: new
# inputs go to a directory of the build.
fuzz_one() { # NAME
	local n=$1 corpus=$top/tests/fuzz/corpus/$1 found=$out/found/$1
	local log=$out/$1.log
	mkdir -p "$found"
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	case $mode in
	replay)
		found=$(mktemp -d "$out/replay-$n.XXXXXX")
		# shellcheck disable=SC2046
		"$out/fuzz_$n" $(fuzz_opts "$n") -seed=1 -runs="$runs" \
			"$found" "$corpus" >"$log" 2>&1
		;;
	run)
		# shellcheck disable=SC2046
		"$out/fuzz_$n" $(fuzz_opts "$n") \
			-max_total_time="$seconds" "$found" "$corpus" \
			>"$log" 2>&1
		;;
	merge)
		# shellcheck disable=SC2046
		"$out/fuzz_$n" $(fuzz_opts "$n") -merge=1 "$corpus" \
			"$found" >"$log" 2>&1
		;;
	esac
}

# "NAME: ok|FAILED, N executions": from the log's final statistics.
fuzz_report() { # NAME STATUS
	local n=$1 status=$2 execs
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
		"$out/$n.log" | tail -n 1)
	if [ "$status" = 0 ]; then
		echo "fuzz: $n: ok, ${execs:-?} executions"
	else
		echo "fuzz: $n: FAILED (status $status), ${execs:-?}" \
			"executions; see $out/$n.log" >&2
		grep -m 5 -E '^(==[0-9]+==ERROR|SUMMARY|fuzz: )' \
			"$out/$n.log" >&2 || true
	fi
	[ "$status" = 0 ]
}

# The generated seeds of the binary formats, from the real encoders.
fuzz_seeds() {
	# shellcheck disable=SC2046,SC2086 # the flags are words
	"$cc" -g -O1 $san -Wall -Wextra -Werror -include "$build/ac_config.h" \
		-I"$top/lib" -I"$top/privsep" $(pkg-config --cflags libbsd-overlay) \
		-o "$out/gen_corpus" "$top/tests/fuzz/gen_corpus.c" \
		"$top/privsep/privsep_msg.c" "$build/lib/libmftp.a" \
		$(pkg-config --libs libbsd-overlay libssl libcrypto libxxhash)
	"$out/gen_corpus" "$top/tests/fuzz/corpus"
	echo "fuzz: seeds written to tests/fuzz/corpus/"
}

fuzz_build
case $mode in
build) exit 0 ;;
seeds)
	fuzz_seeds
	exit 0
	;;
esac

# FUZZ_JOBS harnesses at a time; each leaves its status in a file.
pass=0
fail=0
running=0
for n in "${names[@]}"; do
	rm -f "$out/$n.status"
	(
		status=0
		fuzz_one "$n" || status=$?
		echo "$status" >"$out/$n.status"
	) &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n || true
		running=$((running - 1))
	fi
done
wait
for n in "${names[@]}"; do
	if fuzz_report "$n" "$(cat "$out/$n.status" 2>/dev/null || echo 1)"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done
rm -rf "$out"/replay-*.*
echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
