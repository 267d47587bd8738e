# src/scp
libsftpgw_a_SOURCES += src/scp/scpd.c src/scp/scpd_parse.c src/scp/scpd_source.c \
	src/scp/scpd_sink.c
noinst_HEADERS += src/scp/scpd.h
