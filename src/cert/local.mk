libsftpgw_a_SOURCES += src/cert/cert.c
