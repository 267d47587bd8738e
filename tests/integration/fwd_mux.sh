#!/bin/sh
# One ssh connection (ControlMaster) multiplexing a forwarded shell command
# and an SFTP channel served by the gateway itself.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fwd_nodes.inc"

gw_setup
echo "from the mount" >"$T/media/file.txt"
node_start n1
node_add demo web1 n1 --primary
gw_start

CM=$T/cm.sock
MUX="-o ControlPath=$CM"
ssh $SSH_COMMON -p "$PORT" -i "$T/id_alice" -o ControlMaster=yes $MUX -N alice@127.0.0.1 \
	</dev/null 2>"$T/master.err" &
MASTER=$!
mux_cleanup() {
	local rc=$?
	set +e
	kill "$MASTER" 2>/dev/null
	(exit "$rc")
	fwd_cleanup
}
trap mux_cleanup EXIT
for _ in $(seq 1 100); do [ -S "$CM" ] && break; sleep 0.05; done
[ -S "$CM" ] || fail "control master did not start: $(cat "$T/master.err")"

# a command on the node stays open while SFTP runs on the same connection
ssh $SSH_COMMON $MUX -p "$PORT" alice@127.0.0.1 sh -c "'echo node=\$NODE_NAME; sleep 1; echo done'" \
	</dev/null >"$T/shell.out" 2>&1 &
SHELL_PID=$!
out=$(echo "get /pub/media/file.txt $T/got.txt" | sftp $SSH_COMMON $MUX -P "$PORT" -b - alice@127.0.0.1 2>&1) ||
	fail "sftp over the shared connection: $out"
[ "$(cat "$T/got.txt")" = "from the mount" ] || fail "sftp got the wrong file"
wait "$SHELL_PID" || fail "shell over the shared connection failed: $(cat "$T/shell.out")"
grep -q "node=n1" "$T/shell.out" && grep -q done "$T/shell.out" || fail "shell output: $(cat "$T/shell.out")"
[ "$(grep -c "accepted publickey for alice" "$GW_LOG")" = 1 ] || fail "more than one connection was made"
pass
