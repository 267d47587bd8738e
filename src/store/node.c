/* node.c — queries for nodes and the tunnel allow-list (see store_node.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sftpgw/err.h"
#include "sftpgw/store_node.h"

#define NODE_COLS "n.id, n.env_id, e.name, n.name, n.account, n.host, n.port, n.host_key, " \
	"n.role, n.status, n.is_primary"

static int node_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt)
{
	return sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) == SQLITE_OK ? 0 : SGW_ESTORE;
}

static void node_text(sqlite3_stmt *stmt, int col, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(stmt, col);

	snprintf(out, outsz, "%s", t ? (const char *)t : "");
}

static void node_row(sqlite3_stmt *stmt, struct store_node *n)
{
	char status[8];

	memset(n, 0, sizeof(*n));
	n->id = sqlite3_column_int64(stmt, 0);
	n->env_id = sqlite3_column_int64(stmt, 1);
	node_text(stmt, 2, n->env, sizeof(n->env));
	node_text(stmt, 3, n->name, sizeof(n->name));
	node_text(stmt, 4, n->account, sizeof(n->account));
	node_text(stmt, 5, n->host, sizeof(n->host));
	n->port = sqlite3_column_int(stmt, 6);
	node_text(stmt, 7, n->host_key, sizeof(n->host_key));
	node_text(stmt, 8, n->role, sizeof(n->role));
	node_text(stmt, 9, status, sizeof(status));
	n->up = strcmp(status, "up") == 0;
	n->primary = sqlite3_column_int(stmt, 10) != 0;
}

/* Maps a finished step to our codes. */
static int node_step_done(sqlite3 *db, int rc)
{
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	if ((rc & 0xff) == SQLITE_CONSTRAINT || sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_UNIQUE)
		return SGW_EEXISTS;
	return SGW_ESTORE;
}

int store_node_env_find(struct store *st, const char *name, struct store_env *out)
{
	sqlite3_stmt *stmt;
	int rc, r;

	if ((r = node_prepare(st, "SELECT id, name, status, node_policy FROM envs WHERE name = ?",
	                      &stmt)) != 0)
		return r;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		char status[16];
		memset(out, 0, sizeof(*out));
		out->id = sqlite3_column_int64(stmt, 0);
		node_text(stmt, 1, out->name, sizeof(out->name));
		node_text(stmt, 2, status, sizeof(status));
		out->running = strcmp(status, "running") == 0;
		node_text(stmt, 3, out->node_policy, sizeof(out->node_policy));
		r = 0;
	} else {
		r = rc == SQLITE_DONE ? SGW_ENOTFOUND : SGW_ESTORE;
	}
	sqlite3_finalize(stmt);
	return r;
}

int store_node_env_policy(struct store *st, int64_t env_id, const char *policy)
{
	sqlite3_stmt *stmt;
	int r;

	if ((r = node_prepare(st, "UPDATE envs SET node_policy = ? WHERE id = ?", &stmt)) != 0)
		return r;
	sqlite3_bind_text(stmt, 1, policy, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, env_id);
	r = node_step_done(st->db, sqlite3_step(stmt));
	sqlite3_finalize(stmt);
	if (r == 0 && sqlite3_changes(st->db) == 0)
		r = SGW_ENOTFOUND;
	return r;
}

int store_node_list(struct store *st, int64_t env_id, struct store_node **out, size_t *n)
{
	sqlite3_stmt *stmt;
	struct store_node *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc, r;

	*out = NULL;
	*n = 0;
	if ((r = node_prepare(st, "SELECT " NODE_COLS " FROM nodes n JOIN envs e ON e.id = n.env_id"
	                          " WHERE ?1 = 0 OR n.env_id = ?1 ORDER BY e.name, n.name",
	                      &stmt)) != 0)
		return r;
	sqlite3_bind_int64(stmt, 1, env_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct store_node *nv = realloc(v, ncap * sizeof(*v));
			if (nv == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			v = nv;
			cap = ncap;
		}
		node_row(stmt, &v[cnt++]);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		free(v);
		return SGW_ESTORE;
	}
	*out = v;
	*n = cnt;
	return 0;
}

int store_node_find(struct store *st, int64_t env_id, const char *name, struct store_node *out)
{
	sqlite3_stmt *stmt;
	int rc, r;

	if ((r = node_prepare(st, "SELECT " NODE_COLS " FROM nodes n JOIN envs e ON e.id = n.env_id"
	                          " WHERE n.env_id = ? AND n.name = ?",
	                      &stmt)) != 0)
		return r;
	sqlite3_bind_int64(stmt, 1, env_id);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		node_row(stmt, out);
	r = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? SGW_ENOTFOUND : SGW_ESTORE;
	sqlite3_finalize(stmt);
	return r;
}

static int node_exec(struct store *st, const char *sql)
{
	return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : SGW_ESTORE;
}

/* Clears the primary flag of the environment's nodes other than keep_id. */
static int node_clear_primary(struct store *st, int64_t env_id, int64_t keep_id)
{
	sqlite3_stmt *stmt;
	int r;

	if ((r = node_prepare(st, "UPDATE nodes SET is_primary = 0 WHERE env_id = ? AND id != ?",
	                      &stmt)) != 0)
		return r;
	sqlite3_bind_int64(stmt, 1, env_id);
	sqlite3_bind_int64(stmt, 2, keep_id);
	r = node_step_done(st->db, sqlite3_step(stmt));
	sqlite3_finalize(stmt);
	return r;
}

static void node_bind_fields(sqlite3_stmt *stmt, const struct store_node *n)
{
	sqlite3_bind_text(stmt, 1, n->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, n->account, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, n->host, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 4, n->port);
	sqlite3_bind_text(stmt, 5, n->host_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, n->role, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, n->up ? "up" : "down", -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 8, n->primary ? 1 : 0);
	sqlite3_bind_int64(stmt, 9, n->env_id);
}

