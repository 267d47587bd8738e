libsftpgw_a_SOURCES += src/store/schema.c src/store/store.c src/store/admin.c
libsftpgw_a_SOURCES += src/store/ca.c
noinst_HEADERS += src/store/store_internal.h

check_PROGRAMS += tests/unit/test_store tests/unit/test_pubkey
TESTS += tests/unit/test_store tests/unit/test_pubkey
tests_unit_test_store_SOURCES = tests/unit/test_store.c
tests_unit_test_store_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_store_LDADD = $(UNIT_LDADD)
tests_unit_test_pubkey_SOURCES = tests/unit/test_pubkey.c
tests_unit_test_pubkey_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_pubkey_LDADD = $(UNIT_LDADD)
libsftpgw_a_SOURCES += src/store/node.c
