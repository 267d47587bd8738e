/* ca.c — store queries for certificate authorities, issued certificates and
 * revocations (schema 3: tables cas, certs, revocations). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sftpgw/err.h"
#include "sftpgw/store_ca.h"
#include "store_internal.h"

static int prep(struct store *st, const char *sql, sqlite3_stmt **s)
{
	return sqlite3_prepare_v2(st->db, sql, -1, s, NULL) == SQLITE_OK ? 0 : SGW_ESTORE;
}

static int step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 0;
	return rc == SQLITE_CONSTRAINT ? SGW_EEXISTS : SGW_ESTORE;
}

static void col_text(sqlite3_stmt *s, int i, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	snprintf(out, outsz, "%s", t ? (const char *)t : "");
}

#define CA_COLS "id, name, type, fingerprint, private_path, created"

static void row_ca(sqlite3_stmt *s, struct store_ca *ca)
{
	ca->id = sqlite3_column_int64(s, 0);
	col_text(s, 1, ca->name, sizeof(ca->name));
	col_text(s, 2, ca->type, sizeof(ca->type));
	col_text(s, 3, ca->fingerprint, sizeof(ca->fingerprint));
	col_text(s, 4, ca->private_path, sizeof(ca->private_path));
	ca->created = sqlite3_column_int64(s, 5);
}

int store_ca_add(struct store *st, const char *name, const char *type, const uint8_t *blob,
                 size_t n, const char *fingerprint, const char *private_path, int64_t now,
                 int64_t *id)
{
	sqlite3_stmt *s;
	int r;

	if ((r = prep(st, "INSERT INTO cas (name, type, blob, fingerprint, private_path, created)"
	                  " VALUES (?, ?, ?, ?, ?, ?)", &s)) != 0)
		return r;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, blob, (int)n, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, fingerprint, -1, SQLITE_STATIC);
	if (private_path != NULL)
		sqlite3_bind_text(s, 5, private_path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, now);
	if ((r = step_done(s)) == 0 && id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return r;
}

int store_ca_get(struct store *st, const char *name, struct store_ca *out, uint8_t **blob,
                 size_t *bn)
{
	sqlite3_stmt *s;
	int r, rc;

	if ((r = prep(st, "SELECT " CA_COLS ", blob FROM cas WHERE name = ?", &s)) != 0)
		return r;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_ca(s, out);
		if (blob != NULL) {
			*bn = (size_t)sqlite3_column_bytes(s, 6);
			if ((*blob = malloc(*bn ? *bn : 1)) == NULL)
				r = -ENOMEM;
			else if (*bn)
				memcpy(*blob, sqlite3_column_blob(s, 6), *bn);
		}
	} else {
		r = rc == SQLITE_DONE ? SGW_ENOTFOUND : SGW_ESTORE;
	}
	sqlite3_finalize(s);
	return r;
}

int store_ca_find_blob(struct store *st, const uint8_t *blob, size_t n, struct store_ca *out)
{
	sqlite3_stmt *s;
	int r, rc;

	if ((r = prep(st, "SELECT " CA_COLS " FROM cas WHERE blob = ?", &s)) != 0)
		return r;
	sqlite3_bind_blob(s, 1, blob, (int)n, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		row_ca(s, out);
	else
		r = rc == SQLITE_DONE ? SGW_ENOTFOUND : SGW_ESTORE;
	sqlite3_finalize(s);
	return r;
}

int store_ca_list(struct store *st, struct store_ca **out, size_t *n)
{
	sqlite3_stmt *s;
	struct store_ca *v = NULL, *nv;
	size_t cnt = 0;
	int r, rc;

	if ((r = prep(st, "SELECT " CA_COLS " FROM cas ORDER BY name", &s)) != 0)
		return r;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((nv = realloc(v, (cnt + 1) * sizeof(*v))) == NULL) {
			r = -ENOMEM;
			break;
		}
		v = nv;
		row_ca(s, &v[cnt++]);
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = SGW_ESTORE;
	sqlite3_finalize(s);
	if (r != 0) {
		free(v);
		return r;
	}
	*out = v;
	*n = cnt;
	return 0;
}

int store_ca_rm(struct store *st, const char *name)
{
	sqlite3_stmt *s;
	int r;

	if ((r = prep(st, "DELETE FROM cas WHERE name = ?", &s)) != 0)
		return r;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if ((r = step_done(s)) != 0)
		return r;
	return sqlite3_changes(st->db) > 0 ? 0 : SGW_ENOTFOUND;
}

int store_cert_record(struct store *st, int64_t ca_id, const char *key_id,
                      const char *principals, const char *fingerprint, int64_t valid_after,
                      int64_t valid_before, int64_t now, uint64_t *serial)
{
	sqlite3_stmt *s;
	int r;

	if ((r = prep(st, "INSERT INTO certs (ca_id, key_id, principals, fingerprint, valid_after,"
	                  " valid_before, created) VALUES (?, ?, ?, ?, ?, ?, ?)", &s)) != 0)
		return r;
	sqlite3_bind_int64(s, 1, ca_id);
	sqlite3_bind_text(s, 2, key_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, principals, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, valid_after);
	sqlite3_bind_int64(s, 6, valid_before);
	sqlite3_bind_int64(s, 7, now);
	if ((r = step_done(s)) == 0)
		*serial = (uint64_t)sqlite3_last_insert_rowid(st->db);
	return r;
}

static const char *const kind_names[] = { "serial", "key_id", "fingerprint" };

int store_revoke_add(struct store *st, enum store_revoke_kind kind, int64_t ca_id,
                     const char *value, int64_t now)
{
	sqlite3_stmt *s;
	bool already = false;
	int r;

	/* UNIQUE does not catch a NULL ca_id twice: look first */
	if ((r = store_revoked(st, kind, ca_id, value, &already)) != 0 || already)
		return r;
	if ((r = prep(st, "INSERT INTO revocations (kind, ca_id, value, created)"
	                  " VALUES (?, ?, ?, ?)", &s)) != 0)
		return r;
	sqlite3_bind_text(s, 1, kind_names[kind], -1, SQLITE_STATIC);
	if (ca_id != 0)
		sqlite3_bind_int64(s, 2, ca_id);
	sqlite3_bind_text(s, 3, value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now);
	return step_done(s);
}

