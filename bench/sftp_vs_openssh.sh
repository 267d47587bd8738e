#!/bin/sh
# sftp get/put throughput: sftpgw against a private OpenSSH sshd (its own
# sftp-server) on the same machine, same client, same cipher, one run.
#   top_builddir=build top_srcdir=. sh bench/sftp_vs_openssh.sh [MiB] [small files]
# Prints seconds and MB/s per case and the sftpgw/OpenSSH ratio (higher is
# better for sftpgw), then one session's peak RSS under a pipelining client.
. "$top_srcdir/tests/integration/lib.sh"
MB=${1:-1024}
NSMALL=${2:-5000}
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$SSHD" ] || skip "no sshd"
SFTP_SERVER=/usr/lib/openssh/sftp-server
[ -x "$SFTP_SERVER" ] || SFTP_SERVER=/usr/libexec/openssh/sftp-server

gw_setup
gw_start
mkdir -p "$T/data/small" "$T/ossh" "$T/back"
head -c $((MB * 1024 * 1024)) /dev/urandom >"$T/data/big"
i=0
while [ $i -lt "$NSMALL" ]; do
	head -c 4096 /dev/urandom >"$T/data/small/f$i"
	i=$((i + 1))
done

# The private OpenSSH server: this user, the same key, its own port.
ssh-keygen -q -t ed25519 -N '' -f "$T/ossh/hostkey"
cp "$T/id_alice.pub" "$T/ossh/authorized_keys"
chmod 600 "$T/ossh/authorized_keys"
OPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$T/ossh/sshd_config" <<EOF
Port $OPORT
ListenAddress 127.0.0.1
HostKey $T/ossh/hostkey
AuthorizedKeysFile $T/ossh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $T/ossh/pid
Subsystem sftp $SFTP_SERVER
EOF
mkdir -p /run/sshd 2>/dev/null || true
"$SSHD" -f "$T/ossh/sshd_config" -E "$T/ossh/log" || skip "sshd did not start: $(cat "$T/ossh/log")"
trap 'kill $(cat "$T/ossh/pid") 2>/dev/null; gw_cleanup' EXIT
ME=$(id -un)

# run NAME PORT USER REMOTE_DIR BATCH: seconds of one sftp -b run
run() {
	local t0 t1
	t0=$(date +%s.%N)
	sftp $SSH_COMMON -P "$2" -i "$T/id_alice" -b "$5" "$3@127.0.0.1" >"$T/out.$1" 2>&1 || fail "$1: $(tail -3 "$T/out.$1")"
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc
}
cases() {   # prints: case batch-file
	printf 'put %s %s/big\n' "$T/data/big" "$1" >"$T/b.put.$2"
	printf 'get %s/big %s/big.%s\n' "$1" "$T/back" "$2" >"$T/b.get.$2"
	printf 'put -r %s %s/small\n' "$T/data/small" "$1" >"$T/b.sput.$2"
	printf 'get -r %s/small %s/small.%s\n' "$1" "$T/back" "$2" >"$T/b.sget.$2"
}
cases /pub/media gw
cases "$T/ossh" os
printf '%-22s %10s %10s %10s %10s %7s\n' case "gw s" "gw MB/s" "ossh s" "ossh MB/s" ratio
for c in put get sput sget; do
	best_g=999999 best_o=999999
	for rep in 1 2; do
		rm -rf "$T/media/small" "$T/ossh/small" "$T/back"/*
		[ $c = get ] || [ $c = sget ] || rm -f "$T/media/big" "$T/ossh/big"
		[ $c = sget ] && { cp -r "$T/data/small" "$T/media/small"; cp -r "$T/data/small" "$T/ossh/small"; }
		[ $c = get ] && [ ! -f "$T/media/big" ] && { cp "$T/data/big" "$T/media/big"; cp "$T/data/big" "$T/ossh/big"; }
		g=$(run gw "$PORT" alice /pub/media "$T/b.$c.gw")
		o=$(run os "$OPORT" "$ME" "$T/ossh" "$T/b.$c.os")
		best_g=$(echo "if ($g < $best_g) $g else $best_g" | bc)
		best_o=$(echo "if ($o < $best_o) $o else $best_o" | bc)
	done
	case $c in put|get) bytes=$((MB * 1024 * 1024)); label="$c ${MB} MiB";;
	*) bytes=$((NSMALL * 4096)); label="$c $NSMALL x 4 KiB";; esac
	printf '%-22s %10.2f %10.1f %10.2f %10.1f %7.2f\n' "$label" "$best_g" \
		"$(echo "$bytes / $best_g / 1000000" | bc -l)" "$best_o" \
		"$(echo "$bytes / $best_o / 1000000" | bc -l)" "$(echo "$best_o / $best_g" | bc -l)"
done
cmp "$T/data/big" "$T/back/big.gw" || fail "sftpgw download differs"

head -c $((1024 * 1024)) /dev/urandom >"$T/media/blob"
PYTHONPATH=$top_srcdir/tests/integration python3 "$top_srcdir/tests/integration/sftp_hostile.py" \
	"$GW_PID" 1000000000 -- ssh $SSH_COMMON -p "$PORT" -i "$T/id_alice" -s alice@127.0.0.1 sftp \
	| sed 's/^/pipelining client: /'
echo "sftpgwd RSS after: $(awk '/VmRSS/ {print $2, $3}' /proc/$GW_PID/status)"
pass
