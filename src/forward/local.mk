# src/forward
libsftpgw_a_SOURCES += src/forward/fwd_internal.h src/forward/target.c src/forward/menu.c \
	src/forward/backend.c src/forward/relay.c src/forward/tunnel.c

check_PROGRAMS += tests/unit/test_node
TESTS += tests/unit/test_node
tests_unit_test_node_SOURCES = tests/unit/test_node.c
tests_unit_test_node_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_node_LDADD = $(UNIT_LDADD)

TESTS += tests/integration/fwd_shell.sh tests/integration/fwd_menu.sh tests/integration/fwd_tunnel.sh \
	tests/integration/fwd_timeout.sh tests/integration/fwd_admin.sh \
	tests/integration/fwd_mux.sh
TESTS += tests/integration/fwd_backpressure.sh
