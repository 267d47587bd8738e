#!/bin/sh
# Legacy SCP (scp -O) both ways with the real OpenSSH client: files, trees,
# -p, wildcards, a big file, an interrupted upload, read-only refusals.
. "$top_srcdir/tests/integration/lib.sh"

gw_setup
mkdir -p "$T/ro" "$T/loc" "$T/dl"
admin mount add demo /pub/ro "$T/ro" --read-only >/dev/null
M=$T/media
G=alice@127.0.0.1
gw_start
scp_o() { scp_gw -O -q "$@"; }

# --- single files, both ways; names with spaces, quotes, unicode ---
head -c 100000 /dev/urandom >"$T/loc/one"
cp "$T/loc/one" "$T/loc/sp ace 'q' ü.bin"
scp_o "$T/loc/one" "$T/loc/sp ace 'q' ü.bin" "$G:pub/media/" || fail "upload"
cmp "$T/loc/one" "$M/one" || fail "uploaded file differs"
cmp "$T/loc/one" "$M/sp ace 'q' ü.bin" || fail "odd name differs"
scp_o "$G:pub/media/one" "$T/dl/" || fail "download"
cmp "$T/loc/one" "$T/dl/one" || fail "downloaded file differs"
scp_o "$G:pub/media/one" "$G:~/pub/media/two" 2>/dev/null || true
scp_o "$T/loc/one" "$G:pub/media/renamed" || fail "upload to a new name"
cmp "$T/loc/one" "$M/renamed" || fail "renamed differs"
ls -A "$M" | grep -q '^\.' && fail "temp file left: $(ls -A "$M")"

# --- -r trees and -p (mtimes, modes) ---
mkdir -p "$T/loc/tree/a/b" "$T/loc/tree/empty"
echo 1 >"$T/loc/tree/f1"; echo 2 >"$T/loc/tree/a/b/f2"
chmod 751 "$T/loc/tree/f1"
touch -d '2001-02-03 04:05:06' "$T/loc/tree/f1" "$T/loc/tree/a/b/f2"
scp_o -rp "$T/loc/tree" "$G:pub/media/" || fail "upload -rp"
diff -r "$T/loc/tree" "$M/tree" || fail "tree differs"
[ "$(stat -c '%a %Y' "$M/tree/f1")" = "$(stat -c '%a %Y' "$T/loc/tree/f1")" ] ||
	fail "-p upload: $(stat -c '%a %Y' "$M/tree/f1")"
chmod 604 "$M/tree/a/b/f2"
scp_o -rp "$G:pub/media/tree" "$T/dl/" || fail "download -rp"
diff -r "$M/tree" "$T/dl/tree" || fail "downloaded tree differs"
[ "$(stat -c '%a %Y' "$T/dl/tree/a/b/f2")" = "$(stat -c '%a %Y' "$M/tree/a/b/f2")" ] ||
	fail "-p download"
if scp_o "$G:pub/media/tree" "$T/dl/x" 2>"$T/err"; then fail "dir without -r"; fi
grep -q 'not a regular file' "$T/err" || fail "dir without -r: $(cat "$T/err")"

# --- wildcards, expanded by the gateway ---
mkdir -p "$M/pics" "$T/dl/pics"
for n in a b c; do echo "$n" >"$M/pics/$n.jpg"; done
echo t >"$M/pics/x.txt"; echo h >"$M/pics/.hidden.jpg"
scp_o "$G:pub/media/pics/*.jpg" "$T/dl/pics/" || fail "wildcard download"
[ "$(ls -A "$T/dl/pics" | tr '\n' ' ')" = "a.jpg b.jpg c.jpg " ] || fail "wildcard: $(ls -A "$T/dl/pics")"
if scp_o "$G:pub/media/pics/*.png" "$T/dl/" 2>"$T/err"; then fail "no match accepted"; fi
grep -q 'pub/media/pics/\*.png: No such file or directory' "$T/err" || fail "no match: $(cat "$T/err")"
scp_o "$G:pub/*/pics/b.jp?" "$T/dl/" || fail "wildcard in the middle"
[ -f "$T/dl/b.jpg" ] || fail "middle wildcard file"

# --- newline in a name: refused cleanly, the rest still copied ---
printf 'n' >"$M/pics/new
line.jpg"
rm -rf "$T/dl/pics"; mkdir "$T/dl/pics"
if scp_o "$G:pub/media/pics/*.jpg" "$T/dl/pics/" 2>"$T/err"; then fail "newline name accepted"; fi
grep -q 'newline' "$T/err" || fail "newline message: $(cat "$T/err")"
[ -f "$T/dl/pics/c.jpg" ] || fail "files after the bad name"
rm -f "$M/pics/new
line.jpg"

# --- read-only mounts and synthesized dirs refuse uploads ---
if scp_o "$T/loc/one" "$G:pub/ro/x" 2>"$T/err"; then fail "read-only upload accepted"; fi
grep -q 'scp: pub/ro/x: Read-only file system' "$T/err" || fail "ro message: $(cat "$T/err")"
[ -z "$(ls -A "$T/ro")" ] || fail "read-only mount changed"
if scp_o "$T/loc/one" "$G:pub/" 2>"$T/err"; then fail "upload into a synthesized dir"; fi
grep -q 'scp: pub/one: ' "$T/err" || fail "synthesized message: $(cat "$T/err")"
grep -q "$T" "$T/err" && fail "backing path leaked"

# --- a big file (64 MiB; 1 GiB with SFTPGW_BIG_TESTS=1) ---
big=64
[ "${SFTPGW_BIG_TESTS:-0}" = 1 ] && big=1024
head -c $((big * 1024 * 1024)) /dev/urandom >"$T/loc/big"
scp_o "$T/loc/big" "$G:pub/media/big" || fail "big upload"
cmp "$T/loc/big" "$M/big" || fail "big upload differs"
scp_o "$G:pub/media/big" "$T/dl/big" || fail "big download"
cmp "$T/loc/big" "$T/dl/big" || fail "big download differs"
rm -f "$T/dl/big"

# --- interrupted upload: no file under the real name, no temp file after ---
# exec: $! is scp itself; its ssh child is killed with it (the client dies)
(exec scp $SSH_COMMON -P "$PORT" -i "$T/id_alice" -O -q -l 16000 "$T/loc/big" \
	"$G:pub/media/partial") &
spid=$!
for _ in $(seq 1 100); do
	ls -A "$M" | grep -q '^\.partial\.' && break
	sleep 0.05
done
sleep 0.5
kill -9 $(ps -o pid= --ppid "$spid") "$spid" 2>/dev/null || true
wait "$spid" 2>/dev/null || true
[ -e "$M/partial" ] && fail "partial file under the real name"
for _ in $(seq 1 100); do
	ls -A "$M" | grep -q '^\.partial\.' || break
	sleep 0.05
done
ls -A "$M" | grep -q '^\.partial\.' && fail "temp file left after the session: $(ls -A "$M")"
[ -e "$M/partial" ] && fail "partial file under the real name"

# --- options off the allow-list ---
set +e
ssh_gw scp -t -x pub/media 2>"$T/err" </dev/null; rc=$?
set -e
[ "$rc" != 0 ] && grep -q "invalid option -- 'x'" "$T/err" || fail "scp -x: $rc $(cat "$T/err")"
pass
