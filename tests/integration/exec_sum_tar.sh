#!/bin/sh
# Checksums, tar both ways (gzip, xz, zstd), pwd/true/false, and hostile
# archives, with real ssh and GNU tar against the real daemon.
. "$top_srcdir/tests/integration/lib.sh"

gw_setup
mkdir -p "$T/ro" "$T/outside"
echo secret >"$T/outside/secret"
admin mount add demo /pub/ro "$T/ro" --read-only >/dev/null
M=$T/media
printf 'alpha\n' >"$M/a"
head -c 300000 /dev/urandom >"$M/b"
mkdir -p "$M/sub/deeper"
printf 'x' >"$M/sub/deeper/x y"
printf 'back\\slash' >"$M/back\\slash"
ln -s a "$M/link-to-a"
chmod 640 "$M/a"
gw_start

# --- checksums: byte for byte what coreutils prints, paths as given ---
for sum in md5sum sha1sum sha256sum sha512sum; do
	ssh_gw "$sum pub/media/a pub/media/b" >"$T/got" || fail "$sum exit status"
	(cd "$T" && $sum media/a media/b) | sed 's| media/| pub/media/|' >"$T/want"
	cmp "$T/got" "$T/want" || fail "$sum output differs: $(cat "$T/got")"
done
ssh_gw 'sha256sum -b "pub/media/back\\slash" /pub/media/sub/deeper/x\ y' >"$T/got"
(cd "$M/.." && sha256sum -b "media/back\\slash" "media/sub/deeper/x y") |
	sed -e 's|media/back|pub/media/back|' -e 's|\*media/sub|*/pub/media/sub|' >"$T/want"
cmp "$T/got" "$T/want" || fail "escaped names differ: $(cat "$T/got") vs $(cat "$T/want")"
set +e
ssh_gw sha256sum pub/media/a pub/media/nope >"$T/out" 2>"$T/err"
rc=$?
set -e
[ "$rc" = 1 ] || fail "missing file: exit $rc"
grep -q '^sha256sum: pub/media/nope: No such file or directory' "$T/err" || fail "missing: $(cat "$T/err")"
grep -q ' pub/media/a$' "$T/out" || fail "other files still hashed"
grep -q "$T" "$T/err" && fail "backing path leaked"
echo hello | ssh_gw sha256sum >"$T/got"
echo hello | sha256sum | cmp - "$T/got" || fail "stdin hash"

# --- pwd, true, false ---
[ "$(ssh_gw pwd)" = / ] || fail "pwd"
ssh_gw true || fail "true"
if ssh_gw false; then fail "false exited 0"; fi

# --- tar export, each compression, both option styles ---
for z in z J --zstd; do
	rm -rf "$T/out"; mkdir "$T/out"
	case $z in --*) flags="-c $z";; *) flags="-c$z";; esac
	ssh_gw "tar $flags -f - -C pub/media ." >"$T/x.tar" || fail "tar $flags"
	case $z in z) d=-z;; J) d=-J;; *) d=--zstd;; esac
	tar -x $d -f "$T/x.tar" -C "$T/out" || fail "GNU tar cannot read tar $flags"
	diff -r "$M" "$T/out" || fail "export $flags differs"
done
rm -rf "$T/out"; mkdir "$T/out"
ssh_gw 'tar czf - -C pub/media sub a' | tar -xz -C "$T/out" || fail "old-style tar czf"
[ -f "$T/out/sub/deeper/x y" ] && [ -f "$T/out/a" ] || fail "old-style members"
[ "$(stat -c %a "$T/out/a")" = 640 ] || fail "mode not kept"
[ "$(stat -c %Y "$T/out/a")" = "$(stat -c %Y "$M/a")" ] || fail "mtime not kept"

# --- ARCD_MAX_DEPTH (128) levels below an operand are walked; one more is not ---
deep=$(printf 'd/%.0s' $(seq 1 127))
mkdir -p "$T/deepsrc/$deep" "$T/deepsrc2/$deep/d"
echo bottom >"$T/deepsrc/${deep}f"; echo bottom >"$T/deepsrc2/${deep}d/f"
mv "$T/deepsrc" "$M/deep128"; mv "$T/deepsrc2" "$M/deep129"
ssh_gw tar -c -C pub/media deep128 | tar -t | grep -q "^deep128/${deep}f\$" || fail "128 levels"
set +e
ssh_gw tar -c -C pub/media deep129 2>"$T/err" | tar -t >"$T/list"
set -e
grep -q "/f\$" "$T/list" && fail "129 levels walked"
grep -q 'Cannot descend' "$T/err" || fail "129 levels: $(cat "$T/err")"
rm -rf "$M/deep128" "$M/deep129"

