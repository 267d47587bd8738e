# src/scp
libsftpgw_a_SOURCES += src/scp/scpd.c src/scp/scpd_parse.c src/scp/scpd_source.c \
	src/scp/scpd_sink.c
noinst_HEADERS += src/scp/scpd.h

TESTS += tests/integration/exec_scp.sh

check_PROGRAMS += tests/unit/test_scpd
TESTS += tests/unit/test_scpd
tests_unit_test_scpd_SOURCES = tests/unit/test_scpd.c
tests_unit_test_scpd_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_scpd_LDADD = $(UNIT_LDADD)
