# rsync_lib.sh — shared by the rsync integration tests. Sourced after lib.sh.
#
# rs_setup_daemon: the real daemon (store, mounts /pub/media rw and /pub/ro
#   read-only) driven through OpenSSH.
# rs_setup_harness: the same protocol code through tests/rsync_harness (the
#   kind on stdin/stdout, mounts /m and /ro), without a daemon.
# Both set: RS_E (rsync -e value), RS_R (remote prefix for the rw mount, e.g.
# "alice@127.0.0.1:pub/media"), RS_RO (same for the read-only mount), RS_DIR
# (the rw mount's backing directory), RS_RODIR.

command -v rsync >/dev/null || skip "rsync is not installed"
echo "rsync client: $(command -v rsync), $(rsync --version | head -n 1)"

# Skips (rather than fails) while the daemon cannot start at all, i.e. before
# the core is merged into this branch; once it starts, every failure counts.
rs_probe_daemon() {
	"$SFTPGWD" --db "$DB" --listen 127.0.0.1:0 --ready-file "$T/probe" --workers 1 >/dev/null 2>&1 &
	local p=$! i
	for i in $(seq 1 60); do
		[ -s "$T/probe" ] && break
		kill -0 "$p" 2>/dev/null || break
		sleep 0.05
	done
	kill "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
	[ -s "$T/probe" ] || skip "sftpgwd does not start in this build yet (core not merged)"
}

rs_setup_daemon() {
	gw_setup
	mkdir -p "$T/ro"
	admin mount add demo /pub/ro "$T/ro" --read-only >/dev/null
	rs_probe_daemon
	gw_start
	RS_E=$(RSYNC_SSH)
	RS_R=alice@127.0.0.1:pub/media
	RS_RO=alice@127.0.0.1:pub/ro
	RS_TOP=alice@127.0.0.1:pub
	RS_INNERDIR=     # the store refuses nested mounts
	RS_DIR=$T/media
	RS_RODIR=$T/ro
}

rs_setup_harness() {
	mkdir -p "$T/media" "$T/ro" "$T/inner"
	export RSD_ROOT=$T/media RSD_RO=$T/ro RSD_INNER=$T/inner
	RS_TOP=host:
	RS_INNERDIR=$T/inner
	RS_E=$top_builddir/tests/rsync_harness
	RS_R=host:m
	RS_RO=host:ro
	RS_DIR=$T/media
	RS_RODIR=$T/ro
}

rs() { rsync -e "$RS_E" "$@"; }

# Listing of a tree: path, type, mode, size (not of dirs), mtime (files with
# nanoseconds; directories and links to the second, because the rsync client
# leaves a fresh directory's time alone when its second already matches),
# symlink target.
rs_tree() {
	(cd "$1" && find . -printf '%p|%y|%m|%s|%T@|%l\n' |
		awk -F'|' -v OFS='|' '{ if ($2 == "d") $4 = ""; if ($2 != "f") sub(/\..*/, "", $5); print }' | sort)
}

# rs_same A B: identical contents and metadata.
rs_same() {
	diff -r "$1" "$2" >/dev/null || { diff -r "$1" "$2" | head -5; return 1; }
	rs_tree "$1" >"$T/tree.a"; rs_tree "$2" >"$T/tree.b"
	diff "$T/tree.a" "$T/tree.b" || return 1
}

# A source tree with the awkward cases.
rs_make_tree() {
	local d=$1
	mkdir -p "$d/sub/deep/deeper" "$d/empty" "$d/sub/also empty"
	echo hello >"$d/one.txt"
	: >"$d/zero"
	printf 'spaces\n' >"$d/with space.txt"
	printf 'unicode\n' >"$d/ünïcødé-名前.txt"
	printf 'dash\n' >"$d/-leading-dash"
	head -c 200000 /dev/urandom >"$d/sub/random.bin"
	seq 1 20000 >"$d/sub/deep/numbers.txt"
	echo deep >"$d/sub/deep/deeper/f"
	echo tmp >"$d/sub/skip.tmp"
	ln -s one.txt "$d/link-to-one"
	ln -s sub/deep "$d/link-to-dir"
	chmod 0750 "$d/sub/deep"
	chmod 0600 "$d/zero"
	touch -d '2021-03-04 05:06:07' "$d/one.txt" "$d/sub/deep"
}

