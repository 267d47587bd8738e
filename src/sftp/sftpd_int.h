/* sftpd_int.h — shared by the files of src/sftp only (see doc/sftp.md).
 *
 * sftpd.c          channel kind: framing, admission caps, output queue, lifetime
 * sftpd_handle.c   handle table, per-handle ordering, threadpool dispatch
 * sftpd_attr.c     ATTRS, longnames, error -> status map, reply builder
 * sftpd_handlers.c the v3 requests and the request table
 * sftpd_ext.c      the extensions (announced and dispatched from one table)
 */
#ifndef SFTPGW_SFTPD_INT_H
#define SFTPGW_SFTPD_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/statvfs.h>
#include <uv.h>

#include "sftpgw/buf.h"
#include "sftpgw/chan.h"
#include "sftpgw/sftpd.h"
#include "sftpgw/vfs.h"

/* Packet types. */
enum {
	SSH_FXP_INIT = 1, SSH_FXP_VERSION = 2, SSH_FXP_OPEN = 3, SSH_FXP_CLOSE = 4,
	SSH_FXP_READ = 5, SSH_FXP_WRITE = 6, SSH_FXP_LSTAT = 7, SSH_FXP_FSTAT = 8,
	SSH_FXP_SETSTAT = 9, SSH_FXP_FSETSTAT = 10, SSH_FXP_OPENDIR = 11,
	SSH_FXP_READDIR = 12, SSH_FXP_REMOVE = 13, SSH_FXP_MKDIR = 14, SSH_FXP_RMDIR = 15,
	SSH_FXP_REALPATH = 16, SSH_FXP_STAT = 17, SSH_FXP_RENAME = 18,
	SSH_FXP_READLINK = 19, SSH_FXP_SYMLINK = 20,
	SSH_FXP_STATUS = 101, SSH_FXP_HANDLE = 102, SSH_FXP_DATA = 103,
	SSH_FXP_NAME = 104, SSH_FXP_ATTRS = 105,
	SSH_FXP_EXTENDED = 200, SSH_FXP_EXTENDED_REPLY = 201,
};

/* ATTRS flags. */
#define SSH_FILEXFER_ATTR_SIZE 0x1u
#define SSH_FILEXFER_ATTR_UIDGID 0x2u
#define SSH_FILEXFER_ATTR_PERMISSIONS 0x4u
#define SSH_FILEXFER_ATTR_ACMODTIME 0x8u
#define SSH_FILEXFER_ATTR_EXTENDED 0x80000000u

/* OPEN pflags. */
#define SSH_FXF_READ 0x1u
#define SSH_FXF_WRITE 0x2u
#define SSH_FXF_APPEND 0x4u
#define SSH_FXF_CREAT 0x8u
#define SSH_FXF_TRUNC 0x10u
#define SSH_FXF_EXCL 0x20u

/* Bytes in front of read data for the DATA reply header: len, type, id, len. */
#define SFTPD_DATA_HDR 13
/* Bytes a handle string takes on the wire (slot + generation). */
#define SFTPD_HANDLE_LEN 8
/* Budget charged for requests without a payload (paths, attrs, small replies). */
#define SFTPD_SMALL_COST 1024

struct sftpd_req;
struct sftpd;

struct sftpd_attrs {
	uint32_t flags;
	uint64_t size;
	uint32_t uid, gid, perm, atime, mtime;
};

struct sftpd_handle {
	int fd;                      /* file handle, or -1 */
	struct vfs_dir *dir;         /* directory handle, or NULL */
	char *vpath;                 /* normalized virtual path it was opened with */
	uint32_t gen;                /* part of the handle string: stale ones fail */
	bool closing;                /* CLOSE admitted: later requests fail */
	bool rdonly;                 /* a directory or a file opened read-only */
	bool local;                  /* fd on a local disk fs (vfs_fd_local): RWF_NOWAIT reads */
	unsigned running;            /* requests of this handle on the threadpool */
	bool excl;                   /* the running one needs the handle alone */
	struct sftpd_req *qhead, *qtail; /* waiting to start, in arrival order */
	struct sftpd_req *ohead, *otail; /* every admitted request: replies leave in this order */
};

