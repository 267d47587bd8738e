# src/vfs — the confined virtual filesystem every protocol server uses.
libsftpgw_a_SOURCES += src/vfs/path.c src/vfs/view.c src/vfs/realpath.c src/vfs/ops.c \
	src/vfs/modify.c src/vfs/dir.c src/vfs/copy.c src/vfs/roots.c
noinst_HEADERS += src/vfs/vfs_internal.h

check_PROGRAMS += tests/unit/test_vfs
TESTS += tests/unit/test_vfs
tests_unit_test_vfs_SOURCES = tests/unit/test_vfs.c
tests_unit_test_vfs_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_vfs_LDADD = $(UNIT_LDADD)
