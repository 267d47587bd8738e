# src/rsync — the server side of the rsync protocol (see doc/rsync.md).
libsftpgw_a_SOURCES += src/rsync/rsd_main.c src/rsync/rsd_opts.c src/rsync/rsd_io.c \
	src/rsync/rsd_enc.c src/rsync/rsd_fstore.c src/rsync/rsd_flist.c src/rsync/rsd_fbuild.c src/rsync/rsd_filter.c \
	src/rsync/rsd_sender.c src/rsync/rsd_receiver.c src/rsync/rsd_generator.c \
	src/rsync/rsd_match.c src/rsync/rsd_token.c src/rsync/rsd_wild.c src/rsync/rsd_sum.c
noinst_HEADERS += src/rsync/rsd_int.h

check_PROGRAMS += tests/unit/test_rsync tests/rsync_harness
TESTS += tests/unit/test_rsync
tests_unit_test_rsync_SOURCES = tests/unit/test_rsync.c
tests_unit_test_rsync_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_rsync_LDADD = $(UNIT_LDADD)
# the rsync kind on stdin/stdout with a stand-in channel: `rsync -e tests/rsync_harness`
tests_rsync_harness_SOURCES = tests/rsync_harness.c
tests_rsync_harness_CFLAGS = $(UNIT_CFLAGS)
tests_rsync_harness_LDADD = $(UNIT_LDADD)
# RSD_SCRIBBLE (a basis that changes in mid-transfer) hooks the harness's vfs_open
tests_rsync_harness_LDFLAGS = $(AM_LDFLAGS) -Wl,--wrap=vfs_open

TESTS += tests/integration/rsync_big.sh tests/integration/rsync_basic.sh tests/integration/rsync_delta.sh \
	tests/integration/rsync_harness.sh
EXTRA_DIST += tests/integration/rsync_lib.sh
