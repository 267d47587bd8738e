/* test_util.c — buffer limits, names, login targets, shell words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sftpgw/buf.h"
#include "sftpgw/err.h"
#include "sftpgw/names.h"
#include "sftpgw/shellwords.h"

static void test_buf_limit(void **state)
{
	struct sbuf b;
	uint32_t v;

	(void)state;
	sbuf_init(&b, 8);
	assert_int_equal(sbuf_put_u32(&b, 7), 0);
	assert_int_equal(sbuf_put_u32(&b, 9), 0);           /* exactly at the limit */
	assert_int_equal(sbuf_put_u8(&b, 1), SGW_ENOSPACE);  /* one past it */
	assert_int_equal(sbuf_get_u32(&b, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(sbuf_put_u32(&b, 11), 0);           /* room again after reading */
	assert_int_equal(sbuf_avail(&b), 8);
	sbuf_free(&b);
}

static void test_buf_string_truncated(void **state)
{
	/* length says 5, only 4 bytes follow */
	static const uint8_t msg[] = { 0, 0, 0, 5, 'a', 'b', 'c', 'd' };
	struct sbuf b;
	const uint8_t *p;
	size_t n;
	char *s;

	(void)state;
	sbuf_view(&b, msg, sizeof(msg));
	assert_int_equal(sbuf_get_string(&b, &p, &n), SGW_ETRUNCATED);
	assert_int_equal(b.off, 0); /* nothing consumed on failure */
	sbuf_view(&b, msg, 7);
	assert_int_equal(sbuf_get_cstring(&b, 100, &s), SGW_ETRUNCATED);
	for (size_t cut = 0; cut < sizeof(msg); cut++) {
		sbuf_view(&b, msg, cut);
		assert_int_not_equal(sbuf_get_string(&b, &p, &n), 0);
	}
}

static void test_buf_cstring_nul(void **state)
{
	static const uint8_t msg[] = { 0, 0, 0, 3, 'a', 0, 'c' };
	struct sbuf b;
	char *s;

	(void)state;
	sbuf_view(&b, msg, sizeof(msg));
	assert_int_equal(sbuf_get_cstring(&b, 100, &s), SGW_EBADFORMAT);
	sbuf_view(&b, msg, sizeof(msg));
	assert_int_equal(sbuf_get_cstring(&b, 2, &s), SGW_ETOOBIG);
}

static void test_buf_le(void **state)
{
	struct sbuf b;
	uint64_t v;

	(void)state;
	sbuf_init(&b, 64);
	assert_int_equal(sbuf_put_u64_le(&b, 0x0102030405060708ull), 0);
	assert_int_equal(b.d[0], 8);
	assert_int_equal(sbuf_get_u64_le(&b, &v), 0);
	assert_true(v == 0x0102030405060708ull);
	sbuf_free(&b);
}

/* Found by tests/fuzz/fuzz_buf: the length prefix compacted the buffer, the
 * bytes did not fit, and restoring the old length exposed stale bytes. */
static void test_buf_put_string_all_or_nothing(void **state)
{
	uint8_t x[20] = { 0 };
	const uint8_t *p;
	struct sbuf b;

	(void)state;
	sbuf_init(&b, 16);
	assert_int_equal(sbuf_put_bytes(&b, x, 14), 0);
	assert_int_equal(sbuf_get_raw(&b, 12, &p), 0);
	assert_int_equal(sbuf_put_string(&b, x, 20), SGW_ENOSPACE);
	assert_int_equal(sbuf_avail(&b), 2);
	assert_int_equal(sbuf_put_string(&b, x, 10), 0);   /* 2 + 4 + 10: exactly at the limit */
	assert_int_equal(sbuf_avail(&b), 16);
	assert_int_equal(sbuf_put_string(&b, x, 0), SGW_ENOSPACE);
	sbuf_free(&b);
}

/* Found by tests/fuzz/fuzz_buf (UBSan): a fresh buffer has no storage, and
 * NULL + 0 is undefined; zero-length views and reservations must still work. */
static void test_buf_fresh_zero_length(void **state)
{
	const uint8_t *p = NULL;
	uint8_t *w = NULL;
	struct sbuf b;

	(void)state;
	sbuf_init(&b, 0);
	assert_non_null(sbuf_ptr(&b));
	assert_int_equal(sbuf_get_raw(&b, 0, &p), 0);
	assert_non_null(p);
	assert_int_equal(sbuf_reserve(&b, 0, &w), 0);
	assert_non_null(w);
	assert_int_equal(sbuf_reserve(&b, 1, &w), SGW_ENOSPACE);
	sbuf_free(&b);
}

static void test_name_from_comment(void **state)
{
	char out[NAME_MAX_LEN + 1];

	(void)state;
	assert_int_equal(name_from_comment("acme-staging--app@laptop", out, sizeof(out)), 0);
	assert_string_equal(out, "acme-staging--app");
	assert_int_equal(name_from_comment("a@b@laptop", out, sizeof(out)), SGW_EBADNAME);
	assert_int_equal(name_from_comment("bob", out, sizeof(out)), 0);
	assert_string_equal(out, "bob");
	assert_int_equal(name_from_comment("  ", out, sizeof(out)), SGW_ENOTFOUND);
	assert_int_equal(name_from_comment("", out, sizeof(out)), SGW_ENOTFOUND);
	assert_int_equal(name_from_comment("Bob@x", out, sizeof(out)), SGW_EBADNAME);
	assert_int_equal(name_from_comment("a+b@x", out, sizeof(out)), SGW_EBADNAME);
	assert_int_equal(name_from_comment("@laptop", out, sizeof(out)), SGW_EBADNAME);
}

static void test_name_lengths(void **state)
{
	char n64[65], n65[66];

	(void)state;
	memset(n64, 'a', 64);
	n64[64] = '\0';
	memset(n65, 'a', 65);
	n65[65] = '\0';
	assert_true(name_valid(n64));
	assert_false(name_valid(n65));
	assert_false(name_valid("-x"));
	assert_true(name_valid("0.x_y-z"));
	assert_non_null(name_why_invalid("a:b"));
	assert_null(name_why_invalid("ok"));
}

static void test_login_target(void **state)
{
	struct login_target t;

	(void)state;
	assert_int_equal(login_target_parse("bob", &t), 0);
	assert_string_equal(t.user, "bob");
	assert_string_equal(t.env, "");
	assert_int_equal(login_target_parse("bob+shop+web1", &t), 0);
	assert_string_equal(t.env, "shop");
	assert_string_equal(t.node, "web1");
	assert_int_equal(login_target_parse("bob+shop", &t), 0);
	assert_string_equal(t.node, "");
	assert_int_equal(login_target_parse("bob++x", &t), SGW_EBADNAME);
	assert_int_equal(login_target_parse("bob+a+b+c", &t), SGW_EBADNAME);
	assert_int_equal(login_target_parse("bob+", &t), SGW_EBADNAME);
	assert_int_equal(login_target_parse("Bob", &t), SGW_EBADNAME);
	assert_int_equal(login_target_parse("bob+shop+web.1", &t), SGW_EBADNAME);
}

static void test_shellwords(void **state)
{
	const char *why;
	char **av;
	int n;

	(void)state;
	n = shw_split("scp -t -- 'pub/media/a b'", strlen("scp -t -- 'pub/media/a b'"), &av, &why);
	assert_int_equal(n, 4);
	assert_string_equal(av[3], "pub/media/a b");
	assert_null(av[4]);
	shw_free(av);
	n = shw_split("rsync --server . a\\ b \"c\\\"d\" 'x;y'", strlen("rsync --server . a\\ b \"c\\\"d\" 'x;y'"), &av, &why);
	assert_int_equal(n, 6);
	assert_string_equal(av[3], "a b");
	assert_string_equal(av[4], "c\"d");
	assert_string_equal(av[5], "x;y");
	shw_free(av);
	assert_int_equal(shw_split("ls; touch /tmp/x", strlen("ls; touch /tmp/x"), &av, &why), SGW_EBADFORMAT);
	assert_int_equal(shw_split("echo $(id)", strlen("echo $(id)"), &av, &why), SGW_EBADFORMAT);
	assert_int_equal(shw_split("echo `id`", strlen("echo `id`"), &av, &why), SGW_EBADFORMAT);
	assert_int_equal(shw_split("echo \"$(id)\"", strlen("echo \"$(id)\""), &av, &why), SGW_EBADFORMAT);
	assert_int_equal(shw_split("a | b", strlen("a | b"), &av, &why), SGW_EBADFORMAT);
	assert_int_equal(shw_split("'open", strlen("'open"), &av, &why), SGW_EBADFORMAT);
	assert_int_equal(shw_split("a\0b", 3, &av, &why), SGW_EBADFORMAT);
	n = shw_split("   ", strlen("   "), &av, &why);
	assert_int_equal(n, 0);
	shw_free(av);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_limit),         cmocka_unit_test(test_buf_string_truncated),
		cmocka_unit_test(test_buf_cstring_nul),   cmocka_unit_test(test_buf_le),
		cmocka_unit_test(test_buf_put_string_all_or_nothing),
		cmocka_unit_test(test_buf_fresh_zero_length),
		cmocka_unit_test(test_name_from_comment), cmocka_unit_test(test_name_lengths),
		cmocka_unit_test(test_login_target),      cmocka_unit_test(test_shellwords),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
