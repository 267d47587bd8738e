/* fuzz_buf.c — random get/put programs against the bounded buffer (buf.h).
 *
 * The input is a program: a header picks an owned buffer with some maximum or
 * a read-only view, then each byte picks an operation and its arguments. A
 * plain model (the unread bytes in a flat array) predicts every result: a put
 * succeeds exactly when the unread bytes plus the new ones fit in max, a get
 * exactly when enough bytes are there, and a failed call changes nothing.
 * After every step: off <= len <= cap, len <= max, and the unread bytes equal
 * the model's.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "sftpgw/buf.h"
#include "sftpgw/err.h"

#define FZ_BUF_MAX_MAX 4096  /* largest buffer maximum a program may pick */
#define FZ_BUF_MAX_OPS 512   /* steps per input, so one input stays fast */

struct model {
	uint8_t d[FZ_BUF_MAX_MAX];
	size_t n;
};

struct prog {
	struct fz_in in;
	struct sbuf b;
	struct model m;
	uint8_t scratch[2 * FZ_BUF_MAX_MAX + 64];
};

/* A length argument: mostly small, sometimes past any maximum. */
static size_t arg_len(struct fz_in *in)
{
	uint8_t a = fz_u8(in);

	return a < 200 ? a : (size_t)(a - 200) * 97;
}

/* Fills scratch with n bytes: input first, then a pattern. */
static const uint8_t *arg_data(struct prog *p, size_t n)
{
	size_t got;
	const uint8_t *src = fz_bytes(&p->in, n, &got);

	if (got > 0)
		memcpy(p->scratch, src, got);
	for (size_t i = got; i < n; i++)
		p->scratch[i] = (uint8_t)(i * 31 + 7);
	return p->scratch;
}

static void check_invariants(const struct prog *p)
{
	const struct sbuf *b = &p->b;

	FZ_CHECK(b->off <= b->len);
	FZ_CHECK(b->len <= b->cap);
	FZ_CHECK(b->len <= b->max);
	FZ_CHECK(sbuf_avail(b) == p->m.n);
	FZ_CHECK(p->m.n == 0 || memcmp(sbuf_ptr(b), p->m.d, p->m.n) == 0);
}

static bool fits(const struct prog *p, size_t n)
{
	return !p->b.readonly && n <= p->b.max && p->m.n <= p->b.max - n;
}

static void model_put(struct prog *p, const uint8_t *d, size_t n)
{
	FZ_CHECK(p->m.n + n <= sizeof(p->m.d));
	memcpy(p->m.d + p->m.n, d, n);
	p->m.n += n;
}

static void model_take(struct prog *p, size_t n)
{
	memmove(p->m.d, p->m.d + n, p->m.n - n);
	p->m.n -= n;
}

/* Expects a put of n bytes (whose wire form is w) to succeed exactly when it fits. */
static void expect_put(struct prog *p, int r, const uint8_t *w, size_t n)
{
	if (fits(p, n)) {
		FZ_CHECK(r == 0);
		model_put(p, w, n);
	} else {
		FZ_CHECK(r == SGW_ENOSPACE || r == SGW_ETOOBIG);
	}
}

