sftpgwd_SOURCES += src/core/main.c src/core/builtins.c src/core/core.h src/core/listen.c \
	src/core/limits.c src/core/worker.c src/core/session.c src/core/auth.c src/core/chan.c

TESTS += tests/integration/core_login.sh tests/integration/core_limits.sh
