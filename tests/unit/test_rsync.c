/* test_rsync.c — unit tests of the rsync building blocks (src/rsync): wire
 * encodings at their limits, the rolling checksum, the file-list order, the
 * block matcher, filter patterns and the option parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "sftpgw/err.h"
#include "sftpgw/rsd.h"
#include "../../src/rsync/rsd_int.h"

static void check_varint(int32_t v, const uint8_t *want, size_t wn)
{
	uint8_t b[5];
	size_t n = rsd_varint_put(b, v);
	struct sbuf sb;
	int32_t got;

	assert_int_equal(n, wn);
	assert_memory_equal(b, want, wn);
	sbuf_view(&sb, b, n);
	assert_int_equal(rsd_varint_get(&sb, &got), 0);
	assert_int_equal(got, v);
	assert_int_equal(sbuf_avail(&sb), 0);
}

static void test_varint(void **state)
{
	(void)state;
	check_varint(0, (const uint8_t[]){ 0x00 }, 1);
	check_varint(0x7f, (const uint8_t[]){ 0x7f }, 1);
	check_varint(0x80, (const uint8_t[]){ 0x80, 0x80 }, 2);
	check_varint(0x3fff, (const uint8_t[]){ 0xbf, 0xff }, 2);
	check_varint(0x4000, (const uint8_t[]){ 0xc0, 0x00, 0x40 }, 3);
	check_varint(0x0fffffff, (const uint8_t[]){ 0xef, 0xff, 0xff, 0xff }, 4);
	check_varint(INT32_MAX, (const uint8_t[]){ 0xf0, 0xff, 0xff, 0xff, 0x7f }, 5);
	check_varint(-1, (const uint8_t[]){ 0xf0, 0xff, 0xff, 0xff, 0xff }, 5);
	check_varint(INT32_MIN, (const uint8_t[]){ 0xf0, 0x00, 0x00, 0x00, 0x80 }, 5);
}

static void test_varint_bad(void **state)
{
	struct sbuf sb;
	int32_t v;

	(void)state;
	/* one past the limit: a lead byte announcing 5 extra bytes */
	sbuf_view(&sb, (const uint8_t[]){ 0xf8, 1, 2, 3, 4, 5 }, 6);
	assert_int_equal(rsd_varint_get(&sb, &v), SGW_EBADFORMAT);
	/* truncated: the offset does not move */
	sbuf_view(&sb, (const uint8_t[]){ 0xc0, 0x00 }, 2);
	assert_int_equal(rsd_varint_get(&sb, &v), SGW_ETRUNCATED);
	assert_int_equal(sb.off, 0);
}

static void check_varlong(int64_t v, int min, size_t wn)
{
	uint8_t b[9];
	size_t n = rsd_varlong_put(b, v, min);
	struct sbuf sb;
	int64_t got;

	assert_int_equal(n, wn);
	sbuf_view(&sb, b, n);
	assert_int_equal(rsd_varlong_get(&sb, min, &got), 0);
	assert_true(got == v);
	assert_int_equal(sbuf_avail(&sb), 0);
}

static void test_varlong(void **state)
{
	struct sbuf sb;
	int64_t v;

	(void)state;
	check_varlong(0, 3, 3);
	check_varlong(0x7fffff, 3, 3);
	check_varlong(0x800000, 3, 4);
	check_varlong(1LL << 32, 3, 5);
	check_varlong(INT64_MAX, 3, 9);
	check_varlong(0, 4, 4);
	check_varlong(1795607437, 4, 4);
	check_varlong(INT64_MAX, 4, 9);
	check_varlong(-1, 4, 9);
	/* one past the limit: min 4 plus 6 extra bytes would be 10 */
	sbuf_view(&sb, (const uint8_t[]){ 0xfc, 0, 0, 0, 1, 2, 3, 4, 5, 6 }, 10);
	assert_int_equal(rsd_varlong_get(&sb, 4, &v), SGW_EBADFORMAT);
}

