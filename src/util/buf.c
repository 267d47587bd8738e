/* buf.c — bounds-checked byte buffer (see buf.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sftpgw/buf.h"
#include "sftpgw/err.h"

void sbuf_init(struct sbuf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void sbuf_view(struct sbuf *b, const void *p, size_t n)
{
	memset(b, 0, sizeof(*b));
	b->d = (uint8_t *)(uintptr_t)p;
	b->len = b->cap = b->max = n;
	b->readonly = true;
}

void sbuf_free(struct sbuf *b)
{
	size_t max = b->max;

	if (!b->readonly)
		free(b->d);
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void sbuf_reset(struct sbuf *b)
{
	b->off = b->len = 0;
}

int sbuf_consume(struct sbuf *b, size_t n)
{
	if (n > sbuf_avail(b))
		return SGW_ETRUNCATED;
	b->off += n;
	if (b->off == b->len && !b->readonly)
		b->off = b->len = 0;
	return 0;
}

void sbuf_compact(struct sbuf *b)
{
	if (b->readonly || b->off == 0)
		return;
	memmove(b->d, b->d + b->off, b->len - b->off);
	b->len -= b->off;
	b->off = 0;
}

int sbuf_reserve(struct sbuf *b, size_t n, uint8_t **out)
{
	size_t need, ncap;
	uint8_t *nd;

	if (b->readonly)
		return SGW_ENOSPACE;
	if (n > b->max || b->len - b->off > b->max - n)
		return SGW_ENOSPACE;
	if (b->len + n > b->max || b->len + n > b->cap)
		sbuf_compact(b);
	need = b->len + n;
	/* A fresh buffer gets storage even for n == 0: NULL + 0 is undefined. */
	if (need > b->cap || b->d == NULL) {
		ncap = b->cap ? b->cap : 256;
		while (ncap < need)
			ncap = ncap > b->max / 2 ? b->max : ncap * 2;
		nd = realloc(b->d, ncap);
		if (nd == NULL)
			return -ENOMEM;
		b->d = nd;
		b->cap = ncap;
	}
	*out = b->d + b->len;
	return 0;
}

void sbuf_commit(struct sbuf *b, size_t n)
{
	b->len += n;
}

int sbuf_get_raw(struct sbuf *b, size_t n, const uint8_t **p)
{
	if (n > sbuf_avail(b))
		return SGW_ETRUNCATED;
	*p = sbuf_ptr(b);
	b->off += n;
	return 0;
}

int sbuf_get_bytes(struct sbuf *b, void *out, size_t n)
{
	const uint8_t *p;
	int r = sbuf_get_raw(b, n, &p);

	if (r == 0 && n > 0)
		memcpy(out, p, n);
	return r;
}

int sbuf_get_u8(struct sbuf *b, uint8_t *v)
{
	return sbuf_get_bytes(b, v, 1);
}

int sbuf_get_u32(struct sbuf *b, uint32_t *v)
{
	const uint8_t *p;
	int r;

	if ((r = sbuf_get_raw(b, 4, &p)) != 0)
		return r;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return 0;
}

