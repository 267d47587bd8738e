# src/archive
libsftpgw_a_SOURCES += src/archive/xjob.c src/archive/miscd.c src/archive/sumd.c \
	src/archive/arcd.c src/archive/arcd_opts.c src/archive/arcd_create.c src/archive/arcd_extract.c
noinst_HEADERS += src/archive/arcd.h
