#!/bin/sh
# Public-key login against the real daemon with the real OpenSSH client:
# registered / unregistered keys, wrong user, removal without restart,
# host key fingerprints, auth tries, IPv6, signals.
. "$top_srcdir/tests/integration/lib.sh"

gw_setup
gw_start

# A registered key authenticates (the verbose client says so).
out=$(ssh_gw -v pwd 2>&1 || true)
echo "$out" | grep -q "Authenticated to 127.0.0.1" || fail "registered key did not authenticate: $out"
grep -q "accepted publickey for alice" "$GW_LOG" || fail "no acceptance in the log"

# An unregistered key and a wrong user are refused, each within a second
# (timed twice at most, so a load spike from parallel tests is not a failure),
# and look the same to the client.
gw_key mallory
refuse_ms() {
	local start=$(date +%s%N)
	ssh_as "$@" true >"$T/refusal" 2>&1 && fail "$1 with key $2 logged in"
	echo $(( ($(date +%s%N) - start) / 1000000 ))
}
for who in "alice mallory" "bob alice"; do
	ms=$(refuse_ms $who)
	[ "$ms" -lt 1000 ] || ms=$(refuse_ms $who)
	[ "$ms" -lt 1000 ] || fail "refusing $who took ${ms} ms"
done
out1=$(ssh_as alice mallory true 2>&1) && fail "unregistered key logged in"
out2=$(ssh_as bob alice true 2>&1) && fail "wrong user logged in"
echo "$out1" | grep -q "Permission denied (publickey)" || fail "unexpected refusal: $out1"
echo "$out2" | grep -q "Permission denied (publickey)" || fail "unexpected refusal: $out2"
grep -q "refused publickey for alice .* SHA256:.* unknown key" "$GW_LOG" || fail "refusal not logged"
grep -q "refused publickey for bob .* key registered to another user" "$GW_LOG" ||
	fail "wrong-user refusal not logged"

# RSA keys under 2048 bits are refused at the probe, with the reason logged.
ssh-keygen -q -t rsa -b 1024 -N '' -C small@test -f "$T/id_small"
ssh_as alice small true 2>/dev/null && fail "1024-bit RSA key logged in"
grep -q "refused publickey for alice .*2048" "$GW_LOG" || fail "short RSA key not refused at the probe"

# An invalid login name is refused like any other.
ssh_as 'Alice;x' alice true 2>/dev/null && fail "invalid login name accepted"

# Removing the key takes effect on the next connection, without a restart.
fp=$(ssh-keygen -lf "$T/id_alice.pub" | awk '{print $2}')
admin key rm "$fp" >/dev/null
ssh_gw true 2>/dev/null && fail "removed key still logs in"
admin key add demo "$T/id_alice.pub" >/dev/null
out=$(ssh_gw -v pwd 2>&1 || true)
echo "$out" | grep -q "Authenticated to" || fail "re-added key refused"

# Host key fingerprints: sftpgw-admin hostkeys equals what ssh-keyscan sees.
ssh-keyscan -p "$PORT" 127.0.0.1 2>/dev/null | ssh-keygen -lf - | awk '{print $2}' | sort >"$T/scan"
admin hostkeys | awk '{print $2}' | sort >"$T/admin"
[ -s "$T/scan" ] || fail "ssh-keyscan got nothing"
cmp -s "$T/scan" "$T/admin" || fail "hostkeys differ from ssh-keyscan: $(cat "$T/scan" "$T/admin")"

# Auth tries: six wrong keys use up the attempts, the seventh is not tried.
ids=""
for i in 1 2 3 4 5 6; do
	gw_key "bad$i"
	ids="$ids -i $T/id_bad$i"
done
out=$(ssh $SSH_COMMON -p "$PORT" $ids -i "$T/id_alice" alice@127.0.0.1 pwd 2>&1) &&
	fail "login after six failed keys"
grep -q "too many authentication failures" "$GW_LOG" || fail "auth tries not enforced"

# A request the gateway does not serve gets one line and a non-zero status.
out=$(ssh_gw -s nosuchsubsystem 2>&1 </dev/null) && fail "unknown subsystem succeeded"
echo "$out" | grep -q "subsystem nosuchsubsystem is not available" || fail "subsystem message: $out"

# Signals: SIGHUP is logged and harmless, SIGTERM stops with status 0.
kill -HUP "$GW_PID"
sleep 0.2
kill -0 "$GW_PID" || fail "SIGHUP killed the daemon"
kill -TERM "$GW_PID"
wait "$GW_PID" || fail "SIGTERM exit status $?"
GW_PID=
grep -q "stopped" "$GW_LOG" || fail "no orderly stop"

# IPv6 listener.
if ip -6 addr show lo 2>/dev/null | grep -q '::1'; then
	rm -f "$T/ready"
	"$SFTPGWD" --db "$DB" --listen '[::1]:0' --ready-file "$T/ready" --workers 1 >>"$GW_LOG" 2>&1 &
	GW_PID=$!
	for _ in $(seq 1 100); do [ -s "$T/ready" ] && break; sleep 0.05; done
	p6=$(awk 'NR==1 {print $2}' "$T/ready")
	out=$(ssh $SSH_COMMON -p "$p6" -i "$T/id_alice" -v alice@::1 pwd 2>&1 || true)
	echo "$out" | grep -q "Authenticated to" || fail "IPv6 login failed: $out"
fi
pass