static void test_ndx(void **state)
{
	struct rsd_ndx_state w, r;
	const int32_t seq[] = { 0, 1, 2, 500, 100000, 99999, -1, 3, -101, -102, 0x7fffffff, 0 };
	uint8_t buf[256];
	size_t n = 0;
	struct sbuf sb;

	(void)state;
	rsd_ndx_init(&w);
	rsd_ndx_init(&r);
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		n += rsd_ndx_put(&w, buf + n, seq[i]);
	/* spot checks of the encoding */
	assert_int_equal(buf[0], 0x01);         /* 0: diff 1 from -1 */
	assert_int_equal(buf[3], 0xfe);         /* 500: diff 498 */
	assert_int_equal(buf[4], 0x01);
	assert_int_equal(buf[5], 0xf2);
	assert_int_equal(buf[6], 0xfe);         /* 100000: absolute */
	assert_int_equal(buf[7], 0x80);
	assert_int_equal(buf[8], 0xa0);
	sbuf_view(&sb, buf, n);
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		int32_t got;

		assert_int_equal(rsd_ndx_get(&r, &sb, &got), 0);
		assert_int_equal(got, seq[i]);
	}
	assert_int_equal(sbuf_avail(&sb), 0);
}

/* Found by tests/fuzz/fuzz_rsync (UBSan): a delta on top of an index at
 * INT32_MAX overflowed int32_t. It is refused, and the offset stays put. */
static void test_ndx_overflow(void **state)
{
	static const uint8_t msg[] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0x02, 0xfe, 0x7f, 0xff };
	struct rsd_ndx_state r;
	struct sbuf sb;
	int32_t got;

	(void)state;
	rsd_ndx_init(&r);
	sbuf_view(&sb, msg, sizeof(msg));
	assert_int_equal(rsd_ndx_get(&r, &sb, &got), 0);
	assert_int_equal(got, INT32_MAX);
	assert_int_equal(rsd_ndx_get(&r, &sb, &got), SGW_EBADFORMAT);   /* + 2 */
	assert_int_equal(sbuf_avail(&sb), 4);
	assert_int_equal(sbuf_consume(&sb, 1), 0);
	assert_int_equal(rsd_ndx_get(&r, &sb, &got), SGW_EBADFORMAT);   /* + 0x7fff */
	assert_int_equal(sbuf_avail(&sb), 3);
}

/* rsync's get_checksum1, written the way rsync writes it (signed chars). */
static uint32_t ref_csum1(const uint8_t *p, size_t len)
{
	const signed char *buf = (const signed char *)p;
	uint32_t s1 = 0, s2 = 0;
	size_t i;

	for (i = 0; len >= 4 && i < len - 4; i += 4) {
		s2 += 4 * (s1 + (uint32_t)buf[i]) + 3 * (uint32_t)buf[i + 1] + 2 * (uint32_t)buf[i + 2] +
		      (uint32_t)buf[i + 3];
		s1 += (uint32_t)(buf[i] + buf[i + 1] + buf[i + 2] + buf[i + 3]);
	}
	for (; i < len; i++) {
		s1 += (uint32_t)buf[i];
		s2 += s1;
	}
	return (s1 & 0xffff) + (s2 << 16);
}

static void test_rolling(void **state)
{
	uint8_t data[4096];
	struct rsd_roll r;
	const size_t k = 700;

	(void)state;
	srand(7);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)rand();
	for (size_t n = 0; n < 300; n++) /* every tail length of the 16-byte steps, unaligned */
		assert_int_equal(rsd_csum1(data + 3, n), ref_csum1(data + 3, n));
	{ /* the largest block, all bytes negative as signed chars: the sums wrap */
		static uint8_t big[RSD_BLOCK_MAX];

		memset(big, 0xff, sizeof(big));
		assert_int_equal(rsd_csum1(big, sizeof(big)), ref_csum1(big, sizeof(big)));
		memset(big, 0x80, sizeof(big));
		assert_int_equal(rsd_csum1(big, sizeof(big)), ref_csum1(big, sizeof(big)));
	}
	assert_int_equal(rsd_csum1(data, sizeof(data)), ref_csum1(data, sizeof(data)));
	rsd_roll_init(&r, data, k);
	for (size_t off = 1; off + k <= sizeof(data); off++) {
		rsd_roll_rotate(&r, data[off - 1], data[off + k - 1]);
		assert_int_equal(rsd_roll_digest(&r), ref_csum1(data + off, k));
	}
	/* shrinking window at the end of a file */
	size_t off = sizeof(data) - k;

	rsd_roll_init(&r, data + off, k);
	for (size_t n = k; n > 1; n--, off++) {
		rsd_roll_drop(&r, data[off]);
		assert_int_equal(rsd_roll_digest(&r), ref_csum1(data + off + 1, n - 1));
	}
}

