#!/bin/sh
# A pipelining client that does not read its replies: 10,000 requests in
# flight from the client's side; the daemon's memory must stay bounded
# (SFTPD_MAX_INFLIGHT_BYTES + CHAN_OUT_MAX per channel) and every reply arrive.
. "$top_srcdir/tests/integration/lib.sh"
command -v python3 >/dev/null || skip "python3 is not installed"
gw_setup
head -c $((1024 * 1024)) /dev/urandom >"$T/media/blob"
gw_start
# Fixed bound: the daemon at rest plus a few sessions' worth of caps, far
# below the ~256 MiB of replies the client asks for.
RSS_LIMIT_KB=$((96 * 1024))
PYTHONPATH=$top_srcdir/tests/integration timeout 120 python3 \
	"$top_srcdir/tests/integration/sftp_hostile.py" "$GW_PID" "$RSS_LIMIT_KB" -- \
	ssh $SSH_COMMON -p "$PORT" -i "$T/id_alice" -s alice@127.0.0.1 sftp \
	|| fail "the pipelining client failed or memory grew past ${RSS_LIMIT_KB} KiB"
pass
