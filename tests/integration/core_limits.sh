#!/bin/sh
# Connection limits: 200 logins at once, a flood of idle unauthenticated
# connections from one address does not lock out a user from another, the
# login grace time ends idle connections.
. "$top_srcdir/tests/integration/lib.sh"

gw_setup
cat >"$T/gw.conf" <<CONF
max_unauthenticated_per_source = 250
max_unauthenticated = 400
CONF
gw_start --config "$T/gw.conf"

# 200 connections at once all authenticate.
i=0
pids=""
while [ $i -lt 200 ]; do
	ssh_gw -o ConnectTimeout=30 -v pwd >"$T/par.$i" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
for p in $pids; do wait "$p" || true; done
n=$(grep -l "Authenticated to" "$T"/par.* | wc -l)
[ "$n" -eq 200 ] || fail "only $n of 200 parallel logins authenticated"

# 300 idle connections from 127.0.0.2 that never send a byte.
python3 - "$PORT" "$T/flood.pid" "$T/flood.ready" <<'PY' &
import os, socket, sys, time
port = int(sys.argv[1])
open(sys.argv[2], "w").write(str(os.getpid()))
socks = []
for _ in range(300):
    s = socket.socket()
    s.bind(("127.0.0.2", 0))
    try:
        s.connect(("127.0.0.1", port))
        socks.append(s)
    except OSError:
        s.close()
open(sys.argv[3], "w").write(str(len(socks)))
time.sleep(30)
PY
for _ in $(seq 1 200); do [ -s "$T/flood.ready" ] && break; sleep 0.1; done
[ -s "$T/flood.ready" ] || fail "the flood did not start"
for _ in $(seq 1 100); do
	grep -q "dropping 127.0.0.2" "$GW_LOG" && break
	sleep 0.1
done
out=$(ssh_gw -v pwd 2>&1 || true)
echo "$out" | grep -q "Authenticated to" || fail "flood from 127.0.0.2 blocked a real login: $out"
grep -q "too many unauthenticated connections: dropping 127.0.0.2" "$GW_LOG" ||
	fail "per-source limit not applied"
kill "$(cat "$T/flood.pid")" 2>/dev/null || true

# Login grace time: a connection that only reads the banner is dropped.
gw_stop
echo "login_grace_time = 3" >>"$T/gw.conf"
gw_start --config "$T/gw.conf"
python3 - "$PORT" <<'PY' || fail "grace time not enforced"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(10)
start = time.time()
data = s.recv(256)
assert data.startswith(b"SSH-2.0-"), data
while True:
    d = s.recv(4096)
    if not d:
        break
elapsed = time.time() - start
assert 2 <= elapsed <= 8, elapsed
PY
grep -q "login grace time exceeded" "$GW_LOG" || fail "grace expiry not logged"

# Out of fds: the listeners pause (no busy loop on accept), and logins work
# again once sessions end. One fd per idle session: its socket (the mount's
# directory fd is shared by every session's view).
gw_stop
gw_start
nfd=$(ls "/proc/$GW_PID/fd" | wc -l)
prlimit --pid "$GW_PID" --nofile=$((nfd + 6)):$((nfd + 6)) || skip "prlimit cannot lower RLIMIT_NOFILE"
: >"$T/held.pids"
for _ in $(seq 1 10); do
	ssh $SSH_COMMON -o ConnectTimeout=8 -p "$PORT" -i "$T/id_alice" -N alice@127.0.0.1 \
		</dev/null >/dev/null 2>&1 &
	echo $! >>"$T/held.pids"
done
for _ in $(seq 1 100); do
	grep -q 'not accepting for 200 ms' "$GW_LOG" && break
	sleep 0.1
done
grep -q 'Too many open files.*not accepting for 200 ms' "$GW_LOG" || fail "no pause when out of fds"
held=$(ss -Htn state established "( sport = :$PORT )" | wc -l)
[ "$held" -ge 4 ] || fail "only $held sessions before running out of $((nfd + 6)) fds"
cpu0=$(awk '{print $14 + $15}' "/proc/$GW_PID/stat")
sleep 2
cpu1=$(awk '{print $14 + $15}' "/proc/$GW_PID/stat")
[ $((cpu1 - cpu0)) -lt 40 ] || fail "out of fds, sftpgwd burned $((cpu1 - cpu0)) ticks in 2 s"
[ "$(grep -c 'not accepting for' "$GW_LOG")" -le 2 ] || fail "pause warnings not rate-limited"
kill $(cat "$T/held.pids") 2>/dev/null || true
ok=no
for _ in $(seq 1 50); do
	if [ "$(ssh_gw pwd 2>/dev/null)" = / ]; then ok=yes; break; fi
	sleep 0.2
done
[ "$ok" = yes ] || fail "no login after the fds came back"
pass
