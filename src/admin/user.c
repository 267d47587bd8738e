/* user.c — `sftpgw-admin user ...`: users and their grants of environments.
 * Users are mostly created by `key add`; here they are listed, granted, revoked, removed. */
#include <stdio.h>
#include <stdlib.h>

#include "admin.h"
#include "sftpgw/err.h"
#include "sftpgw/names.h"
#include "sftpgw/store_admin.h"

static json_t *user_envs(struct admin_ctx *c, int64_t uid)
{
	struct store_env *e = NULL;
	size_t n = 0;
	json_t *a;

	if (store_user_envs(c->st, uid, &e, &n) < 0)
		return NULL;
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(e[i].name));
	free(e);
	return a;
}

static int user_list(struct admin_ctx *c, int argc, char **argv)
{
	static const char *const cols[] = { "name", "keys", "envs", "created", NULL };
	struct store_user *u = NULL;
	size_t n = 0;
	json_t *rows, *envs;
	int rc;

	if (admin_args(c, argc, argv, NULL, NULL, 0, 0) < 0)
		return ADMIN_USAGE;
	if ((rc = store_user_list(c->st, &u, &n)) < 0)
		return admin_store_fail(c, rc, "listing users");
	rows = json_array();
	for (size_t i = 0; i < n; i++) {
		if ((envs = user_envs(c, u[i].id)) == NULL) {
			json_decref(rows);
			free(u);
			return admin_store_fail(c, SGW_ESTORE, "listing grants");
		}
		json_array_append_new(rows, json_pack("{s:s, s:i, s:o, s:o}", "name", u[i].name,
		                                      "keys", u[i].n_keys, "envs", envs, "created",
		                                      admin_time(u[i].created)));
	}
	admin_print_list(c, rows, cols);
	json_decref(rows);
	free(u);
	return ADMIN_OK;
}

static int user_add(struct admin_ctx *c, int argc, char **argv)
{
	const char *why;
	int64_t uid;
	int i, rc;

	if ((i = admin_args(c, argc, argv, NULL, NULL, 1, 1)) < 0)
		return ADMIN_USAGE;
	if ((why = name_why_invalid(argv[i])) != NULL)
		return admin_fail("invalid user name '%s': %s", argv[i], why);
	rc = store_user_add(c->st, argv[i], &uid);
	if (rc == SGW_EEXISTS)
		return admin_fail("user '%s' exists already", argv[i]);
	if (rc < 0)
		return admin_store_fail(c, rc, "adding the user");
	printf("added user %s without keys\nnext: sftpgw-admin user grant %s ENV; "
	       "sftpgw-admin key add ENV KEY.pub --user %s\n", argv[i], argv[i], argv[i]);
	return ADMIN_OK;
}

static int user_rm(struct admin_ctx *c, int argc, char **argv)
{
	int64_t uid;
	int i, rc;

	if ((i = admin_args(c, argc, argv, NULL, NULL, 1, 1)) < 0)
		return ADMIN_USAGE;
	if ((rc = admin_user_find(c, argv[i], &uid)) != ADMIN_OK)
		return rc;
	if ((rc = store_user_rm(c->st, uid)) < 0)
		return admin_store_fail(c, rc, "removing the user");
	printf("removed user %s with its keys and grants\n", argv[i]);
	return ADMIN_OK;
}

static int grant_args(struct admin_ctx *c, int argc, char **argv, int64_t *uid,
                      struct store_env *e)
{
	int i, rc;

	if ((i = admin_args(c, argc, argv, NULL, NULL, 2, 2)) < 0)
		return ADMIN_USAGE;
	if ((rc = admin_user_find(c, argv[i], uid)) != ADMIN_OK)
		return rc;
	return admin_env_find(c, argv[i + 1], e);
}

static int user_grant(struct admin_ctx *c, int argc, char **argv)
{
	struct store_env e;
	int64_t uid;
	int rc;

	if ((rc = grant_args(c, argc, argv, &uid, &e)) != ADMIN_OK)
		return rc;
	rc = store_grant_add(c->st, uid, e.id);
	if (rc < 0 && rc != SGW_EEXISTS)
		return admin_store_fail(c, rc, "granting");
	printf("user %s %s environment %s\n", argv[argc - 2],
	       rc == SGW_EEXISTS ? "already has" : "now has", e.name);
	return ADMIN_OK;
}

static int user_revoke(struct admin_ctx *c, int argc, char **argv)
{
	struct store_env e;
	int64_t uid;
	int rc;

	if ((rc = grant_args(c, argc, argv, &uid, &e)) != ADMIN_OK)
		return rc;
	rc = store_grant_rm(c->st, uid, e.id);
	if (rc == SGW_ENOTFOUND)
		return admin_fail("user %s has no grant of environment %s", argv[argc - 2], e.name);
	if (rc < 0)
		return admin_store_fail(c, rc, "revoking");
	printf("user %s no longer has environment %s (open sessions continue)\n", argv[argc - 2],
	       e.name);
	return ADMIN_OK;
}

const struct admin_cmd admin_user_cmds[] = {
	{ "user", "add", user_add, "NAME",
	  "create a user without keys (for certificates; `key add` creates users too)", false },
	{ "user", "list", user_list, "", "list users with key counts and environments", false },
	{ "user", "rm", user_rm, "NAME", "remove a user with all its keys and grants", false },
	{ "user", "grant", user_grant, "USER ENV", "let a user into an environment", false },
	{ "user", "revoke", user_revoke, "USER ENV", "take an environment from a user", false },
	{ NULL, NULL, NULL, NULL, NULL, false },
};
