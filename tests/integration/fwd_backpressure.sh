#!/bin/sh
# Back-pressure through a forwarded command whose node reads slowly: the data
# must arrive intact and sftpgwd's memory must stay bounded (libssh re-opens
# its whole window on every read, so a partial read-back would let the client
# grow libssh's buffer without limit; see chan_pull_input).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fwd_nodes.inc"

gw_setup
node_start n1
node_add demo web1 n1 --primary
gw_start
head -c 67108864 /dev/urandom >"$T/data"
want=$(sha256sum <"$T/data" | cut -d' ' -f1)
rss() { awk '/^VmRSS/ {print $2}' "/proc/$GW_PID/status"; }
base=$(rss)
# The node takes 64 KiB, then pauses: thousands of stop/resume cycles.
ssh_gw sh -c "'i=0; while [ \$i -lt 1024 ]; do dd bs=65536 count=1 iflag=fullblock 2>/dev/null; i=\$((i + 1)); sleep 0.002; done | sha256sum'" \
	<"$T/data" >"$T/got" 2>"$T/err" &
pid=$!
peak=$base
while kill -0 "$pid" 2>/dev/null; do
	r=$(rss)
	[ "$r" -gt "$peak" ] && peak=$r
	sleep 0.1
done
wait "$pid" || fail "slow-reader relay failed: $(cat "$T/err")"
got=$(cut -d' ' -f1 "$T/got")
[ "$got" = "$want" ] || fail "data changed on the way: $got != $want"
grow=$((peak - base))
echo "RSS $base KiB -> peak $peak KiB (+$grow KiB) for 64 MiB through a slow reader"
limit=32768
# ASan keeps freed blocks in quarantine and adds shadow memory: the unbounded
# growth this guards against is still far above this (the whole 64 MiB).
ldd "$SFTPGWD" 2>/dev/null | grep -q libasan && limit=65536
[ "$grow" -lt "$limit" ] || fail "sftpgwd grew by $grow KiB (limit $limit) while the node read slowly"
pass
