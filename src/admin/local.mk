sftpgw_admin_SOURCES += src/admin/main.c
sftpgw_admin_SOURCES += src/admin/node.c