/* Operation flags. */
#define SFTPD_OP_HANDLE 0x1u  /* works on r->h: ordered per handle */
#define SFTPD_OP_SHARED 0x2u  /* may run alongside other shared ops (READ, FSTAT) */
#define SFTPD_OP_CLOSES 0x4u  /* CLOSE: the handle goes away when it is done */

/* One request type (or extension): parse and check on the loop, work on the
 * threadpool (NULL: none needed), build the success reply on the loop (NULL:
 * a plain SSH_FX_OK status). Errors always become a status reply. */
struct sftpd_op {
	const char *name;
	int (*parse)(struct sftpd_req *r, struct sbuf *m);
	void (*work)(struct sftpd_req *r);
	int (*reply)(struct sftpd_req *r);
	unsigned flags;
	/* Loop thread, optional: does the work at once when that provably
	 * cannot block (page cache, dentry cache) and returns true; false sends
	 * the request to the threadpool, where work finishes or redoes it. Saves
	 * the two thread wake-ups a threadpool round trip costs. */
	bool (*now)(struct sftpd_req *r);
};

struct sftpd_ext {
	const char *name;
	const char *version;   /* data string announced in VERSION */
	struct sftpd_op op;
};

struct sftpd_req {
	uv_work_t work;
	struct sftpd *s;
	const struct sftpd_op *op;
	struct sftpd_handle *h;     /* the handle the request is ordered on */
	struct sftpd_handle *h2;    /* copy-data: the source handle */
	struct sftpd_req *hnext;    /* handle wait queue */
	struct sftpd_req *hord;     /* handle reply order */
	bool running;               /* on the threadpool */
	bool done;                  /* work finished, reply not yet released */
	struct sftpd_req *onext;    /* output queue */
	uint32_t id;
	int err;                    /* result of the work: 0 or negative */
	size_t cost;                /* charged against SFTPD_MAX_INFLIGHT_BYTES */
	bool opens_handle;          /* holds a handle slot reservation */
	bool quiet;                 /* answered early (sftpd__reply_early): no reply of its own */
	bool local;                 /* OPEN: r->fd lies on a local disk fs */
	char *p1, *p2;              /* normalized paths (heap) */
	uint32_t u32;               /* pflags, or another small argument */
	uint64_t off, len, off2;
	struct sftpd_attrs a;
	uint8_t *data;              /* owned: READ header room + data, WRITE buffer */
	const uint8_t *wdata;       /* WRITE payload (inside data) */
	size_t dlen;
	int fd;                     /* OPEN result */
	struct vfs_dir *dir;        /* OPENDIR result */
	struct vfs_attr st;
	struct statvfs sv;
	struct sbuf rep;            /* reply under construction / to send */
	const uint8_t *out;         /* bytes to send (rep.d or data) */
	size_t out_len, out_off;
};

struct sftpd {
	struct chan *ch;
	uv_loop_t *loop;
	struct vfs_view *view;
	char user[NAME_MAX_LEN + 1];
	struct sbuf in;             /* reassembly of a message split across input() */
	bool inited;                /* INIT seen */
	bool dead;                  /* protocol error: ignoring input */
	bool eof;                   /* client sent EOF */
	bool closed;                /* close() called: no more chan_* calls */
	bool held;                  /* input() returned short: resume later */
	bool in_input;              /* inside input(): no resume from here */
	bool exiting;               /* chan_exit called */
	unsigned inflight;          /* admitted, reply not yet fully written */
	unsigned running;           /* on the threadpool */
	size_t mem;                 /* sum of cost of inflight requests */
	unsigned handles_used;      /* open + reserved by pending OPEN/OPENDIR */
	struct sftpd_handle *handles[SFTPD_MAX_HANDLES];
	uint32_t next_gen;
	struct sftpd_req *out_head, *out_tail;
	size_t out_queued;
	uv_check_t flush_check;     /* flushes replies once per loop iteration */
	bool check_active;
	uv_work_t teardown;
};

