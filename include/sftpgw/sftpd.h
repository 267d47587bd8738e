/* sftpd.h — the in-process SFTP v3 server (channel kind sftpd_kind, kinds.h).
 *
 * Exported beyond the kind only for the unit tests: the framing check and the
 * one error -> SSH_FX status map. Internals: doc/sftp.md.
 */
#ifndef SFTPGW_SFTPD_H
#define SFTPGW_SFTPD_H

#include <stddef.h>
#include <stdint.h>

/* Largest read/write payload we serve and announce in limits@openssh.com.
 * 1 KiB under 256 KiB because OpenSSH clients refuse any message over
 * 256 KiB, and a READ reply adds its 13-byte header to the data. */
#define SFTPD_MAX_IO (256 * 1024 - 1024)
/* Largest request (length field) we accept: 256 KiB plus header room.
 * Longer is a protocol error that ends the channel. */
#define SFTPD_MAX_MSG (256 * 1024 + 1024)
/* Announced as max packet length in limits@openssh.com. */
#define SFTPD_MAX_PACKET (256 * 1024)
/* Requests admitted and not yet answered (running, waiting on a handle, or
 * with their reply queued). At the cap the channel stops consuming input. */
#define SFTPD_MAX_INFLIGHT 64
/* Buffer bytes (read/write payloads, directory batches) those requests may
 * hold together; past it input is held back as well. */
#define SFTPD_MAX_INFLIGHT_BYTES (8 * 1024 * 1024)
/* Open file and directory handles per channel; OPEN/OPENDIR past it fail. */
#define SFTPD_MAX_HANDLES 256
/* Directory entries per READDIR reply, and the reply size we stop at. */
#define SFTPD_READDIR_BATCH 128
#define SFTPD_READDIR_BYTES (64 * 1024)
/* Extended attribute pairs accepted (and ignored) in an ATTRS structure. */
#define SFTPD_MAX_ATTR_EXT 64
/* uids/gids in one users-groups-by-id@openssh.com request. */
#define SFTPD_MAX_IDS 1024
/* The SFTP protocol version we speak. */
#define SFTPD_VERSION 3

/* Protocol status codes (SFTP v3). */
#define SSH_FX_OK 0
#define SSH_FX_EOF 1
#define SSH_FX_NO_SUCH_FILE 2
#define SSH_FX_PERMISSION_DENIED 3
#define SSH_FX_FAILURE 4
#define SSH_FX_BAD_MESSAGE 5
#define SSH_FX_NO_CONNECTION 6
#define SSH_FX_CONNECTION_LOST 7
#define SSH_FX_OP_UNSUPPORTED 8

/* Internal result "end of file" (READ at EOF, READDIR at the end): SSH_FX_EOF. */
#define SFTPD_ERR_EOF 1

/* Looks at buffered input p[0..n): 1 when a whole message is there (*msglen
 * = its length without the 4-byte prefix), 0 when more bytes are needed,
 * SGW_ETOOBIG for a length over SFTPD_MAX_MSG, SGW_EBADFORMAT for one too
 * short to hold a type and an id. */
int sftpd_frame_check(const uint8_t *p, size_t n, size_t *msglen);
/* SSH_FX status code for an error (0, -errno or SGW_E*), and its message. */
uint32_t sftpd_status_from_err(int err, const char **msg);

#endif
