libsftpgw_a_SOURCES += src/store/schema.c
