/* store_internal.h — shared by the files of src/store only. */
#ifndef SFTPGW_STORE_INTERNAL_H
#define SFTPGW_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>

#include "sftpgw/store.h"

/* Statements prepared once per connection (the daemon's hot path). */
enum store__query {
	STORE__Q_KEY_BY_FP,
	STORE__Q_KEY_TOUCH,
	STORE__Q_USER_ID,
	STORE__Q_USER_ENVS,
	STORE__Q_ENV_MOUNTS,
	STORE__Q_AUDIT,
	STORE__Q_DATA_VERSION,
	STORE__Q_USER_VERSION,
	STORE__Q_CERT_FACTS,     /* src/store/ca.c: store_cert_facts (every certificate login) */
	STORE__N_CACHED
};

/* The connection behind a struct store (pub is first, so the pointers convert). */
struct store_conn {
	struct store pub;
	sqlite3_stmt *cached[STORE__N_CACHED];
	char err[512];
};

/* SQL of STORE__Q_CERT_FACTS (kept beside its function in ca.c). */
extern const char store__cert_facts_sql[];

/* SQL that takes the schema from user_version `from` to from + 1, or NULL. */
const char *store__migration(int from);
/* The cached statement q (reset, unbound), or NULL with the error recorded. */
sqlite3_stmt *store__stmt(struct store *st, enum store__query q);
/* Runs SQL without results; SGW_ESTORE with the message recorded. */
int store__exec(struct store *st, const char *sql);
/* Maps an SQLite result code to 0, SGW_EEXISTS or SGW_ESTORE (recording the message). */
int store__rc(struct store *st, int rc);
/* Records an error message for store_errmsg(). */
void store__set_err(struct store *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copies a text column (NULL -> "") into out, truncating to outsz. */
void store__copy(sqlite3_stmt *s, int col, char *out, size_t outsz);
/* Steps s to the end, collecting one element of elsz bytes per row with fill(). */
int store__collect(struct store *st, sqlite3_stmt *s, size_t elsz,
                   void (*fill)(sqlite3_stmt *s, void *el), void **out, size_t *n);
/* Row fillers for the column orders used in store.c. */
void store__row_to_key(sqlite3_stmt *s, struct store_key *k);
void store__row_to_env(sqlite3_stmt *s, void *el);
void store__row_to_mount(sqlite3_stmt *s, void *el);

#endif
