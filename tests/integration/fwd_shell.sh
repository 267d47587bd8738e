#!/bin/sh
# Shells and commands forwarded to two real OpenSSH nodes: target choice,
# exit codes and signals, data integrity, pty, env, refusals, ending sessions.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/fwd_nodes.inc"

gw_setup
gw_key bob
admin key add demo "$T/id_bob.pub" >/dev/null
admin env add blog >/dev/null
admin user grant bob blog >/dev/null
gw_key carol
admin env add bare >/dev/null
admin key add bare "$T/id_carol.pub" >/dev/null
node_start n1
node_start n2
node_add demo web1 n1 --primary --role app
node_add demo web2 n2 --role app
node_add blog app n2
gw_start

# expect_rc WANT DESCRIPTION COMMAND...: runs COMMAND (stderr to $T/err), checks its status.
expect_rc() {
	local want=$1 d=$2 rc=0
	shift 2
	"$@" >"$T/out" 2>"$T/err" </dev/null || rc=$?
	[ "$rc" = "$want" ] || fail "$d: exit status $rc, wanted $want; stderr: $(cat "$T/err")"
}
node_of() { ssh_as "$1" "$2" sh -c "'echo \$NODE_NAME'" </dev/null; }

# --- plain commands, target choice ---
[ "$(ssh_gw echo hi </dev/null)" = hi ] || fail "ssh gw echo hi"
[ "$(node_of alice alice)" = n1 ] || fail "USER did not reach the primary node"
[ "$(node_of alice+demo alice)" = n1 ] || fail "USER+ENV did not reach the primary node"
[ "$(node_of alice+demo+web2 alice)" = n2 ] || fail "USER+ENV+NODE did not reach web2"
[ "$(node_of bob+blog+app bob)" = n2 ] || fail "bob+blog+app"

# --- exit status and signals ---
expect_rc 3 "exit 3" ssh_gw sh -c "'exit 3'"
expect_rc 255 "killed by a signal" ssh_gw sh -c "'kill -TERM \$\$'"
grep -q "signal TERM" "$T/err" || fail "no message for the signal: $(cat "$T/err")"

# --- data both ways: 100 MB through sha256sum on the node ---
head -c 100000000 /dev/urandom >"$T/big"
want=$(sha256sum <"$T/big" | cut -d' ' -f1)
got=$(ssh_gw sh -c "'cat | sha256sum'" <"$T/big" | cut -d' ' -f1)
[ "$got" = "$want" ] || fail "100 MB through the node: $got != $want"
# and back: the node sends 100 MB, we check it arrived whole
got=$(ssh_gw head -c 100000000 /dev/zero </dev/null | wc -c)
[ "$got" = 100000000 ] || fail "100 MB from the node: got $got bytes"

# --- pty, env ---
out=$(ssh_gw -tt sh -c "'tty; stty size'" </dev/null | tr -d '\r')
echo "$out" | grep -q '^/dev/pts/' || fail "no tty on the node: $out"
echo "$out" | grep -Eq '^[0-9]+ [0-9]+$' || fail "stty size: $out"
out=$(LANG=fr_FR.UTF-8 ssh_gw -o SendEnv=LANG sh -c "'echo \$SFTPGW_USER \$LANG'" </dev/null)
[ "$out" = "alice fr_FR.UTF-8" ] || fail "SFTPGW_USER/LANG on the node: '$out'"
out=$(FOO=bar ssh_gw -o SendEnv=FOO sh -c "'echo x\${FOO}x'" </dev/null)
[ "$out" = "xx" ] || fail "a variable outside the allow-list reached the node: '$out'"

# A line with shell syntax is never interpreted by the gateway: the node's shell runs it.
out=$(ssh_gw 'echo one | tr o 0; echo "$SFTPGW_USER"' </dev/null)
[ "$out" = "$(printf '0ne\nalice')" ] || fail "shell syntax was not run by the node's shell: '$out'"

# --- refusals ---
expect_rc 1 "unknown node" ssh_as alice+demo+nope alice hostname
grep -q 'no node "nope" in environment demo; your environments: demo' "$T/err" || fail "unknown node message: $(cat "$T/err")"
admin node set demo web2 --status down >/dev/null
expect_rc 1 "down node" ssh_as alice+demo+web2 alice hostname
grep -q "node demo/web2 is down" "$T/err" || fail "down node message: $(cat "$T/err")"
admin node set demo web2 --status up >/dev/null
admin env stop blog >/dev/null
expect_rc 1 "stopped environment" ssh_as bob+blog bob hostname
grep -q "stopped" "$T/err" || fail "stopped env message: $(cat "$T/err")"
admin env start blog >/dev/null

