dist_man_MANS += doc/sftpgwd.8 doc/sftpgw.conf.5
sftpgwconfdir = $(sysconfdir)/sftpgw
dist_sftpgwconf_DATA = conf/sftpgw.conf
EXTRA_DIST += conf/sftpgwd.service
