libsftpgw_a_SOURCES += src/cert/cert.c src/cert/parse.c src/cert/crypto.c src/cert/issue.c \
	src/cert/cidr.c src/cert/cert_internal.h

check_PROGRAMS += tests/unit/test_cert
TESTS += tests/unit/test_cert
tests_unit_test_cert_SOURCES = tests/unit/test_cert.c
tests_unit_test_cert_CFLAGS = $(UNIT_CFLAGS) -DCERT_FIXTURES='"$(abs_top_srcdir)/tests/unit/cert-fixtures"'
tests_unit_test_cert_LDADD = $(UNIT_LDADD)
EXTRA_DIST += tests/unit/cert-fixtures
TESTS += tests/integration/cert_admin.sh

# libssh client that sends certificates unchecked (OpenSSH's ssh refuses to load tampered ones)
check_PROGRAMS += tests/integration/cert-client
tests_integration_cert_client_SOURCES = tests/integration/cert_client.c
tests_integration_cert_client_LDADD = $(LIBSSH_LIBS)
TESTS += tests/integration/cert_login.sh
