#!/bin/sh
# direct-tcpip through the node: ssh -L to an allowed port works, to another
# is refused; ssh -D with localhost:* allowed.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fwd_nodes.inc"

gw_setup
node_start n1
node_add demo web1 n1 --primary
gw_start

mkdir -p "$T/www"
echo "hello through the node" >"$T/www/hello.txt"
HTTP_PORT=$(free_port)
python3 -m http.server "$HTTP_PORT" --bind 127.0.0.1 --directory "$T/www" >"$T/http.log" 2>&1 &
HTTP_PID=$!
OTHER_PORT=$(free_port)
SSH_PIDS=
tun_cleanup() {
	local rc=$?
	set +e # (exit "$rc") below must not end the handler early
	for p in $SSH_PIDS $HTTP_PID; do kill "$p" 2>/dev/null || true; done
	(exit "$rc")
	fwd_cleanup
}
trap tun_cleanup EXIT
wait_port "$HTTP_PORT" || fail "http server did not start"

# tunnel ARGS: ssh -N in the background with forwarding ARGS ($! is ssh itself).
tunnel() {
	ssh $SSH_COMMON -p "$PORT" -i "$T/id_alice" -N -o ExitOnForwardFailure=yes "$@" \
		alice@127.0.0.1 </dev/null 2>>"$T/ssh.err" &
	SSH_PIDS="$SSH_PIDS $!"
}

L1=$(free_port)
tunnel -L "$L1:localhost:$HTTP_PORT"
wait_port "$L1" || fail "ssh -L did not listen"
curl -fsS --max-time 5 "http://127.0.0.1:$L1/hello.txt" >/dev/null 2>&1 &&
	fail "tunnel worked before it was allowed"

admin env allow-tunnel demo "localhost:$HTTP_PORT" >/dev/null
admin env tunnels demo | grep -q "$HTTP_PORT" || fail "env tunnels does not list the target"
out=$(curl -fsS --max-time 5 "http://127.0.0.1:$L1/hello.txt") || fail "ssh -L to an allowed port"
[ "$out" = "hello through the node" ] || fail "wrong body: $out"

L2=$(free_port)
tunnel -L "$L2:localhost:$OTHER_PORT"
wait_port "$L2" || fail "second ssh -L did not listen"
curl -fsS --max-time 5 "http://127.0.0.1:$L2/" >/dev/null 2>&1 && fail "tunnel to a port not allowed"
grep -q "tunnel to localhost:$OTHER_PORT refused" "$GW_LOG" || fail "refusal not logged"

D1=$(free_port)
tunnel -D "$D1"
wait_port "$D1" || fail "ssh -D did not listen"
curl -fsS --max-time 5 --socks5-hostname "127.0.0.1:$D1" "http://localhost:$OTHER_PORT/" >/dev/null 2>&1 &&
	fail "socks tunnel to a port not allowed"
admin env allow-tunnel demo 'localhost:*' >/dev/null
out=$(curl -fsS --max-time 5 --socks5-hostname "127.0.0.1:$D1" "http://localhost:$HTTP_PORT/hello.txt") ||
	fail "ssh -D with localhost:* allowed"
[ "$out" = "hello through the node" ] || fail "wrong body via -D: $out"
# a command and tunnels of one ssh connection share one node connection
before=$(grep -c "logged in to node demo/web1" "$GW_LOG")
L3=$(free_port)
ssh $SSH_COMMON -p "$PORT" -i "$T/id_alice" -L "$L3:localhost:$HTTP_PORT" alice@127.0.0.1 \
	sh -c "'echo up; sleep 3'" </dev/null >"$T/shared.out" 2>&1 &
SSH_PIDS="$SSH_PIDS $!"
for _ in $(seq 1 100); do grep -q up "$T/shared.out" 2>/dev/null && break; sleep 0.05; done
for i in 1 2 3; do
	curl -fsS --max-time 5 "http://127.0.0.1:$L3/hello.txt" >"$T/c$i" &
done
for i in 1 2 3; do
	for _ in $(seq 1 100); do [ -s "$T/c$i" ] && break; sleep 0.05; done
	grep -q "hello through the node" "$T/c$i" || fail "tunnel $i of the shared connection"
done
after=$(grep -c "logged in to node demo/web1" "$GW_LOG")
[ $((after - before)) = 1 ] || fail "$((after - before)) node logins for one ssh connection, wanted 1"
admin env deny-tunnel demo 'localhost:*' >/dev/null
admin env deny-tunnel demo "localhost:$HTTP_PORT" >/dev/null
curl -fsS --max-time 5 --socks5-hostname "127.0.0.1:$D1" "http://localhost:$HTTP_PORT/hello.txt" \
	>/dev/null 2>&1 && fail "tunnel still works after deny-tunnel"

pass
