/* xjob.h — one streaming exec job on the threadpool (scp, tar, checksums).
 *
 * The built-in exec commands are sequential protocols (OpenSSH's scp source
 * and sink, a tar stream, a series of hashes). Each runs as ONE uv_queue_work
 * job that may block on the disk and on two bounded rings shared with the
 * loop thread: client input (filled by the kind's input(), back-pressure when
 * full) and output (drained by the loop into chan_write as chan_out_room()
 * allows, so the job stalls when the client reads slowly). The loop never
 * blocks; memory per job is bounded by XJOB_IN_MAX + XJOB_OUT_MAX + XJOB_ERR_MAX.
 *
 * Loop-thread side: xjob_start from the kind's start(), then forward input,
 * writable, eof and close to the xjob_on_* functions. When the job function
 * returns, its output is drained and the channel exits with its status; after
 * close() the job is told to abort and chan_release() follows its return.
 *
 * Job (threadpool) side: xjob_read/xjob_write/xjob_errorf block; they fail
 * with SGW_EPROTOCOL once the channel is closed, and the job must then clean up
 * (e.g. remove a temp file) and return.
 */
#ifndef SFTPGW_XJOB_H
#define SFTPGW_XJOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sftpgw/chan.h"

#define XJOB_IN_MAX (1024 * 1024)   /* client input held for a job */
#define XJOB_OUT_MAX (1024 * 1024)  /* job output waiting for chan_out_room() */
#define XJOB_ERR_MAX (64 * 1024)    /* job stderr waiting likewise */
#define XJOB_MAX_ACTIVE 12          /* jobs at once in the process (threadpool is 16) */

struct xjob;

/* The job's body, run on the threadpool; returns the exit status. */
typedef int (*xjob_fn)(struct xjob *j, void *arg);

/* Loop: starts fn(j, arg) for ch and hooks the channel's data to j. free_arg
 * (may be NULL) is called on the loop once the job is over. On failure
 * (SGW_ELIMIT when too many jobs run) nothing was started and arg is not freed. */
int xjob_start(struct chan *ch, xjob_fn fn, void *arg, void (*free_arg)(void *arg));
/* Loop: the kind's input(): copies what fits into the input ring. */
size_t xjob_on_input(struct chan *ch, const uint8_t *data, size_t len);
/* Loop: the kind's writable(). */
void xjob_on_writable(struct chan *ch);
/* Loop: the kind's eof(): xjob_read returns 0 once the ring is empty. */
void xjob_on_eof(struct chan *ch);
/* Loop: the kind's close(): aborts the job; chan_release() after it returned. */
void xjob_on_close(struct chan *ch);

/* Job: reads up to n bytes of client input (blocks until some); 0 at EOF. */
ssize_t xjob_read(struct xjob *j, void *buf, size_t n);
/* Job: reads exactly n bytes; SGW_ETRUNCATED at an early EOF. */
int xjob_read_full(struct xjob *j, void *buf, size_t n);
/* Job: queues n bytes of stdout (blocks while the ring is full). */
int xjob_write(struct xjob *j, const void *buf, size_t n);
/* Job: formats one message to stderr (truncated to 1 KiB). */
int xjob_errorf(struct xjob *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Job: true once the channel closed (the job should stop). */
bool xjob_aborted(struct xjob *j);
/* Job: the session's file view. */
struct vfs_view *xjob_view(struct xjob *j);

/* Maps a user's path to a virtual one: "~" and "~/x" are "/" and "/x",
 * relative paths start at base (NULL for "/", the home). Pure string work. */
int xjob_path_resolve(const char *base, const char *path, char *out, size_t outsz);

#endif
