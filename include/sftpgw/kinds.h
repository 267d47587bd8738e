/* kinds.h — the channel kinds of the protocol servers (see chan.h). */
#ifndef SFTPGW_KINDS_H
#define SFTPGW_KINDS_H

#include "sftpgw/chan.h"

extern const struct chan_kind sftpd_kind;  /* src/sftp: subsystem "sftp" */
extern const struct chan_kind scpd_kind;   /* src/scp: scp -t / -f */
extern const struct chan_kind sumd_kind;   /* src/archive: md5sum, sha1sum, sha256sum, sha512sum */
extern const struct chan_kind arcd_kind;   /* src/archive: tar */
extern const struct chan_kind miscd_kind;  /* src/archive: pwd, true, false */
extern const struct chan_kind rsd_kind;    /* src/rsync: rsync --server */

#endif
