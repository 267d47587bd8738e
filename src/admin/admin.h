/* admin.h — shared by the files of sftpgw-admin.
 *
 * Each area (env, key, user, mount, hostkeys, node, ca, cert, ...) lives in its
 * own file and exports one table of commands; main.c lists the tables.
 * A command returns the process exit status: 0 ok, 1 failure, 2 usage error.
 */
#ifndef SFTPGW_ADMIN_H
#define SFTPGW_ADMIN_H

#include <jansson.h>
#include <stdbool.h>

#include "sftpgw/store.h"

enum { ADMIN_OK = 0, ADMIN_FAIL = 1, ADMIN_USAGE = 2 };

struct admin_ctx {
	const char *db_path;   /* --db, else the config's, else CONFIG_DEFAULT_DB */
	char *state_dir;       /* host keys, client key, CA keys */
	bool json;             /* --json: machine-readable output */
	struct store *st;      /* opened read-write before run() unless cmd->no_store */
};

struct admin_cmd {
	const char *group;     /* "env", "key", ... ; NULL for top-level verbs like "init" */
	const char *verb;      /* "add", "list", ... */
	int (*run)(struct admin_ctx *c, int argc, char **argv); /* argv[0] is the verb */
	const char *usage;     /* "ENV [--read-only]" */
	const char *help;      /* one line */
	bool no_store;         /* do not open the store first (init) */
};

/* Command tables, each ended by an entry with verb == NULL. */
extern const struct admin_cmd admin_init_cmds[];
extern const struct admin_cmd admin_env_cmds[];
extern const struct admin_cmd admin_key_cmds[];
extern const struct admin_cmd admin_user_cmds[];
extern const struct admin_cmd admin_mount_cmds[];
extern const struct admin_cmd admin_hostkeys_cmds[];
extern const struct admin_cmd admin_node_cmds[];

/* Prints rows (a JSON array of objects) as an aligned table of the given
 * columns (keys, NULL-terminated) for people, or the array as JSON with --json. */
void admin_print_list(const struct admin_ctx *c, json_t *rows, const char *const *cols);
/* Prints one object as "key: value" lines, or as JSON with --json. */
void admin_print_obj(const struct admin_ctx *c, json_t *obj);
/* Prints "sftpgw-admin: MESSAGE" on stderr; returns ADMIN_FAIL. */
int admin_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the command's usage on stderr; returns ADMIN_USAGE. */
int admin_usage(const struct admin_cmd *cmd);
/* Reads a whole small file (public key, etc.; at most max bytes); caller frees. */
int admin_read_file(const char *path, size_t max, char **out, size_t *len);

#endif