literal_of() { awk -F': ' '/^Literal data/ {gsub(/[^0-9]/, "", $2); print $2}'; }

# ---- push and pull of trees and options ----
rs_basic_tests() {
	local src=$T/src out=$T/out
	rs_make_tree "$src"

	# one file, push and pull
	check "push one file" rs -t "$src/one.txt" "$RS_R/one.txt"
	check "one file arrived" cmp "$src/one.txt" "$RS_DIR/one.txt"
	[ "$(stat -c %Y "$RS_DIR/one.txt")" = "$(stat -c %Y "$src/one.txt")" ] || fail "mtime of one file"
	check "pull one file" rs -t "$RS_R/one.txt" "$T/one-back.txt"
	check "one file back" cmp "$src/one.txt" "$T/one-back.txt"

	# -a tree push, then pull it back
	check "push tree -a" rs -a "$src/" "$RS_R/tree/"
	rs_same "$src" "$RS_DIR/tree" || fail "pushed tree differs"
	ls -a "$RS_DIR/tree" | grep -q '^\.one\.txt\.' && fail "temporary file left behind"
	check "pull tree -a" rs -a "$RS_R/tree/" "$out/"
	rs_same "$src" "$out" || fail "pulled tree differs"
	# "dir" without the slash: the directory itself
	check "push dir name" rs -a "$src" "$RS_R/named/"
	rs_same "$src" "$RS_DIR/named/src" || fail "push of a dir by name"
	rm -rf "$out"; check "pull dir name" rs -a "$RS_R/named/src" "$out/"
	rs_same "$src" "$out/src" || fail "pull of a dir by name"

	# a protocol 30 client (rsync 3.0/3.1 level) both ways, with deletion
	check "push --protocol=30" rs -a --delete --protocol=30 "$src/" "$RS_R/p30/"
	# (protocol 30 carries no nanoseconds: compare contents only)
	diff -r "$src" "$RS_DIR/p30" >/dev/null || fail "protocol 30 push differs"
	rm -rf "$out"; check "pull --protocol=30" rs -a --protocol=30 "$RS_R/p30/" "$out/"
	diff -r "$src" "$out" >/dev/null || fail "protocol 30 pull differs"

	# -z both ways
	check "push -z" rs -az "$src/" "$RS_R/z/"
	rs_same "$src" "$RS_DIR/z" || fail "push -z differs"
	rm -rf "$out"; check "pull -z" rs -az "$RS_R/z/" "$out/"
	rs_same "$src" "$out" || fail "pull -z differs"
	# the old zlib mode both ways
	check "push --old-compress" rs -a --old-compress "$src/" "$RS_R/zo/"
	rs_same "$src" "$RS_DIR/zo" || fail "push --old-compress differs"
	rm -rf "$out"; check "pull --old-compress" rs -a --old-compress "$RS_R/zo/" "$out/"
	rs_same "$src" "$out" || fail "pull --old-compress differs"

	# -c: same size and mtime but different content is found
	printf 'HELLO\n' >"$RS_DIR/tree/one.txt"; touch -r "$src/one.txt" "$RS_DIR/tree/one.txt"
	check "push -a (quick check)" rs -a "$src/" "$RS_R/tree/"
	cmp -s "$src/one.txt" "$RS_DIR/tree/one.txt" && fail "quick check should have skipped the file"
	check "push -ac" rs -ac "$src/" "$RS_R/tree/"
	rs_same "$src" "$RS_DIR/tree" || fail "-c did not repair the file"
	printf 'HELLO\n' >"$out/one.txt"; touch -r "$src/one.txt" "$out/one.txt"
	check "pull -ac" rs -ac "$RS_R/tree/" "$out/"
	rs_same "$src" "$out" || fail "pull -c did not repair the file"

	# --exclude (sender side on pull, receiver side protects on push --delete)
	rm -rf "$out"; check "pull --exclude" rs -a --exclude '*.tmp' --exclude 'deeper/' "$RS_R/tree/" "$out/"
	[ -e "$out/sub/skip.tmp" ] && fail "excluded file pulled"
	[ -e "$out/sub/deep/deeper" ] && fail "excluded dir pulled"
	[ -e "$out/sub/deep/numbers.txt" ] || fail "non-excluded file missing"
	check "push --exclude" rs -a --exclude '*.tmp' "$src/" "$RS_R/ex/"
	[ -e "$RS_DIR/ex/sub/skip.tmp" ] && fail "excluded file pushed"

	# --delete: extraneous files go, excluded ones stay protected
	echo extra >"$RS_DIR/tree/extra"; mkdir -p "$RS_DIR/tree/gone/x"; echo y >"$RS_DIR/tree/gone/x/y"
	echo keep >"$RS_DIR/tree/keep.bak"
	check "push --delete" rs -a --delete --exclude '*.bak' "$src/" "$RS_R/tree/"
	if [ -e "$RS_DIR/tree/extra" ] || [ -e "$RS_DIR/tree/gone" ]; then fail "--delete left extraneous files"; fi
	[ -e "$RS_DIR/tree/keep.bak" ] || fail "--delete removed an excluded file"
	rm "$RS_DIR/tree/keep.bak"
	check "resync" rs -a "$src/" "$RS_R/tree/"
	rs_same "$src" "$RS_DIR/tree" || fail "tree differs after --delete"
	echo extra >"$out/extra"
	check "pull --delete" rs -a --delete "$RS_R/tree/" "$out/"
	[ -e "$out/extra" ] && fail "pull --delete kept an extraneous file"
	for v in --delete-before --delete-after --delete-delay; do
		echo extra >"$RS_DIR/tree/extra$v"
		check "push $v" rs -a $v "$src/" "$RS_R/tree/"
		[ -e "$RS_DIR/tree/extra$v" ] && fail "$v left a file"
	done

	# --dry-run changes nothing
	local before; before=$(rs_tree "$RS_DIR")
	echo new >"$src/new-file"; echo extra >"$RS_DIR/tree/extra"; before=$(rs_tree "$RS_DIR")
	check "push -n" rs -an --delete "$src/" "$RS_R/tree/"
	[ "$before" = "$(rs_tree "$RS_DIR")" ] || fail "--dry-run push changed the target"
	check "push -n into a new dir" rs -an "$src/" "$RS_R/not-there/"
	[ -e "$RS_DIR/not-there" ] && fail "--dry-run created the destination"
	rm -f "$RS_DIR/tree/extra" "$src/new-file"

	# -s (secluded args) with awkward names both ways
	check "push -s" rs -as "$src/" "$RS_R/secluded dir/"
	rs_same "$src" "$RS_DIR/secluded dir" || fail "push -s differs"
	rm -rf "$out"; check "pull -s" rs -as "$RS_R/secluded dir/ünïcødé-名前.txt" "$RS_R/secluded dir/-leading-dash" "$out/"
	cmp "$out/ünïcødé-名前.txt" "$src/ünïcødé-名前.txt" || fail "pull -s unicode name"
	cmp "$out/-leading-dash" "$src/-leading-dash" || fail "pull -s leading dash"
	rm -rf "$out"; check "pull name with space" rs -a "$RS_R/tree/with space.txt" "$out/"
	cmp "$out/with space.txt" "$src/with space.txt" || fail "name with space"

	# --remove-source-files both ways, --ignore-existing, --existing, --size-only
	mkdir -p "$T/mv"; echo moveme >"$T/mv/m1"
	check "push --remove-source-files" rs -a --remove-source-files "$T/mv/" "$RS_R/mv/"
	[ -e "$T/mv/m1" ] && fail "source file not removed after push"
	[ -e "$RS_DIR/mv/m1" ] || fail "moved file missing"
	check "pull --remove-source-files" rs -a --remove-source-files "$RS_R/mv/" "$T/mv2/"
	[ -e "$RS_DIR/mv/m1" ] && fail "source file not removed after pull"
	echo changed >"$RS_DIR/tree/zero"
	check "--ignore-existing" rs -a --ignore-existing "$src/" "$RS_R/tree/"
	grep -q changed "$RS_DIR/tree/zero" || fail "--ignore-existing overwrote"
	echo brandnew >"$src/brandnew"
	check "--existing" rs -a --existing "$src/" "$RS_R/tree/"
	[ -e "$RS_DIR/tree/brandnew" ] && fail "--existing created a file"
	rm -f "$src/brandnew"
	check "--size-only" rs -a --size-only "$src/" "$RS_R/tree/"
	check "repair" rs -a "$src/" "$RS_R/tree/"
	check "--inplace" rs -a --inplace -I "$src/" "$RS_R/tree/"
	rs_same "$src" "$RS_DIR/tree" || fail "--inplace differs"
	# --append both ways: only the new tail travels
	seq 1 50000 >"$src/app.log"; check "push for append" rs -a "$src/" "$RS_R/tree/"
	seq 50001 51000 >>"$src/app.log"
	out=$(rs -a --append --stats "$src/" "$RS_R/tree/") || fail "push --append"
	[ "$(echo "$out" | literal_of)" -lt 10000 ] || fail "push --append sent too much"
	cmp "$src/app.log" "$RS_DIR/tree/app.log" || fail "push --append differs"
	seq 51001 52000 >>"$RS_DIR/tree/app.log"
	check "pull --append" rs -a --append "$RS_R/tree/app.log" "$src/app.log"
	cmp "$src/app.log" "$RS_DIR/tree/app.log" || fail "pull --append differs"
	check "repair after append" rs -a "$src/" "$RS_R/tree/"
	check "--partial --stats --numeric-ids --timeout" rs -a --partial --stats --numeric-ids --timeout=30 \
		"$src/" "$RS_R/tree/" >/dev/null
}

