#!/bin/sh
# Real clients against the real daemon: OpenSSH sftp (batch), scp in its
# default (SFTP) mode, lftp mirror and curl when installed. Every transfer is
# compared with cmp / diff -r.
. "$top_srcdir/tests/integration/lib.sh"
gw_setup
gw_start
M=$T/media L=$T/local
mkdir -p "$L/tree" "$L/names"

# Test data: 0 bytes, 64 MiB, 5,000 small files, awkward names.
: >"$L/empty"
head -c $((64 * 1024 * 1024)) /dev/urandom >"$L/big"
i=0
while [ $i -lt 50 ]; do
	mkdir "$L/tree/d$i"
	j=0
	while [ $j -lt 100 ]; do
		echo "file $i/$j" >"$L/tree/d$i/f$j"
		j=$((j + 1))
	done
	i=$((i + 1))
done
for n in "with space" "quo'te" 'dq"uote' "ünïcødé-名前" "-leading-dash" "tab	in"; do
	echo "name: $n" >"$L/names/$n"
done

# --- sftp -b: put/get/reput/reget, -r trees, mkdir, rename, links, chmod, df, rm, rmdir, ls -l
head -c $((10 * 1024 * 1024)) "$L/big" >"$M/partial"
head -c $((5 * 1024 * 1024)) "$L/big" >"$L/partial.back"
sftp_gw >"$T/sftp.out" 2>&1 <<EOF || { cat "$T/sftp.out"; fail "sftp batch failed"; }
cd pub/media
put $L/empty empty
put $L/big big
get big $L/big.back
get empty $L/empty.back
reput $L/big partial
reget big $L/partial.back
mkdir newdir
put -r $L/tree newdir/tree
get -r newdir/tree $L/tree.back
put -r $L/names names
get -r names $L/names.back
rename big big2
put $L/empty other
rename big2 other
ln -s other sym
ln other hard
chmod 640 other
df -h .
ls -l
mkdir gone
rmdir gone
rm empty
EOF
check "64 MiB download differs" cmp "$L/big" "$L/big.back"
check "0-byte download differs" cmp "$L/empty" "$L/empty.back"
check "reput result differs" cmp "$L/big" "$M/partial"
check "reget result differs" cmp "$L/big" "$L/partial.back"
check "put -r tree differs" diff -r "$L/tree" "$M/newdir/tree"
check "get -r tree differs" diff -r "$L/tree" "$L/tree.back"
check "awkward names differ on upload" diff -r "$L/names" "$M/names"
check "awkward names differ on download" diff -r "$L/names" "$L/names.back"
check "posix-rename over an existing file" cmp "$L/big" "$M/other"
[ ! -e "$M/big2" ] || fail "rename left the old name"
[ "$(readlink "$M/sym")" = other ] || fail "ln -s made $(readlink "$M/sym"), want other"
[ "$(stat -c %i "$M/hard")" = "$(stat -c %i "$M/other")" ] || fail "ln did not make a hard link"
[ "$(stat -c %a "$M/other")" = 640 ] || fail "chmod: mode is $(stat -c %a "$M/other")"
[ ! -e "$M/empty" ] && [ ! -e "$M/gone" ] || fail "rm/rmdir left files"
grep -q "Size" "$T/sftp.out" || fail "df printed no table: $(cat "$T/sftp.out")"
grep -E -q '^-rw-r-----.* alice +alice .* other$' "$T/sftp.out" || fail "ls -l: $(grep other "$T/sftp.out")"

# --- scp (SFTP mode): single files, -r, -p, ~/ and relative paths
G=alice@127.0.0.1
scp_gw -q "$L/big" "$G:/pub/media/scp-big" || fail "scp upload"
check "scp upload differs" cmp "$L/big" "$M/scp-big"
scp_gw -q "$G:pub/media/scp-big" "$L/scp-big.back" || fail "scp relative download"
check "scp download differs" cmp "$L/big" "$L/scp-big.back"
scp_gw -q "$L/empty" "$G:pub/media/" || fail "scp to a relative directory"
check "scp 0-byte differs" cmp "$L/empty" "$M/empty"
scp_gw -q "$L/names/-leading-dash" "$G:~/pub/media/x" || fail "scp to ~/pub/media/x"
check "scp ~/ upload differs" cmp "$L/names/-leading-dash" "$M/x"
touch -d '2001-02-03 04:05:06' "$L/names/with space"
scp_gw -q -p "$L/names/with space" "$G:pub/media/" || fail "scp -p"
[ "$(stat -c %Y "$M/with space")" = "$(stat -c %Y "$L/names/with space")" ] || fail "scp -p lost mtime"
scp_gw -q -r "$L/tree" "$G:pub/media/scptree" || fail "scp -r upload"
check "scp -r upload differs" diff -r "$L/tree" "$M/scptree"
scp_gw -q -r "$G:~/pub/media/scptree" "$L/scptree.back" || fail "scp -r download"
check "scp -r download differs" diff -r "$L/tree" "$L/scptree.back"

# --- lftp mirror both ways, curl download (when installed)
if command -v lftp >/dev/null; then
	conn="ssh -a -x $SSH_COMMON -i $T/id_alice"
	# lftp wants -u before -e, and the site last
	lftp -u alice, -e "set sftp:connect-program '$conn'; set net:max-retries 1; set net:timeout 20; mirror -R $L/names /pub/media/lftp-up; mirror /pub/media/names $L/lftp-down; quit" \
		"sftp://127.0.0.1:$PORT" >"$T/lftp.out" 2>&1 || fail "lftp: $(cat "$T/lftp.out")"
	check "lftp mirror -R differs" diff -r "$L/names" "$M/lftp-up"
	check "lftp mirror differs" diff -r "$L/names" "$L/lftp-down"
fi
if command -v curl >/dev/null && curl -V | grep -q sftp; then
	curl -sS --insecure --key "$T/id_alice" --pubkey "$T/id_alice.pub" \
		"sftp://alice@127.0.0.1:$PORT/pub/media/scp-big" -o "$L/curl-big" || fail "curl download"
	check "curl download differs" cmp "$L/big" "$L/curl-big"
fi
pass
