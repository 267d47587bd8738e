/* admin.h — shared by the files of sftpgw-admin.
 *
 * Each area (env, key, user, mount, hostkeys, node, ca, cert, ...) lives in its
 * own file and exports one table of commands; main.c lists the tables.
 * A command returns the process exit status: 0 ok, 1 failure, 2 usage error.
 */
#ifndef SFTPGW_ADMIN_H
#define SFTPGW_ADMIN_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sftpgw/config.h"
#include "sftpgw/store.h"

enum { ADMIN_OK = 0, ADMIN_FAIL = 1, ADMIN_USAGE = 2 };

struct admin_ctx {
	const char *db_path;   /* --db, else the config's, else CONFIG_DEFAULT_DB */
	char *state_dir;       /* host keys, client key, CA keys */
	bool json;             /* --json: machine-readable output */
	struct store *st;      /* opened read-write before run() unless cmd->no_store */
	const struct admin_cmd *cmd; /* the command being run (for admin_usage) */
	const struct sgw_config *cfg; /* the configuration (cert_max_ttl, ...) */
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
extern const struct admin_cmd admin_ca_cmds[];
extern const struct admin_cmd admin_cert_cmds[];
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
/* Parses the options of argv (argv[0] is the verb) with getopt_long: every
 * entry of opts has flag NULL; the value of opts[i] goes to vals[i] ("" for
 * an option without argument). Returns the index of the first operand, or
 * -1 after printing usage when an option is unknown or the operand count is
 * outside [min, max]. */
int admin_args(struct admin_ctx *c, int argc, char **argv, const struct option *opts,
               const char **vals, int min, int max);
/* Finds an environment by name; prints what to do and returns ADMIN_FAIL if missing. */
int admin_env_find(struct admin_ctx *c, const char *name, struct store_env *out);
/* Finds a user id by name; prints what to do and returns ADMIN_FAIL if missing. */
int admin_user_find(struct admin_ctx *c, const char *name, int64_t *id);
/* Reports a store error of the current command; returns ADMIN_FAIL. */
int admin_store_fail(struct admin_ctx *c, int rc, const char *doing);
/* A timestamp for output: ISO 8601 UTC string, or JSON null for 0. */
json_t *admin_time(int64_t t);
/* Reads a whole small file (public key, etc.; at most max bytes, else -EFBIG),
 * "-" meaning standard input; NUL-terminated, caller frees. */
int admin_read_file(const char *path, size_t max, char **out, size_t *len);

#endif
