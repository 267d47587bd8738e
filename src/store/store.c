/* store.c — opening the SQLite store, migrations, and the daemon's queries.
 *
 * The daemon's look-ups run on every authentication, so their statements are
 * prepared once per connection and reset after each use (see stmt_get()).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sftpgw/err.h"
#include "sftpgw/store.h"
#include "store_internal.h"

/* Why the last store_open() of this thread failed (store_errmsg(NULL)). */
static _Thread_local char open_err[512];

/* The statements the daemon runs often, prepared lazily once per connection. */
static const char *const cached_sql[STORE__N_CACHED] = {
	[STORE__Q_KEY_BY_FP] =
		"SELECT k.id, k.user_id, u.name, k.type, k.fingerprint, k.comment, k.created,"
		" COALESCE(k.last_used, 0), COALESCE(k.expires, 0)"
		" FROM keys k JOIN users u ON u.id = k.user_id WHERE k.fingerprint = ?1",
	[STORE__Q_KEY_TOUCH] = "UPDATE keys SET last_used = ?2 WHERE id = ?1",
	[STORE__Q_USER_ID] = "SELECT id FROM users WHERE name = ?1",
	[STORE__Q_USER_ENVS] =
		"SELECT e.id, e.name, e.status = 'running', e.node_policy"
		" FROM grants g JOIN envs e ON e.id = g.env_id WHERE g.user_id = ?1 ORDER BY e.name",
	[STORE__Q_ENV_MOUNTS] =
		"SELECT m.id, m.env_id, e.name, m.vpath, m.dir, m.read_only, COALESCE(m.quota, 0)"
		" FROM mounts m JOIN envs e ON e.id = m.env_id WHERE m.env_id = ?1 ORDER BY m.vpath",
	[STORE__Q_AUDIT] =
		"INSERT INTO audit (ts, event, user, fingerprint, addr, detail)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[STORE__Q_DATA_VERSION] = "PRAGMA data_version",
	[STORE__Q_USER_VERSION] = "PRAGMA user_version",
	[STORE__Q_CERT_FACTS] = store__cert_facts_sql,
};

static void set_open_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void set_open_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(open_err, sizeof(open_err), fmt, ap);
	va_end(ap);
}