int store_revoked(struct store *st, enum store_revoke_kind kind, int64_t ca_id,
                  const char *value, bool *revoked)
{
	sqlite3_stmt *s;
	int r, rc;

	if ((r = prep(st, "SELECT 1 FROM revocations WHERE kind = ? AND value = ?"
	                  " AND (ca_id IS NULL OR ca_id = ?) LIMIT 1", &s)) != 0)
		return r;
	sqlite3_bind_text(s, 1, kind_names[kind], -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, ca_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return SGW_ESTORE;
	*revoked = rc == SQLITE_ROW;
	return 0;
}

int store_cert_revoked(struct store *st, int64_t ca_id, const char *key_fp, const char *ca_fp,
                       const char *serial, const char *key_id, bool *revoked)
{
	sqlite3_stmt *s;
	int r, rc;

	if ((r = prep(st, "SELECT 1 FROM revocations WHERE"
	                  " (kind = 'fingerprint' AND value IN (?1, ?2) AND ca_id IS NULL)"
	                  " OR (kind = 'serial' AND value = ?3 AND ca_id = ?5)"
	                  " OR (kind = 'key_id' AND value = ?4 AND (ca_id IS NULL OR ca_id = ?5))"
	                  " LIMIT 1", &s)) != 0)
		return r;
	sqlite3_bind_text(s, 1, key_fp, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, ca_fp, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, key_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, ca_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return SGW_ESTORE;
	*revoked = rc == SQLITE_ROW;
	return 0;
}

/* Each EXISTS is one probe of the UNIQUE (kind, ca_id, value) index. */
const char store__cert_facts_sql[] =
	"WITH ca AS (SELECT COALESCE((SELECT id FROM cas WHERE blob = ?1), 0) AS id)"
	" SELECT ca.id,"
	" EXISTS (SELECT 1 FROM revocations WHERE kind = 'fingerprint'"
	"  AND ca_id IS NULL AND value IN (?2, ?3))"
	" OR EXISTS (SELECT 1 FROM revocations WHERE kind = 'serial'"
	"  AND ca_id = ca.id AND value = ?4)"
	" OR EXISTS (SELECT 1 FROM revocations WHERE kind = 'key_id'"
	"  AND ca_id IS NULL AND value = ?5)"
	" OR EXISTS (SELECT 1 FROM revocations WHERE kind = 'key_id'"
	"  AND ca_id = ca.id AND value = ?5),"
	" COALESCE((SELECT id FROM users WHERE name = ?6), 0) FROM ca";

int store_cert_facts(struct store *st, const uint8_t *ca_blob, size_t n, const char *key_fp,
                     const char *ca_fp, const char *serial, const char *key_id,
                     const char *user, struct store_cert_facts *out)
{
	sqlite3_stmt *s = store__stmt(st, STORE__Q_CERT_FACTS);
	int rc;

	if (s == NULL)
		return SGW_ESTORE;
	sqlite3_bind_blob(s, 1, ca_blob, (int)n, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, key_fp, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, ca_fp, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, key_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, user, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->ca_id = sqlite3_column_int64(s, 0);
		out->revoked = sqlite3_column_int(s, 1) != 0;
		out->user_id = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_ROW ? 0 : SGW_ESTORE;
}

int store_revocation_list(struct store *st, struct store_revocation **out, size_t *n)
{
	sqlite3_stmt *s;
	struct store_revocation *v = NULL, *nv;
	size_t cnt = 0;
	int r, rc;

	if ((r = prep(st, "SELECT r.id, r.kind, COALESCE(c.name, ''), r.value, r.created"
	                  " FROM revocations r LEFT JOIN cas c ON c.id = r.ca_id ORDER BY r.id",
	              &s)) != 0)
		return r;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((nv = realloc(v, (cnt + 1) * sizeof(*v))) == NULL) {
			r = -ENOMEM;
			break;
		}
		v = nv;
		v[cnt].id = sqlite3_column_int64(s, 0);
		col_text(s, 1, v[cnt].kind, sizeof(v[cnt].kind));
		col_text(s, 2, v[cnt].ca, sizeof(v[cnt].ca));
		col_text(s, 3, v[cnt].value, sizeof(v[cnt].value));
		v[cnt].created = sqlite3_column_int64(s, 4);
		cnt++;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = SGW_ESTORE;
	sqlite3_finalize(s);
	if (r != 0) {
		free(v);
		return r;
	}
	*out = v;
	*n = cnt;
	return 0;
}

int store_cert_tunnels_allowed(struct store *st, int64_t user_id, const char *env,
                               bool *allowed)
{
	bool all = env == NULL || env[0] == '\0';
	sqlite3_stmt *s;
	int r, rc;

	/* without an env: any granted env with a tunnel rule (each env's own rules
	 * still limit its tunnels at session time) */
	r = prep(st, all ? "SELECT EXISTS (SELECT 1 FROM tunnels t JOIN grants g"
	                   " ON g.env_id = t.env_id WHERE g.user_id = ?)"
	                 : "SELECT EXISTS (SELECT 1 FROM tunnels t JOIN envs e ON e.id = t.env_id"
	                   " JOIN grants g ON g.env_id = e.id WHERE g.user_id = ? AND e.name = ?)",
	         &s);
	if (r != 0)
		return r;
	sqlite3_bind_int64(s, 1, user_id);
	if (!all)
		sqlite3_bind_text(s, 2, env, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*allowed = sqlite3_column_int(s, 0) != 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : SGW_ESTORE;
}