static void test_sort_order(void **state)
{
	/* rsync's order: ".", then per level files before directories, a
	 * directory's contents right after it, names compared bytewise with
	 * directories carrying a trailing '/' ("foo-bar/" < "foo/"). */
	static const struct {
		const char *name;
		bool dir;
	} want[] = {
		{ ".", true },      { "-dash", false }, { "a", false },      { "a-b", false },
		{ "c", false },     { "ab", true },     { "ab/z", false },   { "b", true },
		{ "b/x", false },   { "b/y", true },    { "b/y/z", false },  { "foo-bar", true },
		{ "foo", true },    { "foo/a", false }, { "\xc3\xbc", true },
	};
	const size_t n = sizeof(want) / sizeof(want[0]);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(rsd_name_cmp(want[i].name, want[i].dir, want[i].name, want[i].dir), 0);
		for (size_t j = i + 1; j < n; j++) {
			if (rsd_name_cmp(want[i].name, want[i].dir, want[j].name, want[j].dir) >= 0)
				fail_msg("%s should sort before %s", want[i].name, want[j].name);
			assert_true(rsd_name_cmp(want[j].name, want[j].dir, want[i].name, want[i].dir) > 0);
		}
	}
}

/* ---- the block matcher against an in-memory file ---- */

struct mctx {
	const uint8_t *file, *basis;
	size_t len;
	const struct rsd_sums *s;
	uint8_t *out;
	size_t outlen, literal, tokens;
};

static long m_read(void *ctx, uint64_t off, uint8_t *p, size_t n)
{
	struct mctx *c = ctx;

	if (off >= c->len)
		return 0;
	if (n > c->len - off)
		n = c->len - (size_t)off;
	memcpy(p, c->file + off, n);
	return (long)n;
}

static void m_strong(void *ctx, const uint8_t *p, size_t n, uint8_t out[RSD_SUM_LEN])
{
	unsigned l;

	(void)ctx;
	EVP_Digest(p, n, out, &l, EVP_md5(), NULL);
}

static int m_emit(void *ctx, int32_t token, const uint8_t *p, size_t n)
{
	struct mctx *c = ctx;

	if (token < 0) {
		assert_true(n <= RSD_CHUNK);
		memcpy(c->out + c->outlen, p, n);
		c->outlen += n;
		c->literal += n;
		return 0;
	}
	assert_true(token < c->s->count);
	size_t bl = (token == c->s->count - 1 && c->s->remainder) ? (size_t)c->s->remainder
	                                                           : (size_t)c->s->blength;
	/* the matched window comes along (the zlib mode feeds it to the compressor) */
	assert_int_equal(n, bl);
	assert_memory_equal(p, c->basis + (size_t)token * (size_t)c->s->blength, bl);
	memcpy(c->out + c->outlen, c->basis + (size_t)token * (size_t)c->s->blength, bl);
	c->outlen += bl;
	c->tokens++;
	return 0;
}

static void make_sums(struct rsd_sums *s, const uint8_t *basis, size_t len, int32_t bl)
{
	memset(s, 0, sizeof(*s));
	s->blength = bl;
	s->s2len = RSD_SUM_LEN;
	s->count = (int32_t)((len + (size_t)bl - 1) / (size_t)bl);
	s->remainder = (int32_t)(len % (size_t)bl);
	s->s = calloc((size_t)s->count, sizeof(*s->s));
	for (int32_t i = 0; i < s->count; i++) {
		size_t n = (i == s->count - 1 && s->remainder) ? (size_t)s->remainder : (size_t)bl;

		s->s[i].sum1 = rsd_csum1(basis + (size_t)i * (size_t)bl, n);
		m_strong(NULL, basis + (size_t)i * (size_t)bl, n, s->s[i].sum2);
	}
	assert_int_equal(rsd_sums_index(s), 0);
}

