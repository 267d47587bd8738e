/* rsd_match.c — rolling checksum and block matching (the rsync algorithm).
 *
 * The weak sum is rsync's get_checksum1 with bytes taken as signed chars
 * (CHAR_OFFSET 0): s1 = sum of bytes, s2 = sum of prefix sums. The matcher
 * slides a window of one block length over the file, looks the weak sum up in
 * a hash of the receiver's block sums and confirms candidates with the strong
 * sum. The file is read through a bounded buffer, never mapped whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sftpgw/err.h"
#include "sftpgw/rsd.h"

#define MATCH_BUF (RSD_BLOCK_MAX * 2 + RSD_CHUNK * 4) /* window + pending literal */
#define MATCH_READ (256 * 1024)                        /* bytes read at once */

static inline uint32_t sc(uint8_t b)
{
	return (uint32_t)(int32_t)(int8_t)b;
}

uint32_t rsd_csum1(const uint8_t *p, size_t n)
{
	struct rsd_roll r;

	rsd_roll_init(&r, p, n);
	return rsd_roll_digest(&r);
}

/* s1 = sum of b[i], s2 = sum of the prefix sums = n * s1 - sum of i * b[i]
 * (all mod 2^32). Sixteen bytes per step with small exact partial sums, a
 * shape the compiler turns into SIMD: the generator sums every byte of a
 * basis file, so this loop is on the critical path of a resync. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("tree-vectorize")))
#endif
void rsd_roll_init(struct rsd_roll *r, const uint8_t *p, size_t n)
{
	uint32_t s1 = 0, t = 0;
	size_t i = 0;

	for (; i + 16 <= n; i += 16) {
		int32_t bs = 0, ws = 0;

		for (int j = 0; j < 16; j++) {
			int32_t b = (int8_t)p[i + (size_t)j];

			bs += b;
			ws += j * b;
		}
		t += (uint32_t)i * (uint32_t)bs + (uint32_t)ws;
		s1 += (uint32_t)bs;
	}
	for (; i < n; i++) {
		t += (uint32_t)i * sc(p[i]);
		s1 += sc(p[i]);
	}
	r->s1 = s1;
	r->s2 = (uint32_t)n * s1 - t;
	r->n = (uint32_t)n;
}

void rsd_roll_rotate(struct rsd_roll *r, uint8_t out, uint8_t in)
{
	r->s1 += sc(in) - sc(out);
	r->s2 += r->s1 - r->n * sc(out);
}

void rsd_roll_drop(struct rsd_roll *r, uint8_t out)
{
	r->s1 -= sc(out);
	r->s2 -= r->n * sc(out);
	r->n--;
}

void rsd_sums_size(int64_t len, int32_t *blength, int32_t *s2len)
{
	int64_t b = RSD_BLOCK_MIN;

	/* about sqrt(len), rounded to a multiple of 8, within rsync's limits */
	if (len > (int64_t)RSD_BLOCK_MIN * RSD_BLOCK_MIN) {
		int64_t lo = RSD_BLOCK_MIN, hi = RSD_BLOCK_MAX;

		while (lo < hi) {
			int64_t mid = (lo + hi + 1) / 2;

			if (mid * mid <= len)
				lo = mid;
			else
				hi = mid - 1;
		}
		b = lo & ~(int64_t)7;
		if (b < RSD_BLOCK_MIN)
			b = RSD_BLOCK_MIN;
	}
	*blength = (int32_t)b;
	*s2len = RSD_SUM_LEN;
}

static uint32_t hash1(uint32_t sum1, uint32_t mask)
{
	return ((sum1 * 2654435761u) >> 7) & mask;
}

int rsd_sums_index(struct rsd_sums *s)
{
	uint32_t size = 16;

	while (size < (uint32_t)s->count * 2u && size < (1u << 24))
		size <<= 1;
	s->hmask = size - 1;
	s->hhead = calloc(size, sizeof(*s->hhead));
	s->hnext = calloc((size_t)s->count + 1, sizeof(*s->hnext));
	if (s->hhead == NULL || s->hnext == NULL)
		return SGW_ELIMIT;
	/* insert in reverse so chains list blocks in ascending order */
	for (int32_t i = s->count - 1; i >= 0; i--) {
		uint32_t h = hash1(s->s[i].sum1, s->hmask);

		s->hnext[i] = s->hhead[h];
		s->hhead[h] = (uint32_t)i + 1;
	}
	return 0;
}

void rsd_sums_free(struct rsd_sums *s)
{
	free(s->s);
	free(s->hhead);
	free(s->hnext);
	s->s = NULL;
	s->hhead = s->hnext = NULL;
	s->count = 0;
}

struct mstate {
	const struct rsd_sums *s;
	const struct rsd_match_io *io;
	uint8_t *buf;
	size_t cap;      /* MATCH_BUF, or less for a small file */
	uint64_t base;   /* file offset of buf[0] */
	size_t fill;     /* valid bytes in buf */
	uint64_t len;    /* file length */
	uint64_t lit;    /* start of pending literal data */
	int32_t want;    /* block expected next (after a match) */
};

