/* test_store.c — migrations (from empty and from an older schema), the
 * daemon's look-ups, admin queries and cascading deletes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sftpgw/err.h"
#include "sftpgw/store.h"
#include "sftpgw/store_admin.h"

static const char *const v1_tables[] = { "envs", "users", "grants", "keys", "mounts", "audit",
	                                 NULL };
static const char *const later_tables[] = { "nodes", "tunnels", "cas", "certs", "revocations",
	                                    NULL };
static const uint8_t blob[] = { 0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9' };

struct fx {
	char dir[64];
	char path[128];
	struct store *st;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/sftpgw-store.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/s.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char p[160];

	store_close(f->st);
	static const char *const sfx[] = { "", "-wal", "-shm" };

	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, sfx[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static bool has_table(struct store *st, const char *name)
{
	sqlite3_stmt *s;
	bool found;

	assert_int_equal(sqlite3_prepare_v2(st->db, "SELECT 1 FROM sqlite_master WHERE type = "
	                                            "'table' AND name = ?1", -1, &s, NULL),
	                 SQLITE_OK);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return found;
}

static void test_missing_store(void **state)
{
	struct fx *f = *state;

	assert_int_equal(store_open(f->path, false, true, &f->st), SGW_ENOTFOUND);
	assert_null(f->st);
	assert_non_null(strstr(store_errmsg(NULL), "sftpgw-admin"));
	assert_non_null(strstr(store_errmsg(NULL), "init"));
	assert_int_equal(access(f->path, F_OK), -1); /* not created by a failed open */
}

