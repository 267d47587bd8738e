/* rsd_int.h — internals shared by the files of src/rsync (not a public API).
 *
 * One transfer = one struct rsd. The protocol conversation runs as blocking
 * code in one threadpool job (plus one extra thread for the generator when the
 * client pushes), reading from an input ring that input() fills on the loop
 * and writing to an output ring that the loop drains into chan_write().
 * Errors are sticky: the first one is recorded, later I/O becomes a no-op and
 * the state machines stop at their next check.
 */
#ifndef RSD_INT_H
#define RSD_INT_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>
#include <zlib.h>

#include "sftpgw/chan.h"
#include "sftpgw/rsd.h"
#include "sftpgw/vfs.h"

/* multiplexed message codes (rsync's io.h) */
enum {
	RSD_MSG_DATA = 0, RSD_MSG_ERROR_XFER = 1, RSD_MSG_INFO = 2, RSD_MSG_ERROR = 3,
	RSD_MSG_WARNING = 4, RSD_MSG_ERROR_SOCKET = 5, RSD_MSG_LOG = 6, RSD_MSG_CLIENT = 7,
	RSD_MSG_ERROR_UTF8 = 8, RSD_MSG_REDO = 9, RSD_MSG_STATS = 10, RSD_MSG_IO_ERROR = 22,
	RSD_MSG_IO_TIMEOUT = 33, RSD_MSG_NOOP = 42, RSD_MSG_ERROR_EXIT = 86,
	RSD_MSG_SUCCESS = 100, RSD_MSG_DELETED = 101, RSD_MSG_NO_SEND = 102,
};
#define RSD_MPLEX_BASE 7
#define RSD_OBUF (32 * 1024) /* MSG_DATA payload gathered before framing */

#define NDX_DONE (-1)
#define NDX_FLIST_EOF (-2)
#define NDX_DEL_STATS (-3)

#define XMIT_TOP_DIR (1u << 0)
#define XMIT_SAME_MODE (1u << 1)
#define XMIT_EXTENDED_FLAGS (1u << 2)
#define XMIT_SAME_UID (1u << 3)
#define XMIT_SAME_GID (1u << 4)
#define XMIT_SAME_NAME (1u << 5)
#define XMIT_LONG_NAME (1u << 6)
#define XMIT_SAME_TIME (1u << 7)
#define XMIT_SAME_RDEV_MAJOR (1u << 8)
#define XMIT_NO_CONTENT_DIR (1u << 8)
#define XMIT_HLINKED (1u << 9)
#define XMIT_USER_NAME_FOLLOWS (1u << 10)
#define XMIT_GROUP_NAME_FOLLOWS (1u << 11)
#define XMIT_IO_ERROR_ENDLIST (1u << 12)
#define XMIT_MOD_NSEC (1u << 13)
#define XMIT_SAME_ATIME (1u << 14)
#define XMIT_CRTIME_EQ_MTIME (1u << 17)

#define ITEM_REPORT_CHANGE (1u << 1)
#define ITEM_REPORT_SIZE (1u << 2)
#define ITEM_REPORT_TIME (1u << 3)
#define ITEM_REPORT_PERMS (1u << 4)
#define ITEM_BASIS_TYPE_FOLLOWS (1u << 11)
#define ITEM_XNAME_FOLLOWS (1u << 12)
#define ITEM_IS_NEW (1u << 13)
#define ITEM_LOCAL_CHANGE (1u << 14)
#define ITEM_TRANSFER (1u << 15)

#define CF_SAFE_FLIST (1u << 3)
#define CF_CHKSUM_SEED_FIX (1u << 5)
#define CF_VARINT_FLIST_FLAGS (1u << 7)

/* rsync's exit codes */
enum {
	RERR_OK = 0, RERR_SYNTAX = 1, RERR_PROTOCOL = 2, RERR_FILESELECT = 3,
	RERR_UNSUPPORTED = 4, RERR_STARTCLIENT = 5, RERR_FILEIO = 11, RERR_STREAMIO = 12,
	RERR_MALLOC = 22, RERR_PARTIAL = 23, RERR_VANISHED = 24, RERR_TIMEOUT = 30,
};

enum rsd_compress { RSD_CPRES_NONE, RSD_CPRES_ZLIBX, RSD_CPRES_ZLIB };
enum rsd_csum { RSD_CSUM_MD5, RSD_CSUM_XXH128 };
#define RSD_CSUM_LIST "xxh128 md5" /* checksums we offer, strongest and fastest first */

struct rsd_opts {
	bool sender, secluded, recurse, dirs, links, perms, times, owner, group, devices, specials;
	bool dry_run, checksum, compress, whole_file, ignore_times, update, size_only;
	bool ignore_existing, existing, inplace, partial, append, remove_source, numeric_ids;
	bool delete_mode, delete_before, delete_during, delete_after, delete_delay;
	bool delete_excluded, force, stats, omit_dir_times, omit_link_times, list_only, mkpath;
	int verbose, timeout, append_count;
	int compress_level;
	bool new_compress, old_compress;
	int32_t block_size;
	uint32_t checksum_seed;
	char client_info[64];     /* letters after -e */
	char checksum_choice[32]; /* --checksum-choice, "" when negotiated */
	char **args;              /* positional args after ".", NULL-terminated (points into argv) */
	int nargs;
	bool saw_dot;
};

