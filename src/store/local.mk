libsftpgw_a_SOURCES += src/store/schema.c src/store/store.c src/store/admin.c
noinst_HEADERS += src/store/store_internal.h
