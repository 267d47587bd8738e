#!/bin/sh
# cert_logins.sh — logins per second with a certificate vs a plain registered
# key, P in parallel (default 50), N logins per round (default 500), against a
# private sftpgwd; also the daemon's CPU time per login (from /proc, so the
# clients' own cost on the same machine does not blur it). Each login is a real
# `ssh -s sftp` that authenticates, opens the SFTP subsystem and leaves.
# From the build directory:
#   top_builddir=$PWD top_srcdir=$PWD/.. sh ../bench/cert_logins.sh [N] [P]
N=${1:-500}
P=${2:-50}
. "$top_srcdir/tests/integration/lib.sh"
gw_setup
gw_key bob                                   # certified, not registered
ssh-keygen -q -t ed25519 -N '' -C ca -f "$T/ca"
admin ca add ca "$T/ca.pub" >/dev/null
ssh-keygen -q -s "$T/ca" -I bench -n alice -V -5m:+1h "$T/id_bob.pub" 2>/dev/null
gw_start --log-level warn
TICK=$(getconf CLK_TCK)

cpu() { awk '{print $14 + $15}' "/proc/$GW_PID/stat"; }
run() {  # run KEY: one round; prints "logins/s daemon-us/login"
	local k=$1 c0 c1 t0 t1
	c0=$(cpu); t0=$(date +%s.%N)
	seq 1 "$N" | xargs -P "$P" -I{} sh -c "ssh $SSH_COMMON -p $PORT -i $T/id_$k \
		alice@127.0.0.1 -s sftp </dev/null >/dev/null 2>&1 || echo FAIL" >"$T/out_$k"
	t1=$(date +%s.%N); c1=$(cpu)
	[ -s "$T/out_$k" ] && echo "$(wc -l <"$T/out_$k") failed logins with $k" >&2
	echo "$N $t0 $t1 $c0 $c1 $TICK" |
		awk '{printf "%6.1f/s  daemon %4.0f us/login", $1 / ($3 - $2), ($5 - $4) * 1e6 / $6 / $1}'
}
for round in 1 2 3; do
	echo "round $round  key: $(run alice)   certificate: $(run bob)"
done
pass
