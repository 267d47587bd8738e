#!/bin/sh
# rsync_harness.sh — the same rsync tests through tests/rsync_harness (the kind
# on stdin/stdout without the daemon), so the protocol code is covered even
# where the daemon cannot run.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/rsync_lib.sh"
rs_setup_harness
rs_basic_tests
rs_delta_tests
rs_csum_tests
pass