/* Makes [from, to) available in the buffer, dropping what precedes ms->lit. */
static int ensure(struct mstate *ms, uint64_t from, uint64_t to)
{
	if (to > ms->len)
		to = ms->len;
	if (from >= ms->base && to <= ms->base + ms->fill)
		return 0;
	if (ms->lit > ms->base) { /* slide down */
		size_t drop = (size_t)(ms->lit - ms->base);

		memmove(ms->buf, ms->buf + drop, ms->fill - drop);
		ms->fill -= drop;
		ms->base = ms->lit;
	}
	while (ms->base + ms->fill < to) {
		size_t want = ms->cap - ms->fill;
		uint64_t left = ms->len - (ms->base + ms->fill);
		long got;

		if (want > MATCH_READ)
			want = MATCH_READ;
		if (want > left)
			want = (size_t)left;
		if (want == 0)
			return SGW_EPROTOCOL; /* buffer too small: cannot happen */
		got = ms->io->read(ms->io->ctx, ms->base + ms->fill, ms->buf + ms->fill, want);
		if (got < 0)
			return (int)got;
		if (got == 0)
			return -EIO; /* file shrank while sending */
		ms->fill += (size_t)got;
	}
	return 0;
}

static const uint8_t *at(struct mstate *ms, uint64_t off)
{
	return ms->buf + (off - ms->base);
}

/* Sends pending literal bytes up to end (in chunks). */
static int flush_lit(struct mstate *ms, uint64_t end)
{
	while (ms->lit < end) {
		size_t n = (size_t)(end - ms->lit);
		int rc;

		if (n > RSD_CHUNK)
			n = RSD_CHUNK;
		if ((rc = ms->io->emit(ms->io->ctx, -1, at(ms, ms->lit), n)) < 0)
			return rc;
		ms->lit += n;
	}
	return 0;
}

static int32_t block_len(const struct rsd_sums *s, int32_t i)
{
	if (i == s->count - 1 && s->remainder)
		return s->remainder;
	return s->blength;
}

/* Index of a block matching the window [pos, pos+k), or -1. */
static int32_t lookup(struct mstate *ms, uint32_t sum1, uint64_t pos, size_t k)
{
	const struct rsd_sums *s = ms->s;
	uint8_t strong[RSD_SUM_LEN];
	bool have = false;
	int32_t found = -1;

	for (uint32_t e = s->hhead[hash1(sum1, s->hmask)]; e != 0; e = s->hnext[e - 1]) {
		int32_t i = (int32_t)e - 1;

		if (s->s[i].sum1 != sum1 || (size_t)block_len(s, i) != k)
			continue;
		if (!have) {
			ms->io->strong(ms->io->ctx, at(ms, pos), k, strong);
			have = true;
		}
		if (memcmp(strong, s->s[i].sum2, (size_t)s->s2len) != 0)
			continue;
		if (i == ms->want)
			return i;
		if (found < 0)
			found = i;
	}
	return found;
}

int rsd_match_run(const struct rsd_sums *s, uint64_t len, const struct rsd_match_io *io)
{
	struct mstate ms = { .s = s, .io = io, .len = len, .want = 0 };
	struct rsd_roll roll;
	uint64_t pos = 0;
	size_t k = 0;
	int rc = 0;

	/* a small file needs only its own size (plus the byte past a window) */
	ms.cap = len + 1 < MATCH_BUF ? (size_t)len + 1 : MATCH_BUF;
	if ((ms.buf = malloc(ms.cap)) == NULL)
		return SGW_ELIMIT;
	if (s->count == 0 || s->blength <= 0) { /* whole-file: all literal */
		while (rc == 0 && ms.lit < len) {
			uint64_t end = ms.lit + MATCH_READ > len ? len : ms.lit + MATCH_READ;

			if ((rc = ensure(&ms, ms.lit, end)) == 0)
				rc = flush_lit(&ms, end);
		}
		goto out;
	}
	while (pos < len) {
		if (k == 0) { /* fresh window after a match or at start */
			k = (size_t)(len - pos < (uint64_t)s->blength ? len - pos : (uint64_t)s->blength);
			if ((rc = ensure(&ms, pos, pos + k + 1)) != 0)
				goto out;
			rsd_roll_init(&roll, at(&ms, pos), k);
		}
		int32_t i = lookup(&ms, rsd_roll_digest(&roll), pos, k);

		if (i >= 0) {
			if ((rc = flush_lit(&ms, pos)) != 0 || (rc = io->emit(io->ctx, i, at(&ms, pos), k)) < 0)
				goto out;
			pos += k;
			ms.lit = pos;
			ms.want = i + 1;
			k = 0;
			continue;
		}
		if (pos - ms.lit >= RSD_CHUNK && (rc = flush_lit(&ms, pos)) != 0)
			goto out;
		if ((rc = ensure(&ms, pos, pos + k + 1)) != 0)
			goto out;
		if (pos + k < len)
			rsd_roll_rotate(&roll, *at(&ms, pos), *at(&ms, pos + k));
		else
			rsd_roll_drop(&roll, *at(&ms, pos)), k--;
		pos++;
		if (k == 0)
			break;
	}
	rc = flush_lit(&ms, len);
out:
	free(ms.buf);
	return rc < 0 ? rc : 0;
}
