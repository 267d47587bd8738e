#!/bin/sh
# run.sh — builds the fuzz targets and runs each for SECONDS (default 60).
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]     (default: every target built)
#
# Each target first replays its saved crashes (tests/fuzz/regress/NAME/), then
# fuzzes from its seeds (tests/fuzz/corpus/NAME/, never modified) into a work
# corpus build-fuzz/corpus/NAME/ that grows across runs. A crash leaves its
# input in build-fuzz/artifacts/NAME/. Prints executions per target and the
# total; exits 1 when any target crashed. FUZZ_OUT overrides build-fuzz/.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${FUZZ_OUT:-$top/build-fuzz}
secs=${1:-60}
[ $# -gt 0 ] && shift
"$top/tests/fuzz/build.sh" "$out" >/dev/null
out=$(cd "$out" && pwd)
if [ $# -gt 0 ]; then
	targets="$*"
else
	targets=$(cd "$out" && ls fuzz_* | sed 's/^fuzz_//')
fi

# Leaks are checked too; sanitizer reports end the run with the input saved.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
total=0
failed=""
for t in $targets; do
	bin=$out/fuzz_$t
	mkdir -p "$out/corpus/$t" "$out/artifacts/$t"
	log=$out/artifacts/$t/last.log
	if [ -d "$top/tests/fuzz/regress/$t" ] && ! "$bin" "$top/tests/fuzz/regress/$t"/* >"$log" 2>&1; then
		echo "$t: a saved regression input fails again (see $log)"
		failed="$failed $t"
		continue
	fi
	set +e
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$t/" "$out/corpus/$t" "$top/tests/fuzz/corpus/$t" \
		>"$log" 2>&1
	rc=$?
	set -e
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	total=$((total + ${execs:-0}))
	if [ "$rc" != 0 ]; then
		echo "$t: CRASH after ${execs:-?} execs; input in $out/artifacts/$t/ (log: $log)"
		grep -m 3 -E 'ERROR|runtime error|invariant failed' "$log" || true
		failed="$failed $t"
	else
		echo "$t: ${execs:-0} execs, $cov, corpus $(ls "$out/corpus/$t" | wc -l) files"
	fi
done
echo "total: $total execs"
[ -z "$failed" ] || { echo "crashed:$failed"; exit 1; }