static void test_migrate_from_empty(void **state)
{
	struct fx *f = *state;
	char mode[16] = "";
	sqlite3_stmt *s;
	int v = -1;

	assert_int_equal(store_open(f->path, true, false, &f->st), 0);
	assert_int_equal(store_schema_version(f->st, &v), 0);
	assert_int_equal(v, STORE_SCHEMA_VERSION);
	for (size_t i = 0; v1_tables[i]; i++)
		assert_true(has_table(f->st, v1_tables[i]));
	for (size_t i = 0; later_tables[i]; i++)
		assert_true(has_table(f->st, later_tables[i]));
	assert_int_equal(sqlite3_prepare_v2(f->st->db, "PRAGMA journal_mode", -1, &s, NULL), 0);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	snprintf(mode, sizeof(mode), "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	assert_string_equal(mode, "wal");
	/* opening again is a no-op */
	store_close(f->st);
	assert_int_equal(store_open(f->path, false, true, &f->st), 0);
	assert_int_equal(store_schema_version(f->st, &v), 0);
	assert_int_equal(v, STORE_SCHEMA_VERSION);
}

/* A store written by the first release (schema 1) keeps its data when opened now. */
static void test_migrate_from_v1(void **state)
{
	struct fx *f = *state;
	struct store *ro;
	struct store_key k;
	struct store_mount *m;
	size_t n;
	int64_t env, user, key, mid, uid;
	int v;

	assert_int_equal(store_open_version(f->path, 1, &f->st), 0);
	assert_int_equal(store_schema_version(f->st, &v), 0);
	assert_int_equal(v, 1);
	assert_false(has_table(f->st, "nodes"));
	assert_int_equal(store_env_add(f->st, "shop", &env), 0);
	assert_int_equal(store_user_add(f->st, "alice", &user), 0);
	assert_int_equal(store_grant_add(f->st, user, env), 0);
	assert_int_equal(store_key_add(f->st, user, "ssh-ed25519", blob, sizeof(blob), "SHA256:abc",
	                               "alice@laptop", &key), 0);
	assert_int_equal(store_mount_add(f->st, env, "/pub/media", "/srv/media", true, &mid), 0);
	store_close(f->st);

	/* the daemon does not migrate: it says what to run */
	assert_int_equal(store_open(f->path, false, true, &ro), SGW_EUNSUPPORTED);
	assert_non_null(strstr(store_errmsg(NULL), "sftpgw-admin init"));

	assert_int_equal(store_open(f->path, false, false, &f->st), 0);
	assert_int_equal(store_schema_version(f->st, &v), 0);
	assert_int_equal(v, STORE_SCHEMA_VERSION);
	for (size_t i = 0; later_tables[i]; i++)
		assert_true(has_table(f->st, later_tables[i]));
	assert_int_equal(store_key_by_fingerprint(f->st, "SHA256:abc", &k), 0);
	assert_string_equal(k.user, "alice");
	assert_string_equal(k.comment, "alice@laptop");
	assert_int_equal(store_user_id(f->st, "alice", &uid), 0);
	assert_int_equal(uid, user);
	assert_int_equal(store_env_mounts(f->st, env, &m, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(m[0].vpath, "/pub/media");
	assert_true(m[0].read_only);
	free(m);
}

static void test_newer_schema_refused(void **state)
{
	struct fx *f = *state;

	assert_int_equal(store_open(f->path, true, false, &f->st), 0);
	assert_int_equal(sqlite3_exec(f->st->db, "PRAGMA user_version = 99", NULL, NULL, NULL), 0);
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(store_open(f->path, false, false, &f->st), SGW_EUNSUPPORTED);
	assert_non_null(strstr(store_errmsg(NULL), "newer"));
}

static void test_keys_and_envs(void **state)
{
	struct fx *f = *state;
	struct store_key k;
	struct store_env *e;
	struct store_mount *m;
	size_t n;
	int64_t shop, blog, user, key, id;

	assert_int_equal(store_open(f->path, true, false, &f->st), 0);
	assert_int_equal(store_env_add(f->st, "shop", &shop), 0);
	assert_int_equal(store_env_add(f->st, "blog", &blog), 0);
	assert_int_equal(store_env_add(f->st, "shop", &id), SGW_EEXISTS);
	assert_int_equal(store_user_add(f->st, "bob", &user), 0);
	assert_int_equal(store_grant_add(f->st, user, shop), 0);
	assert_int_equal(store_grant_add(f->st, user, blog), 0);
	assert_int_equal(store_grant_add(f->st, user, blog), SGW_EEXISTS);
	assert_int_equal(store_env_set_running(f->st, blog, false), 0);
	assert_int_equal(store_key_add(f->st, user, "ssh-ed25519", blob, sizeof(blob), "SHA256:k1",
	                               "", &key), 0);
	assert_int_equal(store_key_add(f->st, user, "ssh-ed25519", blob, sizeof(blob), "SHA256:k1",
	                               "", &id), SGW_EEXISTS);

	assert_int_equal(store_key_by_fingerprint(f->st, "SHA256:nope", &k), SGW_ENOTFOUND);
	assert_int_equal(store_key_by_fingerprint(f->st, "SHA256:k1", &k), 0);
	assert_int_equal(k.id, key);
	assert_int_equal(k.user_id, user);
	assert_string_equal(k.user, "bob");
	assert_int_equal(k.last_used, 0);
	assert_int_equal(store_key_touch(f->st, key, 1234), 0);
	assert_int_equal(store_key_touch(f->st, key + 100, 1234), SGW_ENOTFOUND);
	assert_int_equal(store_key_by_fingerprint(f->st, "SHA256:k1", &k), 0);
	assert_int_equal(k.last_used, 1234);
	assert_int_equal(store_user_id(f->st, "nobody", &id), SGW_ENOTFOUND);

	assert_int_equal(store_user_envs(f->st, user, &e, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(e[0].name, "blog"); /* by name */
	assert_false(e[0].running);
	assert_string_equal(e[1].name, "shop");
	assert_true(e[1].running);
	assert_string_equal(e[1].node_policy, "primary");
	free(e);

	assert_int_equal(store_mount_add(f->st, shop, "/pub/media", "/srv/m", false, &id), 0);
	assert_int_equal(store_mount_add(f->st, shop, "/a", "/srv/a", false, &id), 0);
	assert_int_equal(store_mount_add(f->st, shop, "/a", "/srv/b", false, &id), SGW_EEXISTS);
	assert_int_equal(store_env_mounts(f->st, shop, &m, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(m[0].vpath, "/a");
	assert_string_equal(m[0].env, "shop");
	assert_string_equal(m[1].dir, "/srv/m");
	free(m);
	assert_int_equal(store_mount_rm(f->st, shop, "/a"), 0);
	assert_int_equal(store_mount_rm(f->st, shop, "/a"), SGW_ENOTFOUND);
	assert_int_equal(store_audit(f->st, "login", "bob", "SHA256:k1", "127.0.0.1", NULL), 0);
}

static int count(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	int n;

	assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

static void test_cascades(void **state)
{
	struct fx *f = *state;
	int64_t env, u1, u2, id;

	assert_int_equal(store_open(f->path, true, false, &f->st), 0);
	assert_int_equal(store_env_add(f->st, "shop", &env), 0);
	assert_int_equal(store_user_add(f->st, "u1", &u1), 0);
	assert_int_equal(store_user_add(f->st, "u2", &u2), 0);
	assert_int_equal(store_grant_add(f->st, u1, env), 0);
	assert_int_equal(store_grant_add(f->st, u2, env), 0);
	assert_int_equal(store_key_add(f->st, u1, "t", blob, sizeof(blob), "SHA256:1", "", &id), 0);
	assert_int_equal(store_key_add(f->st, u2, "t", blob, sizeof(blob), "SHA256:2", "", &id), 0);
	assert_int_equal(store_mount_add(f->st, env, "/m", "/srv", false, &id), 0);

	assert_int_equal(store_user_rm(f->st, u1), 0);
	assert_int_equal(count(f->st, "SELECT count(*) FROM keys"), 1);
	assert_int_equal(count(f->st, "SELECT count(*) FROM grants"), 1);
	assert_int_equal(store_env_rm(f->st, env), 0);
	assert_int_equal(store_env_rm(f->st, env), SGW_ENOTFOUND);
	assert_int_equal(count(f->st, "SELECT count(*) FROM mounts"), 0);
	assert_int_equal(count(f->st, "SELECT count(*) FROM grants"), 0);
	assert_int_equal(count(f->st, "SELECT count(*) FROM keys"), 1); /* u2 keeps its key */
}

/* Another connection's commit changes data_version: the daemon's cheap change check. */
static void test_data_version_and_readonly(void **state)
{
	struct fx *f = *state;
	struct store *ro;
	int64_t a, b, id;

	assert_int_equal(store_open(f->path, true, false, &f->st), 0);
	assert_int_equal(store_open(f->path, false, true, &ro), 0);
	assert_int_equal(store_data_version(ro, &a), 0);
	assert_int_equal(store_env_add(f->st, "x", &id), 0);
	assert_int_equal(store_data_version(ro, &b), 0);
	assert_true(a != b);
	assert_int_equal(store_key_touch(ro, 1, 1), SGW_EDENIED);
	assert_int_equal(store_audit(ro, "x", NULL, NULL, NULL, NULL), SGW_EDENIED);
	assert_int_equal(store_env_add(ro, "y", &id), SGW_EDENIED);
	store_close(ro);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missing_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_and_envs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cascades, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_version_and_readonly, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