int sbuf_get_u64(struct sbuf *b, uint64_t *v)
{
	uint32_t hi, lo;
	int r;

	if (sbuf_avail(b) < 8)
		return SGW_ETRUNCATED;
	if ((r = sbuf_get_u32(b, &hi)) != 0 || (r = sbuf_get_u32(b, &lo)) != 0)
		return r;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

int sbuf_get_u16_le(struct sbuf *b, uint16_t *v)
{
	const uint8_t *p;
	int r;

	if ((r = sbuf_get_raw(b, 2, &p)) != 0)
		return r;
	*v = (uint16_t)(p[0] | p[1] << 8);
	return 0;
}

int sbuf_get_u32_le(struct sbuf *b, uint32_t *v)
{
	const uint8_t *p;
	int r;

	if ((r = sbuf_get_raw(b, 4, &p)) != 0)
		return r;
	*v = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
	return 0;
}

int sbuf_get_u64_le(struct sbuf *b, uint64_t *v)
{
	uint32_t hi, lo;
	int r;

	if (sbuf_avail(b) < 8)
		return SGW_ETRUNCATED;
	if ((r = sbuf_get_u32_le(b, &lo)) != 0 || (r = sbuf_get_u32_le(b, &hi)) != 0)
		return r;
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

int sbuf_get_string(struct sbuf *b, const uint8_t **p, size_t *n)
{
	size_t save = b->off;
	uint32_t len;
	int r;

	if ((r = sbuf_get_u32(b, &len)) != 0)
		return r;
	if (len > sbuf_avail(b)) {
		b->off = save;
		return SGW_ETRUNCATED;
	}
	*n = len;
	return sbuf_get_raw(b, len, p);
}

int sbuf_get_stringb(struct sbuf *b, struct sbuf *sub)
{
	const uint8_t *p;
	size_t n;
	int r;

	if ((r = sbuf_get_string(b, &p, &n)) != 0)
		return r;
	sbuf_view(sub, p, n);
	return 0;
}

int sbuf_get_cstring(struct sbuf *b, size_t maxlen, char **out)
{
	size_t save = b->off, n;
	const uint8_t *p;
	char *s;
	int r;

	if ((r = sbuf_get_string(b, &p, &n)) != 0)
		return r;
	if (n > maxlen || memchr(p, '\0', n) != NULL) {
		b->off = save;
		return n > maxlen ? SGW_ETOOBIG : SGW_EBADFORMAT;
	}
	if ((s = malloc(n + 1)) == NULL) {
		b->off = save;
		return -ENOMEM;
	}
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	*out = s;
	return 0;
}

int sbuf_expect_end(const struct sbuf *b)
{
	return sbuf_avail(b) == 0 ? 0 : SGW_ETRAILING;
}

int sbuf_put_bytes(struct sbuf *b, const void *p, size_t n)
{
	uint8_t *dst;
	int r;

	if (n == 0)
		return 0;
	if ((r = sbuf_reserve(b, n, &dst)) != 0)
		return r;
	memcpy(dst, p, n);
	sbuf_commit(b, n);
	return 0;
}

int sbuf_put_u8(struct sbuf *b, uint8_t v)
{
	return sbuf_put_bytes(b, &v, 1);
}

int sbuf_put_u32(struct sbuf *b, uint32_t v)
{
	uint8_t p[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	return sbuf_put_bytes(b, p, 4);
}

int sbuf_put_u64(struct sbuf *b, uint64_t v)
{
	uint8_t p[8];

	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
	return sbuf_put_bytes(b, p, 8);
}

int sbuf_put_u16_le(struct sbuf *b, uint16_t v)
{
	uint8_t p[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	return sbuf_put_bytes(b, p, 2);
}

int sbuf_put_u32_le(struct sbuf *b, uint32_t v)
{
	uint8_t p[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	return sbuf_put_bytes(b, p, 4);
}

int sbuf_put_u64_le(struct sbuf *b, uint64_t v)
{
	uint8_t p[8];

	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return sbuf_put_bytes(b, p, 8);
}

int sbuf_put_string(struct sbuf *b, const void *p, size_t n)
{
	uint8_t *dst;
	int r;

	if (n > UINT32_MAX)
		return SGW_ETOOBIG;
	/* One reservation for length and bytes: all or nothing. (Two puts could
	 * compact the buffer in the first and fail in the second, and then no
	 * saved length describes the data any more.) */
	if ((r = sbuf_reserve(b, 4 + n, &dst)) != 0)
		return r;
	dst[0] = (uint8_t)(n >> 24);
	dst[1] = (uint8_t)(n >> 16);
	dst[2] = (uint8_t)(n >> 8);
	dst[3] = (uint8_t)n;
	if (n > 0)
		memcpy(dst + 4, p, n);
	sbuf_commit(b, 4 + n);
	return 0;
}

int sbuf_put_cstring(struct sbuf *b, const char *s)
{
	return sbuf_put_string(b, s, strlen(s));
}

int sbuf_poke_u32(struct sbuf *b, size_t pos, uint32_t v)
{
	if (b->readonly || pos > b->len || b->len - pos < 4)
		return SGW_ETRUNCATED;
	b->d[pos] = (uint8_t)(v >> 24);
	b->d[pos + 1] = (uint8_t)(v >> 16);
	b->d[pos + 2] = (uint8_t)(v >> 8);
	b->d[pos + 3] = (uint8_t)v;
	return 0;
}
