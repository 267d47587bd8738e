libsftpgw_a_SOURCES += src/core/limits.c
sftpgwd_SOURCES += src/core/main.c src/core/builtins.c src/core/core.h src/core/listen.c \
	src/core/worker.c src/core/session.c src/core/auth.c src/core/chan.c

TESTS += tests/integration/core_login.sh tests/integration/core_limits.sh

check_PROGRAMS += tests/unit/test_limits
TESTS += tests/unit/test_limits
tests_unit_test_limits_SOURCES = tests/unit/test_limits.c
tests_unit_test_limits_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_limits_LDADD = $(UNIT_LDADD)