# ---- delta transfer, refusals, confinement ----
rs_delta_tests() {
	local src=$T/dsrc out
	mkdir -p "$src"
	head -c 33554432 /dev/urandom >"$src/big"
	seq 1 100000 >"$src/log.txt"
	for i in $(seq 1 50); do echo "file $i" >"$src/f$i"; done
	check "initial push" rs -a "$src/" "$RS_R/d/"
	rs_same "$src" "$RS_DIR/d" || fail "initial push differs"

	# no change: no literal data either way
	out=$(rs -a --stats "$src/" "$RS_R/d/") || fail "no-change push"
	[ "$(echo "$out" | literal_of)" = 0 ] || fail "no-change push sent data: $out"
	check "initial pull" rs -a "$RS_R/d/" "$T/dpull/"
	out=$(rs -a --stats "$RS_R/d/" "$T/dpull/") || fail "no-change pull"
	[ "$(echo "$out" | literal_of)" = 0 ] || fail "no-change pull sent data"

	# changed in the middle and appended: a small fraction travels (push)
	printf 'CHANGED-IN-THE-MIDDLE' | dd of="$src/big" bs=1 seek=16000000 conv=notrunc 2>/dev/null
	seq 100001 101000 >>"$src/log.txt"
	touch -d '2022-02-02 02:02:02' "$src/big" "$src/log.txt"
	out=$(rs -a --stats "$src/" "$RS_R/d/") || fail "delta push"
	lit=$(echo "$out" | literal_of)
	if [ "$lit" -le 0 ] || [ "$lit" -ge 200000 ]; then fail "delta push sent $lit literal bytes"; fi
	rs_same "$src" "$RS_DIR/d" || fail "delta push result differs"
	# and pull: change the server's copy
	printf 'SERVER-SIDE-CHANGE' | dd of="$RS_DIR/d/big" bs=1 seek=9000000 conv=notrunc 2>/dev/null
	touch -d '2023-03-03 03:03:03' "$RS_DIR/d/big"
	out=$(rs -a --stats "$RS_R/d/" "$T/dpull/") || fail "delta pull"
	lit=$(echo "$out" | literal_of)
	if [ "$lit" -le 0 ] || [ "$lit" -ge 200000 ]; then fail "delta pull got $lit literal bytes"; fi
	rs_same "$RS_DIR/d" "$T/dpull" || fail "delta pull result differs"
	# -z with delta
	printf 'Z' | dd of="$src/big" bs=1 seek=100 conv=notrunc 2>/dev/null; touch -d '2024-01-01' "$src/big"
	out=$(rs -az --stats "$src/" "$RS_R/d/") || fail "delta push -z"
	rs_same "$src" "$RS_DIR/d" || fail "delta push -z differs"
	# the old zlib mode with delta: each matched block enters the compressor's
	# history on the sending side and the decompressor's on the receiving one,
	# or the literal data after it (compressed against it) comes out wrong
	local zo n=0
	for zo in "--old-compress" "--zc=zlib --protocol=30 -B 100000" "--old-compress -B 131072"; do
		n=$((n + 1))
		seq $n 3000 | dd of="$src/log.txt" bs=1 seek=300000 conv=notrunc 2>/dev/null
		printf 'Y%s' $n | dd of="$src/big" bs=1 seek=2000000 conv=notrunc 2>/dev/null
		touch -d "2024-02-0$n" "$src/big" "$src/log.txt"
		out=$(rs -a --stats $zo "$src/" "$RS_R/d/") || fail "delta push $zo"
		lit=$(echo "$out" | literal_of)
		if [ "$lit" -le 0 ] || [ "$lit" -ge 1000000 ]; then fail "delta push $zo sent $lit literal bytes"; fi
		rs_same "$src" "$RS_DIR/d" || fail "delta push $zo differs"
		out=$(rs -a --stats $zo "$RS_R/d/" "$T/dpull/") || fail "delta pull $zo"
		lit=$(echo "$out" | literal_of)
		if [ "$lit" -le 0 ] || [ "$lit" -ge 1000000 ]; then fail "delta pull $zo got $lit literal bytes"; fi
		rs_same "$src" "$T/dpull" || fail "delta pull $zo differs"
	done
	# zlib chosen by negotiation (the client's order wins; by default it is zlibx)
	rsync -e "$RS_E" -az --debug=nstr "$src/" "$RS_R/d/" >"$T/nstr.out" 2>&1 || fail "push -z: $(cat "$T/nstr.out")"
	grep -Eq 'negotiated compress: zlibx( |$)' "$T/nstr.out" || fail "zlibx was not negotiated: $(cat "$T/nstr.out")"
	seq 5 3005 | dd of="$src/log.txt" bs=1 seek=200000 conv=notrunc 2>/dev/null; touch -d '2024-03-03' "$src/log.txt"
	RSYNC_COMPRESS_LIST=zlib rsync -e "$RS_E" -az --debug=nstr "$src/" "$RS_R/d/" >"$T/nstr.out" 2>&1 ||
		fail "push with a negotiated zlib: $(cat "$T/nstr.out")"
	grep -Eq 'negotiated compress: zlib( |$)' "$T/nstr.out" || fail "zlib was not negotiated: $(cat "$T/nstr.out")"
	rs_same "$src" "$RS_DIR/d" || fail "push with a negotiated zlib differs"

	# an interrupted push leaves no partial file under the real name
	head -c 67108864 /dev/urandom >"$T/huge"
	rsync -e "$RS_E" --bwlimit=2000 "$T/huge" "$RS_R/huge" &
	local pid=$!
	sleep 2
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
	sleep 1
	[ -e "$RS_DIR/huge" ] && fail "interrupted push left a file under the real name"
	for _ in 1 2 3 4 5 6 7 8 9 10; do ls -a "$RS_DIR" | grep -q '^\.huge\.' || break; sleep 0.5; done
	ls -a "$RS_DIR" | grep -q '^\.huge\.' && fail "interrupted push left its temporary file"

	# a read-only mount refuses, and is unchanged
	echo ro >"$RS_RODIR/r"
	rs -a "$src/" "$RS_RO/x/" 2>"$T/ro.err" && fail "push to a read-only mount succeeded"
	grep -q "Read-only file system" "$T/ro.err" || fail "read-only refusal unclear: $(cat "$T/ro.err")"
	[ "$(ls "$RS_RODIR")" = r ] || fail "read-only mount changed"
	check "pull from a read-only mount" rs -a "$RS_RO/" "$T/ro-pull/"

	# escapes: a symlink out of the mount, and ".."
	mkdir -p "$T/outside"; echo secret >"$T/outside/secret"
	ln -s "$T/outside" "$RS_DIR/escape"
	rs -a "$RS_R/escape/secret" "$T/stolen" 2>/dev/null && fail "pull through an escaping symlink"
	[ -e "$T/stolen" ] && fail "escaping symlink leaked a file"
	rs -a "$src/f1" "$RS_R/escape/planted" 2>/dev/null && fail "push through an escaping symlink"
	[ -e "$T/outside/planted" ] && fail "push escaped the mount"
	rs -a "$src/f1" "${RS_R%%:*}:../../../../../$T/outside/dotdot" 2>/dev/null || true
	[ -e "$T/outside/dotdot" ] && fail "push escaped with .."
	rs -a "${RS_R}/../../../../../../etc/passwd" "$T/passwd" 2>/dev/null && fail "pull escaped with .."
	# pulling the symlink itself is fine: it is sent as a link
	check "pull the symlink as a link" rs -a "$RS_R/escape" "$T/link-copy"
	[ -L "$T/link-copy" ] || fail "symlink not pulled as a symlink"

	# --delete never removes a mount point (nor anything in it), nor touches
	# synthesized directories
	mkdir -p "$T/del-src"; echo only >"$T/del-src/only"
	if [ -n "$RS_INNERDIR" ]; then
		echo inside >"$RS_INNERDIR/keep"
		check "push --delete over a mount point" rs -a --delete "$T/del-src/" "$RS_R/"
		[ -e "$RS_INNERDIR/keep" ] || fail "--delete removed a file of a nested mount"
		[ -e "$RS_DIR/only" ] || fail "push next to a mount point failed"
		[ -e "$RS_DIR/d" ] && fail "--delete did not delete in the outer mount"
	fi
	echo ro >"$RS_RODIR/r"
	rs -a --delete "$T/del-src/" "$RS_TOP/" 2>"$T/top.err" && fail "push into a synthesized dir succeeded"
	[ -e "$RS_RODIR/r" ] || fail "push into a synthesized dir deleted a mount's file"
	[ -e "$RS_DIR/only" ] && [ -z "$RS_INNERDIR" ] && fail "push into a synthesized dir wrote into a mount"
	grep -q "Read-only file system" "$T/top.err" || fail "unclear refusal: $(cat "$T/top.err")"

	# a protocol violation ends that channel with an error, nothing else
	for junk in "$(printf 'x')" "$(printf '\037\000\000\000')"; do
		{ printf '%s' "$junk"; head -c 65536 /dev/urandom; } >"$T/junk"
		set +e
		cat "$T/junk" | $RS_E "${RS_R%%:*}" rsync --server -logDtpre.iLsfxCIvu . "${RS_R#*:}/junk/" \
			>/dev/null 2>"$T/junk.err"
		rc=$?
		set -e
		[ "$rc" != 0 ] || fail "garbage on the rsync stream was accepted"
		[ -s "$T/junk.err" ] || fail "no message for garbage on the rsync stream"
	done
	check "still serving after a protocol violation" rs -a "$src/f1" "$RS_R/after-junk"

	# an unsupported option is refused clearly, before any transfer
	rs -aH "$src/" "$RS_R/h/" 2>"$T/opt.err" && fail "-H accepted"
	grep -q -- "-H: option not supported" "$T/opt.err" || fail "no clear refusal: $(cat "$T/opt.err")"
	[ -e "$RS_DIR/h" ] && fail "refused transfer created files"
	rs -a --backup "$src/" "$RS_R/h/" 2>"$T/opt.err" && fail "--backup accepted"
	[ -e "$RS_DIR/h" ] && fail "refused transfer created files"
	return 0
}

