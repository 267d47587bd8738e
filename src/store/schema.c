/* schema.c — the store's schema as ordered migrations.
 *
 * Migration i takes the schema from user_version i to i + 1. Never edit a
 * migration that has shipped: add a new one and raise STORE_SCHEMA_VERSION.
 */
#include "sftpgw/store.h"
#include "store_internal.h"

static const char *const migrations[STORE_SCHEMA_VERSION] = {
	/* 0 -> 1: identities, environments, mounts, audit */
	"CREATE TABLE envs ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running','stopped')),"
	"  node_policy TEXT NOT NULL DEFAULT 'primary' CHECK (node_policy IN ('primary','first-up','random')),"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE grants ("
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  env_id INTEGER NOT NULL REFERENCES envs(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (user_id, env_id)) WITHOUT ROWID;"
	"CREATE TABLE keys ("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  type TEXT NOT NULL,"
	"  blob BLOB NOT NULL,"
	"  fingerprint TEXT NOT NULL UNIQUE,"
	"  comment TEXT NOT NULL DEFAULT '',"
	"  created INTEGER NOT NULL,"
	"  expires INTEGER,"
	"  last_used INTEGER);"
	"CREATE INDEX keys_user ON keys(user_id);"
	"CREATE TABLE mounts ("
	"  id INTEGER PRIMARY KEY,"
	"  env_id INTEGER NOT NULL REFERENCES envs(id) ON DELETE CASCADE,"
	"  vpath TEXT NOT NULL,"
	"  dir TEXT NOT NULL,"
	"  read_only INTEGER NOT NULL DEFAULT 0,"
	"  quota INTEGER,"
	"  created INTEGER NOT NULL,"
	"  UNIQUE (env_id, vpath));"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  ts INTEGER NOT NULL,"
	"  event TEXT NOT NULL,"
	"  user TEXT, fingerprint TEXT, addr TEXT, detail TEXT);",

	/* 1 -> 2: nodes of environments, tunnel allow-list */
	"CREATE TABLE nodes ("
	"  id INTEGER PRIMARY KEY,"
	"  env_id INTEGER NOT NULL REFERENCES envs(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  account TEXT NOT NULL,"
	"  host TEXT NOT NULL,"
	"  port INTEGER NOT NULL DEFAULT 22,"
	"  host_key TEXT NOT NULL,"
	"  role TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL DEFAULT 'up' CHECK (status IN ('up','down')),"
	"  is_primary INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL,"
	"  UNIQUE (env_id, name));"
	"CREATE TABLE tunnels ("
	"  id INTEGER PRIMARY KEY,"
	"  env_id INTEGER NOT NULL REFERENCES envs(id) ON DELETE CASCADE,"
	"  host TEXT NOT NULL,"
	"  port_lo INTEGER NOT NULL,"
	"  port_hi INTEGER NOT NULL,"
	"  UNIQUE (env_id, host, port_lo, port_hi));",

	/* 2 -> 3: certificate authorities, issued certificates, revocations */
	"CREATE TABLE cas ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  type TEXT NOT NULL,"
	"  blob BLOB NOT NULL UNIQUE,"
	"  fingerprint TEXT NOT NULL,"
	"  private_path TEXT,"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE certs ("
	"  serial INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  ca_id INTEGER REFERENCES cas(id) ON DELETE SET NULL,"
	"  key_id TEXT NOT NULL,"
	"  principals TEXT NOT NULL,"
	"  fingerprint TEXT NOT NULL,"
	"  valid_after INTEGER NOT NULL,"
	"  valid_before INTEGER NOT NULL,"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE revocations ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('serial','key_id','fingerprint')),"
	"  ca_id INTEGER REFERENCES cas(id) ON DELETE CASCADE,"
	"  value TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  UNIQUE (kind, ca_id, value));",
};

const char *store__migration(int from)
{
	if (from < 0 || from >= STORE_SCHEMA_VERSION)
		return NULL;
	return migrations[from];
}
