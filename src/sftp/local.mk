# src/sftp — the in-process SFTP v3 server (doc/sftp.md)
libsftpgw_a_SOURCES += src/sftp/sftpd.c src/sftp/sftpd_handle.c src/sftp/sftpd_attr.c \
	src/sftp/sftpd_handlers.c src/sftp/sftpd_ext.c src/sftp/sftpd_int.h
