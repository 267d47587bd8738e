libsftpgw_a_SOURCES += src/store/schema.c
libsftpgw_a_SOURCES += src/store/node.c