# --- an environment without nodes ---
expect_rc 127 "command without nodes" ssh_as carol carol frobnicate --now
grep -q "^sftpgw: frobnicate: not available on this gateway" "$T/err" || fail "no-node command message: $(cat "$T/err")"
expect_rc 1 "shell without nodes" ssh_as carol carol
grep -q "environment bare has no shell access" "$T/err" || fail "no-node shell message: $(cat "$T/err")"

# --- ambiguous target without a pty: exit 2 at once, no hang ---
t0=$(now_ms)
expect_rc 2 "ambiguous target" ssh_as bob bob hostname
t1=$(now_ms)
grep -q "several environments" "$T/err" || fail "ambiguous message: $(cat "$T/err")"
grep -q "ssh -t bob@" "$T/err" || fail "ambiguous message names no way out: $(cat "$T/err")"
[ $((t1 - t0)) -lt 2000 ] || fail "ambiguous target took $((t1 - t0)) ms"
echo "ambiguous refusal: $((t1 - t0)) ms (whole ssh run)"

# --- env stop ends an open shell within 5 s, with its reason ---
(rc=0; ssh_as bob+blog bob sh -c "'echo started; exec sleep 30'" </dev/null >"$T/o1" 2>"$T/e1" || rc=$?
 echo "$rc" >"$T/rc1") &
bg=$!
for _ in $(seq 1 100); do grep -q started "$T/o1" 2>/dev/null && break; sleep 0.05; done
grep -q started "$T/o1" || fail "the long command did not start"
t0=$(now_ms)
admin env stop blog >/dev/null
wait "$bg"
t1=$(now_ms)
[ $((t1 - t0)) -lt 5500 ] || fail "env stop took $((t1 - t0)) ms to end the session"
[ "$(cat "$T/rc1")" = 255 ] || fail "ended session exit status $(cat "$T/rc1")"
grep -q "environment blog was stopped" "$T/e1" || fail "no reason on stderr: $(cat "$T/e1")"
echo "env stop ended the session in $((t1 - t0)) ms"
admin env start blog >/dev/null

# --- marking the node down ends its open sessions too ---
(rc=0; ssh_as alice+demo+web2 alice sh -c "'echo started; exec sleep 30'" </dev/null >"$T/o3" 2>"$T/e3" ||
 rc=$?; echo "$rc" >"$T/rc3") &
bg=$!
for _ in $(seq 1 100); do grep -q started "$T/o3" 2>/dev/null && break; sleep 0.05; done
grep -q started "$T/o3" || fail "the long command did not start on web2"
t0=$(now_ms)
admin node set demo web2 --status down >/dev/null
wait "$bg"
t1=$(now_ms)
[ $((t1 - t0)) -lt 5500 ] || fail "node down took $((t1 - t0)) ms to end the session"
grep -q "node demo/web2 is down" "$T/e3" || fail "no reason on stderr: $(cat "$T/e3")"
admin node set demo web2 --status up >/dev/null

# --- the node kills the session mid-stream ---
(rc=0; ssh_gw sh -c "'echo started; exec sleep 30'" </dev/null >"$T/o2" 2>"$T/e2" || rc=$?
 echo "$rc" >"$T/rc2") &
bg=$!
for _ in $(seq 1 100); do grep -q started "$T/o2" 2>/dev/null && break; sleep 0.05; done
grep -q started "$T/o2" || fail "the long command did not start on n1"
for p in $(pgrep -P "$NODE_PID_n1"); do kill -9 "$p"; done # the per-connection sshd
wait "$bg"
[ "$(cat "$T/rc2")" = 255 ] || fail "killed session exit status $(cat "$T/rc2")"
grep -q "demo/web1" "$T/e2" || fail "no reason for the lost node: $(cat "$T/e2")"

# --- host key changed: refused, both fingerprints logged ---
node_stop n2
mv "$T/node_n2/host_key" "$T/host_key.old"
mv "$T/node_n2/host_key.pub" "$T/host_key.pub.old"
node_start n2
expect_rc 255 "host key mismatch" ssh_as alice+demo+web2 alice hostname
grep -q "host key does not match" "$T/err" || fail "mismatch message: $(cat "$T/err")"
old=$(ssh-keygen -lf "$T/host_key.pub.old" | cut -d' ' -f2)
new=$(ssh-keygen -lf "$T/node_n2/host_key.pub" | cut -d' ' -f2)
grep "host key mismatch" "$GW_LOG" | grep -F "$old" | grep -qF "$new" || fail "fingerprints not logged"
admin node check demo web2 >"$T/out" 2>"$T/err" && fail "node check passed a changed host key"
grep -q "mismatch" "$T/err" || fail "node check message: $(cat "$T/err")"
admin node check demo web1 >/dev/null || fail "node check of a good node failed"

# --- node down (nothing listens): 255 with a clear message ---
node_stop n2
expect_rc 255 "node down" ssh_as alice+demo+web2 alice hostname
grep -q "demo/web2: node unreachable" "$T/err" || fail "unreachable message: $(cat "$T/err")"

pass
