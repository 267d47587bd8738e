sftpgw_admin_SOURCES += src/admin/main.c src/admin/out.c src/admin/init.c src/admin/env.c \
	src/admin/key.c src/admin/user.c src/admin/mount.c src/admin/hostkeys.c \
	src/admin/ca.c src/admin/cert.c
noinst_HEADERS += src/admin/admin.h
TESTS += tests/integration/admin_cli.sh
dist_man_MANS += doc/sftpgw-admin.8
sftpgw_admin_SOURCES += src/admin/node.c
