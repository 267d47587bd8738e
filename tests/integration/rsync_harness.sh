#!/bin/sh
# rsync_harness.sh — the same rsync tests through tests/rsync_harness (the kind
# on stdin/stdout without the daemon), so the protocol code is covered even
# where the daemon cannot run; plus the redo phase, which needs the harness's
# RSD_SCRIBBLE hook to change a basis file in mid-transfer.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/rsync_lib.sh"

# redo_check WHAT OUTFILE SRC DST: the transfer's output shows the scribble, a
# first failed verification and no second one; DST is SRC with its mtime.
redo_check() {
	grep -q "rsync_harness: scribbled on" "$2" || fail "$1: the basis was not changed: $(cat "$2")"
	grep -q "failed verification -- update .* (will try again)" "$2" || fail "$1: no redo: $(cat "$2")"
	grep -q "ERROR: .*failed verification" "$2" && fail "$1: the redo failed too: $(cat "$2")"
	cmp "$3" "$4" || fail "$1: result differs"
	[ "$(stat -c %Y "$3")" = "$(stat -c %Y "$4")" ] || fail "$1: mtime differs"
}

rs_redo_tests() {
	local d=$T/redo pd=$T/redo-pull opt
	mkdir -p "$d" "$pd"
	for opt in --whole-file --inplace --partial; do
		[ "$opt" = --whole-file ] && opt=-t # (the first round: a plain delta push)
		head -c 300000 /dev/urandom >"$d/f"
		check "redo $opt: first push" rs -t "$d/f" "$RS_R/redo/"
		# the tail changes on the client, the head stays: the sender copies
		# block 0 from the basis, which then changes under the receiver
		head -c 2000 /dev/urandom | dd of="$d/f" bs=1 seek=290000 conv=notrunc 2>/dev/null
		touch -d '2022-02-02 02:02:02' "$d/f"
		RSD_SCRIBBLE=f:2 rsync -e "$RS_E" -tv $opt "$d/f" "$RS_R/redo/" >"$T/redo.out" 2>&1 ||
			fail "redo push $opt: $(cat "$T/redo.out")"
		redo_check "redo push $opt" "$T/redo.out" "$d/f" "$RS_DIR/redo/f"
		ls -a "$RS_DIR/redo" | grep -q '^\.f\.' && fail "redo push $opt left a temporary file"
	done
	# pull: the sender's open changes the client's basis before its receiver
	# reads it; the client asks again, the gateway's sender serves the redo
	check "redo: first pull" rs -t "$RS_R/redo/f" "$pd/f"
	head -c 2000 /dev/urandom | dd of="$RS_DIR/redo/f" bs=1 seek=150000 conv=notrunc 2>/dev/null
	touch -d '2023-03-03 03:03:03' "$RS_DIR/redo/f"
	RSD_SCRIBBLE="f:1:$pd/f" rsync -e "$RS_E" -tv "$RS_R/redo/f" "$pd/f" >"$T/redo.out" 2>&1 ||
		fail "redo pull: $(cat "$T/redo.out")"
	redo_check "redo pull" "$T/redo.out" "$RS_DIR/redo/f" "$pd/f"
}

rs_setup_harness
rs_redo_tests
rs_basic_tests
rs_delta_tests
rs_csum_tests
pass
