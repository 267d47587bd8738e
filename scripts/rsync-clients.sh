#!/bin/sh
# rsync-clients.sh RSYNC... — runs the rsync integration tests once per given
# rsync client binary (e.g. 3.2.7 and 3.4.1 built from their release tags),
# against the daemon of an existing build (BUILD, default build/). Debian 12
# ships one rsync; this is how other client versions are checked by hand:
#
#   git clone https://github.com/RsyncProject/rsync /tmp/rsync.git
#   mkdir /tmp/rsync-3.2.7 && git -C /tmp/rsync.git archive v3.2.7 | tar -x -C /tmp/rsync-3.2.7
#   cd /tmp/rsync-3.2.7 && ./configure --disable-md2man --with-included-popt \
#       --with-included-zlib --disable-zstd --disable-lz4 --disable-xxhash --disable-openssl \
#       --disable-acl-support --disable-xattr-support && make rsync
#   sh scripts/rsync-clients.sh /tmp/rsync-3.2.7/rsync /usr/bin/rsync
#
# (doc/rsync.md lists the versions that passed.) Prints one line per client;
# exits 1 if any test failed or was skipped.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
tests="tests/integration/rsync_basic.sh tests/integration/rsync_delta.sh tests/integration/rsync_harness.sh"
tests="$tests tests/integration/rsync_big.sh"
[ $# -gt 0 ] || { echo "usage: $0 RSYNC..." >&2; exit 2; }
[ -f "$build/Makefile" ] || { echo "$0: no configured build in $build (run scripts/test.sh first)" >&2; exit 2; }
bad=0
for r in "$@"; do
	[ -x "$r" ] || { echo "$r: not an executable" >&2; bad=1; continue; }
	bin=$(mktemp -d)
	ln -s "$(cd "$(dirname "$r")" && pwd)/$(basename "$r")" "$bin/rsync"
	ver=$("$bin/rsync" --version | head -n 1)
	if PATH="$bin:$PATH" make -s -C "$build" check TESTS="$tests" >"$bin/log" 2>&1 &&
		! grep -qE '^SKIP:' "$bin/log"; then
		echo "ok    $ver"
	else
		echo "FAIL  $ver"; grep -E '^(FAIL|ERROR|SKIP):' "$bin/log" || tail -n 20 "$bin/log"
		bad=1
	fi
	rm -rf "$bin"
done
exit $bad
