sftpgwd_SOURCES += src/core/main.c
