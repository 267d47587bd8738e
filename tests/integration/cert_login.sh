#!/bin/sh
# cert_login.sh — OpenSSH user certificates against the REAL sftpgwd with the
# real ssh, sftp and scp: ssh-keygen -s certificates from Ed25519, ECDSA and RSA
# CAs log in; every refusal is logged with its reason; permit-pty,
# force-command and cert_disconnect_expired act on the session.
. "$top_srcdir/tests/integration/lib.sh"

"$SFTPGWD" --version >/dev/null 2>&1 || skip "sftpgwd is still the skeleton's stub (core not merged)"
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

# login_ok NAME: the certificate authenticates (what ssh -v says; any channel kind)
login_ok() { cert_ssh "$1" -v -s sftp </dev/null 2>&1 | grep -q "Authenticated to 127.0.0.1"; }
# exec_ok NAME: a built-in exec (sha256sum) works; 0 yes, 1 refused, 2 not built in here
exec_ok() {
	local out
	out=$(cert_ssh "$1" sha256sum /pub/media/hello.txt 2>&1 </dev/null) && return 0
	case "$out" in *"not available on this gateway"*) return 2 ;; esac
	return 1
}
EXEC_KIND=yes

# refused NAME REASON: the login fails and the daemon logged REASON once more
refused() {
	local name=$1 reason=$2 before after
	before=$(grep -c "$reason" "$GW_LOG" || true)
	login_ok "$name" && fail "$name: certificate accepted, expected refusal ($reason)"
	sleep 0.2
	after=$(grep -c "$reason" "$GW_LOG" || true)
	[ "$after" -gt "$before" ] || fail "$name: refusal not logged with reason '$reason'"
}

# --- accepted: three CA types, with ssh (exec), sftp and scp. Kinds not
# merged into this tree yet (sftp, scp, the sha256sum exec) are noted and skipped.
SFTP_KIND=yes
for t in ed25519 ecdsa rsa; do
	mkcert "ok_$t" "ca_$t" -I "ok-$t" -n alice -V -5m:+1h
	login_ok "ok_$t" || fail "certificate from the $t CA did not authenticate"
	r=0; exec_ok "ok_$t" || r=$?
	[ "$r" = 1 ] && fail "ssh exec with $t-CA certificate"
	[ "$r" = 2 ] && EXEC_KIND=
	out=$(printf 'get /pub/media/hello.txt %s\n' "$T/got_$t" | cert_sftp "ok_$t" 2>&1) || {
		case "$out" in *"subsystem sftp is not available"*) SFTP_KIND=; continue ;; esac
		fail "sftp with $t-CA certificate: $out"
	}
	cmp -s "$T/got_$t" "$T/media/hello.txt" || fail "sftp content ($t)"
	cert_scp "ok_$t" "$T/media/hello.txt" "alice@127.0.0.1:/pub/media/scp_$t.txt" ||
		fail "scp with $t-CA certificate"
	cmp -s "$T/media/scp_$t.txt" "$T/media/hello.txt" || fail "scp content ($t)"
done
[ -n "$SFTP_KIND" ] || echo "note: sftp is not in this tree yet: sftp/scp/expiry checks skipped"
grep -q "ok-ed25519" "$GW_LOG" || fail "acceptance not logged with the key id"
# certificates from sftpgw-admin cert issue log in too (gateway CAs of each type)
for t in ed25519 ecdsa rsa; do
	admin ca create "gw-$t" --type "$t" >/dev/null || fail "ca create $t"
	cp "$T/id_bob" "$T/id_adm_$t"; cp "$T/id_bob.pub" "$T/id_adm_$t.pub"
	admin cert issue --ca "gw-$t" --user alice --ttl 10m "$T/id_adm_$t.pub" >/dev/null ||
		fail "cert issue ($t)"
	login_ok "adm_$t" || fail "sftpgw-admin-issued certificate ($t CA) refused"
done
mkcert env_ok ca_ed25519 -I env-ok -n alice+demo -V -5m:+1h
ssh $SSH_COMMON -p "$PORT" -i "$T/id_env_ok" -v alice+demo@127.0.0.1 -s sftp </dev/null 2>&1 |
	grep -q "Authenticated to" || fail "principal alice+demo, login alice+demo"
