/* test_limits.c — connection and session limits at the limit and one past. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "sftpgw/limits.h"

static struct sgw_config cfg;

static void test_unauth_per_source(void **state)
{
	(void)state;
	config_defaults(&cfg);
	cfg.max_unauth = 10;
	cfg.max_unauth_per_source = 3;
	limits_init(&cfg);
	for (int i = 0; i < 3; i++)
		assert_true(limits_unauth_take("10.0.0.1"));
	assert_false(limits_unauth_take("10.0.0.1"));     /* one past the per-source limit */
	assert_true(limits_unauth_take("10.0.0.2"));      /* another address still gets in */
	limits_unauth_drop("10.0.0.1");
	assert_true(limits_unauth_take("10.0.0.1"));      /* a freed slot is reusable */
	for (int i = 0; i < 3; i++)
		limits_unauth_drop("10.0.0.1");
	limits_unauth_drop("10.0.0.2");
}

static void test_unauth_total(void **state)
{
	char addr[32];

	(void)state;
	config_defaults(&cfg);
	cfg.max_unauth = 5;
	cfg.max_unauth_per_source = 5;
	limits_init(&cfg);
	for (int i = 0; i < 5; i++) {
		snprintf(addr, sizeof(addr), "192.0.2.%d", i);
		assert_true(limits_unauth_take(addr));
	}
	assert_false(limits_unauth_take("192.0.2.99"));   /* one past the total */
	for (int i = 0; i < 5; i++) {
		snprintf(addr, sizeof(addr), "192.0.2.%d", i);
		limits_unauth_drop(addr);
	}
	assert_true(limits_unauth_take("192.0.2.99"));
	limits_unauth_drop("192.0.2.99");
	limits_unauth_drop("never-taken");                /* dropping unknown keys is harmless */
}

static void test_sessions_per_user(void **state)
{
	(void)state;
	config_defaults(&cfg);
	cfg.max_sessions = 100;
	cfg.max_sessions_per_user = 2;
	limits_init(&cfg);
	assert_true(limits_sess_take("alice"));
	assert_true(limits_sess_take("alice"));
	assert_false(limits_sess_take("alice"));
	assert_true(limits_sess_take("bob"));
	limits_sess_drop("alice");
	assert_true(limits_sess_take("alice"));
}

static void test_many_keys(void **state)
{
	char addr[32];
	int ok = 0;

	(void)state;
	config_defaults(&cfg);
	cfg.max_unauth = 1000000;
	cfg.max_unauth_per_source = 1;
	limits_init(&cfg);
	/* Past the table's size, new keys are refused rather than corrupting it. */
	for (int i = 0; i < LIMITS_SLOTS + 10; i++) {
		snprintf(addr, sizeof(addr), "k%d", i);
		ok += limits_unauth_take(addr);
	}
	assert_int_equal(ok, LIMITS_SLOTS);
	for (int i = 0; i < LIMITS_SLOTS + 10; i++) {
		snprintf(addr, sizeof(addr), "k%d", i);
		limits_unauth_drop(addr);
	}
	assert_true(limits_unauth_take("k1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unauth_per_source),
		cmocka_unit_test(test_unauth_total),
		cmocka_unit_test(test_sessions_per_user),
		cmocka_unit_test(test_many_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
