# src/archive
libsftpgw_a_SOURCES += src/archive/xjob.c src/archive/miscd.c src/archive/sumd.c \
	src/archive/arcd.c src/archive/arcd_opts.c src/archive/arcd_create.c src/archive/arcd_extract.c
noinst_HEADERS += src/archive/arcd.h

TESTS += tests/integration/exec_sum_tar.sh tests/integration/exec_inject.sh

check_PROGRAMS += tests/unit/test_arcd
TESTS += tests/unit/test_arcd
tests_unit_test_arcd_SOURCES = tests/unit/test_arcd.c
tests_unit_test_arcd_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_arcd_LDADD = $(UNIT_LDADD)
