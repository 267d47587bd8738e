#!/bin/sh
# admin_cli.sh — sftpgw-admin without the daemon: init, keys, mounts, output, exit codes.
. "$top_srcdir/tests/integration/lib.sh"

# expect CODE DESCRIPTION COMMAND...: runs COMMAND, checks its exit status, keeps stderr in $T/err.
expect() {
	local want=$1 d=$2 rc=0
	shift 2
	"$@" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" = "$want" ] || fail "$d: exit $rc, wanted $want; stderr: $(cat "$T/err")"
}
# err_has TEXT: the last command's stderr contains TEXT.
err_has() { grep -qF -- "$1" "$T/err" || fail "stderr lacks '$1': $(cat "$T/err")"; }
out_has() { grep -qF -- "$1" "$T/out" || fail "stdout lacks '$1': $(cat "$T/out")"; }
mode_of() { stat -c %a "$1"; }

# --- init: creates, is idempotent, modes ---
expect 1 "command before init" admin env list
err_has "sftpgw-admin"
err_has "init"
expect 0 "init" admin init
S=$T/state
[ "$(mode_of "$S")" = 700 ] || fail "state dir mode $(mode_of "$S")"
for k in hostkeys/ssh_host_ed25519_key hostkeys/ssh_host_ecdsa_key hostkeys/ssh_host_rsa_key client_key; do
	[ -f "$S/$k" ] && [ -f "$S/$k.pub" ] || fail "init did not create $k"
	[ "$(mode_of "$S/$k")" = 600 ] || fail "$k mode $(mode_of "$S/$k")"
