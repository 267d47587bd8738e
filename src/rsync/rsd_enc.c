/* rsd_enc.c — rsync's integer encodings: varint, varlong and file indexes.
 *
 * A varint/varlong starts with a byte whose high bits count the extra bytes
 * that follow (like UTF-8); the extra bytes are the value's low bytes, little
 * endian, and the first byte holds the top bits. Also the file-list order.
 * Pure functions (unit tested).
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
	int64_t num;  /* a delta on a previous index near INT32_MAX must not overflow */
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
			num = (int64_t)((uint32_t)x[1] | (uint32_t)y[0] << 8 | (uint32_t)y[1] << 16 |
			                (uint32_t)(x[0] & 0x7f) << 24);
		} else {
			num = (int64_t)(((uint32_t)x[0] << 8) + x[1]) + *prev;
		}
	} else {
		num = (int64_t)c + *prev;
	}
	if (num < 0 || num > INT32_MAX) {
		b->off = off;
		return SGW_EBADFORMAT;
	}
	*prev = (int32_t)num;
	*ndx = prev == &st->prev_neg ? -(int32_t)num : (int32_t)num;
	return 0;
short_:
	b->off = off;
	return rc;
}

/* One path component for comparison: its bytes, whether it counts as a
 * directory level ("PATH", compared with a trailing '/'), or the end. */
struct comp {
	const char *p;
	size_t n;
	bool path;
	bool end;
};

static void comp_next(const char **s, bool is_dir, struct comp *c)
{
	const char *p = *s;

	if (p == NULL) {
		c->end = true, c->path = false, c->n = 0, c->p = "";
		return;
	}
	const char *e = strchr(p, '/');

	c->end = false;
	c->p = p;
	if (e != NULL) {
		c->n = (size_t)(e - p);
		c->path = true;
		*s = e + 1;
	} else {
		c->n = strlen(p);
		c->path = is_dir && !(c->n == 1 && p[0] == '.');
		if (!c->path && c->n == 1 && p[0] == '.')
			c->n = 0; /* "." sorts as the empty item, before everything */
		*s = NULL;
	}
}

/* Byte at i of the component as compared: its name, then '/' for a PATH. */
static int comp_at(const struct comp *c, size_t i)
{
	if (i < c->n)
		return (unsigned char)c->p[i];
	if (i == c->n && c->path)
		return '/';
	return -1;
}

int rsd_name_cmp(const char *a, bool a_dir, const char *b, bool b_dir)
{
	const char *sa = a, *sb = b;

	for (;;) {
		struct comp ca, cb;

		comp_next(&sa, a_dir, &ca);
		comp_next(&sb, b_dir, &cb);
		if (ca.end && cb.end)
			return 0;
		if (ca.path != cb.path)
			return ca.path ? 1 : -1;
		for (size_t i = 0;; i++) {
			int x = comp_at(&ca, i), y = comp_at(&cb, i);

			if (x != y)
				return (x < 0 ? 0 : x) - (y < 0 ? 0 : y);
			if (x < 0)
				break;
		}
		if (ca.end || cb.end)
			return ca.end ? -1 : 1;
	}
}

