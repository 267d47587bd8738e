/* store.h — the embedded SQLite store (WAL, schema versioned by user_version).
 *
 * The daemon opens one connection per worker and reads on its loop thread
 * (indexed look-ups, microseconds); writes (audit, last_used) go through the
 * threadpool with a connection of their own. sftpgw-admin opens read-write.
 * Every function returns 0 or a negative SGW_E* code (SGW_ENOTFOUND when a row
 * is missing, SGW_EEXISTS on a uniqueness clash, SGW_ESTORE otherwise).
 *
 * A struct store is for one thread at a time: its cached statements and error
 * text are not shared-safe (threadpool writers: a mutex around the writer
 * connection, or one connection per thread). Look-ups take ~10 us with 10,000
 * keys (indexed; prepared once per connection).
 *
 * Modules may add their own queries in src/store/<area>.c with a header
 * include/sftpgw/store_<area>.h; the schema itself lives in src/store/schema.c.
 */
#ifndef SFTPGW_STORE_H
#define SFTPGW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "sftpgw/names.h"

#define STORE_SCHEMA_VERSION 3
#define STORE_BUSY_TIMEOUT_MS 2000

struct store {
	sqlite3 *db;
	bool readonly;
};

/* Opens (and with create, creates and migrates) the store at path.
 * readonly connections refuse a store whose schema is not current. */
int store_open(const char *path, bool create, bool readonly, struct store **out);
void store_close(struct store *st);
/* Opens read-write, creating it if missing, and migrates only up to `target`
 * (tests of migrations from an older schema). */
int store_open_version(const char *path, int target, struct store **out);
/* Brings the schema from its user_version up to `target` (STORE_SCHEMA_VERSION normally). */
int store_migrate(struct store *st, int target);
/* PRAGMA user_version. */
int store_schema_version(struct store *st, int *v);
/* Changes whenever another connection commits (PRAGMA data_version): a cheap change check. */
int store_data_version(struct store *st, int64_t *v);
/* Last error text of the connection, for messages; with st NULL, why the
 * last store_open() of this thread failed (says what to run next). */
const char *store_errmsg(struct store *st);

/* --- identities (used by authentication) --- */
struct store_key {
	int64_t id;
	int64_t user_id;
	char user[NAME_MAX_LEN + 1];
	char type[48];           /* "ssh-ed25519", ... */
	char fingerprint[64];    /* "SHA256:..." as ssh-keygen -l prints it */
	char comment[256];
	int64_t created, last_used, expires; /* unix seconds; 0 = never/none */
};
/* Finds a key by its SHA256 fingerprint. */
int store_key_by_fingerprint(struct store *st, const char *fp, struct store_key *out);
/* Records a successful login (threadpool: it writes). */
int store_key_touch(struct store *st, int64_t key_id, int64_t now);
/* Looks up a user by name. */
int store_user_id(struct store *st, const char *name, int64_t *id);

struct store_env {
	int64_t id;
	char name[NAME_MAX_LEN + 1];
	bool running;            /* status = 'running' */
	char node_policy[16];    /* primary | first-up | random */
};
/* The environments granted to a user, by name. *out is one malloc'd array (free()). */
int store_user_envs(struct store *st, int64_t user_id, struct store_env **out, size_t *n);

struct store_mount {
	int64_t id;
	int64_t env_id;
	char env[NAME_MAX_LEN + 1];
	char vpath[1024];        /* normalized virtual path, e.g. "/pub/media" */
	char dir[4096];          /* backing directory, absolute */
	bool read_only;
	int64_t quota;           /* bytes; 0 = none */
};
/* The mounts of one environment, by vpath. *out is one malloc'd array (free()). */
int store_env_mounts(struct store *st, int64_t env_id, struct store_mount **out, size_t *n);

/* Appends an audit event (threadpool: it writes). Any string may be NULL. */
int store_audit(struct store *st, const char *event, const char *user, const char *fingerprint,
                const char *addr, const char *detail);

#endif
