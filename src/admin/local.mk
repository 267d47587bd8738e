sftpgw_admin_SOURCES += src/admin/main.c