static void run_match(const uint8_t *basis, size_t blen, const uint8_t *file, size_t flen, int32_t bl,
                      size_t *literal)
{
	struct rsd_sums s;
	struct mctx c = { .file = file, .basis = basis, .len = flen, .s = &s };

	make_sums(&s, basis, blen, bl);
	c.out = malloc(flen + 1);
	struct rsd_match_io io = { &c, m_read, m_strong, m_emit };

	assert_int_equal(rsd_match_run(&s, flen, &io), 0);
	assert_int_equal(c.outlen, flen);
	assert_memory_equal(c.out, file, flen);
	*literal = c.literal;
	free(c.out);
	rsd_sums_free(&s);
}

static void test_match(void **state)
{
	const size_t len = 1 << 20;
	uint8_t *a = malloc(len), *b = malloc(len + 100);
	size_t lit;

	(void)state;
	srand(11);
	for (size_t i = 0; i < len; i++)
		a[i] = (uint8_t)rand();
	/* identical: no literal data */
	run_match(a, len, a, len, 1024, &lit);
	assert_int_equal(lit, 0);
	/* changed in the middle: about one block of literal data */
	memcpy(b, a, len);
	memset(b + len / 2, 'x', 10);
	run_match(a, len, b, len, 1024, &lit);
	assert_true(lit > 0 && lit <= 2048);
	/* inserted bytes shift everything after them */
	memcpy(b, a, 5000);
	memcpy(b + 5000, "INSERTED", 8);
	memcpy(b + 5008, a + 5000, len - 5000);
	run_match(a, len, b, len + 8, 1024, &lit);
	assert_true(lit <= 2048 + 8);
	/* appended: only the tail is literal; short last block matches */
	memcpy(b, a, len - 300);
	memcpy(b + len - 300, "tail", 4);
	run_match(a, len - 300, b, len - 296, 1000, &lit);
	assert_true(lit <= 1000 + 4);
	/* whole-file (no sums) and empty file */
	struct rsd_sums none = { 0 };
	struct mctx c = { .file = a, .basis = a, .len = 70000, .s = &none, .out = malloc(70000) };
	struct rsd_match_io io = { &c, m_read, m_strong, m_emit };

	assert_int_equal(rsd_match_run(&none, 70000, &io), 0);
	assert_int_equal(c.literal, 70000);
	assert_memory_equal(c.out, a, 70000);
	c.literal = c.outlen = 0;
	assert_int_equal(rsd_match_run(&none, 0, &io), 0);
	assert_int_equal(c.outlen, 0);
	free(c.out);
	free(a);
	free(b);
}

static void test_sums_size(void **state)
{
	int32_t bl, s2;

	(void)state;
	rsd_sums_size(0, &bl, &s2);
	assert_int_equal(bl, RSD_BLOCK_MIN);
	rsd_sums_size(32 << 20, &bl, &s2);
	assert_true(bl >= 5000 && bl <= 6000 && bl % 8 == 0);
	rsd_sums_size(INT64_MAX / 2, &bl, &s2);
	assert_int_equal(bl, RSD_BLOCK_MAX);
	assert_int_equal(s2, RSD_SUM_LEN);
}

