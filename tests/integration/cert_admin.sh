#!/bin/sh
# cert_admin.sh — sftpgw-admin ca/cert without sftpgwd: certificates it issues
# pass `ssh-keygen -L`, log in to a REAL OpenSSH sshd that trusts the CA
# (`ca show` line in TrustedUserCAKeys), `ca list` fingerprints equal
# `ssh-keygen -lf`, and revocations are recorded and listed.
. "$top_srcdir/tests/integration/lib.sh"

gw_setup
gw_key bob

# --- CAs: one of each type; fingerprints as ssh-keygen -lf prints them
for t in ed25519 ecdsa rsa; do
	admin ca create "gw-$t" --type "$t" >"$T/ca-$t.out" || fail "ca create --type $t"
	[ "$(stat -c %a "$T/state/ca/gw-$t.pem")" = 600 ] || fail "CA key of $t is not 0600"
	grep -q "PRIVATE KEY" "$T/ca-$t.out" && fail "ca create printed the private key"
	admin --json ca show "gw-$t" >"$T/show-$t.json" || fail "ca show --json"
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["public_key"])' \
		"$T/show-$t.json" >"$T/ca-$t.pub" || fail "ca show has no public_key"
	want=$(ssh-keygen -lf "$T/ca-$t.pub" | awk '{print $2}')
	admin ca list | grep -q "gw-$t .*$want" || fail "ca list fingerprint of gw-$t != $want"
	admin ca show "gw-$t" | grep -q "$want" || fail "ca show fingerprint of gw-$t"
done
admin ca create gw-ed25519 >/dev/null 2>&1 && fail "second CA with the same name accepted"
admin ca create 'Bad Name' >/dev/null 2>&1 && fail "bad CA name accepted"

# --- issue with each CA; check what ssh-keygen -L sees
for t in ed25519 ecdsa rsa; do
	before=$(date +%s)
	admin cert issue --ca "gw-$t" --user alice --ttl 6h --id "alice-$t" "$T/id_bob.pub" \
		>"$T/issue-$t.out" || fail "cert issue with $t CA"
	[ -s "$T/id_bob-cert.pub" ] || fail "no id_bob-cert.pub written beside the key"
	ssh-keygen -L -f "$T/id_bob-cert.pub" >"$T/L-$t" || fail "ssh-keygen -L refused the $t certificate"
	cafp=$(ssh-keygen -lf "$T/ca-$t.pub" | awk '{print $2}')
	keyfp=$(ssh-keygen -lf "$T/id_bob.pub" | awk '{print $2}')
	grep -q "Type: ssh-ed25519-cert-v01@openssh.com user certificate" "$T/L-$t" || fail "type ($t)"
	grep -q "Public key: ED25519-CERT $keyfp" "$T/L-$t" || fail "public key ($t)"
	grep -q "Signing CA: .* $cafp (using " "$T/L-$t" || fail "signing CA ($t)"
	grep -q "Key ID: \"alice-$t\"" "$T/L-$t" || fail "key id ($t)"
	[ "$(awk '/Principals:/ {getline; print $1}' "$T/L-$t")" = alice ] || fail "principal ($t)"
	awk '/Extensions:/ {f=1; next} f {print $1}' "$T/L-$t" >"$T/ext-$t"
	[ "$(cat "$T/ext-$t")" = permit-pty ] || fail "default extensions ($t): $(cat "$T/ext-$t")"
	grep -q "Critical Options: (none)" "$T/L-$t" || fail "critical options ($t)"
	# validity: from = start of the previous minute, to = now + 6h
	from=$(awk '/Valid:/ {print $3}' "$T/L-$t"); to=$(awk '/Valid:/ {print $5}' "$T/L-$t")
	from_s=$(date -d "$from" +%s); to_s=$(date -d "$to" +%s)
	[ "$from_s" -le "$before" ] && [ $((before - from_s)) -le 120 ] || fail "valid_after $from ($t)"
	[ $((to_s - before)) -ge 21600 ] && [ $((to_s - before)) -le 21610 ] || fail "valid_before $to ($t)"
	[ $((from_s % 60)) = 0 ] || fail "valid_after not on a minute ($t)"
	# sftpgw-admin cert show prints the same fields as ssh-keygen -L
	admin cert show "$T/id_bob-cert.pub" >"$T/S-$t" || fail "cert show ($t)"
	for field in Type 'Public key' 'Signing CA' 'Key ID' Serial Valid; do
		a=$(grep "^ *$field:" "$T/L-$t" || true); b=$(grep "^ *$field:" "$T/S-$t" || true)
		[ "$a" = "$b" ] || fail "cert show $field differs: '$b' vs '$a'"
	done
	grep -q "Signature: good" "$T/S-$t" || fail "cert show signature ($t)"
	cp "$T/id_bob-cert.pub" "$T/bob-$t-cert.pub"
