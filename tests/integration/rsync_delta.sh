#!/bin/sh
# rsync_delta.sh — the real rsync client against the real daemon (delta transfer, refusals, confinement).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/rsync_lib.sh"
rs_setup_daemon
rs_delta_tests
pass
