libsftpgw_a_SOURCES += src/util/buf.c src/util/err.c src/util/log.c src/util/names.c \
	src/util/shellwords.c src/util/config.c src/util/pubkey.c

check_PROGRAMS += tests/unit/test_util
TESTS += tests/unit/test_util
tests_unit_test_util_SOURCES = tests/unit/test_util.c
tests_unit_test_util_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_util_LDADD = $(UNIT_LDADD)

# rxbuf.c defines recv(), poll() and close() for the whole program: only sftpgwd
# (and its own test) link it, not libsftpgw.a's other users.
sftpgwd_SOURCES += src/util/rxbuf.c

check_PROGRAMS += tests/unit/test_rxbuf
TESTS += tests/unit/test_rxbuf
tests_unit_test_rxbuf_SOURCES = tests/unit/test_rxbuf.c src/util/rxbuf.c
tests_unit_test_rxbuf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_rxbuf_LDADD = $(UNIT_LDADD)
