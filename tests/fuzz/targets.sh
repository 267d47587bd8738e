# targets.sh — which sources each fuzz target links (sourced by build.sh).
# One line per target: NAME: project sources (relative to the top) [| extra link flags].
# A target whose sources are not all present in this checkout is skipped.
FUZZ_TARGETS='
buf:        src/util/buf.c src/util/err.c
shellwords: src/util/shellwords.c src/util/err.c
names:      src/util/names.c src/util/err.c
path:       src/vfs/path.c
pubkey:     src/util/pubkey.c src/util/buf.c src/util/err.c | -lcrypto
pubkey_blob: src/util/pubkey.c src/util/buf.c src/util/err.c | -lcrypto
scp:        src/scp/scpd_parse.c src/util/shellwords.c src/util/buf.c src/util/err.c
tar:        src/archive/arcd_opts.c src/vfs/path.c src/util/shellwords.c src/util/err.c
rsync:      src/rsync/rsd_enc.c src/rsync/rsd_wild.c src/rsync/rsd_opts.c src/util/shellwords.c src/util/buf.c src/util/err.c
rsync_flist: src/rsync/rsd_io.c src/rsync/rsd_enc.c src/rsync/rsd_fstore.c src/rsync/rsd_flist.c src/rsync/rsd_filter.c src/rsync/rsd_wild.c src/util/buf.c src/util/err.c src/util/log.c | -luv -lcrypto -lz -lpthread
sftp:       src/sftp/sftpd.c src/sftp/sftpd_attr.c src/sftp/sftpd_ext.c src/sftp/sftpd_handle.c src/sftp/sftpd_handlers.c src/vfs/path.c src/vfs/view.c src/vfs/realpath.c src/vfs/ops.c src/vfs/modify.c src/vfs/dir.c src/vfs/copy.c src/vfs/roots.c src/util/buf.c src/util/err.c src/util/log.c | -luv -lpthread
cert:       src/cert/parse.c src/cert/crypto.c src/util/buf.c src/util/err.c | -lcrypto
'
