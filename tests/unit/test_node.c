/* test_node.c — node and tunnel queries, primary uniqueness, node policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../src/forward/fwd_internal.h"
#include "../../src/store/store_internal.h"
#include "sftpgw/err.h"
#include "sftpgw/fwd.h"
#include "sftpgw/sess.h"
#include "sftpgw/store_node.h"

static struct store st;

/* A fresh in-memory store at the current schema, with envs "shop" and "blog". */
static int setup(void **state)
{
	(void)state;
	memset(&st, 0, sizeof(st));
	if (sqlite3_open(":memory:", &st.db) != SQLITE_OK)
		return -1;
	for (int v = 0; v < STORE_SCHEMA_VERSION; v++)
		if (sqlite3_exec(st.db, store__migration(v), NULL, NULL, NULL) != SQLITE_OK)
			return -1;
	return sqlite3_exec(st.db, "INSERT INTO envs (name, created) VALUES ('shop', 0), ('blog', 0);",
	                    NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	sqlite3_close(st.db);
	return 0;
}

static void mknode(struct store_node *n, int64_t env, const char *name, bool primary)
{
	memset(n, 0, sizeof(*n));
	n->env_id = env;
	snprintf(n->name, sizeof(n->name), "%s", name);
	snprintf(n->account, sizeof(n->account), "app");
	snprintf(n->host, sizeof(n->host), "10.0.0.1");
	n->port = 22;
	snprintf(n->host_key, sizeof(n->host_key), "ssh-ed25519 AAAA");
	n->up = true;
	n->primary = primary;
}

static void test_node_primary_unique(void **state)
{
	struct store_env e;
	struct store_node a, b, *list;
	size_t n;

	(void)state;
	assert_int_equal(store_node_env_find(&st, "shop", &e), 0);
	assert_true(e.running);
	assert_string_equal(e.node_policy, "primary");
	mknode(&a, e.id, "web1", true);
	mknode(&b, e.id, "web2", true);
	assert_int_equal(store_node_add(&st, &a), 0);
	assert_int_equal(store_node_add(&st, &b), 0);
	assert_int_equal(store_node_add(&st, &b), SGW_EEXISTS);
	assert_int_equal(store_node_list(&st, e.id, &list, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "web1");
	assert_false(list[0].primary); /* web2 took it */
	assert_true(list[1].primary);
	assert_string_equal(list[1].env, "shop");
	free(list);
	a.primary = true;
	a.up = false;
	assert_int_equal(store_node_update(&st, &a), 0);
	assert_int_equal(store_node_find(&st, e.id, "web2", &b), 0);
	assert_false(b.primary);
	assert_int_equal(store_node_find(&st, e.id, "web1", &a), 0);
	assert_true(a.primary);
	assert_false(a.up);
	assert_int_equal(store_node_rm(&st, e.id, "web1"), 0);
	assert_int_equal(store_node_rm(&st, e.id, "web1"), SGW_ENOTFOUND);
	assert_int_equal(store_node_find(&st, e.id, "web1", &a), SGW_ENOTFOUND);
	assert_int_equal(store_node_env_find(&st, "nope", &e), SGW_ENOTFOUND);
}

static void test_tunnel_match(void **state)
{
	struct store_env e;
	struct store_tunnel *t;
	size_t n;

	(void)state;
	assert_int_equal(store_node_env_find(&st, "blog", &e), 0);
	assert_int_equal(store_tunnel_match(&st, e.id, "localhost", 8080), SGW_ENOTFOUND);
	assert_int_equal(store_tunnel_add(&st, e.id, "LocalHost", 8000, 8080), 0);
	assert_int_equal(store_tunnel_add(&st, e.id, "localhost", 8000, 8080), SGW_EEXISTS);
	assert_int_equal(store_tunnel_add(&st, e.id, "db", 5432, 5432), 0);
	assert_int_equal(store_tunnel_match(&st, e.id, "localhost", 8000), 0);  /* at the limits */
	assert_int_equal(store_tunnel_match(&st, e.id, "localhost", 8080), 0);
	assert_int_equal(store_tunnel_match(&st, e.id, "localhost", 7999), SGW_ENOTFOUND);
	assert_int_equal(store_tunnel_match(&st, e.id, "localhost", 8081), SGW_ENOTFOUND);
	assert_int_equal(store_tunnel_match(&st, e.id, "DB", 5432), 0);
	assert_int_equal(store_tunnel_match(&st, e.id, "db", 5433), SGW_ENOTFOUND);
	assert_int_equal(store_tunnel_list(&st, e.id, &t, &n), 0);
	assert_int_equal(n, 2);
	free(t);
	assert_int_equal(store_tunnel_rm(&st, e.id, "db", 5432, 5432), 0);
	assert_int_equal(store_tunnel_rm(&st, e.id, "db", 5432, 5432), SGW_ENOTFOUND);
	assert_int_equal(store_node_env_policy(&st, e.id, "random"), 0);
	assert_int_equal(store_node_env_find(&st, "blog", &e), 0);
	assert_string_equal(e.node_policy, "random");
}

static void test_policy_pick(void **state)
{
	struct store_node n[3];

	(void)state;
	mknode(&n[0], 1, "a", false);
	mknode(&n[1], 1, "b", true);
	mknode(&n[2], 1, "c", false);
	assert_int_equal(fwd__policy_pick("primary", n, 3), 1);
	assert_int_equal(fwd__policy_pick("first-up", n, 3), 0);
	n[1].up = false;
	assert_int_equal(fwd__policy_pick("primary", n, 3), 0); /* primary down: first up */
	n[0].up = false;
	for (int i = 0; i < 20; i++)
		assert_int_equal(fwd__policy_pick("random", n, 3), 2); /* only c is up */
	n[2].up = false;
	assert_int_equal(fwd__policy_pick("primary", n, 3), -1);
	assert_int_equal(fwd__policy_pick("random", n, 3), -1);
	assert_int_equal(fwd__policy_pick("first-up", n, 0), -1);
}

/* A session of alice (granted shop and blog) on a real store file. */
static void mksess(struct sess_info *si, struct store *fs, const char *login, struct store_env *env)
{
	memset(si, 0, sizeof(*si));
	si->store = fs;
	si->user_id = 1;
	si->permit_port_forwarding = true;
	assert_int_equal(login_target_parse(login, &si->target), 0);
	si->envs = env;
	si->n_envs = 1;
}

static void test_node_and_tunnel_check(void **state)
{
	char dir[] = "/tmp/test_node.XXXXXX", path[64];
	struct store *fs;
	struct store_env shop;
	struct store_node n;
	struct sess_info si;
	const char *why;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/db", dir);
	assert_int_equal(store_open(path, true, false, &fs), 0);
	assert_int_equal(sqlite3_exec(fs->db,
	    "INSERT INTO envs (id, name, created) VALUES (1, 'shop', 0), (2, 'blog', 0), (3, 'other', 0);"
	    "INSERT INTO users (id, name, created) VALUES (1, 'alice', 0);"
	    "INSERT INTO grants VALUES (1, 1), (1, 2);", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_node_env_find(fs, "shop", &shop), 0);
	mknode(&n, shop.id, "web1", true);
	assert_int_equal(store_node_add(fs, &n), 0);
	mknode(&n, shop.id, "web2", false);
	n.up = false;
	assert_int_equal(store_node_add(fs, &n), 0);

	mksess(&si, fs, "alice+shop+web1", &shop);
	assert_int_equal(fwd_node_check(&si, &why), 0);
	mksess(&si, fs, "alice+shop", &shop);
	assert_int_equal(fwd_node_check(&si, &why), 0);
	mksess(&si, fs, "alice+shop+web2", &shop);
	assert_int_equal(fwd_node_check(&si, &why), SGW_EDENIED);
	assert_non_null(strstr(why, "node shop/web2 is down"));
	assert_non_null(strstr(why, "your environments: blog, shop"));
	assert_null(strstr(why, "other")); /* never anybody else's */
	mksess(&si, fs, "alice+shop+nope", &shop);
	assert_int_equal(fwd_node_check(&si, &why), SGW_EDENIED);
	assert_non_null(strstr(why, "no node \"nope\""));

	mksess(&si, fs, "alice+shop", &shop);
	assert_int_equal(fwd_tunnel_check(&si, "localhost", 8080, &why), SGW_EDENIED); /* off by default */
	assert_int_equal(store_tunnel_add(fs, shop.id, "localhost", 8080, 8080), 0);
	assert_int_equal(fwd_tunnel_check(&si, "localhost", 8080, &why), 0);
	assert_int_equal(fwd_tunnel_check(&si, "127.0.0.1", 8080, &why), 0);
	assert_int_equal(fwd_tunnel_check(&si, "::1", 8080, &why), 0);
	assert_int_equal(fwd_tunnel_check(&si, "localhost", 8081, &why), SGW_EDENIED);
	assert_non_null(strstr(why, "not allowed for environment shop"));
	assert_int_equal(fwd_tunnel_check(&si, "10.0.0.9", 8080, &why), SGW_EDENIED);
	assert_int_equal(fwd_tunnel_check(&si, "localhost", 65536, &why), SGW_EBADFORMAT);
	si.permit_port_forwarding = false;
	assert_int_equal(fwd_tunnel_check(&si, "localhost", 8080, &why), SGW_EDENIED);
	store_close(fs);
	unlink(path);
	snprintf(path, sizeof(path), "%s/db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/db-shm", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_primary_unique),
		cmocka_unit_test(test_tunnel_match),
		cmocka_unit_test(test_policy_pick),
		cmocka_unit_test(test_node_and_tunnel_check),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
