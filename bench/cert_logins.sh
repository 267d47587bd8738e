#!/bin/sh
# cert_logins.sh — logins per second with a certificate vs a plain registered
# key, P in parallel (default 50), N logins each (default 500), against a
# private sftpgwd. Each login is a real `ssh -s sftp` that authenticates, opens
# the SFTP subsystem and leaves at once. Run from the build directory:
#   top_builddir=$PWD top_srcdir=$PWD/.. sh ../bench/cert_logins.sh [N] [P]
N=${1:-500}
P=${2:-50}
. "$top_srcdir/tests/integration/lib.sh"
gw_setup
gw_key bob
ssh-keygen -q -t ed25519 -N '' -C ca -f "$T/ca"
admin ca add ca "$T/ca.pub" >/dev/null
ssh-keygen -q -s "$T/ca" -I bench -n alice -V -5m:+1h "$T/id_bob.pub" 2>/dev/null
gw_start --log-level warn

run() {  # run KEY: N logins, P at a time; prints logins/s
	local k=$1 start end
	start=$(date +%s.%N)
	seq 1 "$N" | xargs -P "$P" -I{} sh -c "ssh $SSH_COMMON -p $PORT -i $T/id_$k \
		alice@127.0.0.1 -s sftp </dev/null >/dev/null 2>&1 || echo FAIL" >"$T/out_$k"
	end=$(date +%s.%N)
	[ -s "$T/out_$k" ] && echo "$(wc -l <"$T/out_$k") failures with $k" >&2
	echo "$N $start $end" | awk '{printf "%.1f", $1 / ($3 - $2)}'
}
for round in 1 2 3; do
	echo "round $round: plain key $(run alice)/s, certificate $(run bob)/s"
done
pass