void store__set_err(struct store *st, const char *fmt, ...)
{
	struct store_conn *c = (struct store_conn *)st;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

const char *store_errmsg(struct store *st)
{
	struct store_conn *c = (struct store_conn *)st;

	if (st == NULL)
		return open_err;
	if (c->err[0] != '\0')
		return c->err;
	return sqlite3_errmsg(st->db);
}

int store__rc(struct store *st, int rc)
{
	if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	store__set_err(st, "%s", sqlite3_errmsg(st->db));
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		return SGW_EEXISTS;
	return SGW_ESTORE;
}

sqlite3_stmt *store__stmt(struct store *st, enum store__query q)
{
	struct store_conn *c = (struct store_conn *)st;

	c->err[0] = '\0';
	if (c->cached[q] == NULL &&
	    sqlite3_prepare_v3(st->db, cached_sql[q], -1, SQLITE_PREPARE_PERSISTENT,
	                       &c->cached[q], NULL) != SQLITE_OK) {
		store__set_err(st, "%s", sqlite3_errmsg(st->db));
		return NULL;
	}
	return c->cached[q];
}

int store__exec(struct store *st, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		store__set_err(st, "%s", msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return SGW_ESTORE;
	}
	return 0;
}

void store__copy(sqlite3_stmt *s, int col, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(out, outsz, "%s", t ? (const char *)t : "");
}

static int read_user_version(struct store *st, int *v)
{
	sqlite3_stmt *s = store__stmt(st, STORE__Q_USER_VERSION);
	int rc;

	if (s == NULL)
		return SGW_ESTORE;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : store__rc(st, rc);
}

int store_schema_version(struct store *st, int *v)
{
	return read_user_version(st, v);
}

int store_data_version(struct store *st, int64_t *v)
{
	sqlite3_stmt *s = store__stmt(st, STORE__Q_DATA_VERSION);
	int rc;

	if (s == NULL)
		return SGW_ESTORE;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : store__rc(st, rc);
}

/* One transaction for all steps: a failed migration leaves the old schema intact. */
int store_migrate(struct store *st, int target)
{
	char sql[64];
	int v, rc;

	if (st->readonly)
		return SGW_EDENIED;
	if (target < 0 || target > STORE_SCHEMA_VERSION)
		return SGW_EUNSUPPORTED;
	if ((rc = store__exec(st, "BEGIN IMMEDIATE")) < 0)
		return rc;
	if ((rc = read_user_version(st, &v)) < 0)
		goto fail;
	if (v > target) {
		store__set_err(st, "store schema is version %d, newer than %d", v, target);
		rc = SGW_EUNSUPPORTED;
		goto fail;
	}
	for (; v < target; v++)
		if ((rc = store__exec(st, store__migration(v))) < 0)
			goto fail;
	/* PRAGMA takes no parameters; target is our own integer. */
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", target);
	if ((rc = store__exec(st, sql)) < 0)
		goto fail;
	return store__exec(st, "COMMIT");
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int conn_setup(struct store *st)
{
	int rc;

	sqlite3_extended_result_codes(st->db, 1);
	if (sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS) != SQLITE_OK)
		return SGW_ESTORE;
	if ((rc = store__exec(st, "PRAGMA foreign_keys = ON")) < 0)
		return rc;
	if (st->readonly)
		return 0;
	/* WAL is a property of the file: set once by a writer, readers inherit it. */
	if ((rc = store__exec(st, "PRAGMA journal_mode = WAL")) < 0)
		return rc;
	return store__exec(st, "PRAGMA synchronous = NORMAL");
}

static int check_version(struct store *st, const char *path, int target)
{
	int v, rc;

	if ((rc = read_user_version(st, &v)) < 0)
		return rc;
	if (v > target) {
		set_open_err("store %s has schema version %d, newer than this sftpgw (%d): "
		             "upgrade sftpgw", path, v, target);
		return SGW_EUNSUPPORTED;
	}
	if (v == target)
		return 0;
	if (st->readonly) {
		set_open_err("store %s has schema version %d, this sftpgw needs %d: "
		             "run `sftpgw-admin init` to migrate it", path, v, STORE_SCHEMA_VERSION);
		return SGW_EUNSUPPORTED;
	}
	if ((rc = store_migrate(st, target)) < 0)
		set_open_err("migrating store %s from version %d failed: %s", path, v,
		             store_errmsg(st));
	return rc;
}

static int open_at(const char *path, bool create, bool readonly, int target,
                   struct store **out)
{
	struct store_conn *c;
	struct stat sb;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;
	int rc;

	*out = NULL;
	open_err[0] = '\0';
	if (!create && stat(path, &sb) != 0) {
		set_open_err("no store at %s (%s): run `sftpgw-admin --db %s init` first", path,
		             strerror(errno), path);
		return SGW_ENOTFOUND;
	}
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -ENOMEM;
	c->pub.readonly = readonly;
	if (sqlite3_open_v2(path, &c->pub.db, flags, NULL) != SQLITE_OK) {
		set_open_err("cannot open store %s: %s", path,
		             c->pub.db ? sqlite3_errmsg(c->pub.db) : "out of memory");
		store_close(&c->pub);
		return SGW_ESTORE;
	}
	if ((rc = conn_setup(&c->pub)) < 0) {
		set_open_err("cannot use store %s: %s", path, store_errmsg(&c->pub));
		store_close(&c->pub);
		return rc;
	}
	if ((rc = check_version(&c->pub, path, target)) < 0) {
		store_close(&c->pub);
		return rc;
	}
	*out = &c->pub;
	return 0;
}

int store_open(const char *path, bool create, bool readonly, struct store **out)
{
	return open_at(path, create, readonly, STORE_SCHEMA_VERSION, out);
}

int store_open_version(const char *path, int target, struct store **out)
{
	if (target < 0 || target > STORE_SCHEMA_VERSION)
		return SGW_EUNSUPPORTED;
	return open_at(path, true, false, target, out);
}

void store_close(struct store *st)
{
	struct store_conn *c = (struct store_conn *)st;

	if (st == NULL)
		return;
	for (int i = 0; i < STORE__N_CACHED; i++)
		sqlite3_finalize(c->cached[i]);
	sqlite3_close_v2(st->db);
	free(c);
}

static void row_to_key(sqlite3_stmt *s, struct store_key *k)
{
	memset(k, 0, sizeof(*k));
	k->id = sqlite3_column_int64(s, 0);
	k->user_id = sqlite3_column_int64(s, 1);
	store__copy(s, 2, k->user, sizeof(k->user));
	store__copy(s, 3, k->type, sizeof(k->type));
	store__copy(s, 4, k->fingerprint, sizeof(k->fingerprint));
	store__copy(s, 5, k->comment, sizeof(k->comment));
	k->created = sqlite3_column_int64(s, 6);
	k->last_used = sqlite3_column_int64(s, 7);
	k->expires = sqlite3_column_int64(s, 8);
}

void store__row_to_key(sqlite3_stmt *s, struct store_key *k)
{
	row_to_key(s, k);
}

int store_key_by_fingerprint(struct store *st, const char *fp, struct store_key *out)
{
	sqlite3_stmt *s = store__stmt(st, STORE__Q_KEY_BY_FP);
	int rc;

	if (s == NULL)
		return SGW_ESTORE;
	sqlite3_bind_text(s, 1, fp, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		row_to_key(s, out);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc == SQLITE_DONE)
		return SGW_ENOTFOUND;
	return rc == SQLITE_ROW ? 0 : store__rc(st, rc);
}

int store_key_touch(struct store *st, int64_t key_id, int64_t now)
{
	sqlite3_stmt *s;
	int rc;

	if (st->readonly)
		return SGW_EDENIED;
	if ((s = store__stmt(st, STORE__Q_KEY_TOUCH)) == NULL)
		return SGW_ESTORE;
	sqlite3_bind_int64(s, 1, key_id);
	sqlite3_bind_int64(s, 2, now);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store__rc(st, rc);
	return sqlite3_changes(st->db) > 0 ? 0 : SGW_ENOTFOUND;
}

int store_user_id(struct store *st, const char *name, int64_t *id)
{
	sqlite3_stmt *s = store__stmt(st, STORE__Q_USER_ID);
	int rc;

	if (s == NULL)
		return SGW_ESTORE;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc == SQLITE_DONE)
		return SGW_ENOTFOUND;
	return rc == SQLITE_ROW ? 0 : store__rc(st, rc);
}

