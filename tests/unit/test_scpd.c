/* test_scpd.c — SCP control lines and options: syntax, and every limit at
 * the limit and one past it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sftpgw/err.h"
#include "sftpgw/scpd.h"

static int parse(const char *line, struct scpd_ctl *c)
{
	const char *why;

	return scpd_ctl_parse(line, strlen(line), c, &why);
}

static void test_ctl_ok(void **state)
{
	struct scpd_ctl c;

	(void)state;
	assert_int_equal(parse("C0644 12 a b", &c), 0);
	assert_int_equal(c.type, 'C');
	assert_int_equal(c.mode, 0644);
	assert_int_equal(c.size, 12);
	assert_string_equal(c.name, "a b");
	assert_int_equal(parse("D0755 0 dir", &c), 0);
	assert_int_equal(c.type, 'D');
	assert_int_equal(parse("T981173106 0 981173107 5", &c), 0);
	assert_int_equal(c.mtime, 981173106);
	assert_int_equal(c.atime, 981173107);
	assert_int_equal(c.atime_us, 5);
	assert_int_equal(parse("E", &c), 0);
}

static void test_ctl_bad(void **state)
{
	static const char *const bad[] = {
		"", "X", "C644 1 a", "C06440 1 a", "C0648 1 a", "C0644 1", "C0644 1 ", "C0644  1 a",
		"C0644 -1 a", "C0644 1x a", "C0644 1 a/b", "C0644 1 .", "C0644 1 ..", "D0755 0 /",
		"E ", "T1 0 1", "T1 0 1 0 ", "T1 1000000 1 0", "Tx 0 1 0", NULL,
	};
	struct scpd_ctl c;

	(void)state;
	for (int i = 0; bad[i] != NULL; i++)
		assert_true(parse(bad[i], &c) < 0);
	/* a NUL inside the name */
	assert_int_equal(scpd_ctl_parse("C0644 1 a\0b", 11, &c, &(const char *){ NULL }),
	                 SGW_EBADNAME);
}

static void test_ctl_size_limit(void **state)
{
	char line[128];
	struct scpd_ctl c;

	(void)state;
	snprintf(line, sizeof(line), "C0644 %llu f", (unsigned long long)SCPD_MAX_SIZE);
	assert_int_equal(parse(line, &c), 0);
	assert_true(c.size == SCPD_MAX_SIZE);
	snprintf(line, sizeof(line), "C0644 %llu f", (unsigned long long)SCPD_MAX_SIZE + 1);
	assert_int_equal(parse(line, &c), SGW_ETOOBIG);
	assert_int_equal(parse("C0644 99999999999999999999999 f", &c), SGW_ETOOBIG);
	snprintf(line, sizeof(line), "T%lld 0 0 0", SCPD_MAX_TIME);
	assert_int_equal(parse(line, &c), 0);
	snprintf(line, sizeof(line), "T%lld 0 0 0", SCPD_MAX_TIME + 1);
	assert_int_equal(parse(line, &c), SGW_ETOOBIG);
	assert_int_equal(parse("T0 999999 0 0", &c), 0);
	assert_int_equal(parse("T0 1000000 0 0", &c), SGW_ETOOBIG);
}

static void test_ctl_name_limit(void **state)
{
	char line[SCPD_MAX_LINE];
	struct scpd_ctl c;
	size_t pre = strlen("C0644 1 ");

	(void)state;
	memcpy(line, "C0644 1 ", pre);
	memset(line + pre, 'n', VFS_NAME_MAX);
	line[pre + VFS_NAME_MAX] = '\0';
	assert_int_equal(parse(line, &c), 0);
	assert_int_equal(strlen(c.name), VFS_NAME_MAX);
	line[pre + VFS_NAME_MAX] = 'n';
	line[pre + VFS_NAME_MAX + 1] = '\0';
	assert_int_equal(parse(line, &c), SGW_EBADNAME);
}

static void test_line_limit(void **state)
{
	struct scpd_line l = { .len = 0 };
	char big[SCPD_MAX_LINE + 1];
	struct scpd_ctl c;
	const char *why;

	(void)state;
	/* SCPD_MAX_LINE - 1 bytes and the '\n': exactly at the limit */
	for (int i = 0; i < SCPD_MAX_LINE - 1; i++)
		assert_int_equal(scpd_line_feed(&l, 'x'), 0);
	assert_int_equal(scpd_line_feed(&l, '\n'), 1);
	assert_int_equal(l.len, SCPD_MAX_LINE - 1);
	/* one byte more before the '\n': refused */
	l.len = 0;
	for (int i = 0; i < SCPD_MAX_LINE - 1; i++)
		assert_int_equal(scpd_line_feed(&l, 'x'), 0);
	assert_int_equal(scpd_line_feed(&l, 'x'), SGW_ETOOBIG);
	memset(big, 'x', sizeof(big));
	assert_int_equal(scpd_ctl_parse(big, SCPD_MAX_LINE, &c, &why), SGW_ETOOBIG);
}

static void test_opts(void **state)
{
	char *ok[] = { "scp", "-v", "-r", "-p", "-d", "-t", "--", "-odd name", NULL };
	char *cl[] = { "scp", "-prf", "a", "b", NULL };
	char *bad[] = { "scp", "-t", "-S", "/bin/sh", "x", NULL };
	char *lng[] = { "scp", "-t", "--files0-from=x", "x", NULL };
	char *both[] = { "scp", "-t", "-f", "x", NULL };
	char *two[] = { "scp", "-t", "a", "b", NULL };
	struct scpd_opts o;
	char err[128];

	(void)state;
	assert_int_equal(scpd_opts_parse(ok, &o, err, sizeof(err)), 0);
	assert_true(o.sink && o.recursive && o.preserve && o.target_dir && o.verbose && !o.source);
	assert_int_equal(o.nargs, 1);
	assert_string_equal(o.args[0], "-odd name");
	assert_int_equal(scpd_opts_parse(cl, &o, err, sizeof(err)), 0);
	assert_true(o.source && o.recursive && o.preserve);
	assert_int_equal(o.nargs, 2);
	assert_int_equal(scpd_opts_parse(bad, &o, err, sizeof(err)), SGW_EUSAGE);
	assert_string_equal(err, "invalid option -- 'S'");
	assert_int_equal(scpd_opts_parse(lng, &o, err, sizeof(err)), SGW_EUSAGE);
	assert_int_equal(scpd_opts_parse(both, &o, err, sizeof(err)), SGW_EUSAGE);
	assert_int_equal(scpd_opts_parse(two, &o, err, sizeof(err)), SGW_EUSAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctl_ok),
		cmocka_unit_test(test_ctl_bad),
		cmocka_unit_test(test_ctl_size_limit),
		cmocka_unit_test(test_ctl_name_limit),
		cmocka_unit_test(test_line_limit),
		cmocka_unit_test(test_opts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
