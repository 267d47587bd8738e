/* rsd_enc.c — rsync's integer encodings: varint, varlong and file indexes.
 *
 * A varint/varlong starts with a byte whose high bits count the extra bytes
 * that follow (like UTF-8); the extra bytes are the value's low bytes, little
 * endian, and the first byte holds the top bits. Pure functions (unit tested).
 */
#include <string.h>

#include "sftpgw/err.h"
#include "sftpgw/rsd.h"

/* Extra bytes that follow a leading byte, indexed by leading byte / 4. */
static const uint8_t extra_bytes[64] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 6,
};

/* Encodes the low nbytes of v (little endian in b[1..]) with at least min
 * bytes, the first byte carrying the length prefix. */
static size_t var_put(uint8_t *out, uint64_t v, int nbytes, int min)
{
	uint8_t b[10];
	int cnt;
	uint8_t bit;

	for (int i = 0; i < nbytes; i++)
		b[1 + i] = (uint8_t)(v >> (8 * i));
	for (cnt = nbytes; cnt > min && b[cnt] == 0; cnt--)
		;
	bit = (uint8_t)(1u << (7 - cnt + min));
	if (b[cnt] >= bit) {
		cnt++;
		b[0] = (uint8_t)~(bit - 1);
	} else if (cnt > min) {
		b[0] = (uint8_t)(b[cnt] | (uint8_t)~(bit * 2 - 1));
	} else {
		b[0] = b[cnt];
	}
	memcpy(out, b, (size_t)cnt);
	return (size_t)cnt;
}

size_t rsd_varint_put(uint8_t out[5], int32_t x)
{
	return var_put(out, (uint32_t)x, 4, 1);
}

size_t rsd_varlong_put(uint8_t out[9], int64_t x, int min_bytes)
{
	return var_put(out, (uint64_t)x, 8, min_bytes);
}

/* Decodes into v: min bytes first (b0 + min-1 low bytes), then extras. */
static int var_get(struct sbuf *b, int min, int maxbytes, uint64_t *v)
{
	uint8_t u[10] = { 0 };
	uint8_t head[9];
	int extra, rc;
	size_t off = b->off;

	if ((rc = sbuf_get_bytes(b, head, (size_t)min)) != 0)
		return rc;
	memcpy(u, head + 1, (size_t)min - 1);
	extra = extra_bytes[head[0] / 4];
	if (extra) {
		uint8_t bit = (uint8_t)(1u << (8 - extra));

		/* rsync's own limit: the buffer holds one byte more than the value */
		if (min + extra > maxbytes + 1) {
			b->off = off;
			return SGW_EBADFORMAT;
		}
		if ((rc = sbuf_get_bytes(b, u + min - 1, (size_t)extra)) != 0) {
			b->off = off;
			return rc;
		}
		u[min - 1 + extra] = head[0] & (bit - 1);
	} else {
		u[min - 1] = head[0];
	}
	*v = 0;
	for (int i = maxbytes - 1; i >= 0; i--)
		*v = (*v << 8) | u[i];
	return 0;
}

int rsd_varint_get(struct sbuf *b, int32_t *x)
{
	uint64_t v;
	int rc = var_get(b, 1, 4, &v);

	if (rc == 0)
		*x = (int32_t)(uint32_t)v;
	return rc;
}

int rsd_varlong_get(struct sbuf *b, int min_bytes, int64_t *x)
{
	uint64_t v;
	int rc;

	if (min_bytes < 1 || min_bytes > 8)
		return SGW_EBADFORMAT;
	rc = var_get(b, min_bytes, 8, &v);
	if (rc == 0)
		*x = (int64_t)v;
	return rc;
}

void rsd_ndx_init(struct rsd_ndx_state *st)
{
	st->prev_pos = -1;
	st->prev_neg = 1;
}

size_t rsd_ndx_put(struct rsd_ndx_state *st, uint8_t out[6], int32_t ndx)
{
	size_t n = 0;
	int32_t diff;

	if (ndx == -1) { /* NDX_DONE */
		out[0] = 0;
		return 1;
	}
	if (ndx >= 0) {
		diff = ndx - st->prev_pos;
		st->prev_pos = ndx;
	} else {
		out[n++] = 0xff;
		ndx = -ndx;
		diff = ndx - st->prev_neg;
		st->prev_neg = ndx;
	}
	if (diff > 0 && diff < 0xfe) {
		out[n++] = (uint8_t)diff;
	} else if (diff < 0 || diff > 0x7fff) {
		out[n++] = 0xfe;
		out[n++] = (uint8_t)((ndx >> 24) | 0x80);
		out[n++] = (uint8_t)ndx;
		out[n++] = (uint8_t)(ndx >> 8);
		out[n++] = (uint8_t)(ndx >> 16);
	} else {
		out[n++] = 0xfe;
		out[n++] = (uint8_t)(diff >> 8);
		out[n++] = (uint8_t)diff;
	}
	return n;
}

int rsd_ndx_get(struct rsd_ndx_state *st, struct sbuf *b, int32_t *ndx)
{
	uint8_t c, x[4];
	int32_t *prev = &st->prev_pos;
	int32_t num;
	size_t off = b->off;
	int rc;

	if ((rc = sbuf_get_u8(b, &c)) != 0)
		return rc;
	if (c == 0) {
		*ndx = -1;
		return 0;
	}
	if (c == 0xff) {
		prev = &st->prev_neg;
		if ((rc = sbuf_get_u8(b, &c)) != 0)
			goto short_;
	}
	if (c == 0xfe) {
		if ((rc = sbuf_get_bytes(b, x, 2)) != 0)
			goto short_;
		if (x[0] & 0x80) {
			uint8_t y[2];

			if ((rc = sbuf_get_bytes(b, y, 2)) != 0)
				goto short_;
			num = (int32_t)((uint32_t)x[1] | (uint32_t)y[0] << 8 | (uint32_t)y[1] << 16 |
			                (uint32_t)(x[0] & 0x7f) << 24);
		} else {
			num = (int32_t)(((uint32_t)x[0] << 8) + x[1]) + *prev;
		}
	} else {
		num = (int32_t)c + *prev;
	}
	if (num < 0)
		return SGW_EBADFORMAT;
	*prev = num;
	*ndx = prev == &st->prev_neg ? -num : num;
	return 0;
short_:
	b->off = off;
	return rc;
}