done
admin --json cert show "$T/bob-ed25519-cert.pub" >"$T/show.json" || fail "cert show --json"
python3 - "$T/show.json" <<'PY' || fail "cert show --json fields"
import json, sys
o = json.load(open(sys.argv[1]))
assert o["key_id"] == "alice-ed25519", o
assert o["principals"] == ["alice"], o
assert list(o["extensions"]) == ["permit-pty"], o
assert o["ca"] == "gw-ed25519" and o["signature"] == "good", o
PY
s1=$(awk '/Serial:/ {print $2}' "$T/L-ed25519"); s2=$(awk '/Serial:/ {print $2}' "$T/L-ecdsa")
[ "$s2" -gt "$s1" ] || fail "serials do not increase ($s1, $s2)"

# --- options: env principal, permits, source-address, force-command, -o -
admin cert issue --ca gw-ed25519 --user alice --env demo --ttl 30m \
	--permit pty,port-forwarding,agent-forwarding --source-address 127.0.0.1/32,::1 \
	--force-command internal-sftp -o - "$T/id_bob.pub" >"$T/opt-cert.pub" || fail "issue with options"
ssh-keygen -L -f "$T/opt-cert.pub" >"$T/L-opt" || fail "ssh-keygen -L (options)"
grep -q "alice+demo" "$T/L-opt" || fail "principal alice+demo"
grep -q "force-command internal-sftp" "$T/L-opt" || fail "force-command"
grep -q "source-address 127.0.0.1/32,::1" "$T/L-opt" || fail "source-address"
awk '/Extensions:/ {f=1; next} f {printf "%s ", $1}' "$T/L-opt" >"$T/ext-opt"
[ "$(cat "$T/ext-opt")" = "permit-agent-forwarding permit-port-forwarding permit-pty " ] ||
	fail "extensions: $(cat "$T/ext-opt")"
admin cert issue --ca gw-ed25519 --user alice --ttl 25h -o - "$T/id_bob.pub" >/dev/null 2>&1 &&
	fail "ttl over cert_max_ttl accepted"
admin cert issue --ca gw-ed25519 --user alice --ttl 24h -o - "$T/id_bob.pub" >/dev/null ||
	fail "ttl at cert_max_ttl refused"
admin cert issue --ca gw-ed25519 --user alice --ttl 6x -o - "$T/id_bob.pub" >/dev/null 2>&1 &&
	fail "bad duration accepted"
admin cert issue --ca gw-ed25519 --user nobody --ttl 1h -o - "$T/id_bob.pub" >/dev/null 2>&1 &&
	fail "unknown user accepted"
admin cert issue --ca gw-ed25519 --user alice --env nope --ttl 1h -o - "$T/id_bob.pub" \
	>/dev/null 2>&1 && fail "env not granted accepted"
admin cert issue --ca gw-ed25519 --user alice --ttl 1h --source-address 10.0.0.1/8 -o - \
	"$T/id_bob.pub" >/dev/null 2>&1 && fail "CIDR with host bits accepted"
admin cert issue --ca gw-ed25519 --user alice --ttl 1h --permit pty,bogus -o - "$T/id_bob.pub" \
	>/dev/null 2>&1 && fail "unknown --permit word accepted"

# --- external CA: ssh-keygen's; a certificate is no CA
ssh-keygen -q -t ed25519 -N '' -C ext -f "$T/extca"
admin ca add ext "$T/extca.pub" >/dev/null || fail "ca add"
admin ca add ext2 "$T/bob-ed25519-cert.pub" >/dev/null 2>&1 && fail "a certificate accepted as CA"
admin cert issue --ca ext --user alice --ttl 1h -o - "$T/id_bob.pub" >/dev/null 2>&1 &&
	fail "issued with an external CA (no private key)"
admin ca list | grep -q "ext .*$(ssh-keygen -lf "$T/extca.pub" | awk '{print $2}')" ||
	fail "external CA fingerprint"

