/* store_admin.h — the operator's queries (sftpgw-admin): create, list, remove.
 *
 * Same conventions as store.h: 0 or a negative SGW_E* code (SGW_ENOTFOUND,
 * SGW_EEXISTS on a uniqueness clash, SGW_EDENIED on a readonly connection,
 * SGW_ESTORE otherwise; store_errmsg() has the detail). Lists return one
 * malloc'd array (free()) sorted by name/path.
 */
#ifndef SFTPGW_STORE_ADMIN_H
#define SFTPGW_STORE_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sftpgw/store.h"

struct store_user {
	int64_t id;
	char name[NAME_MAX_LEN + 1];
	int64_t created;
	int n_keys;
	int n_envs;
};

/* Transactions around several calls (BEGIN IMMEDIATE / COMMIT / ROLLBACK). */
int store_tx_begin(struct store *st);
int store_tx_commit(struct store *st);
void store_tx_rollback(struct store *st);

/* --- environments --- */
/* Creates an environment (status running); SGW_EEXISTS if the name is taken. */
int store_env_add(struct store *st, const char *name, int64_t *id);
/* Finds an environment by name. */
int store_env_get(struct store *st, const char *name, struct store_env *out);
/* All environments. */
int store_env_list(struct store *st, struct store_env **out, size_t *n);
/* Removes an environment with its mounts, grants and nodes. */
int store_env_rm(struct store *st, int64_t env_id);
/* Sets status running (true) or stopped (false). */
int store_env_set_running(struct store *st, int64_t env_id, bool running);
/* The users granted an environment. */
int store_env_users(struct store *st, int64_t env_id, struct store_user **out, size_t *n);

/* --- users and grants --- */
/* Creates a user; SGW_EEXISTS if the name is taken. */
int store_user_add(struct store *st, const char *name, int64_t *id);
/* Finds a user by name, with counts of keys and environments. */
int store_user_get(struct store *st, const char *name, struct store_user *out);
/* All users, with counts. */
int store_user_list(struct store *st, struct store_user **out, size_t *n);
/* Removes a user with its keys and grants. */
int store_user_rm(struct store *st, int64_t user_id);
/* Grants an environment; SGW_EEXISTS if already granted. */
int store_grant_add(struct store *st, int64_t user_id, int64_t env_id);
/* Revokes a grant; SGW_ENOTFOUND if there was none. */
int store_grant_rm(struct store *st, int64_t user_id, int64_t env_id);

/* --- keys --- */
/* Stores a key (type, blob, fingerprint, comment, created now);
 * SGW_EEXISTS if the fingerprint is registered already (to anyone). */
int store_key_add(struct store *st, int64_t user_id, const char *type, const uint8_t *blob,
                  size_t blob_len, const char *fingerprint, const char *comment, int64_t *id);
/* Finds a key by id. */
int store_key_get(struct store *st, int64_t id, struct store_key *out);
/* Keys of one user (user_id > 0) or of everyone (user_id 0), by user then id. */
int store_key_list(struct store *st, int64_t user_id, struct store_key **out, size_t *n);
/* Removes a key by id. */
int store_key_rm(struct store *st, int64_t id);

/* --- mounts --- */
/* Adds a mount; SGW_EEXISTS if the env has that virtual path already. */
int store_mount_add(struct store *st, int64_t env_id, const char *vpath, const char *dir,
                    bool read_only, int64_t *id);
/* Mounts of every environment, by env then path. */
int store_mount_list(struct store *st, struct store_mount **out, size_t *n);
/* Removes the mount vpath of an environment. */
int store_mount_rm(struct store *st, int64_t env_id, const char *vpath);

#endif
