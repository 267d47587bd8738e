/* env.c — `sftpgw-admin env ...`: environments. */
#include <stdio.h>
#include <stdlib.h>

#include "admin.h"
#include "sftpgw/err.h"
#include "sftpgw/names.h"
#include "sftpgw/store_admin.h"

static int env_add(struct admin_ctx *c, int argc, char **argv)
{
	const char *name, *why;
	int64_t id;
	int i, rc;

	if ((i = admin_args(c, argc, argv, NULL, NULL, 1, 1)) < 0)
		return ADMIN_USAGE;
	name = argv[i];
	if ((why = name_why_invalid(name)) != NULL)
		return admin_fail("invalid environment name '%s': %s", name, why);
	rc = store_env_add(c->st, name, &id);
	if (rc == SGW_EEXISTS)
		return admin_fail("environment '%s' exists already", name);
	if (rc < 0)
		return admin_store_fail(c, rc, "adding the environment");
	printf("added environment %s\nnext: sftpgw-admin mount add %s /pub/media DIRECTORY; "
	       "sftpgw-admin key add %s KEY.pub\n", name, name, name);
	return ADMIN_OK;
}

/* Mounts and users of one environment as JSON arrays (NULL on a store error). */
static int env_details(struct admin_ctx *c, const struct store_env *e, json_t **mounts,
                       json_t **users)
{
	struct store_mount *m = NULL;
	struct store_user *u = NULL;
	size_t nm = 0, nu = 0;
	int rc;

	if ((rc = store_env_mounts(c->st, e->id, &m, &nm)) < 0 ||
	    (rc = store_env_users(c->st, e->id, &u, &nu)) < 0) {
		free(m);
		return admin_store_fail(c, rc, "reading the environment");
	}
	*mounts = json_array();
	*users = json_array();
	for (size_t i = 0; i < nm; i++)
		json_array_append_new(*mounts, json_pack("{s:s, s:s, s:b}", "path", m[i].vpath,
		                                         "dir", m[i].dir, "read_only",
		                                         m[i].read_only));
	for (size_t i = 0; i < nu; i++)
		json_array_append_new(*users, json_string(u[i].name));
	free(m);
	free(u);
	return ADMIN_OK;
}

static int env_list(struct admin_ctx *c, int argc, char **argv)
{
	static const char *const cols[] = { "name", "status", "mounts", "users", NULL };
	struct store_env *e = NULL;
	json_t *rows, *mounts, *users;
	size_t n = 0;
	int rc;

	if (admin_args(c, argc, argv, NULL, NULL, 0, 0) < 0)
		return ADMIN_USAGE;
	if ((rc = store_env_list(c->st, &e, &n)) < 0)
		return admin_store_fail(c, rc, "listing environments");
	rows = json_array();
	for (size_t i = 0; i < n; i++) {
		if (env_details(c, &e[i], &mounts, &users) != ADMIN_OK) {
			json_decref(rows);
			free(e);
			return ADMIN_FAIL;
		}
		json_array_append_new(rows, json_pack("{s:s, s:s, s:I, s:o}", "name", e[i].name,
		                                      "status", e[i].running ? "running" : "stopped",
		                                      "mounts", (json_int_t)json_array_size(mounts),
		                                      "users", users));
		json_decref(mounts);
	}
	admin_print_list(c, rows, cols);
	json_decref(rows);
	free(e);
	return ADMIN_OK;
}

static int env_show(struct admin_ctx *c, int argc, char **argv)
{
	struct store_env e;
	json_t *mounts, *users;
	int i, rc;

	if ((i = admin_args(c, argc, argv, NULL, NULL, 1, 1)) < 0)
		return ADMIN_USAGE;
	if ((rc = admin_env_find(c, argv[i], &e)) != ADMIN_OK ||
	    (rc = env_details(c, &e, &mounts, &users)) != ADMIN_OK)
		return rc;
	json_t *obj = json_pack("{s:s, s:s, s:s, s:o, s:o}", "name", e.name, "status",
	                        e.running ? "running" : "stopped", "node_policy", e.node_policy,
	                        "mounts", mounts, "users", users);
	admin_print_obj(c, obj);
	json_decref(obj);
	return ADMIN_OK;
}

static int env_rm(struct admin_ctx *c, int argc, char **argv)
{
	struct store_env e;
	int i, rc;

	if ((i = admin_args(c, argc, argv, NULL, NULL, 1, 1)) < 0)
		return ADMIN_USAGE;
	if ((rc = admin_env_find(c, argv[i], &e)) != ADMIN_OK)
		return rc;
	if ((rc = store_env_rm(c->st, e.id)) < 0)
		return admin_store_fail(c, rc, "removing the environment");
	printf("removed environment %s with its mounts and grants (users and keys are kept)\n",
	       e.name);
	return ADMIN_OK;
}

static int env_set(struct admin_ctx *c, int argc, char **argv, bool running)
{
	struct store_env e;
	int i, rc;

	if ((i = admin_args(c, argc, argv, NULL, NULL, 1, 1)) < 0)
		return ADMIN_USAGE;
	if ((rc = admin_env_find(c, argv[i], &e)) != ADMIN_OK)
		return rc;
	if ((rc = store_env_set_running(c->st, e.id, running)) < 0)
		return admin_store_fail(c, rc, "changing the environment");
	printf("environment %s is %s%s\n", e.name, running ? "running" : "stopped",
	       running ? "" : " (new sessions are refused; `env start` undoes it)");
	return ADMIN_OK;
}

static int env_stop(struct admin_ctx *c, int argc, char **argv)
{
	return env_set(c, argc, argv, false);
}

static int env_start(struct admin_ctx *c, int argc, char **argv)
{
	return env_set(c, argc, argv, true);
}

const struct admin_cmd admin_env_cmds[] = {
	{ "env", "add", env_add, "NAME", "create an environment", false },
	{ "env", "list", env_list, "", "list environments with mounts and users", false },
	{ "env", "show", env_show, "NAME", "show an environment: status, mounts, users", false },
	{ "env", "rm", env_rm, "NAME", "remove an environment with its mounts and grants", false },
	{ "env", "stop", env_stop, "NAME", "refuse new sessions into an environment", false },
	{ "env", "start", env_start, "NAME", "allow sessions into an environment again", false },
	{ NULL, NULL, NULL, NULL, NULL, false },
};