static void test_wildmatch(void **state)
{
	(void)state;
	assert_true(rsd_wildmatch("*.tmp", "a.tmp"));
	assert_false(rsd_wildmatch("*.tmp", "d/a.tmp"));
	assert_true(rsd_wildmatch("**.tmp", "d/a.tmp"));
	assert_true(rsd_wildmatch("a?c", "abc"));
	assert_false(rsd_wildmatch("a?c", "a/c"));
	assert_true(rsd_wildmatch("[a-c]x", "bx"));
	assert_false(rsd_wildmatch("[!a-c]x", "bx"));
	assert_true(rsd_wildmatch("d/**", "d/x/y"));
	assert_true(rsd_wildmatch("\\*", "*"));
	/* a pathological pattern ends within its work bound */
	assert_false(rsd_wildmatch("*a*a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

static int parse(const char *const *args, struct rsd_opts *o)
{
	static char *argv[32]; /* o->args points into it */
	char why[256];
	int n = 0;

	for (; args[n]; n++)
		argv[n] = (char *)(uintptr_t)args[n];
	argv[n] = NULL;
	memset(o, 0, sizeof(*o));
	return rsd_opts_parse(o, argv, why, sizeof(why));
}

static void test_opts(void **state)
{
	struct rsd_opts o;

	(void)state;
	assert_int_equal(parse((const char *[]){ "rsync", "--server", "-vlogDtprze.iLsfxCIvu", "--delete",
	                                         ".", "pub/media/", NULL }, &o), 0);
	assert_true(o.links && o.owner && o.recurse && o.compress && o.delete_mode && !o.sender);
	assert_string_equal(o.client_info, ".iLsfxCIvu");
	assert_int_equal(o.nargs, 1);
	assert_string_equal(o.args[0], "pub/media/");
	assert_int_equal(parse((const char *[]){ "rsync", "--server", "--sender", "-logDtprce.iLsfxCIvu",
	                                         "--timeout=30", ".", "-dash", "b c", NULL }, &o), 0);
	assert_true(o.sender && o.checksum);
	assert_int_equal(o.timeout, 30);
	assert_int_equal(o.nargs, 2);
	assert_string_equal(o.args[0], "-dash");
	/* refused before any transfer */
	assert_int_equal(parse((const char *[]){ "rsync", "--server", "-aH", ".", "x", NULL }, &o), -1);
	assert_int_equal(parse((const char *[]){ "rsync", "--server", "--backup-dir=/x", ".", "x", NULL }, &o), -1);
	/* the old zlib mode: --old-compress (also what --zc=zlib sends), not with --new-compress */
	assert_int_equal(parse((const char *[]){ "rsync", "--server", "-z", "--old-compress", ".", "x", NULL }, &o), 0);
	assert_true(o.compress && o.old_compress && !o.new_compress);
	assert_int_equal(parse((const char *[]){ "rsync", "--server", "--zc=zlib", ".", "x", NULL }, &o), 0);
	assert_true(o.compress && o.old_compress);
	assert_int_equal(parse((const char *[]){ "rsync", "--server", "--old-compress", "--new-compress", ".", "x",
	                                         NULL }, &o), -1);
	assert_int_equal(parse((const char *[]){ "rsync", "--server", "--zc=lz4", ".", "x", NULL }, &o), -1);
	/* -B at the limits and one past */
	assert_int_equal(parse((const char *[]){ "rsync", "--server", "-B131072", ".", NULL }, &o), 0);
	assert_int_equal(parse((const char *[]){ "rsync", "--server", "-B131073", ".", NULL }, &o), -1);
	assert_int_equal(parse((const char *[]){ "rsync", "--server", "-B699", ".", NULL }, &o), -1);
}

static void test_flist_cap(void **state)
{
	struct rsd_flist fl = { 0 };
	struct rsd_file *f;
	char name[16];

	(void)state;
	for (uint32_t i = 0; i < RSD_MAX_FILES; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		assert_int_equal(rsd_flist_add(&fl, name, NULL, &f), 0);
	}
	assert_int_equal(fl.n, RSD_MAX_FILES);
	/* one past the cap: refused, list unchanged */
	assert_int_equal(rsd_flist_add(&fl, "one-more", NULL, &f), SGW_ELIMIT);
	assert_int_equal(fl.n, RSD_MAX_FILES);
	/* the list stays compact: fixed part plus names */
	assert_true(sizeof(struct rsd_file) <= 48);
	rsd_flist_free(&fl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_varint),   cmocka_unit_test(test_varint_bad),
		cmocka_unit_test(test_varlong),  cmocka_unit_test(test_ndx),
		cmocka_unit_test(test_ndx_overflow),
		cmocka_unit_test(test_rolling),  cmocka_unit_test(test_sort_order),
		cmocka_unit_test(test_match),    cmocka_unit_test(test_sums_size),
		cmocka_unit_test(test_wildmatch), cmocka_unit_test(test_opts),
		cmocka_unit_test(test_flist_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
