#!/bin/sh
# fuzz_smoke.sh — a short regression run of every libFuzzer target (tests/fuzz):
# builds them with clang (ASan + UBSan), replays the saved crash inputs, and
# runs each target for a bounded number of inputs from its seed corpus.
# Skips (77) when clang with libFuzzer is not installed.
set -eu
: "${top_builddir:?run through make check}" "${top_srcdir:?run through make check}"

FUZZ_SMOKE_RUNS=20000   # inputs per target: seconds in all, still finds regressions
FUZZ_SMOKE_SECS=2       # and at most this long per target (sftp runs ~300 inputs/s)

out=$top_builddir/build-fuzz-smoke
work=$(mktemp -d "${TMPDIR:-/tmp}/sftpgw-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

set +e
sh "$top_srcdir/tests/fuzz/build.sh" "$out" >"$work/build.log" 2>&1
rc=$?
set -e
if [ "$rc" = 77 ]; then
	cat "$work/build.log"
	echo "SKIP: clang with libFuzzer is not available"
	exit 77
fi
[ "$rc" = 0 ] || { cat "$work/build.log"; echo "FAIL: building the fuzz targets"; exit 1; }
grep skipping "$work/build.log" || true

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
n=0
for bin in "$out"/fuzz_*; do
	t=${bin##*/fuzz_}
	n=$((n + 1))
	if [ -d "$top_srcdir/tests/fuzz/regress/$t" ]; then
		"$bin" "$top_srcdir/tests/fuzz/regress/$t"/* >"$work/$t.log" 2>&1 ||
			{ tail -n 30 "$work/$t.log"; echo "FAIL: $t: a saved crash input fails again"; exit 1; }
	fi
	mkdir -p "$work/$t"
	"$bin" -runs=$FUZZ_SMOKE_RUNS -max_total_time=$FUZZ_SMOKE_SECS -seed=1 \
		-artifact_prefix="$work/" "$work/$t" "$top_srcdir/tests/fuzz/corpus/$t" \
		>"$work/$t.log" 2>&1 ||
		{ tail -n 40 "$work/$t.log"; echo "FAIL: $t crashed (input: $(ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null))"; exit 1; }
	echo "$t: $(grep -o 'Done [0-9]* runs' "$work/$t.log" || echo ok)"
done
[ "$n" -gt 0 ] || { echo "FAIL: no fuzz target was built"; exit 1; }
echo "PASS"
