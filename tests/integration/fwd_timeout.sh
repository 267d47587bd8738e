#!/bin/sh
# A node that accepts TCP but never speaks SSH: the connect timeout ends the
# attempt with a clear message, and other sessions are not stalled meanwhile.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fwd_nodes.inc"

gw_setup
node_start n1
node_add demo web1 n1 --primary
HANG_PORT=$(free_port)
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $HANG_PORT)); s.listen(16)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
" &
HANG_PID=$!
hang_cleanup() {
	local rc=$?
	set +e
	kill "$HANG_PID" 2>/dev/null
	(exit "$rc")
	fwd_cleanup
}
trap hang_cleanup EXIT
wait_port "$HANG_PORT" || fail "listener did not start"
admin node add demo stuck "ssh://root@127.0.0.1:$HANG_PORT" --host-key-file "$T/node_n1/host_key.pub" >/dev/null
echo "node_connect_timeout = 4" >"$T/gw.conf"
gw_start --config "$T/gw.conf"

t0=$(now_ms)
(rc=0; ssh_as alice+demo+stuck alice hostname </dev/null 2>"$T/e1" || rc=$?; echo "$rc" >"$T/rc1") &
bg=$!
sleep 0.3
# meanwhile another session goes through at once
t1=$(now_ms)
[ "$(ssh_as alice+demo+web1 alice echo ok </dev/null)" = ok ] || fail "second session failed"
t2=$(now_ms)
# (done well before the stuck one times out: the loop was not blocked)
[ $((t2 - t1)) -lt 3000 ] || fail "a stuck node stalled another session for $((t2 - t1)) ms"
wait "$bg"
t3=$(now_ms)
[ "$(cat "$T/rc1")" = 255 ] || fail "stuck node exit status $(cat "$T/rc1")"
grep -q "demo/stuck: node unreachable (no answer within 4 s)" "$T/e1" || fail "timeout message: $(cat "$T/e1")"
[ $((t3 - t0)) -ge 3900 ] && [ $((t3 - t0)) -lt 7000 ] || fail "timeout after $((t3 - t0)) ms, wanted about 4000"
pass
