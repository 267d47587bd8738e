#!/bin/sh
# rsync_big.sh — a 1 GiB file pushed and pulled through the real daemon with
# the real rsync client (cmp and mtime), then resynced both ways after 1 MiB
# in its middle changed: the client's --stats must show far less literal data
# than the file. The file is sparse on the client (made in a second), with
# random MiBs at a few offsets so that block matching has real data to find;
# the gateway's copies are written in full (no -S), so this needs ~3 GiB of disk.
# ~40 s on 2 busy cores, ~45 s under ASan.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/rsync_lib.sh"
need_disk 4096
rs_setup_daemon

MIB=1048576
SIZE=$((1024 * MIB))
LIMIT=$((8 * MIB)) # literal data allowed for a 1 MiB change (blocks are 32 KiB)

# rnd_mib FILE MIB_OFFSET: writes one MiB of random data at that offset.
rnd_mib() { dd if=/dev/urandom of="$1" bs=$MIB count=1 seek="$2" conv=notrunc 2>/dev/null; }
same_file() { # same_file A B WHAT
	cmp "$1" "$2" || fail "$3: contents differ"
	[ "$(stat -c %s "$2")" = $SIZE ] || fail "$3: size $(stat -c %s "$2")"
	[ "$(stat -c %Y "$1")" = "$(stat -c %Y "$2")" ] || fail "$3: mtime $(stat -c %Y "$2") != $(stat -c %Y "$1")"
}

mkdir -p "$T/src" "$T/pull"
src=$T/src/big.bin
truncate -s $SIZE "$src"
for off in 0 1 137 300 511 512 777 1000 1023; do rnd_mib "$src" $off; done
touch -d '2020-01-02 03:04:05' "$src"

check "push 1 GiB" rs -t "$src" "$RS_R/big.bin"
same_file "$src" "$RS_DIR/big.bin" "push 1 GiB"
check "pull 1 GiB" rs -t "$RS_R/big.bin" "$T/pull/big.bin"
same_file "$src" "$T/pull/big.bin" "pull 1 GiB"

# 1 MiB changed in the middle: a delta push sends about that much
rnd_mib "$src" 512
touch -d '2021-01-02 03:04:05' "$src"
out=$(rs -t --stats "$src" "$RS_R/big.bin") || fail "delta push of 1 GiB"
lit=$(echo "$out" | literal_of)
if [ "$lit" -lt $MIB ] || [ "$lit" -ge $LIMIT ]; then fail "delta push of 1 GiB sent $lit literal bytes"; fi
same_file "$src" "$RS_DIR/big.bin" "delta push of 1 GiB"

# the pulled copy is now 1 MiB behind: a delta pull brings just that
out=$(rs -t --stats "$RS_R/big.bin" "$T/pull/big.bin") || fail "delta pull of 1 GiB"
lit=$(echo "$out" | literal_of)
if [ "$lit" -lt $MIB ] || [ "$lit" -ge $LIMIT ]; then fail "delta pull of 1 GiB got $lit literal bytes"; fi
same_file "$src" "$T/pull/big.bin" "delta pull of 1 GiB"
pass
