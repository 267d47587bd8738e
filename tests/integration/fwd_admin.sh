#!/bin/sh
# sftpgw-admin node and tunnel commands: validation, tables, --json, the
# one-primary rule, node policy.
. "$top_srcdir/tests/integration/lib.sh"

admin init >/dev/null
admin env add shop >/dev/null
ssh-keygen -q -t ed25519 -N '' -f "$T/hk"
HK=$(cat "$T/hk.pub")

# expect STATUS COMMAND...: runs admin, checks its exit status (stderr in $T/err).
expect() {
	local want=$1 rc=0
	shift
	admin "$@" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" = "$want" ] || fail "admin $*: exit $rc, wanted $want: $(cat "$T/err")"
}

expect 0 node add shop web1 ssh://app@10.0.0.1 --host-key "$HK" --role app --primary
expect 0 node add shop web2 ssh://app@[2001:db8::1]:2222 --host-key-file "$T/hk.pub"
expect 1 node add shop web2 ssh://app@10.0.0.2 --host-key "$HK"
grep -q 'already has a node "web2"' "$T/err" || fail "duplicate message"
expect 1 node add shop Web3 ssh://app@10.0.0.3 --host-key "$HK"
expect 1 node add shop web3 http://10.0.0.3 --host-key "$HK"
expect 1 node add shop web3 ssh://app@10.0.0.3:65536 --host-key "$HK"
expect 0 node add shop web3 ssh://app@10.0.0.3:65535 --host-key "$HK"   # port at the limit
expect 1 node add shop web4 ssh://app@10.0.0.4
grep -q "host key is required" "$T/err" || fail "missing host key message"
expect 1 node add shop web4 ssh://app@10.0.0.4 --host-key "ssh-ed25519 notbase64"
expect 1 node add nope web4 ssh://app@10.0.0.4 --host-key "$HK"
expect 2 node add shop web4 ssh://app@10.0.0.4 --host-key "$HK" --bogus
# a 32-character node name is the limit, 33 is one past it
expect 0 node add shop abcdefghijklmnopqrstuvwxyz012345 ssh://a@h --host-key "$HK"
expect 1 node add shop abcdefghijklmnopqrstuvwxyz0123456 ssh://a@h --host-key "$HK"

admin --json node list shop >"$T/list.json"
python3 - "$T/list.json" <<'EOF' || fail "node list --json"
import json, sys
rows = json.load(open(sys.argv[1]))
by = {r["node"]: r for r in rows}
assert by["web1"]["primary"] is True and by["web1"]["role"] == "app", by["web1"]
assert by["web2"]["backend"] == "ssh://app@[2001:db8::1]:2222", by["web2"]
assert by["web1"]["host_key"].startswith("SHA256:")
assert all(r["status"] == "up" for r in rows)
EOF
admin node list | grep -q "^shop  *web1 .*app  *up  *yes" || fail "node list table: $(admin node list)"

# --primary moves the flag; --status down
expect 0 node set shop web2 --primary --status down
admin --json node list shop | python3 -c '
import json, sys
by = {r["node"]: r for r in json.load(sys.stdin)}
assert by["web2"]["primary"] and by["web2"]["status"] == "down", by["web2"]
assert not by["web1"]["primary"], by["web1"]' || fail "primary not moved"
expect 1 node set shop web2 --status sideways
expect 0 node show shop web2
grep -q "status: down" "$T/out" || fail "node show: $(cat "$T/out")"
expect 0 node rm shop web3
expect 1 node rm shop web3
expect 1 node show shop web3

# tunnels
expect 0 env allow-tunnel shop localhost:8080
expect 0 env allow-tunnel shop 'localhost:*'
expect 0 env allow-tunnel shop db:5432-5433
expect 1 env allow-tunnel shop db:5432-5433
expect 1 env allow-tunnel shop db:0
expect 1 env allow-tunnel shop db:65536
expect 1 env allow-tunnel shop db:90-80
expect 1 env allow-tunnel shop nohostport
expect 0 env tunnels shop
grep -q "localhost  *\*" "$T/out" || fail "tunnels table: $(cat "$T/out")"
grep -q "db  *5432-5433" "$T/out" || fail "tunnels table: $(cat "$T/out")"
expect 0 env deny-tunnel shop db:5432-5433
expect 1 env deny-tunnel shop db:5432-5433

# node policy
expect 0 env node-policy shop random
expect 1 env node-policy shop sometimes
expect 0 node show shop web1
grep -q "env_node_policy: random" "$T/out" || fail "policy not shown: $(cat "$T/out")"
pass
