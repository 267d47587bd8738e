#!/bin/sh
# Builds sftpgw if needed and runs a demo gateway in the foreground:
# a store in ./demo, host keys, environment "demo" with mount /pub/media
# holding a sample file, your SSH key registered (or a generated one).
# PORT=2222 by default. Stop it with Ctrl-C.
set -e
cd "$(dirname "$0")/.."
top=$(pwd)
PORT=${PORT:-2222}
STATE=$top/demo
sh scripts/deps.sh
if [ ! -x build/sftpgwd ] || [ ! -x build/sftpgw-admin ]; then
	echo "demo: building sftpgw (a minute) ..."
	autoreconf -fi >/dev/null 2>&1
	mkdir -p build
	(cd build && ../configure -q && make -s -j"$(nproc)" >/dev/null)
fi
admin() { build/sftpgw-admin --db "$STATE/sftpgw.db" "$@"; }
mkdir -p "$STATE/media"
admin init >/dev/null
admin env show demo >/dev/null 2>&1 || admin env add demo >/dev/null
[ -f "$STATE/media/hello.txt" ] || echo "Hello from sftpgw's demo mount." >"$STATE/media/hello.txt"
admin mount list demo 2>/dev/null | grep -q /pub/media || admin mount add demo /pub/media "$STATE/media" >/dev/null

key=""
for k in "$HOME/.ssh/id_ed25519.pub" "$HOME/.ssh/id_ecdsa.pub" "$HOME/.ssh/id_rsa.pub"; do
	[ -f "$k" ] && { key=$k; break; }
done
ident=""
if [ -z "$key" ]; then
	[ -f "$STATE/id_demo" ] || ssh-keygen -q -t ed25519 -N '' -C demo@sftpgw -f "$STATE/id_demo"
	key=$STATE/id_demo.pub
	ident="-i $STATE/id_demo "
fi
fp=$(ssh-keygen -lf "$key" | awk '{print $2}')
user=$(admin --json key list | python3 -c "
import json, sys
for k in json.load(sys.stdin):
    if k.get('fingerprint') == '$fp':
        print(k.get('user')); break")
if [ -z "$user" ]; then
	if ! out=$(admin key add demo "$key" 2>&1); then
		out=$(admin key add demo "$key" --user demo)
	fi
	user=$(admin --json key list | python3 -c "
import json, sys
for k in json.load(sys.stdin):
    if k.get('fingerprint') == '$fp':
        print(k.get('user')); break")
fi
opts="-o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=$STATE/known_hosts"
cat <<TXT

sftpgw demo gateway on 127.0.0.1:$PORT — environment "demo", mount /pub/media -> $STATE/media
Your key $fp is registered as user "$user". Try, in another terminal:

  sftp -P $PORT $opts ${ident}$user@127.0.0.1
  scp -P $PORT $opts ${ident}$user@127.0.0.1:pub/media/hello.txt .
  scp -P $PORT $opts ${ident}README.md $user@127.0.0.1:pub/media/
  rsync -av -e 'ssh -p $PORT $opts ${ident}' scripts/ $user@127.0.0.1:pub/media/scripts/
  ssh -p $PORT $opts ${ident}$user@127.0.0.1 sha256sum pub/media/hello.txt
  ssh -p $PORT $opts ${ident}$user@127.0.0.1      # shells need a node: sftpgw-admin node add

Host key fingerprints (publish these):
$(admin hostkeys | sed 's/^/  /')

Stop with Ctrl-C.
TXT
exec build/sftpgwd --db "$STATE/sftpgw.db" --listen "127.0.0.1:$PORT" --workers 2
