/* admin.c — the operator's queries (see store_admin.h).
 *
 * sftpgw-admin runs each of these once per invocation, so statements are
 * prepared per call rather than cached.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sftpgw/err.h"
#include "sftpgw/store_admin.h"
#include "store_internal.h"

static sqlite3_stmt *prep(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;

	((struct store_conn *)st)->err[0] = '\0';
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		store__set_err(st, "%s", sqlite3_errmsg(st->db));
		return NULL;
	}
	return s;
}

/* Steps a write statement once and finalizes it; SGW_ENOTFOUND when no row changed. */
static int run_write(struct store *st, sqlite3_stmt *s, int64_t *rowid)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store__rc(st, rc);
	if (sqlite3_changes(st->db) == 0)
		return SGW_ENOTFOUND;
	if (rowid != NULL)
		*rowid = sqlite3_last_insert_rowid(st->db);
	return 0;
}

static int writable(struct store *st)
{
	if (st->readonly) {
		store__set_err(st, "store opened read-only");
		return SGW_EDENIED;
	}
	return 0;
}

/* Runs an "UPDATE/DELETE ... WHERE id = ?1" style statement. */
static int write_by_id(struct store *st, const char *sql, int64_t id)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = writable(st)) < 0)
		return rc;
	if ((s = prep(st, sql)) == NULL)
		return SGW_ESTORE;
	sqlite3_bind_int64(s, 1, id);
	return run_write(st, s, NULL);
}

/* Runs s (bound) and collects rows; finalizes s. */
static int collect(struct store *st, sqlite3_stmt *s, size_t elsz,
                   void (*fill)(sqlite3_stmt *s, void *el), void **out, size_t *n)
{
	int rc = store__collect(st, s, elsz, fill, out, n);

	sqlite3_finalize(s);
	return rc;
}

int store_tx_begin(struct store *st)
{
	int rc = writable(st);

	return rc < 0 ? rc : store__exec(st, "BEGIN IMMEDIATE");
}

int store_tx_commit(struct store *st)
{
	return store__exec(st, "COMMIT");
}

void store_tx_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* --- environments --- */

#define ENV_COLS "SELECT id, name, status = 'running', node_policy FROM envs "

/* INSERT of a (name, created) row; *id gets its row id. */
static int insert_named(struct store *st, const char *sql, const char *name, int64_t *id)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = writable(st)) < 0)
		return rc;
	if ((s = prep(st, sql)) == NULL)
		return SGW_ESTORE;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (int64_t)time(NULL));
	return run_write(st, s, id);
}

/* The row a "... WHERE name = ?1" query finds, filled in by row(). */
static int get_by_name(struct store *st, const char *sql, const char *name,
                       void (*row)(sqlite3_stmt *, void *), void *out, size_t outsz)
{
	sqlite3_stmt *s = prep(st, sql);
	int rc;

	if (s == NULL)
		return SGW_ESTORE;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		memset(out, 0, outsz);
		row(s, out);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return SGW_ENOTFOUND;
	return rc == SQLITE_ROW ? 0 : store__rc(st, rc);
}

int store_env_add(struct store *st, const char *name, int64_t *id)
{
	return insert_named(st, "INSERT INTO envs (name, created) VALUES (?1, ?2)", name, id);
}

int store_env_get(struct store *st, const char *name, struct store_env *out)
{
	return get_by_name(st, ENV_COLS "WHERE name = ?1", name, store__row_to_env, out,
	                   sizeof(*out));
}

int store_env_list(struct store *st, struct store_env **out, size_t *n)
{
	sqlite3_stmt *s = prep(st, ENV_COLS "ORDER BY name");

	if (s == NULL)
		return SGW_ESTORE;
	return collect(st, s, sizeof(**out), store__row_to_env, (void **)out, n);
}

int store_env_rm(struct store *st, int64_t env_id)
{
	return write_by_id(st, "DELETE FROM envs WHERE id = ?1", env_id);
}

int store_env_set_running(struct store *st, int64_t env_id, bool running)
{
	return write_by_id(st, running ? "UPDATE envs SET status = 'running' WHERE id = ?1"
	                               : "UPDATE envs SET status = 'stopped' WHERE id = ?1",
	                   env_id);
}

/* --- users and grants --- */

#define USER_COLS                                                                 \
	"SELECT u.id, u.name, u.created,"                                         \
	" (SELECT count(*) FROM keys k WHERE k.user_id = u.id),"                  \
	" (SELECT count(*) FROM grants g WHERE g.user_id = u.id) FROM users u "

static void row_to_user(sqlite3_stmt *s, void *el)
{
	struct store_user *u = el;

	u->id = sqlite3_column_int64(s, 0);
	store__copy(s, 1, u->name, sizeof(u->name));
	u->created = sqlite3_column_int64(s, 2);
	u->n_keys = sqlite3_column_int(s, 3);
	u->n_envs = sqlite3_column_int(s, 4);
}

int store_env_users(struct store *st, int64_t env_id, struct store_user **out, size_t *n)
{
	sqlite3_stmt *s = prep(st, USER_COLS "JOIN grants gg ON gg.user_id = u.id"
	                                     " WHERE gg.env_id = ?1 ORDER BY u.name");

	if (s == NULL)
		return SGW_ESTORE;
	sqlite3_bind_int64(s, 1, env_id);
	return collect(st, s, sizeof(**out), row_to_user, (void **)out, n);
}

