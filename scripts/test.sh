#!/bin/sh
# Installs what is missing, builds from scratch and runs every test (unit and
# integration). With --sanitize the build uses ASan + UBSan.
# Ends with one line: "N passed, N failed".
set -e
cd "$(dirname "$0")/.."
top=$(pwd)
build=build
flags=""
if [ "${1:-}" = "--sanitize" ]; then
	build=build-san
	flags="--enable-sanitizers"
	export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:quarantine_size_mb=16"
	export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
	export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
fi
sh scripts/deps.sh
autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
rm -rf "$build"
mkdir -p "$build"
cd "$build"
../configure -q $flags
make -s -j"$(nproc)" >/dev/null
set +e
make -s -j"$(nproc)" check >make-check.out 2>&1
rc=$?
set -e
grep -E '^(PASS|FAIL|XFAIL|XPASS|SKIP|ERROR):' make-check.out || true
if [ "$rc" != 0 ]; then
	for f in $(grep -lE '^:test-result: (FAIL|ERROR)' $(find . -name '*.trs') 2>/dev/null); do
		echo "=== ${f%.trs}.log ==="
		tail -n 60 "${f%.trs}.log"
	done
fi
pass=$(sed -n 's/^# PASS: *//p' make-check.out | tail -n 1)
failed=$(sed -n 's/^# FAIL: *//p' make-check.out | tail -n 1)
errors=$(sed -n 's/^# ERROR: *//p' make-check.out | tail -n 1)
skipped=$(sed -n 's/^# SKIP: *//p' make-check.out | tail -n 1)
failed=$(( ${failed:-0} + ${errors:-0} ))
[ "$rc" = 0 ] || [ "$failed" != 0 ] || failed=1
echo "${pass:-0} passed, ${failed} failed, ${skipped:-0} skipped"
exit "$rc"
