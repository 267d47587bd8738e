#!/bin/sh
# rsync_basic.sh — the real rsync client against the real daemon (push and pull of trees and options).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/rsync_lib.sh"
rs_setup_daemon
rs_basic_tests
pass