/* sftpd.c */
/* Queues r's reply (r->out) for sending; r is freed once it is written. */
void sftpd__out_queue(struct sftpd *s, struct sftpd_req *r);
/* Answers r with SSH_FX_OK now through a second request; r then runs quiet
 * (its result is only logged). For CLOSE of handles whose close(2) has no
 * error to report. */
int sftpd__reply_early(struct sftpd_req *r);
/* Called when a request finished its work and its reply was queued or dropped. */
void sftpd__req_free(struct sftpd_req *r);
/* Runs sftpd__kick from the loop's check phase, once per iteration. */
void sftpd__arm(struct sftpd *s);
/* Re-checks caps after something drained: resumes held input, finishes on EOF. */
void sftpd__kick(struct sftpd *s);
/* Once close() happened and nothing runs on the threadpool: closes handles
 * and the view on the threadpool, then frees s and releases the channel. */
void sftpd__teardown(struct sftpd *s);

/* sftpd_handle.c */
/* Runs r: now, or after earlier requests on its handle. */
void sftpd__dispatch(struct sftpd_req *r);
/* Handle for a wire handle string, or NULL (stale, closing, malformed). */
struct sftpd_handle *sftpd__handle_find(struct sftpd *s, const uint8_t *p, size_t n);
/* Reads a handle string from m into r->h (or h2 when second). */
int sftpd__get_handle(struct sftpd_req *r, struct sbuf *m, struct sftpd_handle **out);
/* Reserves a slot for an OPEN/OPENDIR; SGW_ELIMIT when all are used. */
int sftpd__handle_reserve(struct sftpd *s);
/* Turns r's reservation into a handle owning r->fd / r->dir / r->p1, and
 * appends its wire string to r->rep. */
int sftpd__handle_add(struct sftpd_req *r);
void sftpd__handle_unreserve(struct sftpd *s);
/* Frees the slot of a closed handle (its fd was closed on the threadpool). */
void sftpd__handle_remove(struct sftpd *s, struct sftpd_handle *h);
/* Threadpool: closes every handle's fd and directory (teardown). */
void sftpd__handles_close_all(struct sftpd *s);
/* Loop: frees requests of handles that are not on the threadpool (teardown);
 * returns how many. */
unsigned sftpd__handles_drop_waiting(struct sftpd *s);

/* sftpd_attr.c */
int sftpd__attrs_get(struct sbuf *m, struct sftpd_attrs *a);
int sftpd__attrs_put(struct sbuf *b, const struct vfs_attr *va);
void sftpd__attrs_to_set(const struct sftpd_attrs *a, struct vfs_setattr *sa);
/* `ls -l` style line for name; owner and group shown as user. */
void sftpd__longname(char *out, size_t n, const char *name, const struct vfs_attr *a,
                     const char *user, int64_t now);
/* Reads a path string and normalizes it against "/" into a heap string. */
int sftpd__get_path(struct sbuf *m, char **out);
/* Starts reply type for r->id in r->rep. */
int sftpd__reply_begin(struct sftpd_req *r, uint8_t type);
/* Finishes r->rep (patches the length) and makes it r's output. */
int sftpd__reply_end(struct sftpd_req *r);
/* Makes r's output a STATUS reply for err. */
int sftpd__reply_status(struct sftpd_req *r, int err);

/* sftpd_handlers.c */
/* The op for a packet type, or NULL. */
const struct sftpd_op *sftpd__op_find(uint8_t type);
/* Threadpool: canonical name of r->p1 as a NAME reply in r->rep. */
void sftpd__work_realpath(struct sftpd_req *r);

/* sftpd_ext.c */
const struct sftpd_op *sftpd__ext_find(const uint8_t *name, size_t n);
/* Appends every extension's name and version to a VERSION reply. */
int sftpd__ext_announce(struct sbuf *b);
/* Parses an EXTENDED request's name and picks the op; SGW_EUNSUPPORTED if unknown. */
int sftpd__ext_parse(struct sftpd_req *r, struct sbuf *m);

#endif