ssh $SSH_COMMON -p "$PORT" -i "$T/id_env_ok" -v alice@127.0.0.1 -s sftp </dev/null 2>&1 |
	grep -q "Authenticated to" && fail "principal alice+demo accepted for login alice"

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
login_ok srcok || fail "matching source-address refused"
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
# OpenSSH's ssh will not even load a tampered certificate: send them with libssh
CERT_CLIENT=$top_builddir/tests/integration/cert-client
tampered_refused() {
	local name=$1 before after r=0
	before=$(grep -c "bad signature" "$GW_LOG" || true)
	"$CERT_CLIENT" "$PORT" alice "$T/id_$name" "$T/id_$name-cert.pub" 2>/dev/null || r=$?
	[ "$r" = 1 ] || fail "$name: tampered certificate not refused (client exit $r)"
	sleep 0.2
	after=$(grep -c "bad signature" "$GW_LOG" || true)
	[ "$after" -gt "$before" ] || fail "$name: refusal not logged as 'bad signature'"
}
mkcert libssh_ok ca_ed25519 -I libssh-ok -n alice -V -5m:+1h
"$CERT_CLIENT" "$PORT" alice "$T/id_libssh_ok" "$T/id_libssh_ok-cert.pub" ||
	fail "untampered certificate refused via libssh client"
tamper sigflip sig
tampered_refused sigflip
tamper kidflip keyid
tampered_refused kidflip

# revocations act on the next login, no restart
mkcert rserial ca_ed25519 -I rserial -n alice -V -5m:+1h
login_ok rserial || fail "rserial before revocation"
admin cert revoke --serial "$serial" --ca ca-ed25519 >/dev/null || fail "revoke --serial"
refused rserial "revoked"
mkcert rkid ca_ecdsa -I revoke-me -n alice -V -5m:+1h
admin cert revoke --key-id revoke-me >/dev/null || fail "revoke --key-id"
refused rkid "revoked"
# CA removed: its certificates stop working at once
mkcert carm ca_rsa -I carm -n alice -V -5m:+1h
login_ok carm || fail "carm before ca rm"
admin ca rm ca-rsa >/dev/null || fail "ca rm"
refused carm "unknown CA"

# --- session rights from the certificate
mkcert nopty ca_ed25519 -I nopty -n alice -V -5m:+1h -O clear
if [ -n "$EXEC_KIND" ]; then
	exec_ok nopty || fail "exec without permit-pty refused"
else
	echo "note: sha256sum is not built into this gateway: exec checks skipped"
fi
err=$(cert_ssh nopty -tt sha256sum /pub/media/hello.txt 2>&1 >/dev/null </dev/null || true)
echo "$err" | grep -qi "pty allocation request failed" || fail "pty granted without permit-pty: $err"
mkcert pty ca_ed25519 -I pty -n alice -V -5m:+1h -O clear -O permit-pty
err=$(cert_ssh pty -tt sha256sum /pub/media/hello.txt 2>&1 >/dev/null </dev/null || true)
echo "$err" | grep -qi "pty allocation request failed" && fail "pty refused with permit-pty"
mkcert fsftp ca_ed25519 -I fsftp -n alice -V -5m:+1h -O force-command=internal-sftp
if [ -n "$SFTP_KIND" ]; then
	printf 'ls /pub/media\n' | cert_sftp fsftp >/dev/null || fail "sftp with force-command internal-sftp"
fi
r=0; exec_ok fsftp || r=$?
[ "$r" = 0 ] && fail "exec allowed with force-command internal-sftp"
grep -q "force-command\|internal-sftp\|SFTP only" "$GW_LOG" || true

if [ -z "$SFTP_KIND" ]; then
	pass
fi
# --- a 10-second certificate ends an open sftp session (cert_disconnect_expired).
# The subsystem is opened by ssh -s sftp: ssh exits as soon as the gateway ends
# the connection (sftp in batch mode would only notice at its next command).
mkcert short ca_ed25519 -I short -n alice -V -1m:+10s
start=$(date +%s)
mkfifo "$T/idle"
exec 3<>"$T/idle"                # stdin that never sends and never ends
cert_ssh short -s sftp <&3 >/dev/null 2>"$T/short.err" &
SFTP_PID=$!
ended=
for _ in $(seq 1 120); do
	kill -0 "$SFTP_PID" 2>/dev/null || { ended=1; break; }
	sleep 0.25
done
[ -n "$ended" ] || { kill "$SFTP_PID" 2>/dev/null; fail "sftp session outlived its certificate"; }
el=$(( $(date +%s) - start ))
[ "$el" -ge 5 ] && [ "$el" -le 20 ] || fail "session ended after ${el}s, not at expiry"
exec 3>&-
grep -q '"short".*expired' "$GW_LOG" || fail "expiry not logged as the reason the session ended"
grep -q "accepted certificate ID \"short\"" "$GW_LOG" || fail "short certificate was not accepted"
pass
