#!/bin/sh
# Injection attempts against the built-in commands: shell syntax, command
# substitution, paths that climb out, options that read files. Nothing may be
# created, nothing outside the mounts read, and each attempt fails clearly.
. "$top_srcdir/tests/integration/lib.sh"

gw_setup
M=$T/media
echo data >"$M/a"
ln -s /etc/passwd "$M/pw"
mkdir -p "$T/outside"
echo 'top secret' >"$T/outside/secret"
ln -s ../outside/secret "$M/up"
gw_start
P=$T/pwned

# try DESCRIPTION COMMAND-LINE: must fail, create nothing, leak nothing
try() {
	set +e
	ssh_gw "$2" </dev/null >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	[ "$rc" != 0 ] || fail "$1: exit status 0"
	[ -s "$T/err" ] || fail "$1: no message on stderr"
	[ -e "$P" ] && fail "$1: created $P"
	grep -q 'root:' "$T/out" "$T/err" && fail "$1: /etc/passwd was read"
	grep -q 'top secret' "$T/out" "$T/err" && fail "$1: outside file was read"
	grep -q "$M\\|$T/outside" "$T/err" && fail "$1: backing path in the message: $(cat "$T/err")"
	return 0
}

try "semicolon" "sha256sum pub/media/a; touch $P"
try "and-and" "sha256sum pub/media/a && touch $P"
try "pipe" "sha256sum pub/media/a | tee $P"
try "redirection" "tar -c pub/media > $P"
try "command substitution" "sha256sum \$(touch $P)"
try "backticks" "sha256sum \`touch $P\`"
try "climbing" "sha256sum ../../etc/passwd"
grep -q '^sha256sum: ../../etc/passwd: No such file or directory' "$T/err" || fail "climb msg: $(cat "$T/err")"
try "absolute" "md5sum /etc/passwd"
try "symlink out of the mount" "sha1sum pub/media/pw"
try "symlink to a sibling dir" "sha512sum pub/media/up"
try "files0-from" "sha256sum --files0-from=/etc/passwd"
grep -q "^sha256sum: unrecognized option '--files0-from=/etc/passwd'" "$T/err" || fail "files0 msg: $(cat "$T/err")"
try "check mode" "sha256sum -c /etc/passwd"
try "tar of /etc" "tar -c -f - /etc/passwd"
try "tar to a file" "tar -c -f $P pub/media"
try "tar to-command" "tar -x --to-command=sh"
try "tar -C outside" "tar -c -C ../../../etc passwd"
set +e
printf '\0' | ssh_gw scp -f ../../etc/passwd >"$T/out" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || fail "scp -f outside: exit $rc"
grep -q 'scp: ../../etc/passwd: No such file or directory' "$T/out" || fail "scp outside: $(cat "$T/out")"
grep -q 'root:' "$T/out" && fail "scp -f read /etc/passwd"
try "scp option" "scp -S /bin/sh -f pub/media/a"
try "not built in" "touch $P"
grep -q 'not available on this gateway' "$T/err" || fail "non-built-in msg: $(cat "$T/err")"

# scp source of a symlink leading out: an error record, no content
printf '\0\0\0\0' | ssh_gw scp -f pub/media/pw pub/media/up >"$T/out" 2>/dev/null || true
grep -q 'root:\|top secret' "$T/out" && fail "scp -f followed a link out"
grep -q 'pub/media/pw' "$T/out" || fail "scp -f: no error record: $(od -c "$T/out" | head)"

# tar -c stores links as links, never their outside targets
ssh_gw tar -c -C pub/media . | tar -t -v >"$T/list"
grep -q 'pw -> /etc/passwd' "$T/list" || fail "link not stored as a link: $(cat "$T/list")"
ssh_gw tar -c -C pub/media . | grep -q 'root:\|top secret' && fail "tar read outside"
[ "$(cat "$T/outside/secret")" = "top secret" ] || fail "outside changed"
pass
