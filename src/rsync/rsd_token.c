/* rsd_token.c — the token stream of one file's data.
 *
 * Plain: int n > 0 then n literal bytes; int -(i+1) for block i; int 0 ends.
 * Compressed (zlibx): a byte stream of DEFLATED_DATA records (raw deflate,
 * sync-flushed at each token with the trailing 00 00 ff ff trimmed) and
 * token records (relative or absolute block numbers, with run lengths),
 * END_FLAG ends. With zlibx matched blocks stay out of the compressor; with
 * the old zlib mode each matched block also enters the history on both sides:
 * the sender deflates it and throws the output away (rsync's bundled zlib has
 * Z_INSERT_ONLY for this; with a system zlib rsync itself uses Z_SYNC_FLUSH, as
 * we do), the receiver feeds it to inflate as stored blocks of at most 0xffff
 * bytes. Before protocol 31 each such piece repeats the block's first bytes
 * (rsync's data-duplicating bug, kept on the wire for compatibility).
 */
#include <stdlib.h>
#include <string.h>

#include "rsd_int.h"

#define END_FLAG 0x00
#define TOKEN_LONG 0x20
#define TOKENRUN_LONG 0x21
#define DEFLATED_DATA 0x40
#define TOKEN_REL 0x80
#define TOKENRUN_REL 0xc0
#define MAX_DATA_COUNT 16383
#define AVAIL_OUT (RSD_CHUNK * 1001 / 1000 + 16)

/* per-direction token state lives in a small side structure */
struct tok_tx {
	int32_t last_token, run_start, last_run_end;
	bool flush_pending;
	uint8_t obuf[MAX_DATA_COUNT + 2 + 4];
};
struct tok_rx {
	enum { RX_INIT, RX_IDLE, RX_INFLATING, RX_INFLATED, RX_RUNNING } state;
	int32_t token, run, saved_flag;
	uint8_t cbuf[MAX_DATA_COUNT + 4];
	uint8_t dbuf[AVAIL_OUT];
	uint8_t lit[RSD_CHUNK];
};

static struct tok_tx *tx(struct rsd *r)
{
	if (r->tok_tx == NULL && (r->tok_tx = calloc(1, sizeof(struct tok_tx))) != NULL)
		((struct tok_tx *)r->tok_tx)->last_token = -1;
	return r->tok_tx;
}

static struct tok_rx *rx(struct rsd *r)
{
	if (r->tok_rx == NULL)
		r->tok_rx = calloc(1, sizeof(struct tok_rx));
	return r->tok_rx;
}

void rsd_token_free(struct rsd *r)
{
	if (r->zout_init)
		deflateEnd(&r->zout);
	if (r->zin_init)
		inflateEnd(&r->zin);
	r->zout_init = r->zin_init = false;
	free(r->tok_tx);
	free(r->tok_rx);
	r->tok_tx = r->tok_rx = NULL;
}

void rsd_token_begin(struct rsd *r)
{
	struct tok_tx *t = tx(r);

	if (t != NULL)
		t->last_token = -1;
}

/* ---- sending, compressed ---- */

/* Writes the pending run of matched blocks (relative when close, else absolute). */
static void tx_run(struct rsd *r, struct tok_tx *t)
{
	int32_t rr = t->run_start - t->last_run_end, n = t->last_token - t->run_start;

	if (rr >= 0 && rr <= 63) {
		rsd_write_byte(r, (uint8_t)((n == 0 ? TOKEN_REL : TOKENRUN_REL) + rr));
	} else {
		rsd_write_byte(r, n == 0 ? TOKEN_LONG : TOKENRUN_LONG);
		rsd_write_int(r, t->run_start);
	}
	if (n != 0) {
		rsd_write_byte(r, (uint8_t)n);
		rsd_write_byte(r, (uint8_t)(n >> 8));
	}
	t->last_run_end = t->last_token;
}

