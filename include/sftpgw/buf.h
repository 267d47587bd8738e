/* buf.h — the one bounds-checked buffer for untrusted and outgoing bytes.
 *
 * Modelled on OpenSSH's sshbuf: an owned byte array with a read offset, a
 * write end and a hard maximum size. Every getter checks the remaining length
 * first and fails with SGW_ETRUNCATED without moving the offset; every putter
 * fails with SGW_ENOSPACE past the maximum. Integers are big-endian (SSH/SFTP
 * wire order) unless the name says _le (rsync wire order).
 *
 * A "view" (sbuf_view) is a read-only buffer over someone else's bytes: no
 * copy, no free needed (sbuf_free is harmless on it).
 */
#ifndef SFTPGW_BUF_H
#define SFTPGW_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sbuf {
	uint8_t *d;    /* storage (owned unless readonly) */
	size_t off;    /* read position */
	size_t len;    /* end of valid data */
	size_t cap;    /* allocated size */
	size_t max;    /* hard limit on len */
	bool readonly; /* a view over foreign bytes */
};

/* Empty owned buffer that may grow up to max bytes. Allocates lazily. */
void sbuf_init(struct sbuf *b, size_t max);
/* Read-only view over p[0..n). */
void sbuf_view(struct sbuf *b, const void *p, size_t n);
/* Frees owned storage and resets to empty (keeps max). */
void sbuf_free(struct sbuf *b);
/* Drops all data, keeps storage. */
void sbuf_reset(struct sbuf *b);

/* Unread bytes. */
static inline size_t sbuf_avail(const struct sbuf *b) { return b->len - b->off; }
/* Pointer to the first unread byte (never NULL: a fresh buffer has no storage
 * yet, and NULL + 0 is undefined behaviour). */
static inline const uint8_t *sbuf_ptr(const struct sbuf *b)
{
	return b->d != NULL ? b->d + b->off : (const uint8_t *)"";
}
/* Skips n unread bytes; SGW_ETRUNCATED if fewer are there. */
int sbuf_consume(struct sbuf *b, size_t n);
/* Moves unread bytes to the front (call before appending to a long-lived buffer). */
void sbuf_compact(struct sbuf *b);
/* Ensures room for n more bytes and returns where they go; SGW_ENOSPACE past max. */
int sbuf_reserve(struct sbuf *b, size_t n, uint8_t **out);
/* Marks n bytes written after sbuf_reserve. */
void sbuf_commit(struct sbuf *b, size_t n);

int sbuf_get_u8(struct sbuf *b, uint8_t *v);
int sbuf_get_u32(struct sbuf *b, uint32_t *v);
int sbuf_get_u64(struct sbuf *b, uint64_t *v);
int sbuf_get_u16_le(struct sbuf *b, uint16_t *v);
int sbuf_get_u32_le(struct sbuf *b, uint32_t *v);
int sbuf_get_u64_le(struct sbuf *b, uint64_t *v);
/* Copies n bytes out. */
int sbuf_get_bytes(struct sbuf *b, void *out, size_t n);
/* Zero-copy view of n bytes (valid while b is unchanged). */
int sbuf_get_raw(struct sbuf *b, size_t n, const uint8_t **p);
/* SSH string (u32 length + bytes), zero-copy; fails if length > avail. */
int sbuf_get_string(struct sbuf *b, const uint8_t **p, size_t *n);
/* SSH string as a sub-buffer view (for nested structures). */
int sbuf_get_stringb(struct sbuf *b, struct sbuf *sub);
/* SSH string copied into a new NUL-terminated heap string; refuses embedded
 * NUL (SGW_EBADFORMAT) and lengths over maxlen (SGW_ETOOBIG). Caller frees. */
int sbuf_get_cstring(struct sbuf *b, size_t maxlen, char **out);
/* Fails with SGW_ETRAILING when unread bytes remain. */
int sbuf_expect_end(const struct sbuf *b);

int sbuf_put_u8(struct sbuf *b, uint8_t v);
int sbuf_put_u32(struct sbuf *b, uint32_t v);
int sbuf_put_u64(struct sbuf *b, uint64_t v);
int sbuf_put_u16_le(struct sbuf *b, uint16_t v);
int sbuf_put_u32_le(struct sbuf *b, uint32_t v);
int sbuf_put_u64_le(struct sbuf *b, uint64_t v);
int sbuf_put_bytes(struct sbuf *b, const void *p, size_t n);
/* SSH string: u32 length + bytes. */
int sbuf_put_string(struct sbuf *b, const void *p, size_t n);
int sbuf_put_cstring(struct sbuf *b, const char *s);
/* Overwrites a u32 at absolute position pos (< len), e.g. a length prefix. */
int sbuf_poke_u32(struct sbuf *b, size_t pos, uint32_t v);

#endif
