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