/* Parses the server command line (argv[0] == "rsync"). 0 or -1 with why set. */
int rsd_opts_parse(struct rsd_opts *o, char **argv, char *why, size_t whysz);

#define RSD_F_TOP_DIR 0x1u
#define RSD_F_NO_CONTENT 0x2u
#define RSD_F_SENT 0x4u
#define RSD_F_FAILED 0x8u
#define RSD_F_DEVICE 0x10u
#define RSD_F_REDO 0x20u     /* receiver: failed its whole-file checksum, asked for again */

/* One file-list entry: fixed 48 bytes plus its name in the pool. */
struct rsd_file {
	uint64_t size;
	int64_t mtime;
	uint32_t name;   /* offset into names */
	uint32_t link;   /* offset of the symlink target or -c checksum, 0 when none */
	uint32_t mode;
	uint32_t nsec;
	uint32_t uid, gid;
	uint16_t base;   /* sender: index of the source directory */
	uint16_t flags;
};

struct rsd_flist {
	struct rsd_file *f;
	uint32_t n, cap;
	char *names;     /* NUL-separated; offset 0 holds "" */
	size_t nlen, ncap;
	char **bases;    /* sender: source directories (virtual) */
	uint16_t nbases;
};

struct rsd_rule {
	char *pat;
	unsigned flags;
};
#define RSD_R_INCLUDE 0x1u
#define RSD_R_DIR 0x2u      /* pattern ended in '/' */
#define RSD_R_ANCHOR 0x4u   /* pattern began with '/' */
#define RSD_R_SLASH 0x8u    /* pattern has an inner '/': match the whole path */
#define RSD_R_SENDER 0x10u  /* applies on the sending side */
#define RSD_R_RECEIVER 0x20u /* applies on the receiving side (delete protection) */
#define RSD_R_NEGATE 0x40u
#define RSD_R_CLEAR 0x80u

struct rsd {
	struct chan *ch;
	struct vfs_view *view;
	char **argv;
	bool argv_owned;      /* -s: the strings came from the stream */
	struct rsd_opts o;

	/* rings and their synchronisation (loop <-> job) */
	uv_mutex_t mu;
	uv_cond_t in_cv;      /* the job waits for input (in_want bytes) */
	uv_cond_t out_cv;     /* writers wait for room in the output ring */
	uv_cond_t gen_cv;     /* the generator waits for the receiver's phase ends */
	uint8_t *inr, *outr;
	size_t in_head, in_len, out_head, out_len;
	size_t in_want;       /* input bytes the waiting job needs before a wakeup (0: not waiting) */
	bool in_eof, abort, in_blocked, job_done, closed, exited;
	uv_async_t async;
	uv_work_t work;
	bool work_queued;
	char errtext[2048];   /* stderr text written before the exit status */
	size_t errlen;

	/* protocol state (job threads) */
	int proto;
	uint32_t seed;
	bool seed_fix;
	enum rsd_compress cmode;
	enum rsd_csum csum;   /* negotiated strong checksum */
	bool mux_out, mux_in;
	uint32_t in_frame;    /* MSG_DATA bytes left in the current input frame */
	uv_mutex_t omu;       /* output: generator and receiver share it */
	uint8_t obuf[RSD_OBUF];
	size_t olen;
	struct rsd_ndx_state ndx_rd, ndx_wr;
	atomic_int err;       /* sticky rsync exit code of a fatal error, 0 = none */
	atomic_int io_error;  /* non-fatal file errors: exit 23 at the end */
	struct rsd_flist fl;
	struct rsd_rule *rules;
	int nrules;
	char dest[VFS_PATH_MAX];  /* receiver: directory files go to */
	char solo[VFS_PATH_MAX];  /* receiver: single-file target ("" = none) */
	uint64_t st_read, st_written, st_size, st_literal, st_matched;
	uint32_t del_files, del_dirs, del_links;

	/* generator <-> receiver (push) */
	int done_cnt;
	uv_thread_t gen_thread;
	uint64_t gen_flushed;   /* uv_hrtime() of the generator's last flush */
	int32_t gen_missing;    /* list index of a directory the generator created, or -1 */

	/* compression streams */
	z_stream zin, zout;
	bool zin_init, zout_init;
	void *tok_tx, *tok_rx;  /* rsd_token.c's state per direction */
	uint8_t *wbuf;          /* receiver: write buffer */
	void *bmd;              /* EVP_MD_CTX for block sums (one thread uses it) */
};