static void be(uint8_t *w, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		w[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static void le(uint8_t *w, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		w[i] = (uint8_t)(v >> (8 * i));
}

static void op_put_int(struct prog *p, int which)
{
	static const int sizes[] = { 1, 4, 8, 2, 4, 8 };
	uint64_t v = (uint64_t)fz_u32(&p->in) << 32 | fz_u32(&p->in);
	int n = sizes[which];
	uint8_t w[8];
	int r;

	v &= n == 8 ? UINT64_MAX : (((uint64_t)1 << (8 * n)) - 1);
	if (which < 3)
		be(w, v, n);
	else
		le(w, v, n);
	switch (which) {
	case 0: r = sbuf_put_u8(&p->b, (uint8_t)v); break;
	case 1: r = sbuf_put_u32(&p->b, (uint32_t)v); break;
	case 2: r = sbuf_put_u64(&p->b, v); break;
	case 3: r = sbuf_put_u16_le(&p->b, (uint16_t)v); break;
	case 4: r = sbuf_put_u32_le(&p->b, (uint32_t)v); break;
	default: r = sbuf_put_u64_le(&p->b, v); break;
	}
	expect_put(p, r, w, (size_t)n);
}

static void op_get_int(struct prog *p, int which)
{
	static const int sizes[] = { 1, 4, 8, 2, 4, 8 };
	int n = sizes[which];
	uint64_t want = 0, got = 0;
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	int r;

	switch (which) {
	case 0: r = sbuf_get_u8(&p->b, &v8); got = v8; break;
	case 1: r = sbuf_get_u32(&p->b, &v32); got = v32; break;
	case 2: r = sbuf_get_u64(&p->b, &got); break;
	case 3: r = sbuf_get_u16_le(&p->b, &v16); got = v16; break;
	case 4: r = sbuf_get_u32_le(&p->b, &v32); got = v32; break;
	default: r = sbuf_get_u64_le(&p->b, &got); break;
	}
	if (p->m.n < (size_t)n) {
		FZ_CHECK(r == SGW_ETRUNCATED);
		return;
	}
	FZ_CHECK(r == 0);
	for (int i = 0; i < n; i++)
		want |= (uint64_t)p->m.d[i] << (which < 3 ? 8 * (n - 1 - i) : 8 * i);
	FZ_CHECK(got == want);
	model_take(p, (size_t)n);
}

static void op_put_bytes(struct prog *p, int kind)
{
	size_t n = arg_len(&p->in);
	const uint8_t *d = arg_data(p, n);
	uint8_t w[4 + sizeof(p->scratch)];
	int r;

	if (kind == 2) {  /* C string: no NUL inside */
		char *s = fz_strndup(d, n);
		n = strlen(s);
		r = sbuf_put_cstring(&p->b, s);
		be(w, n, 4);
		memcpy(w + 4, s, n);
		free(s);
		expect_put(p, r, w, n + 4);
		return;
	}
	if (kind == 0) {
		r = sbuf_put_bytes(&p->b, d, n);
		if (n == 0)  /* nothing to add always succeeds, even on a view */
			FZ_CHECK(r == 0);
		else
			expect_put(p, r, d, n);
		return;
	}
	r = sbuf_put_string(&p->b, d, n);
	be(w, n, 4);
	memcpy(w + 4, d, n);
	expect_put(p, r, w, n + 4);
}

static void op_get_bytes(struct prog *p, int kind)
{
	size_t n = arg_len(&p->in);
	const uint8_t *raw = NULL;
	int r;

	if (kind == 0)
		r = sbuf_get_bytes(&p->b, p->scratch, n);
	else if (kind == 1)
		r = sbuf_get_raw(&p->b, n, &raw);
	else
		r = sbuf_consume(&p->b, n);
	if (n > p->m.n) {
		FZ_CHECK(r == SGW_ETRUNCATED);
		return;
	}
	FZ_CHECK(r == 0);
	if (kind == 0)
		FZ_CHECK(n == 0 || memcmp(p->scratch, p->m.d, n) == 0);
	else if (kind == 1)
		FZ_CHECK(n == 0 || memcmp(raw, p->m.d, n) == 0);
	model_take(p, n);
}

/* The length of the SSH string at the model's front, or -1 when absent/short. */
static long model_string_len(const struct prog *p)
{
	uint32_t len;

	if (p->m.n < 4)
		return -1;
	len = (uint32_t)p->m.d[0] << 24 | (uint32_t)p->m.d[1] << 16 | (uint32_t)p->m.d[2] << 8 |
	      p->m.d[3];
	return len > p->m.n - 4 ? -1 : (long)len;
}

/* Reads a sub-buffer view to its end: it must hold exactly want[0..n) and stop there. */
static void drain_sub(struct sbuf *sub, const uint8_t *want, size_t n)
{
	uint32_t v;
	uint8_t c;

	FZ_CHECK(sub->readonly && sbuf_avail(sub) == n);
	while (sbuf_avail(sub) >= 4) {
		const uint8_t *w = want + sub->off;
		FZ_CHECK(sbuf_get_u32(sub, &v) == 0);
		FZ_CHECK(v == ((uint32_t)w[0] << 24 | (uint32_t)w[1] << 16 | (uint32_t)w[2] << 8 | w[3]));
	}
	while (sbuf_avail(sub) > 0)
		FZ_CHECK(sbuf_get_u8(sub, &c) == 0 && c == want[sub->off - 1]);
	FZ_CHECK(sbuf_get_u8(sub, &c) == SGW_ETRUNCATED && sub->off == sub->len);
	FZ_CHECK(sbuf_expect_end(sub) == 0);
	sbuf_free(sub);
}

static void op_get_string(struct prog *p, int kind)
{
	long want = model_string_len(p);
	const uint8_t *s = NULL;
	struct sbuf sub;
	char *cs = NULL;
	size_t n = 0, maxlen = arg_len(&p->in);
	int r;

	if (kind == 0)
		r = sbuf_get_string(&p->b, &s, &n);
	else if (kind == 1)
		r = sbuf_get_stringb(&p->b, &sub);
	else
		r = sbuf_get_cstring(&p->b, maxlen, &cs);
	if (want < 0) {
		FZ_CHECK(r == SGW_ETRUNCATED);
		return;
	}
	if (kind == 2 && (size_t)want > maxlen) {
		FZ_CHECK(r == SGW_ETOOBIG);
		return;
	}
	if (kind == 2 && memchr(p->m.d + 4, '\0', (size_t)want) != NULL) {
		FZ_CHECK(r == SGW_EBADFORMAT);
		return;
	}
	FZ_CHECK(r == 0);
	if (kind == 0)
		FZ_CHECK(n == (size_t)want && (n == 0 || memcmp(s, p->m.d + 4, n) == 0));
	else if (kind == 1)
		drain_sub(&sub, p->m.d + 4, (size_t)want);
	else {
		FZ_CHECK(strlen(cs) == (size_t)want && memcmp(cs, p->m.d + 4, (size_t)want) == 0);
		free(cs);
	}
	model_take(p, 4 + (size_t)want);
}

static void op_reserve(struct prog *p)
{
	size_t n = arg_len(&p->in), k;
	uint8_t *dst;
	int r = sbuf_reserve(&p->b, n, &dst);

	if (!fits(p, n)) {
		FZ_CHECK(r == SGW_ENOSPACE);
		return;
	}
	FZ_CHECK(r == 0);
	k = n == 0 ? 0 : fz_u8(&p->in) % (n + 1);
	if (k > 0) {
		memcpy(dst, arg_data(p, k), k);  /* ASan checks the room is really there */
		sbuf_commit(&p->b, k);
		model_put(p, dst, k);
	}
}

static void op_poke(struct prog *p)
{
	size_t pos = fz_u8(&p->in) % (p->b.len + 3), off = p->b.off;
	uint32_t v = fz_u32(&p->in);
	uint8_t w[4];
	int r = sbuf_poke_u32(&p->b, pos, v);

	if (p->b.readonly || pos + 4 > p->b.len) {
		FZ_CHECK(r == SGW_ETRUNCATED);
		return;
	}
	FZ_CHECK(r == 0);
	be(w, v, 4);
	for (size_t i = 0; i < 4; i++)
		if (pos + i >= off)
			p->m.d[pos + i - off] = w[i];
}

static void op_misc(struct prog *p, int which)
{
	size_t max = p->b.max;

	switch (which) {
	case 0:
		sbuf_compact(&p->b);
		break;
	case 1:
		sbuf_reset(&p->b);
		p->m.n = 0;
		break;
	case 2:
		FZ_CHECK((sbuf_expect_end(&p->b) == 0) == (p->m.n == 0));
		break;
	default:
		sbuf_free(&p->b);
		FZ_CHECK(p->b.max == max && p->b.len == 0 && p->b.d == NULL && !p->b.readonly);
		p->m.n = 0;
		break;
	}
}

static void step(struct prog *p)
{
	uint8_t op = fz_u8(&p->in) % 23;

	if (op < 6)
		op_put_int(p, op);
	else if (op < 12)
		op_get_int(p, op - 6);
	else if (op < 15)
		op_put_bytes(p, op - 12);
	else if (op < 18)
		op_get_bytes(p, op - 15);
	else if (op < 21)
		op_get_string(p, op - 18);
	else if (op == 21)
		op_reserve(p);
	else if (fz_u8(&p->in) & 1)
		op_poke(p);
	else
		op_misc(p, fz_u8(&p->in) % 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct prog p;
	uint8_t mode;

	memset(&p.m, 0, sizeof(p.m));
	p.in.p = data;
	p.in.n = size;
	mode = fz_u8(&p.in);
	if (mode & 0x80) {  /* a read-only view over the next bytes of input */
		size_t got;
		const uint8_t *v = fz_bytes(&p.in, (size_t)(mode & 0x7f), &got);
		sbuf_view(&p.b, v, got);
		model_put(&p, v, got);
	} else {
		sbuf_init(&p.b, ((size_t)mode << 8 | fz_u8(&p.in)) % (FZ_BUF_MAX_MAX + 1));
	}
	check_invariants(&p);
	for (int i = 0; i < FZ_BUF_MAX_OPS && p.in.n > 0; i++) {
		step(&p);
		check_invariants(&p);
	}
	sbuf_free(&p.b);
	return 0;
}
