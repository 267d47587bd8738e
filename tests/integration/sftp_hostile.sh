#!/bin/sh
# A pipelining client that does not read its replies: 10,000 requests in
# flight from the client's side; the daemon's memory must stay bounded
# (SFTPD_MAX_INFLIGHT_BYTES + CHAN_OUT_MAX per channel) and every reply arrive.
. "$top_srcdir/tests/integration/lib.sh"
command -v python3 >/dev/null || skip "python3 is not installed"
gw_setup
head -c $((1024 * 1024)) /dev/urandom >"$T/media/blob"
# Fixed bound: the daemon at rest plus a few sessions' worth of caps, far
# below the ~256 MiB of replies the client asks for.
RSS_LIMIT_KB=$((96 * 1024))
if grep -q __asan_init "$SFTPGWD"; then
	# ASan keeps freed memory in quarantine (256 MiB by default) and adds
	# shadow memory: cap the quarantine and allow for the overhead.
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=16"
	export ASAN_OPTIONS
	RSS_LIMIT_KB=$((192 * 1024))
fi
gw_start
PYTHONPATH=$top_srcdir/tests/integration timeout 120 python3 \
	"$top_srcdir/tests/integration/sftp_hostile.py" "$GW_PID" "$RSS_LIMIT_KB" -- \
	ssh $SSH_COMMON -p "$PORT" -i "$T/id_alice" -s alice@127.0.0.1 sftp \
	|| fail "the pipelining client failed or memory grew past ${RSS_LIMIT_KB} KiB"
pass
