#!/bin/sh
# rsync through sftpgw against rsync through a private OpenSSH sshd (running
# the system rsync) on the same machine, same client, one run:
#   top_builddir=build top_srcdir=. sh bench/rsync_vs_openssh.sh [MiB] [small files]
# Cases: initial and no-change push of NSMALL 4 KiB files and of one MiB-sized
# file, and the same pulled. Prints best-of-2 seconds and gw/OpenSSH time
# ratios (lower is better for sftpgw; target <= 0.8 initial, <= 0.5 no-change).
. "$top_srcdir/tests/integration/lib.sh"
MB=${1:-1024}
NSMALL=${2:-5000}
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$SSHD" ] || skip "no sshd"

gw_setup
gw_start
mkdir -p "$T/data/small" "$T/ossh/home" "$T/back"
head -c $((MB * 1024 * 1024)) /dev/urandom >"$T/data/big"
i=0
while [ $i -lt "$NSMALL" ]; do
	head -c 4096 /dev/urandom >"$T/data/small/f$i"
	i=$((i + 1))
done

ssh-keygen -q -t ed25519 -N '' -f "$T/ossh/hostkey"
cp "$T/id_alice.pub" "$T/ossh/authorized_keys"
chmod 600 "$T/ossh/authorized_keys"
OPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$T/ossh/sshd_config" <<EOC
Port $OPORT
ListenAddress 127.0.0.1
HostKey $T/ossh/hostkey
AuthorizedKeysFile $T/ossh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $T/ossh/pid
EOC
mkdir -p /run/sshd 2>/dev/null || true
"$SSHD" -f "$T/ossh/sshd_config" -E "$T/ossh/log" || skip "sshd did not start: $(cat "$T/ossh/log")"
trap 'kill $(cat "$T/ossh/pid") 2>/dev/null; gw_cleanup' EXIT
ME=$(id -un)
E_GW="ssh $SSH_COMMON -p $PORT -i $T/id_alice"
E_OS="ssh $SSH_COMMON -p $OPORT -i $T/id_alice"

# t E ARGS...: seconds of one rsync run
t() {
	local e=$1 t0 t1
	shift
	t0=$(date +%s.%N)
	rsync -e "$e" "$@" >"$T/out" 2>&1 || fail "rsync $*: $(tail -3 "$T/out")"
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc
}
best() { echo "if ($1 < $2) $1 else $2" | bc; }
row() { printf '%-34s %9.2f %9.2f %7.2f\n' "$1" "$2" "$3" "$(echo "$2 / $3" | bc -l)"; }

printf '%-34s %9s %9s %7s\n' case "gw s" "ossh s" "gw/ossh"
for what in small big; do
	if [ $what = small ]; then src=$T/data/small/; label="$NSMALL x 4 KiB"; else src=$T/data/big; label="1 x $MB MiB"; fi
	bi_g=9999 bi_o=9999 bn_g=9999 bn_o=9999 pi_g=9999 pi_o=9999 pn_g=9999 pn_o=9999
	for rep in 1 2; do
		rm -rf "$T/media/$what" "$T/ossh/home/$what" "$T/back"/*
		bi_g=$(best "$(t "$E_GW" -a "$src" "alice@127.0.0.1:pub/media/$what")" "$bi_g")
		bi_o=$(best "$(t "$E_OS" -a "$src" "$ME@127.0.0.1:$T/ossh/home/$what")" "$bi_o")
		bn_g=$(best "$(t "$E_GW" -a "$src" "alice@127.0.0.1:pub/media/$what")" "$bn_g")
		bn_o=$(best "$(t "$E_OS" -a "$src" "$ME@127.0.0.1:$T/ossh/home/$what")" "$bn_o")
		pi_g=$(best "$(t "$E_GW" -a "alice@127.0.0.1:pub/media/$what" "$T/back/g$what")" "$pi_g")
		pi_o=$(best "$(t "$E_OS" -a "$ME@127.0.0.1:$T/ossh/home/$what" "$T/back/o$what")" "$pi_o")
		pn_g=$(best "$(t "$E_GW" -a "alice@127.0.0.1:pub/media/$what" "$T/back/g$what")" "$pn_g")
		pn_o=$(best "$(t "$E_OS" -a "$ME@127.0.0.1:$T/ossh/home/$what" "$T/back/o$what")" "$pn_o")
	done
	row "push initial $label" "$bi_g" "$bi_o"
	row "push no-change $label" "$bn_g" "$bn_o"
	row "pull initial $label" "$pi_g" "$pi_o"
	row "pull no-change $label" "$pn_g" "$pn_o"
done
