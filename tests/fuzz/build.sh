#!/bin/sh
# build.sh — builds every libFuzzer target with ASan + UBSan, out of tree.
#
#   tests/fuzz/build.sh [OUTDIR]      (default: build-fuzz/ at the top of the checkout)
#
# Each target is tests/fuzz/fuzz_NAME.c linked with the project sources listed
# in tests/fuzz/targets.sh, all compiled by clang with
# -g -O1 -fsanitize=fuzzer,address,undefined, through a generated makefile
# (OUTDIR/fuzz.mk: parallel, objects reused while newer than their source and
# the headers). Binaries: OUTDIR/fuzz_NAME.
# Needs no configure run: a tiny config.h stands in for autoconf's.
# Exit 77 when clang or its libFuzzer runtime is missing (callers skip then).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/build-fuzz}
CC=${FUZZ_CC:-clang}
mkdir -p "$out/obj" "$out/gen"
out=$(cd "$out" && pwd)

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "build.sh: $CC not found (install clang and libclang-rt-14-dev)" >&2
	exit 77
fi
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\n'\
'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; return (int)n * 0; }\n' \
	>"$out/gen/probe.c"
if ! "$CC" -fsanitize=fuzzer,address,undefined "$out/gen/probe.c" -o "$out/gen/probe" 2>/dev/null; then
	echo "build.sh: $CC cannot link -fsanitize=fuzzer (install libclang-rt-14-dev)" >&2
	exit 77
fi

cat >"$out/gen/config.h.new" <<'H'
/* Stand-in for autoconf's config.h in the fuzz build. */
#define _GNU_SOURCE 1
#define HAVE_LINUX_OPENAT2_H 1
#define PACKAGE "sftpgw"
#define PACKAGE_VERSION "fuzz"
#define VERSION "fuzz"
H
if cmp -s "$out/gen/config.h.new" "$out/gen/config.h"; then
	rm -f "$out/gen/config.h.new"
else
	mv "$out/gen/config.h.new" "$out/gen/config.h"
fi

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
# The targets must build warning-free; the project's own sources are held to
# that by gcc in the normal build (clang words some warnings differently).
WERROR="-Wall -Wextra -Wformat=2 -Wshadow -Wno-unused-parameter -Werror"
CFLAGS="-std=gnu11 -g -O1 $SAN \
 -include $out/gen/config.h -I$out/gen -I$top/include -I$top/tests/fuzz -DSYSCONFDIR=\"/etc\""
EXTRA_CFLAGS=""
for pc in libssh libuv sqlite3 libarchive libcrypto zlib jansson; do
	EXTRA_CFLAGS="$EXTRA_CFLAGS $(pkg-config --cflags "$pc" 2>/dev/null || true)"
done

# A generated makefile does the work: objects are rebuilt when their source
# or any header changed, and compiled in parallel.
. "$top/tests/fuzz/targets.sh"
mk=$out/fuzz.mk
{
	echo "CC = $CC"
	echo "CFLAGS = $CFLAGS $EXTRA_CFLAGS -fsanitize=fuzzer-no-link"
	echo "WERROR = $WERROR"
	echo "SAN = $SAN"
	echo "HEADERS = $(echo "$top"/include/sftpgw/*.h "$top"/src/*/*.h "$top"/tests/fuzz/*.h) $out/gen/config.h"
	echo "all:"
} >"$mk.new"
objs_done=" "
echo "$FUZZ_TARGETS" | {
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		name=${line%%:*}
		rest=${line#*:}
		srcs=${rest%%|*}
		libs=""
		case "$rest" in *"|"*) libs=${rest#*|} ;; esac
		ok=1
		for s in $srcs tests/fuzz/fuzz_$name.c; do
			[ -f "$top/$s" ] || ok=0
		done
		if [ $ok = 0 ]; then
			echo "build.sh: skipping $name (its sources are not in this checkout)" >&2
			continue
		fi
		objs=""
		for s in $srcs tests/fuzz/fuzz_$name.c; do
			obj="$out/obj/$(echo "$s" | tr / _).o"
			objs="$objs $obj"
			case "$objs_done" in *" $obj "*) continue ;; esac
			objs_done="$objs_done$obj "
			extra=""
			case "$s" in tests/fuzz/*) extra=' $(WERROR)' ;; esac
			printf '%s: %s $(HEADERS)\n\t$(CC) $(CFLAGS)%s -c %s -o $@\n' \
				"$obj" "$top/$s" "$extra" "$top/$s"
		done
		printf 'all: %s\n%s:%s\n\t$(CC) -g $(SAN) -fsanitize=fuzzer%s %s -o $@\n' \
			"$out/fuzz_$name" "$out/fuzz_$name" "$objs" "$objs" "$libs"
	done
} >>"$mk.new"
mv "$mk.new" "$mk"
make -s -j"$(nproc 2>/dev/null || echo 2)" -f "$mk" all
for f in "$out"/fuzz_*; do
	case "$f" in *.mk | *.new) ;; *) echo "built $f" ;; esac
done