/* Runs s (bound, owned by the caller) and collects one element per row with fill(). */
int store__collect(struct store *st, sqlite3_stmt *s, size_t elsz,
                   void (*fill)(sqlite3_stmt *s, void *el), void **out, size_t *n)
{
	char *arr = NULL, *grown;
	size_t cap = 0, cnt = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 8;
			if ((grown = realloc(arr, cap * elsz)) == NULL) {
				free(arr);
				return -ENOMEM;
			}
			arr = grown;
		}
		memset(arr + cnt * elsz, 0, elsz);
		fill(s, arr + cnt * elsz);
		cnt++;
	}
	if (rc != SQLITE_DONE) {
		free(arr);
		return store__rc(st, rc);
	}
	*out = arr;
	*n = cnt;
	return 0;
}

void store__row_to_env(sqlite3_stmt *s, void *el)
{
	struct store_env *e = el;

	e->id = sqlite3_column_int64(s, 0);
	store__copy(s, 1, e->name, sizeof(e->name));
	e->running = sqlite3_column_int(s, 2) != 0;
	store__copy(s, 3, e->node_policy, sizeof(e->node_policy));
}

void store__row_to_mount(sqlite3_stmt *s, void *el)
{
	struct store_mount *m = el;

	m->id = sqlite3_column_int64(s, 0);
	m->env_id = sqlite3_column_int64(s, 1);
	store__copy(s, 2, m->env, sizeof(m->env));
	store__copy(s, 3, m->vpath, sizeof(m->vpath));
	store__copy(s, 4, m->dir, sizeof(m->dir));
	m->read_only = sqlite3_column_int(s, 5) != 0;
	m->quota = sqlite3_column_int64(s, 6);
}

int store_user_envs(struct store *st, int64_t user_id, struct store_env **out, size_t *n)
{
	sqlite3_stmt *s = store__stmt(st, STORE__Q_USER_ENVS);
	int rc;

	if (s == NULL)
		return SGW_ESTORE;
	sqlite3_bind_int64(s, 1, user_id);
	rc = store__collect(st, s, sizeof(**out), store__row_to_env, (void **)out, n);
	sqlite3_reset(s);
	return rc;
}

int store_env_mounts(struct store *st, int64_t env_id, struct store_mount **out, size_t *n)
{
	sqlite3_stmt *s = store__stmt(st, STORE__Q_ENV_MOUNTS);
	int rc;

	if (s == NULL)
		return SGW_ESTORE;
	sqlite3_bind_int64(s, 1, env_id);
	rc = store__collect(st, s, sizeof(**out), store__row_to_mount, (void **)out, n);
	sqlite3_reset(s);
	return rc;
}

int store_audit(struct store *st, const char *event, const char *user, const char *fingerprint,
                const char *addr, const char *detail)
{
	sqlite3_stmt *s;
	int rc;

	if (st->readonly)
		return SGW_EDENIED;
	if ((s = store__stmt(st, STORE__Q_AUDIT)) == NULL)
		return SGW_ESTORE;
	sqlite3_bind_int64(s, 1, (int64_t)time(NULL));
	sqlite3_bind_text(s, 2, event, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, addr, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, detail, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : store__rc(st, rc);
}