done
[ "$(mode_of "$DB")" = 600 ] || fail "store mode $(mode_of "$DB")"
sum1=$(cat "$S"/hostkeys/*.pub "$S"/client_key.pub | sha256sum)
expect 0 "init again" admin init
out_has "kept"
sum2=$(cat "$S"/hostkeys/*.pub "$S"/client_key.pub | sha256sum)
[ "$sum1" = "$sum2" ] || fail "init again changed the keys"
rm "$S/hostkeys/ssh_host_ecdsa_key.pub"
expect 0 "init rebuilds a lost .pub" admin init
[ "$(cat "$S"/hostkeys/*.pub "$S"/client_key.pub | sha256sum)" = "$sum1" ] || fail ".pub rebuilt differently"

# --- hostkeys: exactly what ssh-keygen -lf prints ---
expect 0 "hostkeys" admin hostkeys
for t in ed25519 ecdsa rsa; do ssh-keygen -lf "$S/hostkeys/ssh_host_${t}_key.pub"; done >"$T/want"
cmp -s "$T/out" "$T/want" || fail "hostkeys differs from ssh-keygen -lf: $(cat "$T/out") vs $(cat "$T/want")"
grep -q '^3072 SHA256:.* (RSA)$' "$T/out" || fail "rsa host key is not 3072 bits"
grep -q '^256 SHA256:.* (ECDSA)$' "$T/out" || fail "no P-256 host key"
expect 0 "hostkeys --client" admin hostkeys --client
[ "$(cat "$T/out")" = "$(cat "$S/client_key.pub")" ] || fail "--client differs from client_key.pub"
ssh-keygen -lf "$T/out" >/dev/null || fail "--client output is not a key line"

# --- environments and mounts ---
expect 0 "env add" admin env add demo
expect 1 "env add twice" admin env add demo
err_has "exists already"
expect 1 "bad env name" admin env add Demo
err_has "lower-case"
mkdir -p "$T/media" "$T/docs"
: >"$T/afile"
expect 0 "mount add" admin mount add demo pub//./media/ "$T/media/../media"
out_has "/pub/media -> $T/media "
expect 1 "mount nonexistent dir" admin mount add demo /x "$T/nope"
err_has "No such file or directory"
expect 1 "mount a file" admin mount add demo /x "$T/afile"
err_has "is not a directory"
expect 1 "mount on /" admin mount add demo / "$T/docs"
err_has "not allowed"
expect 1 "mount on /./" admin mount add demo /./ "$T/docs"
expect 1 "nested under" admin mount add demo /pub/media/sub "$T/docs"
err_has "nest"
expect 1 "nested above" admin mount add demo /pub "$T/docs"
err_has "nest"
expect 1 "duplicate" admin mount add demo /pub/media/ "$T/docs"
err_has "already"
expect 1 "dot-dot" admin mount add demo /pub/../etc "$T/docs"
err_has "'..'"
long=/$(printf '%01022d' 0)
expect 0 "virtual path of 1023 bytes" admin mount add demo "$long" "$T/docs"
expect 1 "virtual path of 1024 bytes" admin mount add demo "${long}0" "$T/docs"
err_has "longer than 1023"
expect 0 "rm long mount" admin mount rm demo "$long"
expect 0 "read-only mount" admin mount add demo /docs "$T/docs" --read-only
expect 0 "mount list" admin mount list demo
grep -q "^demo  */docs  *$T/docs  *ro$" "$T/out" || fail "mount list: $(cat "$T/out")"

# --- keys: user from comment, --user, and every refusal ---
gw_key alice
expect 0 "key add" admin key add demo "$T/id_alice.pub"
fp=$(ssh-keygen -lf "$T/id_alice.pub" | awk '{print $2}')
out_has "registered key $fp for user alice (environment demo)"
gw_key app 'acme-staging--app@laptop'
expect 0 "key add, name before last @" admin key add demo "$T/id_app.pub"
out_has "for user acme-staging--app "
expect 0 "same key again, same user" admin key add demo "$T/id_alice.pub"
out_has "already registered for user alice"
expect 1 "same key for another user" admin key add demo "$T/id_alice.pub" --user bob
err_has "already registered to user 'alice'"
ssh-keygen -q -t ed25519 -N '' -C '' -f "$T/id_nc" >/dev/null
expect 1 "no comment, no --user" admin key add demo "$T/id_nc.pub"
err_has "pass --user NAME"
expect 0 "no comment, --user" admin key add demo "$T/id_nc.pub" --user carol
out_has "for user carol"
gw_key bad 'Bad+Name@host'
expect 1 "bad name from comment" admin key add demo "$T/id_bad.pub"
err_has "cannot contain '+'"
err_has "--user"
expect 1 "bad --user" admin key add demo "$T/id_bad.pub" --user 'x:y'
err_has "invalid user name"
expect 1 "private key" admin key add demo "$T/id_bad"
err_has "PRIVATE key; pass the .pub file"
echo "no-pty,command=\"ls\" $(cat "$T/id_bad.pub")" >"$T/ak"
expect 1 "authorized_keys options" admin key add demo "$T/ak" --user dave
err_has "option 'no-pty'"
ssh-keygen -e -f "$T/id_bad.pub" >"$T/rfc.pub"
expect 0 "RFC 4716 key" admin key add demo "$T/rfc.pub" --user dave
out_has "$(ssh-keygen -lf "$T/id_bad.pub" | awk '{print $2}')"
if ssh-keygen -q -t rsa -b 1024 -N '' -C weak@x -f "$T/id_weak" >/dev/null 2>&1; then
	expect 1 "rsa 1024" admin key add demo "$T/id_weak.pub"
	err_has "RSA key has 1024 bits; sftpgw needs at least 2048"
fi
gw_key stdin
expect 0 "key from stdin" sh -c '"$0" --db "$1" key add demo - <"$2"' "$ADMIN" "$DB" "$T/id_stdin.pub"
out_has "for user stdin"
expect 1 "missing key file" admin key add demo "$T/nothere.pub"
expect 1 "unknown env" admin key add nope "$T/id_app.pub"
err_has "no environment 'nope'"

# --- lists, --json, grants, removal ---
for cmd in "env list" "env show demo" "key list" "user list" "mount list" "hostkeys"; do
	# shellcheck disable=SC2086
	expect 0 "$cmd --json" admin $cmd --json
	python3 -m json.tool <"$T/out" >/dev/null || fail "$cmd --json is not JSON: $(cat "$T/out")"
done
expect 0 "user list" admin --json user list
python3 -c 'import json,sys; u={x["name"]:x for x in json.load(sys.stdin)}; assert u["alice"]["envs"]==["demo"] and u["alice"]["keys"]==1, u' <"$T/out" \
	|| fail "user list --json content"
expect 0 "env add second" admin env add other
expect 0 "grant" admin user grant alice other
expect 0 "env show" admin --json env show other
python3 -c 'import json,sys; assert json.load(sys.stdin)["users"]==["alice"]' <"$T/out" || fail "grant not shown"
expect 0 "revoke" admin user revoke alice other
expect 1 "revoke again" admin user revoke alice other
expect 0 "env stop" admin env stop other
expect 0 "env list" admin env list
grep -q '^other  *stopped' "$T/out" || fail "env stop not listed: $(cat "$T/out")"
expect 0 "key rm" admin key rm "$fp"
expect 1 "key rm again" admin key rm "$fp"
expect 0 "user add" admin user add erin
expect 1 "user add twice" admin user add erin
err_has "exists already"
expect 1 "user add bad name" admin user add 'e@x'
expect 0 "user rm" admin user rm carol
expect 1 "user rm again" admin user rm carol
expect 0 "mount rm" admin mount rm demo /docs/
expect 1 "mount rm again" admin mount rm demo /docs
expect 0 "env rm" admin env rm other

# --- --config: its db and state_dir ---
printf 'db = %s\nstate_dir = %s\n' "$T/c/store.db" "$T/c/keys" >"$T/gw.conf"
expect 0 "init via --config" "$ADMIN" --config "$T/gw.conf" init
[ -f "$T/c/store.db" ] && [ -f "$T/c/keys/hostkeys/ssh_host_ed25519_key" ] && [ -f "$T/c/keys/client_key" ] \
	|| fail "--config db/state_dir not used"
expect 0 "--db= form" "$ADMIN" --db="$T/c/store.db" env add viaconf
expect 0 "env list via --config" "$ADMIN" --config "$T/gw.conf" env list
out_has "viaconf"
echo 'bogus = 1' >"$T/bad.conf"
expect 1 "bad config" "$ADMIN" --config "$T/bad.conf" env list
err_has "bogus"

# --- usage errors exit 2, --help exits 0 ---
expect 2 "no command" admin
expect 2 "unknown command" admin frobnicate
expect 2 "group without verb" admin key
expect 2 "missing operand" admin env add
expect 2 "extra operand" admin env list extra
expect 2 "unknown option" admin env list --bogus
expect 2 "unknown global option" "$ADMIN" --bogus env list
expect 0 "--help" admin --help
expect 0 "command --help" admin mount add --help
out_has "VIRTUAL_PATH"
expect 0 "--version" "$ADMIN" --version
pass