/* rsd_io.c: blocking I/O of the job */
void rsd_fail(struct rsd *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline bool rsd_bad(struct rsd *r) { return atomic_load(&r->err) != 0; }
void rsd_file_error(struct rsd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rsd_info(struct rsd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rsd_warn(struct rsd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int rsd_raw_read(struct rsd *r, void *p, size_t n);
void rsd_raw_write(struct rsd *r, const void *p, size_t n);
void rsd_read(struct rsd *r, void *p, size_t n);
uint8_t rsd_read_byte(struct rsd *r);
int32_t rsd_read_int(struct rsd *r);
uint16_t rsd_read_short(struct rsd *r);
int32_t rsd_read_varint(struct rsd *r);
int64_t rsd_read_varlong(struct rsd *r, int min);
int32_t rsd_read_ndx(struct rsd *r);
size_t rsd_read_vstring(struct rsd *r, char *out, size_t outsz);
void rsd_write(struct rsd *r, const void *p, size_t n);
void rsd_write_byte(struct rsd *r, uint8_t v);
void rsd_write_int(struct rsd *r, int32_t v);
void rsd_write_short(struct rsd *r, uint16_t v);
void rsd_write_varint(struct rsd *r, int32_t v);
void rsd_write_varlong(struct rsd *r, int64_t v, int min);
void rsd_write_ndx(struct rsd *r, int32_t ndx);
void rsd_write_vstring(struct rsd *r, const char *s);
void rsd_flush(struct rsd *r);
void rsd_msg(struct rsd *r, int code, const void *p, size_t n);
void rsd_msg_int(struct rsd *r, int code, int32_t v);
#define RSD_DRAIN_SECS 10 /* waiting for the client to hang up after an error */
void rsd_error_exit(struct rsd *r, int code);

/* rsd_main.c: handshake and roles */
void rsd_session_run(struct rsd *r);

/* rsd_flist.c */
int rsd_flist_add(struct rsd_flist *fl, const char *name, const char *link, struct rsd_file **out);
static inline const char *rsd_fname(const struct rsd_flist *fl, const struct rsd_file *f)
{
	return fl->names + f->name;
}
/* Stores a -c checksum of a regular file (kept at f->link). */
int rsd_flist_set_sum(struct rsd_flist *fl, struct rsd_file *f, const uint8_t sum[RSD_SUM_LEN]);
void rsd_flist_free(struct rsd_flist *fl);
void rsd_flist_sort(struct rsd_flist *fl);
int rsd_flist_find(const struct rsd_flist *fl, const char *name, bool is_dir);
void rsd_flist_send(struct rsd *r);
void rsd_flist_recv(struct rsd *r);
void rsd_flist_build(struct rsd *r);
/* The negotiated whole-file sum of fd (the -c file-list checksum). */
void rsd_file_sum(struct rsd *r, int fd, uint8_t out[RSD_SUM_LEN]);

/* rsd_filter.c */
void rsd_filter_recv(struct rsd *r);
/* True when name (relative, is_dir) is excluded for this side. */
bool rsd_filter_excluded(const struct rsd *r, const char *name, bool is_dir, unsigned side);
void rsd_filter_free(struct rsd *r);

/* rsd_sender.c / rsd_receiver.c / rsd_generator.c */
void rsd_sender_run(struct rsd *r);
void rsd_receiver_run(struct rsd *r);
void rsd_generator_thread_cb(void *arg);
void rsd_gen_signal(struct rsd *r);
int rsd_dest_path(struct rsd *r, const char *name, char *out, size_t outsz);
void rsd_delete_in_dir(struct rsd *r, const char *dirname);

/* rsd_token.c: token streams (plain and zlib-framed) */
struct rsd_tok_out;
void rsd_token_send_literal(struct rsd *r, const uint8_t *p, size_t n);
void rsd_token_send_match(struct rsd *r, int32_t i, const uint8_t *blk, size_t n);
void rsd_token_send_end(struct rsd *r);
void rsd_token_begin(struct rsd *r);
/* Next token: > 0 literal bytes in *data, 0 end, < 0 block -(i+1). */
int32_t rsd_token_recv(struct rsd *r, uint8_t **data);
/* zlib (old) mode: the data of the block just received as a token enters the
 * decompressor's history, as it entered the sender's compressor. */
void rsd_token_see(struct rsd *r, const uint8_t *p, size_t n);
void rsd_token_reset_recv(struct rsd *r);
void rsd_token_free(struct rsd *r);

/* rsd_sum.c: the negotiated strong checksum (xxh128 or md5, both RSD_SUM_LEN) */
const char *rsd_csum_name(enum rsd_csum c);
/* 0 and *out for a name we serve, else -1. */
int rsd_csum_parse(const char *name, size_t len, enum rsd_csum *out);
/* A block's strong sum, seeded as rsync seeds it. */
void rsd_block_sum(struct rsd *r, const uint8_t *p, size_t n, uint8_t out[RSD_SUM_LEN]);
/* Whole-file sum (unseeded): begin (0, or -1 out of memory), update, end (frees). */
struct rsd_fsum {
	enum rsd_csum type;
	void *md; /* EVP_MD_CTX (md5) */
	void *xx; /* XXH3_state_t (xxh128) */
};
int rsd_fsum_begin(struct rsd *r, struct rsd_fsum *s);
void rsd_fsum_update(struct rsd_fsum *s, const void *p, size_t n);
void rsd_fsum_end(struct rsd_fsum *s, uint8_t out[RSD_SUM_LEN]);

#endif
