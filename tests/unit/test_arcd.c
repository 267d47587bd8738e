/* test_arcd.c — tar's command line: the forms users type, the allow-list,
 * and the operand limit at the limit and one past it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sftpgw/arcd.h"
#include "sftpgw/err.h"

static int parse(char **argv, struct arcd_opts *o, char *err)
{
	return arcd_opts_parse(argv, o, err, 512);
}

static void test_create_forms(void **state)
{
	char *a1[] = { "tar", "-czf", "-", "-C", "pub/media", ".", NULL };
	char *a2[] = { "tar", "czf", "-", "x", "-C", "/pub", "y", NULL };
	char *a3[] = { "tar", "-c", "--zstd", "--file=-", "--directory", "pub", "-Cmedia", "a", NULL };
	char *a4[] = { "tar", "-cJvf-", "a", NULL };
	struct arcd_opts o;
	char err[512];

	(void)state;
	assert_int_equal(parse(a1, &o, err), 0);
	assert_int_equal(o.mode, ARCD_CREATE);
	assert_int_equal(o.comp, ARCD_COMP_GZIP);
	assert_int_equal(o.n, 1);
	assert_string_equal(o.ops[0].path, ".");
	assert_string_equal(o.ops[0].dir, "/pub/media");
	arcd_opts_free(&o);
	assert_int_equal(parse(a2, &o, err), 0);
	assert_int_equal(o.n, 2);
	assert_string_equal(o.ops[0].dir, "/");
	assert_string_equal(o.ops[1].dir, "/pub");
	arcd_opts_free(&o);
	assert_int_equal(parse(a3, &o, err), 0);
	assert_int_equal(o.comp, ARCD_COMP_ZSTD);
	assert_string_equal(o.ops[0].dir, "/pub/media"); /* -C is relative to the last -C */
	arcd_opts_free(&o);
	assert_int_equal(parse(a4, &o, err), 0);
	assert_int_equal(o.comp, ARCD_COMP_XZ);
	assert_true(o.verbose);
	arcd_opts_free(&o);
}

static void test_extract_forms(void **state)
{
	char *a1[] = { "tar", "-x", "-C", "pub/media", NULL };
	char *a2[] = { "tar", "xzf", "-", NULL };
	char *a3[] = { "tar", "--extract", "-pvo", NULL };
	struct arcd_opts o;
	char err[512];

	(void)state;
	assert_int_equal(parse(a1, &o, err), 0);
	assert_int_equal(o.mode, ARCD_EXTRACT);
	assert_string_equal(o.dir, "/pub/media");
	arcd_opts_free(&o);
	assert_int_equal(parse(a2, &o, err), 0);
	arcd_opts_free(&o);
	assert_int_equal(parse(a3, &o, err), 0);
	assert_true(o.same_perms && o.verbose);
	arcd_opts_free(&o);
}

static void test_refused(void **state)
{
	static const struct {
		char *argv[6];
		const char *msg;
	} cases[] = {
		{ { "tar", "-x", "--to-command=id", NULL }, "unrecognized option '--to-command=id'" },
		{ { "tar", "-xk", NULL }, "invalid option -- 'k'" },
		{ { "tar", "-cf", "/etc/x.tar", "a", NULL }, "/etc/x.tar: only '-f -'" },
		{ { "tar", "-C", "x", NULL }, "You must specify one of" },
		{ { "tar", "-cx", NULL }, "You may not specify more than one" },
		{ { "tar", "-c", NULL }, "Cowardly refusing" },
		{ { "tar", "-x", "member", NULL }, "selecting members" },
		{ { "tar", "-c", "-f", NULL }, "option requires an argument -- 'f'" },
		{ { "tar", "-c", "--directory", NULL }, "requires an argument" },
		{ { "tar", "-c", "--verbose=1", "a", NULL }, "unrecognized option" },
		{ { "tar", "-cP", "a", NULL }, "invalid option -- 'P'" },
	};
	struct arcd_opts o;
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true(parse((char **)cases[i].argv, &o, err) < 0);
		if (strstr(err, cases[i].msg) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].msg);
		arcd_opts_free(&o);
	}
}

static void test_operand_limit(void **state)
{
	char **argv = calloc(ARCD_MAX_OPERANDS + 4, sizeof(char *));
	struct arcd_opts o;
	char err[512];
	int i;

	(void)state;
	argv[0] = "tar";
	argv[1] = "-c";
	for (i = 0; i < ARCD_MAX_OPERANDS; i++)
		argv[2 + i] = "x";
	assert_int_equal(parse(argv, &o, err), 0);
	assert_int_equal(o.n, ARCD_MAX_OPERANDS);
	arcd_opts_free(&o);
	argv[2 + i] = "x";
	assert_int_equal(parse(argv, &o, err), SGW_ETOOBIG);
	arcd_opts_free(&o);
	free(argv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_forms),
		cmocka_unit_test(test_extract_forms),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_operand_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
