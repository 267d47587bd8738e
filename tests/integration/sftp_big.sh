#!/bin/sh
# A 1 GiB upload and download through OpenSSH sftp, compared with cmp.
# Slow and disk-hungry: runs only with SFTPGW_BIG_TESTS=1.
. "$top_srcdir/tests/integration/lib.sh"
[ "${SFTPGW_BIG_TESTS:-0}" = 1 ] || skip "set SFTPGW_BIG_TESTS=1 to run the 1 GiB test"
gw_setup
gw_start
head -c $((1024 * 1024 * 1024)) /dev/urandom >"$T/big"
printf 'put %s /pub/media/big\nget /pub/media/big %s\n' "$T/big" "$T/big.back" | sftp_gw >/dev/null \
	|| fail "sftp put/get of 1 GiB"
check "1 GiB upload differs" cmp "$T/big" "$T/media/big"
check "1 GiB download differs" cmp "$T/big" "$T/big.back"
pass