/* Runs an INSERT or UPDATE of one node and the primary rule in one transaction. */
static int node_write(struct store *st, struct store_node *n, const char *sql, bool insert)
{
	sqlite3_stmt *stmt;
	int r;

	if ((r = node_exec(st, "BEGIN IMMEDIATE")) != 0)
		return r;
	if ((r = node_prepare(st, sql, &stmt)) == 0) {
		node_bind_fields(stmt, n);
		if (!insert)
			sqlite3_bind_int64(stmt, 10, n->id);
		r = node_step_done(st->db, sqlite3_step(stmt));
		sqlite3_finalize(stmt);
	}
	if (r == 0 && insert)
		n->id = sqlite3_last_insert_rowid(st->db);
	else if (r == 0 && sqlite3_changes(st->db) == 0)
		r = SGW_ENOTFOUND;
	if (r == 0 && n->primary)
		r = node_clear_primary(st, n->env_id, n->id);
	if (r == 0)
		r = node_exec(st, "COMMIT");
	if (r != 0)
		node_exec(st, "ROLLBACK");
	return r;
}

int store_node_add(struct store *st, struct store_node *n)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
	         "INSERT INTO nodes (name, account, host, port, host_key, role, status, is_primary,"
	         " env_id, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, %lld)",
	         (long long)time(NULL));
	return node_write(st, n, sql, true);
}

int store_node_update(struct store *st, const struct store_node *n)
{
	struct store_node copy = *n;

	return node_write(st, &copy,
	                  "UPDATE nodes SET name = ?1, account = ?2, host = ?3, port = ?4,"
	                  " host_key = ?5, role = ?6, status = ?7, is_primary = ?8"
	                  " WHERE env_id = ?9 AND id = ?10",
	                  false);
}

int store_node_rm(struct store *st, int64_t env_id, const char *name)
{
	sqlite3_stmt *stmt;
	int r;

	if ((r = node_prepare(st, "DELETE FROM nodes WHERE env_id = ? AND name = ?", &stmt)) != 0)
		return r;
	sqlite3_bind_int64(stmt, 1, env_id);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	r = node_step_done(st->db, sqlite3_step(stmt));
	sqlite3_finalize(stmt);
	if (r == 0 && sqlite3_changes(st->db) == 0)
		r = SGW_ENOTFOUND;
	return r;
}

/* --- tunnels --- */

static int tunnel_change(struct store *st, const char *sql, int64_t env_id, const char *host,
                         int lo, int hi)
{
	sqlite3_stmt *stmt;
	int r;

	if ((r = node_prepare(st, sql, &stmt)) != 0)
		return r;
	sqlite3_bind_int64(stmt, 1, env_id);
	sqlite3_bind_text(stmt, 2, host, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, lo);
	sqlite3_bind_int(stmt, 4, hi);
	r = node_step_done(st->db, sqlite3_step(stmt));
	sqlite3_finalize(stmt);
	if (r == 0 && sqlite3_changes(st->db) == 0)
		r = SGW_ENOTFOUND;
	return r;
}

int store_tunnel_add(struct store *st, int64_t env_id, const char *host, int lo, int hi)
{
	return tunnel_change(st, "INSERT INTO tunnels (env_id, host, port_lo, port_hi) "
	                         "VALUES (?, lower(?), ?, ?)", env_id, host, lo, hi);
}

int store_tunnel_rm(struct store *st, int64_t env_id, const char *host, int lo, int hi)
{
	return tunnel_change(st, "DELETE FROM tunnels WHERE env_id = ? AND host = lower(?) AND "
	                         "port_lo = ? AND port_hi = ?", env_id, host, lo, hi);
}

int store_tunnel_list(struct store *st, int64_t env_id, struct store_tunnel **out, size_t *n)
{
	sqlite3_stmt *stmt;
	struct store_tunnel *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc, r;

	*out = NULL;
	*n = 0;
	if ((r = node_prepare(st, "SELECT id, env_id, host, port_lo, port_hi FROM tunnels"
	                          " WHERE env_id = ? ORDER BY host, port_lo", &stmt)) != 0)
		return r;
	sqlite3_bind_int64(stmt, 1, env_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct store_tunnel *nv = realloc(v, ncap * sizeof(*v));
			if (nv == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			v = nv;
			cap = ncap;
		}
		v[cnt].id = sqlite3_column_int64(stmt, 0);
		v[cnt].env_id = sqlite3_column_int64(stmt, 1);
		node_text(stmt, 2, v[cnt].host, sizeof(v[cnt].host));
		v[cnt].port_lo = sqlite3_column_int(stmt, 3);
		v[cnt].port_hi = sqlite3_column_int(stmt, 4);
		cnt++;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		free(v);
		return SGW_ESTORE;
	}
	*out = v;
	*n = cnt;
	return 0;
}

int store_tunnel_match(struct store *st, int64_t env_id, const char *host, int port)
{
	sqlite3_stmt *stmt;
	int rc, r;

	if ((r = node_prepare(st, "SELECT 1 FROM tunnels WHERE env_id = ? AND host = lower(?)"
	                          " AND ? BETWEEN port_lo AND port_hi LIMIT 1", &stmt)) != 0)
		return r;
	sqlite3_bind_int64(stmt, 1, env_id);
	sqlite3_bind_text(stmt, 2, host, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, port);
	rc = sqlite3_step(stmt);
	r = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? SGW_ENOTFOUND : SGW_ESTORE;
	sqlite3_finalize(stmt);
	return r;
}