# --- a REAL sshd trusts the gateway CA: principal alice maps to root via
# AuthorizedPrincipalsFile (sshd only logs in local accounts)
if [ "$(id -u)" = 0 ] && [ -x /usr/sbin/sshd ]; then
	mkdir -p /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f "$T/sshd_host"
	cat "$T/ca-ed25519.pub" "$T/ca-ecdsa.pub" "$T/ca-rsa.pub" >"$T/trusted_cas"
	echo alice >"$T/principals"
	chmod 644 "$T/principals" "$T/trusted_cas"
	for p in $(shuf -i 20000-60000 -n 20); do
		cat >"$T/sshd_config" <<CFG
Port $p
ListenAddress 127.0.0.1
HostKey $T/sshd_host
PidFile $T/sshd.pid
TrustedUserCAKeys $T/trusted_cas
AuthorizedPrincipalsFile $T/principals
AuthorizedKeysFile none
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
StrictModes no
CFG
		/usr/sbin/sshd -D -e -f "$T/sshd_config" 2>>"$T/sshd.log" &
		SSHD_PID=$!
		sleep 0.5
		kill -0 "$SSHD_PID" 2>/dev/null && break
		SSHD_PID=
	done
	[ -n "$SSHD_PID" ] || fail "could not start sshd: $(tail -n 3 "$T/sshd.log")"
	# stop sshd too on the way out; gw_cleanup reads the exit status from $?
	trap 'r=$?; kill "$SSHD_PID" 2>/dev/null || true; (exit $r) || gw_cleanup; gw_cleanup' EXIT
	for t in ed25519 ecdsa rsa; do
		out=$(ssh $SSH_COMMON -p "$p" -i "$T/id_bob" -o CertificateFile="$T/bob-$t-cert.pub" \
			root@127.0.0.1 echo cert-ok-$t 2>>"$T/ssh.err") ||
			fail "sshd refused the $t-CA certificate: $(tail -n 5 "$T/sshd.log")"
		[ "$out" = "cert-ok-$t" ] || fail "sshd login output: $out"
	done
	# without the certificate the key alone is not enough
	ssh $SSH_COMMON -p "$p" -i "$T/id_bob" -o CertificateFile=/dev/null root@127.0.0.1 true \
		2>/dev/null && fail "sshd accepted the bare key"
	kill "$SSHD_PID" 2>/dev/null; wait "$SSHD_PID" 2>/dev/null || true
else
	echo "note: not root or no sshd: skipping the real-sshd login"
fi

# --- revocations
serial=$(awk '/Serial:/ {print $2}' "$T/L-ed25519")
admin cert revoke --serial "$serial" --ca gw-ed25519 >/dev/null || fail "revoke --serial"
admin cert revoke --key-id alice-rsa >/dev/null || fail "revoke --key-id"
fp=$(ssh-keygen -lf "$T/id_bob.pub" | awk '{print $2}')
admin cert revoke --fingerprint "$fp" >/dev/null || fail "revoke --fingerprint"
admin cert revoke --fingerprint "$fp" >/dev/null || fail "revoking twice failed"
admin cert revoke --serial 1 >/dev/null 2>&1 && fail "revoke --serial without --ca accepted"
admin cert revoke --serial x --ca gw-ed25519 >/dev/null 2>&1 && fail "non-numeric serial accepted"
admin cert revoked >"$T/revoked" || fail "cert revoked"
grep -q "serial .*gw-ed25519 .*$serial" "$T/revoked" || fail "serial revocation not listed"
grep -q "key_id .*alice-rsa" "$T/revoked" || fail "key id revocation not listed"
[ "$(grep -c "fingerprint .*$fp" "$T/revoked")" = 1 ] || fail "fingerprint revocation listed != once"
admin --json cert revoked | python3 -c 'import json,sys; assert len(json.load(sys.stdin)) == 3' ||
	fail "cert revoked --json"

# --- ca rm: key file gone, name reusable
admin ca rm gw-ecdsa >/dev/null || fail "ca rm"
[ -e "$T/state/ca/gw-ecdsa.pem" ] && fail "private key left behind by ca rm"
admin ca list | grep -q gw-ecdsa && fail "removed CA still listed"
admin ca rm gw-ecdsa >/dev/null 2>&1 && fail "removing twice succeeded"
admin ca create gw-ecdsa --type ecdsa >/dev/null || fail "name not reusable after rm"
pass
