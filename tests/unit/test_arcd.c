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
		{ { "tar", "-c", "-f", NULL }, "option requires an argument -- 'f'" },
		{ { "tar", "-c", "--directory", NULL }, "requires an argument" },
		{ { "tar", "-c", "--verbose=1", "a", NULL }, "unrecognized option" },
		{ { "tar", "-cP", "a", NULL }, "invalid option -- 'P'" },
		{ { "tar", "-c", "a", "--exclude", NULL }, "option '--exclude' requires an argument" },
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

/* "tar", head, then word times: a NULL-terminated argv to free(). */
static char **argv_repeat(const char *head, const char *word, int times)
{
	char **argv = calloc((size_t)times + 4, sizeof(char *));

	argv[0] = "tar";
	argv[1] = "-c";
	argv[2] = (char *)head;
	for (int i = 0; i < times; i++)
		argv[3 + i] = (char *)word;
	return argv;
}

/* A limit of one command line at the limit, and one past it. */
static void check_limit(const char *head, const char *word, int limit,
                        size_t (*count)(const struct arcd_opts *))
{
	char **argv = argv_repeat(head, word, limit);
	struct arcd_opts o;
	char err[512];

	assert_int_equal(parse(argv, &o, err), 0);
	assert_int_equal(count(&o), (size_t)limit);
	arcd_opts_free(&o);
	argv[3 + limit] = (char *)word;
	assert_int_equal(parse(argv, &o, err), SGW_ETOOBIG);
	assert_non_null(strstr(err, "too many"));
	arcd_opts_free(&o);
	free(argv);
}

static size_t count_operands(const struct arcd_opts *o) { return o->n; }
static size_t count_excludes(const struct arcd_opts *o) { return o->nexcl; }

static void test_operand_limit(void **state)
{
	(void)state;
	check_limit("-v", "x", ARCD_MAX_OPERANDS, count_operands);
}

static void test_exclude_limit(void **state)
{
	(void)state;
	check_limit("a", "--exclude=x", ARCD_MAX_EXCLUDES, count_excludes);
}

static void test_exclude(void **state)
{
	char *argv[] = { "tar", "-c", "--exclude=node_modules", "--exclude", "*.log",
	                 "--exclude=cache/tmp", ".", NULL };
	struct arcd_opts o;
	char err[512];

	(void)state;
	assert_int_equal(parse(argv, &o, err), 0);
	assert_int_equal(o.nexcl, 3);
	assert_true(arcd_excluded(&o, "node_modules"));
	assert_true(arcd_excluded(&o, "./app/node_modules/"));
	assert_true(arcd_excluded(&o, "app/node_modules/x/y.js"));
	assert_true(arcd_excluded(&o, "a/b/debug.log"));
	assert_true(arcd_excluded(&o, "x/cache/tmp/f"));
	assert_false(arcd_excluded(&o, "app/node_modules2"));
	assert_false(arcd_excluded(&o, "cache/tmpx"));
	assert_false(arcd_excluded(&o, "app/src/main.c"));
	assert_false(arcd_excluded(&o, "log"));
	arcd_opts_free(&o);
}

static void test_select(void **state)
{
	char *argv[] = { "tar", "-x", "./site/", "notes.txt", NULL };
	char *all[] = { "tar", "-t", NULL };
	struct arcd_opts o;
	char err[512];

	(void)state;
	assert_int_equal(parse(argv, &o, err), 0);
	assert_int_equal(o.n, 2);
	assert_false(arcd_selected(&o, "other/x"));
	assert_false(arcd_selected(&o, "site2/x"));
	assert_false(o.ops[0].matched || o.ops[1].matched);
	assert_true(arcd_selected(&o, "./site/a/b"));
	assert_true(arcd_selected(&o, "site"));
	assert_true(o.ops[0].matched);
	assert_false(o.ops[1].matched);
	assert_true(arcd_selected(&o, "notes.txt"));
	assert_true(o.ops[1].matched);
	arcd_opts_free(&o);
	assert_int_equal(parse(all, &o, err), 0);
	assert_true(arcd_selected(&o, "anything"));
	arcd_opts_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_forms),
		cmocka_unit_test(test_extract_forms),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_operand_limit),
		cmocka_unit_test(test_exclude),
		cmocka_unit_test(test_exclude_limit),
		cmocka_unit_test(test_select),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
