#!/bin/sh
# cert_login.sh — OpenSSH user certificates against the REAL sftpgwd with the
# real ssh, sftp and scp: ssh-keygen -s certificates from Ed25519, ECDSA and RSA
# CAs log in; every refusal is logged with its reason; permit-pty,
# force-command and cert_disconnect_expired act on the session.
. "$top_srcdir/tests/integration/lib.sh"

gw_setup
echo "hello cert" >"$T/media/hello.txt"
gw_key bob                       # the certified key: NOT registered as a key
admin key list 2>/dev/null | grep -q "$(ssh-keygen -lf "$T/id_bob.pub" | awk '{print $2}')" &&
	fail "bob's key is registered: the test would prove nothing"

for t in ed25519 ecdsa rsa; do
	ssh-keygen -q -t "$t" -N '' -C "ca-$t" -f "$T/ca_$t"
	admin ca add "ca-$t" "$T/ca_$t.pub" >/dev/null || fail "ca add $t"
done
ssh-keygen -q -t ed25519 -N '' -C untrusted -f "$T/ca_untrusted"

cat >"$T/gw.conf" <<CFG
cert_disconnect_expired = yes
CFG
gw_start --config "$T/gw.conf"

# mkcert NAME CA SSH-KEYGEN-ARGS...: a certificate for bob's key as $T/id_NAME(-cert.pub)
serial=100
mkcert() {
	local name=$1 ca=$2
	shift 2
	serial=$((serial + 1))
	cp "$T/id_bob" "$T/id_$name"
	cp "$T/id_bob.pub" "$T/id_$name.pub"
	ssh-keygen -q -s "$T/$ca" -z "$serial" "$@" "$T/id_$name.pub" 2>/dev/null ||
		fail "ssh-keygen -s for $name"
}
cert_ssh() { local k=$1; shift; ssh $SSH_COMMON -p "$PORT" -i "$T/id_$k" \
	-o CertificateFile="$T/id_$k-cert.pub" alice@127.0.0.1 "$@"; }
cert_sftp() { local k=$1; shift; sftp $SSH_COMMON -P "$PORT" -i "$T/id_$k" \
	-o CertificateFile="$T/id_$k-cert.pub" -b - "$@" alice@127.0.0.1; }
cert_scp() { local k=$1; shift; scp $SSH_COMMON -P "$PORT" -i "$T/id_$k" \
	-o CertificateFile="$T/id_$k-cert.pub" "$@"; }

# refused NAME REASON: the login fails and the daemon logged REASON once more
refused() {
	local name=$1 reason=$2 before after
	before=$(grep -c "$reason" "$GW_LOG" || true)
	cert_ssh "$name" sha256sum /pub/media/hello.txt >/dev/null 2>&1 &&
		fail "$name: certificate accepted, expected refusal ($reason)"
	sleep 0.2
	after=$(grep -c "$reason" "$GW_LOG" || true)
	[ "$after" -gt "$before" ] || fail "$name: refusal not logged with reason '$reason'"
}

# --- accepted: three CA types, with ssh (exec), sftp and scp
for t in ed25519 ecdsa rsa; do
	mkcert "ok_$t" "ca_$t" -I "ok-$t" -n alice -V -5m:+1h
	out=$(cert_ssh "ok_$t" sha256sum /pub/media/hello.txt) || fail "ssh with $t-CA certificate"
	echo "$out" | grep -q hello.txt || fail "exec output ($t): $out"
	printf 'get /pub/media/hello.txt %s\n' "$T/got_$t" | cert_sftp "ok_$t" >/dev/null ||
		fail "sftp with $t-CA certificate"
	cmp -s "$T/got_$t" "$T/media/hello.txt" || fail "sftp content ($t)"
	cert_scp "ok_$t" "$T/media/hello.txt" "alice@127.0.0.1:/pub/media/scp_$t.txt" ||
		fail "scp with $t-CA certificate"
	cmp -s "$T/media/scp_$t.txt" "$T/media/hello.txt" || fail "scp content ($t)"
done
grep -q "ok-ed25519" "$GW_LOG" || fail "acceptance not logged with the key id"
mkcert env_ok ca_ed25519 -I env-ok -n alice+demo -V -5m:+1h
ssh $SSH_COMMON -p "$PORT" -i "$T/id_env_ok" alice+demo@127.0.0.1 sha256sum /pub/media/hello.txt \
	>/dev/null || fail "principal alice+demo, login alice+demo"

