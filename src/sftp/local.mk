# src/sftp — the in-process SFTP v3 server (doc/sftp.md)
libsftpgw_a_SOURCES += src/sftp/sftpd.c src/sftp/sftpd_handle.c src/sftp/sftpd_attr.c \
	src/sftp/sftpd_handlers.c src/sftp/sftpd_ext.c src/sftp/sftpd_int.h

check_PROGRAMS += tests/unit/test_sftp
TESTS += tests/unit/test_sftp
tests_unit_test_sftp_SOURCES = tests/unit/test_sftp.c
tests_unit_test_sftp_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sftp_LDADD = $(UNIT_LDADD)

TESTS += tests/integration/sftp_basic.sh tests/integration/sftp_attack.sh \
	tests/integration/sftp_hostile.sh tests/integration/sftp_big.sh
