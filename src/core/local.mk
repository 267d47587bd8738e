sftpgwd_SOURCES += src/core/main.c src/core/builtins.c src/core/core.h
