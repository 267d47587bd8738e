#!/bin/sh
# Path attacks on the SFTP server: `..` climbs, absolute paths, symlinks out
# of a mount (file and dir, absolute and relative), magic links, a symlink
# swapped in during a transfer, NUL in names, writes into synthesized dirs,
# across two mounts and on a read-only mount. Each must be refused with the
# right status (checked by a raw client, sftp_attack.py) and nothing outside
# the mounts may be read or changed (checked here, on disk).
. "$top_srcdir/tests/integration/lib.sh"
command -v python3 >/dev/null || skip "python3 is not installed"
gw_setup
M=$T/media O=$T/outside
mkdir -p "$O/sub" "$T/other" "$T/ro/dir"
echo "SECRET-$$-outside" >"$O/secret"
echo "SECRET-$$-outside" >"$O/sub/secret"
echo a >"$M/a"
echo original >"$M/swap"
echo ro >"$T/ro/file"
echo c >"$T/other/c"
ln -s "$O/secret" "$M/esc_abs"
ln -s ../outside/secret "$M/esc_rel"
ln -s "$O" "$M/escd_abs"
ln -s ../outside "$M/escd_rel"
ln -s /proc/self/root/etc/passwd "$M/magic"
ln -s ../../../../../../../../proc/self/cwd/outside/secret "$M/magic_rel"
admin mount add demo /pub/other "$T/other" >/dev/null
admin mount add demo /ro "$T/ro" --read-only >/dev/null
gw_start

snapshot() { (cd "$1" && find . -printf '%p %y %s %m %T@\n' | sort && cat "$1/secret") | md5sum; }
before_o=$(snapshot "$O")
before_ro=$(snapshot "$T/ro" 2>/dev/null || true)

PYTHONPATH=$top_srcdir/tests/integration python3 "$top_srcdir/tests/integration/sftp_attack.py" \
	"$M" "$O" -- ssh $SSH_COMMON -p "$PORT" -i "$T/id_alice" -s alice@127.0.0.1 sftp \
	|| fail "sftp_attack.py reported failures"

# The same through the OpenSSH client: every command must fail.
for cmd in "get /pub/media/esc_abs $T/got1" "get /pub/media/escd_rel/secret $T/got2" \
	"get ../../outside/secret $T/got3" "put $T/ro/file /pub/media/escd_abs/new" \
	"put $T/ro/file /new" "mkdir /pub/new" "rename /pub/media/a /pub/other/a" \
	"ln /pub/media/a /pub/other/b" "put $T/ro/file /ro/new" "rm /ro/file" "mkdir /ro/d" \
	"chmod 777 /ro/file" "cd /pub/media/escd_abs" "ls /pub/media/escd_rel/secret" \
	"get /pub/media/magic $T/got4"; do
	if echo "$cmd" | sftp_gw >"$T/out" 2>&1; then
		fail "sftp allowed: $cmd"
	fi
done
[ ! -e "$T/got1" ] && [ ! -e "$T/got2" ] && [ ! -e "$T/got3" ] && [ ! -e "$T/got4" ] \
	|| ! grep -q SECRET "$T"/got* 2>/dev/null || fail "a file outside the mounts was read"

[ "$(snapshot "$O")" = "$before_o" ] || fail "the directory outside the mounts changed"
[ "$(snapshot "$T/ro" 2>/dev/null || true)" = "$before_ro" ] || fail "the read-only mount changed"
[ "$(ls -A "$T/other")" = c ] && [ "$(cat "$T/other/c")" = c ] \
	|| fail "something crossed into the other mount: $(ls -A "$T/other")"
[ "$(cat "$M/a")" = a ] || fail "/pub/media/a changed"
pass
