#!/bin/sh
# A 1 GiB upload and download through OpenSSH sftp, compared with cmp.
# Needs ~3 GiB of disk for a moment; part of the default suite (~15 s, ~13 s
# under ASan on 2 cores).
. "$top_srcdir/tests/integration/lib.sh"
need_disk 4096
gw_setup
gw_start
head -c $((1024 * 1024 * 1024)) /dev/urandom >"$T/big"
printf 'put %s /pub/media/big\nget /pub/media/big %s\n' "$T/big" "$T/big.back" | sftp_gw >/dev/null \
	|| fail "sftp put/get of 1 GiB"
check "1 GiB upload differs" cmp "$T/big" "$T/media/big"
check "1 GiB download differs" cmp "$T/big" "$T/big.back"
pass