int store_user_add(struct store *st, const char *name, int64_t *id)
{
	return insert_named(st, "INSERT INTO users (name, created) VALUES (?1, ?2)", name, id);
}

int store_user_get(struct store *st, const char *name, struct store_user *out)
{
	return get_by_name(st, USER_COLS "WHERE u.name = ?1", name, row_to_user, out, sizeof(*out));
}

int store_user_list(struct store *st, struct store_user **out, size_t *n)
{
	sqlite3_stmt *s = prep(st, USER_COLS "ORDER BY u.name");

	if (s == NULL)
		return SGW_ESTORE;
	return collect(st, s, sizeof(**out), row_to_user, (void **)out, n);
}

int store_user_rm(struct store *st, int64_t user_id)
{
	return write_by_id(st, "DELETE FROM users WHERE id = ?1", user_id);
}

static int grant_write(struct store *st, const char *sql, int64_t user_id, int64_t env_id)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = writable(st)) < 0)
		return rc;
	if ((s = prep(st, sql)) == NULL)
		return SGW_ESTORE;
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_int64(s, 2, env_id);
	return run_write(st, s, NULL);
}

int store_grant_add(struct store *st, int64_t user_id, int64_t env_id)
{
	return grant_write(st, "INSERT INTO grants (user_id, env_id) VALUES (?1, ?2)", user_id,
	                   env_id);
}

int store_grant_rm(struct store *st, int64_t user_id, int64_t env_id)
{
	return grant_write(st, "DELETE FROM grants WHERE user_id = ?1 AND env_id = ?2", user_id,
	                   env_id);
}

/* --- keys --- */

#define KEY_COLS                                                                  \
	"SELECT k.id, k.user_id, u.name, k.type, k.fingerprint, k.comment, k.created," \
	" COALESCE(k.last_used, 0), COALESCE(k.expires, 0)"                       \
	" FROM keys k JOIN users u ON u.id = k.user_id "

int store_key_add(struct store *st, int64_t user_id, const char *type, const uint8_t *blob,
                  size_t blob_len, const char *fingerprint, const char *comment, int64_t *id)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = writable(st)) < 0)
		return rc;
	s = prep(st, "INSERT INTO keys (user_id, type, blob, fingerprint, comment, created)"
	             " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	if (s == NULL)
		return SGW_ESTORE;
	sqlite3_bind_int64(s, 1, user_id);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, blob, (int)blob_len, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, comment ? comment : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, (int64_t)time(NULL));
	return run_write(st, s, id);
}

static void row_to_key_el(sqlite3_stmt *s, void *el)
{
	store__row_to_key(s, el);
}

int store_key_get(struct store *st, int64_t id, struct store_key *out)
{
	sqlite3_stmt *s = prep(st, KEY_COLS "WHERE k.id = ?1");
	int rc;

	if (s == NULL)
		return SGW_ESTORE;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		store__row_to_key(s, out);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return SGW_ENOTFOUND;
	return rc == SQLITE_ROW ? 0 : store__rc(st, rc);
}

int store_key_list(struct store *st, int64_t user_id, struct store_key **out, size_t *n)
{
	sqlite3_stmt *s = prep(st, KEY_COLS "WHERE ?1 = 0 OR k.user_id = ?1 ORDER BY u.name, k.id");

	if (s == NULL)
		return SGW_ESTORE;
	sqlite3_bind_int64(s, 1, user_id);
	return collect(st, s, sizeof(**out), row_to_key_el, (void **)out, n);
}

int store_key_rm(struct store *st, int64_t id)
{
	return write_by_id(st, "DELETE FROM keys WHERE id = ?1", id);
}

/* --- mounts --- */

int store_mount_add(struct store *st, int64_t env_id, const char *vpath, const char *dir,
                    bool read_only, int64_t *id)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = writable(st)) < 0)
		return rc;
	s = prep(st, "INSERT INTO mounts (env_id, vpath, dir, read_only, created)"
	             " VALUES (?1, ?2, ?3, ?4, ?5)");
	if (s == NULL)
		return SGW_ESTORE;
	sqlite3_bind_int64(s, 1, env_id);
	sqlite3_bind_text(s, 2, vpath, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, dir, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, read_only ? 1 : 0);
	sqlite3_bind_int64(s, 5, (int64_t)time(NULL));
	return run_write(st, s, id);
}

int store_mount_list(struct store *st, struct store_mount **out, size_t *n)
{
	sqlite3_stmt *s = prep(st, "SELECT m.id, m.env_id, e.name, m.vpath, m.dir, m.read_only,"
	                           " COALESCE(m.quota, 0) FROM mounts m JOIN envs e"
	                           " ON e.id = m.env_id ORDER BY e.name, m.vpath");

	if (s == NULL)
		return SGW_ESTORE;
	return collect(st, s, sizeof(**out), store__row_to_mount, (void **)out, n);
}

int store_mount_rm(struct store *st, int64_t env_id, const char *vpath)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = writable(st)) < 0)
		return rc;
	if ((s = prep(st, "DELETE FROM mounts WHERE env_id = ?1 AND vpath = ?2")) == NULL)
		return SGW_ESTORE;
	sqlite3_bind_int64(s, 1, env_id);
	sqlite3_bind_text(s, 2, vpath, -1, SQLITE_STATIC);
	return run_write(st, s, NULL);
}