# --- refused, each with its reason
mkcert expired ca_ed25519 -I expired -n alice -V -2h:-1h
refused expired "expired"
mkcert future ca_ed25519 -I future -n alice -V +1h:+2h
refused future "not yet valid"
mkcert wrongp ca_ed25519 -I wrongp -n mallory -V -5m:+1h
refused wrongp "principal"
mkcert noprinc ca_ed25519 -I noprinc -V -5m:+1h
refused noprinc "principal"
mkcert unkcrit ca_ed25519 -I unkcrit -n alice -V -5m:+1h -O critical:no-such-option@example.com=1
refused unkcrit "critical option"
mkcert srcaddr ca_ed25519 -I srcaddr -n alice -V -5m:+1h -O source-address=10.0.0.0/8
refused srcaddr "source address"
mkcert srcok ca_ed25519 -I srcok -n alice -V -5m:+1h -O source-address=10.0.0.0/8,127.0.0.0/8
cert_ssh srcok sha256sum /pub/media/hello.txt >/dev/null || fail "matching source-address refused"
mkcert untrusted ca_untrusted -I untrusted -n alice -V -5m:+1h
refused untrusted "unknown CA"
mkcert sha1 ca_rsa -t ssh-rsa -I sha1 -n alice -V -5m:+1h
refused sha1 "bad signature"

# tampered certificates: flip one byte of the signature, one of the key id
tamper() {  # tamper NAME WHERE: WHERE = sig (last bytes) or keyid (the key id's text)
	local name=$1 where=$2
	mkcert "$name" ca_ed25519 -I "tamper-$name-id" -n alice -V -5m:+1h
	python3 - "$T/id_$name-cert.pub" "$where" "tamper-$name-id" <<'PY'
import base64, sys
path, where, kid = sys.argv[1], sys.argv[2], sys.argv[3].encode()
t, b, *rest = open(path).read().split()
blob = bytearray(base64.b64decode(b))
i = len(blob) - 10 if where == "sig" else blob.index(kid) + 2
blob[i] ^= 1
open(path, "w").write(" ".join([t, base64.b64encode(bytes(blob)).decode()] + rest) + "\n")
PY
}
tamper sigflip sig
refused sigflip "bad signature"
tamper kidflip keyid
refused kidflip "bad signature"

# revocations act on the next login, no restart
mkcert rserial ca_ed25519 -I rserial -n alice -V -5m:+1h
cert_ssh rserial sha256sum /pub/media/hello.txt >/dev/null || fail "rserial before revocation"
admin cert revoke --serial "$serial" --ca ca-ed25519 >/dev/null || fail "revoke --serial"
refused rserial "revoked"
mkcert rkid ca_ecdsa -I revoke-me -n alice -V -5m:+1h
admin cert revoke --key-id revoke-me >/dev/null || fail "revoke --key-id"
refused rkid "revoked"
# CA removed: its certificates stop working at once
mkcert carm ca_rsa -I carm -n alice -V -5m:+1h
cert_ssh carm sha256sum /pub/media/hello.txt >/dev/null || fail "carm before ca rm"
admin ca rm ca-rsa >/dev/null || fail "ca rm"
refused carm "unknown CA"

# --- session rights from the certificate
mkcert nopty ca_ed25519 -I nopty -n alice -V -5m:+1h -O clear
cert_ssh nopty sha256sum /pub/media/hello.txt >/dev/null || fail "exec without permit-pty"
err=$(cert_ssh nopty -tt sha256sum /pub/media/hello.txt 2>&1 >/dev/null </dev/null || true)
echo "$err" | grep -qi "pty allocation request failed" || fail "pty granted without permit-pty: $err"
mkcert pty ca_ed25519 -I pty -n alice -V -5m:+1h -O clear -O permit-pty
err=$(cert_ssh pty -tt sha256sum /pub/media/hello.txt 2>&1 >/dev/null </dev/null || true)
echo "$err" | grep -qi "pty allocation request failed" && fail "pty refused with permit-pty"
mkcert fsftp ca_ed25519 -I fsftp -n alice -V -5m:+1h -O force-command=internal-sftp
printf 'ls /pub/media\n' | cert_sftp fsftp >/dev/null || fail "sftp with force-command internal-sftp"
cert_ssh fsftp sha256sum /pub/media/hello.txt >/dev/null 2>&1 &&
	fail "exec allowed with force-command internal-sftp"

# --- a 10-second certificate ends an open sftp session (cert_disconnect_expired)
mkcert short ca_ed25519 -I short -n alice -V -1m:+10s
start=$(date +%s)
( echo "ls /pub/media"; sleep 30; echo "ls /pub/media" ) | cert_sftp short >/dev/null 2>&1 &
SFTP_PID=$!
ended=
for _ in $(seq 1 100); do
	kill -0 "$SFTP_PID" 2>/dev/null || { ended=1; break; }
	sleep 0.25
done
[ -n "$ended" ] || { kill "$SFTP_PID" 2>/dev/null; fail "sftp session outlived its certificate"; }
el=$(( $(date +%s) - start ))
[ "$el" -le 20 ] || fail "session ended only after ${el}s"
pass