static void z_send(struct rsd *r, int32_t token, const uint8_t *p, size_t nb)
{
	struct tok_tx *t = tx(r);
	z_stream *z = &r->zout;

	if (t == NULL) {
		rsd_fail(r, RERR_MALLOC, "out of memory");
		return;
	}
	if (t->last_token == -1) {
		if (!r->zout_init) {
			int lvl = r->o.compress_level > 0 ? r->o.compress_level : Z_DEFAULT_COMPRESSION;

			memset(z, 0, sizeof(*z));
			if (deflateInit2(z, lvl, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
				rsd_fail(r, RERR_PROTOCOL, "compression init failed");
				return;
			}
			r->zout_init = true;
		} else {
			deflateReset(z);
		}
		t->last_run_end = 0;
		t->run_start = token;
		t->flush_pending = false;
	} else if (t->last_token == -2) {
		t->run_start = token;
	} else if (nb != 0 || token != t->last_token + 1 || token >= t->run_start + 65536) {
		tx_run(r, t);
		t->run_start = token;
	}
	t->last_token = token;
	if (nb != 0 || t->flush_pending) {
		int flush = Z_NO_FLUSH;

		z->avail_in = 0;
		z->avail_out = 0;
		do {
			if (z->avail_in == 0 && nb != 0) {
				size_t n = nb < RSD_CHUNK ? nb : RSD_CHUNK;

				z->next_in = (Bytef *)(uintptr_t)p;
				z->avail_in = (uInt)n;
				p += n;
				nb -= n;
			}
			if (z->avail_out == 0) {
				z->next_out = t->obuf + 2;
				z->avail_out = MAX_DATA_COUNT;
				if (flush != Z_NO_FLUSH) { /* keep the 4 held-back bytes */
					memmove(z->next_out, t->obuf + MAX_DATA_COUNT - 2, 4);
					z->next_out += 4;
					z->avail_out -= 4;
				}
			}
			if (nb == 0 && token != -2)
				flush = Z_SYNC_FLUSH;
			if (deflate(z, flush) != Z_OK) {
				rsd_fail(r, RERR_STREAMIO, "deflate failed");
				return;
			}
			if (nb == 0 || z->avail_out == 0) {
				int n = MAX_DATA_COUNT - (int)z->avail_out;

				if (flush != Z_NO_FLUSH)
					n -= 4; /* the 00 00 ff ff of the sync flush */
				if (n > 0) {
					t->obuf[0] = (uint8_t)(DEFLATED_DATA + (n >> 8));
					t->obuf[1] = (uint8_t)n;
					rsd_write(r, t->obuf, (size_t)n + 2);
				}
			}
		} while (nb != 0 || z->avail_out == 0);
		t->flush_pending = token == -2;
	}
	if (token == -1)
		rsd_write_byte(r, END_FLAG);
}

void rsd_token_send_literal(struct rsd *r, const uint8_t *p, size_t n)
{
	if (r->cmode != RSD_CPRES_NONE) {
		z_send(r, -2, p, n);
		return;
	}
	while (n > 0) {
		size_t k = n < RSD_CHUNK ? n : RSD_CHUNK;

		rsd_write_int(r, (int32_t)k);
		rsd_write(r, p, k);
		p += k;
		n -= k;
	}
}

#define ZLIB_PIECE 0xffff /* matched data enters the history in pieces of this (rsync's) */

/* zlib mode, sender: the matched block joins the compressor's history. */
static void z_insert(struct rsd *r, const uint8_t *p, size_t n)
{
	struct tok_tx *t = tx(r);
	z_stream *z = &r->zout;
	int rc;

	while (n > 0 && !rsd_bad(r)) {
		size_t k = n < ZLIB_PIECE ? n : ZLIB_PIECE;

		z->next_in = (Bytef *)(uintptr_t)p;
		z->avail_in = (uInt)k;
		do { /* the output is thrown away: the receiver rebuilds it from its basis */
			z->next_out = t->obuf;
			z->avail_out = sizeof(t->obuf);
			rc = deflate(z, Z_SYNC_FLUSH);
		} while (rc == Z_OK && z->avail_out == 0);
		if ((rc != Z_OK && rc != Z_BUF_ERROR) || z->avail_in != 0) {
			rsd_fail(r, RERR_STREAMIO, "deflate on a matched block returned %d", rc);
			return;
		}
		if (r->proto >= 31)
			p += k;
		n -= k;
	}
}

void rsd_token_send_match(struct rsd *r, int32_t i, const uint8_t *blk, size_t n)
{
	if (r->cmode == RSD_CPRES_NONE) {
		rsd_write_int(r, -(i + 1));
		return;
	}
	z_send(r, i, NULL, 0);
	if (r->cmode == RSD_CPRES_ZLIB && !rsd_bad(r))
		z_insert(r, blk, n);
}

void rsd_token_send_end(struct rsd *r)
{
	if (r->cmode != RSD_CPRES_NONE)
		z_send(r, -1, NULL, 0);
	else
		rsd_write_int(r, 0);
}

/* ---- receiving ---- */

void rsd_token_reset_recv(struct rsd *r)
{
	struct tok_rx *x = rx(r);

	if (x != NULL)
		x->state = RX_INIT;
}

static int32_t plain_recv(struct rsd *r, uint8_t **data)
{
	struct tok_rx *x = rx(r);
	int32_t n = rsd_read_int(r);

	if (rsd_bad(r))
		return 0;
	if (n > 0) {
		if (n > RSD_CHUNK) {
			rsd_fail(r, RERR_STREAMIO, "invalid literal length %d [server]", n);
			return 0;
		}
		rsd_read(r, x->lit, (size_t)n);
		*data = x->lit;
	}
	return n;
}

static int32_t token_num(struct rsd *r, struct tok_rx *x, int32_t flag)
{
	if (flag & TOKEN_REL) {
		x->token += flag & 0x3f;
		flag >>= 6;
	} else {
		x->token = rsd_read_int(r);
	}
	if (flag & 1) {
		x->run = rsd_read_byte(r);
		x->run += rsd_read_byte(r) << 8;
		x->state = RX_RUNNING;
	}
	return -1 - x->token;
}

/* After inflated data, before the next flag: drain what inflate still holds,
 * then feed it the trimmed 00 00 ff ff. 1 with *out set when data is ready. */
static int rx_sync(struct rsd *r, struct tok_rx *x, int32_t flag, uint8_t **data, int32_t *out)
{
	z_stream *z = &r->zin;

	z->avail_in = 0;
	z->next_out = x->dbuf;
	z->avail_out = AVAIL_OUT;
	int rc = inflate(z, Z_SYNC_FLUSH);
	int32_t n = AVAIL_OUT - (int32_t)z->avail_out;

	if (rc != Z_OK && rc != Z_BUF_ERROR) {
		rsd_fail(r, RERR_STREAMIO, "inflate flush returned %d [server]", rc);
		*out = 0;
		return 1;
	}
	if (n != 0 && rc != Z_BUF_ERROR) {
		x->saved_flag = flag + 0x10000;
		*data = x->dbuf;
		*out = n;
		return 1;
	}
	if (!inflateSyncPoint(z)) {
		rsd_fail(r, RERR_STREAMIO, "decompressor lost sync [server]");
		*out = 0;
		return 1;
	}
	x->cbuf[0] = x->cbuf[1] = 0;
	x->cbuf[2] = x->cbuf[3] = 0xff;
	z->next_in = x->cbuf;
	z->avail_in = 4;
	(void)inflate(z, Z_SYNC_FLUSH);
	x->state = RX_IDLE;
	return 0;
}

/* At a flag byte: deflated data starts inflating (0: go on), or a result is
 * ready in *out (1): inflated bytes, a token, or 0 at the end of the file. */
static int rx_flag(struct rsd *r, struct tok_rx *x, uint8_t **data, int32_t *out)
{
	z_stream *z = &r->zin;
	int32_t flag;

	if (x->saved_flag) {
		flag = x->saved_flag & 0xff;
		x->saved_flag = 0;
	} else {
		flag = rsd_read_byte(r);
	}
	if ((flag & 0xc0) == DEFLATED_DATA) {
		int32_t n = ((flag & 0x3f) << 8) + rsd_read_byte(r);

		rsd_read(r, x->cbuf, (size_t)n);
		z->next_in = x->cbuf;
		z->avail_in = (uInt)n;
		x->state = RX_INFLATING;
		return 0;
	}
	if (x->state == RX_INFLATED && rx_sync(r, x, flag, data, out))
		return 1;
	if (flag == END_FLAG) {
		x->state = RX_INIT;
		*out = 0;
		return 1;
	}
	*out = token_num(r, x, flag);
	return 1;
}

/* The compressed stream's state machine (one step per call until a token). */
static int32_t z_recv(struct rsd *r, uint8_t **data)
{
	struct tok_rx *x = rx(r);
	z_stream *z = &r->zin;

	while (!rsd_bad(r)) {
		switch (x->state) {
		case RX_INIT:
			if (!r->zin_init) {
				memset(z, 0, sizeof(*z));
				if (inflateInit2(z, -15) != Z_OK) {
					rsd_fail(r, RERR_PROTOCOL, "inflate init failed");
					return 0;
				}
				r->zin_init = true;
			} else {
				inflateReset(z);
			}
			x->state = RX_IDLE;
			x->token = 0;
			break;
		case RX_IDLE:
		case RX_INFLATED: {
			int32_t out = 0;

			if (rx_flag(r, x, data, &out))
				return out;
			break;
		}
		case RX_INFLATING: {
			z->next_out = x->dbuf;
			z->avail_out = AVAIL_OUT;
			int rc = inflate(z, Z_NO_FLUSH);
			int32_t n = AVAIL_OUT - (int32_t)z->avail_out;

			if (rc != Z_OK) {
				rsd_fail(r, RERR_STREAMIO, "inflate returned %d [server]", rc);
				return 0;
			}
			if (z->avail_in == 0)
				x->state = RX_INFLATED;
			if (n != 0) {
				*data = x->dbuf;
				return n;
			}
			break;
		}
		case RX_RUNNING:
			++x->token;
			if (--x->run == 0)
				x->state = RX_IDLE;
			return -1 - x->token;
		}
	}
	return 0;
}

/* zlib mode, receiver: a matched block's data joins the decompressor's history
 * as stored blocks (5-byte header, then the bytes), the inflated copy dropped. */
void rsd_token_see(struct rsd *r, const uint8_t *p, size_t n)
{
	struct tok_rx *x = rx(r);
	z_stream *z = &r->zin;
	uint8_t hdr[5];
	size_t piece = 0;

	if (r->cmode != RSD_CPRES_ZLIB || x == NULL || !r->zin_init)
		return;
	z->avail_in = 0;
	do {
		if (z->avail_in == 0 && n != 0) {
			if (piece == 0) {
				piece = n < ZLIB_PIECE ? n : ZLIB_PIECE;
				hdr[0] = 0; /* not final, stored */
				hdr[1] = (uint8_t)piece;
				hdr[2] = (uint8_t)(piece >> 8);
				hdr[3] = (uint8_t)~hdr[1];
				hdr[4] = (uint8_t)~hdr[2];
				z->next_in = hdr;
				z->avail_in = sizeof(hdr);
			} else {
				z->next_in = (Bytef *)(uintptr_t)p;
				z->avail_in = (uInt)piece;
				if (r->proto >= 31)
					p += piece;
				n -= piece;
				piece = 0;
			}
		}
		z->next_out = x->dbuf;
		z->avail_out = AVAIL_OUT;
		int rc = inflate(z, Z_SYNC_FLUSH);

		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			rsd_fail(r, RERR_STREAMIO, "inflate of a matched block returned %d [receiver]", rc);
			return;
		}
	} while (n != 0 || z->avail_out == 0);
	z->next_in = NULL; /* (hdr goes out of scope) */
}

int32_t rsd_token_recv(struct rsd *r, uint8_t **data)
{
	if (rx(r) == NULL) {
		rsd_fail(r, RERR_MALLOC, "out of memory");
		return 0;
	}
	return r->cmode != RSD_CPRES_NONE ? z_recv(r, data) : plain_recv(r, data);
}