# --- tar import (auto-detected compression) ---
mkdir -p "$T/src/imp/d"
head -c 200000 /dev/urandom >"$T/src/imp/d/big"
echo small >"$T/src/imp/s"
touch -d '2001-02-03 04:05:06' "$T/src/imp/d" "$T/src/imp"   # after their contents
for d in "" -z -J --zstd; do
	rm -rf "$M/imp"
	tar -c $d -C "$T/src" imp | ssh_gw tar -x -C pub/media || fail "import $d"
	diff -r "$T/src/imp" "$M/imp" || fail "import $d differs"
	for p in imp imp/d imp/d/big; do
		[ "$(stat -c %Y "$T/src/$p")" = "$(stat -c %Y "$M/$p")" ] ||
			fail "import $d: mtime of $p not kept ($(stat -c %y "$M/$p"))"
	done
done
ls -a "$M/imp" | grep -q '^\.imp\|\.s\.' && fail "temp file left"

# --- --exclude both ways, member selection on extract ---
mkdir -p "$T/src/imp/node_modules/m" && echo x >"$T/src/imp/node_modules/m/i.js"
echo l >"$T/src/imp/d/debug.log"
rm -rf "$M/imp" && tar -c -C "$T/src" imp | ssh_gw tar -x -C pub/media
ssh_gw "tar -c --exclude=node_modules --exclude '*.log' -C pub/media imp" >"$T/ex.tar" ||
	fail "tar -c --exclude"
tar -t -f "$T/ex.tar" | sort >"$T/ex.list"
[ "$(cat "$T/ex.list")" = "$(printf 'imp/\nimp/d/\nimp/d/big\nimp/s')" ] ||
	fail "tar -c --exclude listed: $(cat "$T/ex.list")"
mkdir -p "$M/sel"
tar -c -C "$T/src" imp | ssh_gw "tar -x -C pub/media/sel --exclude=d imp/node_modules imp/s" ||
	fail "tar -x MEMBER..."
[ "$(cd "$M/sel" && find . -type f | sort)" = "$(printf './imp/node_modules/m/i.js\n./imp/s')" ] ||
	fail "tar -x selected: $(cd "$M/sel" && find . | sort)"
set +e
tar -c -C "$T/src" imp | ssh_gw "tar -t imp/s imp/nothere" >"$T/sel.out" 2>"$T/err"
rc=$?
set -e
[ "$rc" = 2 ] && grep -q 'imp/nothere: Not found in archive' "$T/err" && [ "$(cat "$T/sel.out")" = imp/s ] ||
	fail "tar -t with a missing member: rc $rc, $(cat "$T/sel.out" "$T/err")"
rm -rf "$T/src/imp/node_modules" "$T/src/imp/d/debug.log" "$M/sel"

# read-only mount: refused, exit 2, tar-style message
set +e
tar -c -C "$T/src" imp | ssh_gw tar -x -C pub/ro 2>"$T/err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "read-only import exit $rc"
grep -q 'Read-only file system' "$T/err" || fail "read-only message: $(cat "$T/err")"
[ -z "$(ls -A "$T/ro")" ] || fail "read-only mount changed"

# --- hostile archive: ../x, /abs, symlink out, device: refused, rest extracted ---
python3 - "$T/evil.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.GNU_FORMAT) as t:
    def add(name, data=b"pwned", **kw):
        i = tarfile.TarInfo(name)
        for k, v in kw.items(): setattr(i, k, v)
        i.size = len(data) if i.type == tarfile.REGTYPE else 0
        t.addfile(i, io.BytesIO(data) if i.type == tarfile.REGTYPE else None)
    add("../x")
    add("/abs")
    add("sub2/../../../outside/secret")
    add("evil-link", type=tarfile.SYMTYPE, linkname="/etc/passwd")
    add("evil-rel", type=tarfile.SYMTYPE, linkname="../../../../etc/passwd")
    add("evil-hard", type=tarfile.LNKTYPE, linkname="../outside/secret")
    add("fifo", type=tarfile.FIFOTYPE)
    add("good", b"fine")
PY
set +e
ssh_gw tar -x -C pub/media <"$T/evil.tar" 2>"$T/err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "hostile archive exit $rc"
[ "$(cat "$M/good")" = fine ] || fail "good member not extracted"
for n in evil-link evil-rel evil-hard fifo; do
	[ -e "$M/$n" ] || [ -L "$M/$n" ] && fail "$n was created"
done
[ "$(cat "$T/outside/secret")" = secret ] || fail "outside file changed"
[ -e "$T/x" ] || [ -e "$T/abs" ] || [ -e /abs ] && fail "file outside created"
grep -q "Member name contains '..'" "$T/err" || fail "no .. message: $(cat "$T/err")"
grep -q "evil-link" "$T/err" || fail "no symlink message"
grep -q "$T" "$T/err" && fail "backing path leaked: $(cat "$T/err")"

# --- refused options ---
set +e
ssh_gw tar -c -f /pub/media/x.tar pub/media 2>"$T/err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "tar -f FILE accepted"
set +e
ssh_gw tar -x --to-command=id 2>"$T/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q "unrecognized option '--to-command=id'" "$T/err" || fail "--to-command: $rc $(cat "$T/err")"
pass