# ---- the negotiated checksum (xxh128 or md5) ----
# Each way of choosing it must give a delta transfer that rebuilds the file,
# and -c (file-list sums) must see a change that keeps size and mtime.
rs_csum_tests() {
	local src=$T/csrc out lit how opt i=0
	mkdir -p "$src"
	head -c 4194304 /dev/urandom >"$src/big"
	echo small >"$src/small"
	local hows="env:md5 opt:md5"
	# (a client built without xxhash, or another rsync put first in PATH by
	# scripts/rsync-clients.sh, is served md5 only)
	if rsync --version | grep -q xxh128; then
		out=$(rs -a --debug=nstr1 "$src/" "$RS_R/c0/" 2>&1) || fail "push with the default negotiation"
		echo "$out" | grep -q "negotiated checksum: xxh128" || fail "xxh128 not negotiated: $out"
		# the client's order decides: "md5 xxh128" must give md5 on both sides
		hows="$hows env:md5,xxh128 opt:xxh128"
	fi
	for how in $hows; do
		i=$((i + 1))
		case $how in
		env:*) set -- env "RSYNC_CHECKSUM_LIST=$(echo "${how#env:}" | tr , ' ')"; opt="" ;;
		*) set -- env; opt="--checksum-choice=${how#opt:}" ;;
		esac
		check "initial push ($how)" "$@" rsync -e "$RS_E" -a $opt "$src/" "$RS_R/c$i/"
		printf 'MIDDLE%d' $i | dd of="$src/big" bs=1 seek=2000000 conv=notrunc 2>/dev/null
		touch -d "2020-01-0$i" "$src/big"
		out=$("$@" rsync -e "$RS_E" -a --stats $opt "$src/" "$RS_R/c$i/") || fail "delta push ($how)"
		lit=$(echo "$out" | literal_of)
		if [ "$lit" -le 0 ] || [ "$lit" -ge 200000 ]; then fail "delta push ($how) sent $lit literal bytes"; fi
		rs_same "$src" "$RS_DIR/c$i" || fail "delta push ($how) differs"
		printf 'SERVER%d' $i | dd of="$RS_DIR/c$i/big" bs=1 seek=3000000 conv=notrunc 2>/dev/null
		touch -d "2019-01-0$i" "$RS_DIR/c$i/big"
		out=$("$@" rsync -e "$RS_E" -a --stats $opt "$RS_R/c$i/" "$src/") || fail "delta pull ($how)"
		lit=$(echo "$out" | literal_of)
		if [ "$lit" -le 0 ] || [ "$lit" -ge 200000 ]; then fail "delta pull ($how) got $lit literal bytes"; fi
		rs_same "$RS_DIR/c$i" "$src" || fail "delta pull ($how) differs"
		# -c: same size and mtime, other bytes: found by the file-list sums, both ways
		printf 'C%d' $i | dd of="$src/big" bs=1 seek=10 conv=notrunc 2>/dev/null
		touch -d "2019-01-0$i" "$src/big"
		check "push -c ($how)" "$@" rsync -e "$RS_E" -ac $opt "$src/" "$RS_R/c$i/"
		cmp -s "$src/big" "$RS_DIR/c$i/big" || fail "push -c ($how) missed a change"
		printf 'D%d' $i | dd of="$RS_DIR/c$i/big" bs=1 seek=20 conv=notrunc 2>/dev/null
		touch -d "2019-01-0$i" "$RS_DIR/c$i/big"
		check "pull -c ($how)" "$@" rsync -e "$RS_E" -ac $opt "$RS_R/c$i/" "$src/"
		cmp -s "$src/big" "$RS_DIR/c$i/big" || fail "pull -c ($how) missed a change"
		out=$("$@" rsync -e "$RS_E" -ac --stats $opt "$src/" "$RS_R/c$i/") || fail "no-change -c ($how)"
		[ "$(echo "$out" | literal_of)" = 0 ] || fail "no-change -c push ($how) sent data"
	done
	# the receiver copies consecutive matched blocks as one run of at most its
	# 256 KiB write buffer: with 128 KiB blocks a run fills it exactly (blocks
	# 0-1) and the next block starts a new run; also in place
	for opt in "" --inplace; do
		i=$((i + 1))
		head -c 1048576 /dev/urandom >"$src/runs"
		check "initial push of runs $opt" rs -a -B 131072 $opt "$src/" "$RS_R/c$i/"
		printf 'SIXTH-BLOCK%d' $i | dd of="$src/runs" bs=1 seek=800000 conv=notrunc 2>/dev/null
		touch -d "2018-01-0$i" "$src/runs"
		out=$(rs -a -B 131072 --stats $opt "$src/" "$RS_R/c$i/") || fail "delta push of runs $opt"
		lit=$(echo "$out" | literal_of)
		[ "$lit" -le 131072 ] || fail "delta push of runs $opt sent $lit literal bytes"
		rs_same "$src" "$RS_DIR/c$i" || fail "delta push of runs $opt differs"
	done
	return 0
}
