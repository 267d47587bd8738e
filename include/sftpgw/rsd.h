/* rsd.h — the server side of the rsync protocol (channel kind rsd_kind).
 *
 * The kind itself is declared in kinds.h. This header exposes the pure,
 * thread-free building blocks so unit tests can check them at their limits:
 * rsync's integer encodings, the rolling checksum, the file-list order and
 * the block matcher. See doc/rsync.md for the protocol subset served.
 */
#ifndef SFTPGW_RSD_H
#define SFTPGW_RSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sftpgw/buf.h"

#define RSD_PROTOCOL 31          /* protocol version announced */
#define RSD_MIN_PROTOCOL 30      /* oldest client protocol served */
#define RSD_RING_SIZE (256 * 1024) /* each of the input and output rings of a transfer */
#define RSD_MAX_ACTIVE 16        /* concurrent rsync transfers per process (one pool thread each; pool is 64) */
#define RSD_MAX_FILES (1u << 20) /* file-list entries of one transfer */
#define RSD_MAX_NAMEBYTES (128u << 20) /* bytes of names and link targets in one list */
#define RSD_MAXPATH 1024         /* rsync's MAXPATHLEN: longest relative name on the wire */
#define RSD_CHUNK 32768          /* longest literal run in one token (rsync's CHUNK_SIZE) */
#define RSD_BLOCK_MIN 700        /* rsync's BLOCK_SIZE */
#define RSD_BLOCK_MAX (128 * 1024) /* rsync's MAX_BLOCK_SIZE at protocol >= 30 */
#define RSD_MAX_BLOCKS (1 << 21) /* block sums accepted for one file (~48 MiB) */
#define RSD_SUM_LEN 16           /* md5 */
#define RSD_MAX_MSG 4096         /* longest non-data multiplexed message accepted */
#define RSD_MAX_FILTERS 4096     /* filter rules from one client */
#define RSD_MAX_ARGS 1024        /* secluded (-s) arguments */

/* rsync's varint: 1..5 bytes. Returns the encoded length. */
size_t rsd_varint_put(uint8_t out[5], int32_t x);
/* Decodes a varint; SGW_ETRUNCATED if short, SGW_EBADFORMAT on overflow. */
int rsd_varint_get(struct sbuf *b, int32_t *x);
/* rsync's varlong with min_bytes (3 or 4) leading bytes: up to 9 bytes. */
size_t rsd_varlong_put(uint8_t out[9], int64_t x, int min_bytes);
int rsd_varlong_get(struct sbuf *b, int min_bytes, int64_t *x);

/* File-index encoding (protocol >= 30): deltas against the previous index. */
struct rsd_ndx_state {
	int32_t prev_pos, prev_neg;
};
void rsd_ndx_init(struct rsd_ndx_state *st);
size_t rsd_ndx_put(struct rsd_ndx_state *st, uint8_t out[6], int32_t ndx);
int rsd_ndx_get(struct rsd_ndx_state *st, struct sbuf *b, int32_t *ndx);

/* rsync's weak checksum (get_checksum1, bytes taken as signed chars). */
uint32_t rsd_csum1(const uint8_t *p, size_t n);
/* The same as a rolling state over a window of n bytes. */
struct rsd_roll {
	uint32_t s1, s2;
	uint32_t n;
};
void rsd_roll_init(struct rsd_roll *r, const uint8_t *p, size_t n);
/* Slides the window one byte: drops out, appends in. */
void rsd_roll_rotate(struct rsd_roll *r, uint8_t out, uint8_t in);
/* Shrinks the window by its first byte (at the end of the file). */
void rsd_roll_drop(struct rsd_roll *r, uint8_t out);
static inline uint32_t rsd_roll_digest(const struct rsd_roll *r)
{
	return (r->s1 & 0xffff) | (r->s2 << 16);
}

/* rsync's file-list order (f_name_cmp, protocol >= 29): per directory level,
 * non-directories first, then directories each followed by their contents;
 * "." first. Names are relative, '/'-separated. */
int rsd_name_cmp(const char *a, bool a_dir, const char *b, bool b_dir);

/* Block sums of the basis file as the generator sends them. */
struct rsd_sum {
	uint32_t sum1;
	uint8_t sum2[RSD_SUM_LEN];
};
struct rsd_sums {
	int32_t count, blength, s2len, remainder;
	struct rsd_sum *s;   /* count entries */
	uint32_t *hhead;     /* hash of sum1 -> first block + 1 (0 = none) */
	uint32_t *hnext;     /* next block + 1 with the same hash */
	uint32_t hmask;
};
/* Chooses block length and sum length for a file of len bytes. */
void rsd_sums_size(int64_t len, int32_t *blength, int32_t *s2len);
/* Builds the lookup table; 0 or SGW_ENOSPACE-like codes. */
int rsd_sums_index(struct rsd_sums *s);
void rsd_sums_free(struct rsd_sums *s);

/* The block matcher (sender side). It reads the file through read() and
 * reports literal runs (token < 0, data given) and block matches (token >= 0).
 * strong() computes the strong sum of a window into out (RSD_SUM_LEN bytes). */
struct rsd_match_io {
	void *ctx;
	/* Reads up to n bytes at off; returns bytes read (0 at EOF) or < 0. */
	long (*read)(void *ctx, uint64_t off, uint8_t *p, size_t n);
	void (*strong)(void *ctx, const uint8_t *p, size_t n, uint8_t out[RSD_SUM_LEN]);
	/* token -1: literal p[0..n); token >= 0: block index matched, its data p[0..n).
	 * Return < 0 to stop. */
	int (*emit)(void *ctx, int32_t token, const uint8_t *p, size_t n);
};
/* Matches len bytes of the file against s; 0 or a negative error. */
int rsd_match_run(const struct rsd_sums *s, uint64_t len, const struct rsd_match_io *io);

/* rsync-style wildcard match ('*' not across '/', '**' across, '?', [..]). */
bool rsd_wildmatch(const char *pat, const char *text);

#endif
