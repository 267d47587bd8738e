# src/forward
libsftpgw_a_SOURCES += src/forward/fwd_internal.h src/forward/target.c src/forward/menu.c \
	src/forward/backend.c src/forward/relay.c src/forward/tunnel.c
